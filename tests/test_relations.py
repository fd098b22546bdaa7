"""Relations between contacts: link, unlink, show both ways, search fields, graph, check, mv and merge."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import commit_count, git, head_files, head_message, no_traceback, ok
from vault_tool.format.relations import (
    DEFAULT_RELATIONS,
    Relation,
    inverses,
    merged,
    retargeted,
    type_problem,
    with_relation,
    without_relation,
)


def front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def paths(invoke, vault: Path, query: str) -> set[str]:
    result = invoke("-C", vault, "search", query, "--format", "paths")
    assert result.exit_code in (0, 1), result.output
    no_traceback(result)
    return {Path(line).stem for line in result.stdout.split()}


@pytest.fixture
def people(empty_vault: Path, invoke) -> Path:
    """A vault with Ada and Charles at Analytical Engines (by name and by handle), Mary, and the company."""
    for args in (("Analytical Engines", "--kind", "organization"),
                 ("Ada Lovelace", "--company", "Analytical Engines", "--title", "Head of Research"),
                 ("Charles Babbage", "--company", "analytical-engines", "--title", "Founder"),
                 ("Mary Somerville",)):
        ok(invoke("-C", empty_vault, "add", *args))
    return empty_vault


# The format ------------------------------------------------------------------------------------


def test_the_inverse_of_each_type_is_derived_both_ways() -> None:
    both = inverses(DEFAULT_RELATIONS)
    assert both["reports_to"] == "manages" and both["manages"] == "reports_to"
    assert both["spouse"] == "spouse" and both["child_of"] == "parent_of"
    assert Relation("ada", "reports_to", "charles").flipped(both) == Relation("charles", "manages", "ada")
    assert type_problem({"reports_to": "manages", "manages": "boss_of"}) is not None
    assert type_problem({"Reports To": "manages"}) is not None
    assert type_problem(DEFAULT_RELATIONS) is None


def test_relation_values_are_a_handle_or_a_list_and_edits_keep_that_shape() -> None:
    assert with_relation(None, "introduced", "ada") == {"introduced": "ada"}
    assert with_relation({"introduced": "ada"}, "introduced", "bob") == {"introduced": ["ada", "bob"]}
    assert with_relation({"introduced": ["ada"]}, "introduced", "ada") is None
    assert without_relation({"introduced": ["ada", "bob"]}, "introduced", "ada") == {"introduced": "bob"}
    assert without_relation({"introduced": "ada"}, "introduced", "ada") == {}
    assert without_relation({"introduced": "ada"}, "friend", "ada") is None
    assert retargeted({"friend": ["old", "x"], "spouse": "y"}, "old", "new", "me") == {"friend": ["new", "x"],
                                                                                     "spouse": "y"}
    assert retargeted({"friend": "old"}, "old", "me", "me") == {}
    assert retargeted({"friend": "x"}, "old", "new", "me") is None
    assert merged([{"friend": "a"}, {"friend": ["a", "b", "me"], "spouse": "other"}], "me", {"other"}) == {
        "friend": ["a", "b"]}


def test_init_writes_the_default_relation_types(empty_vault: Path) -> None:
    config = yaml.safe_load((empty_vault / "vault.yaml").read_text())
    assert config["relations"] == DEFAULT_RELATIONS


@pytest.mark.parametrize("relations,message", [
    ("relations: [reports_to]", "'relations' must map each relation type to its inverse"),
    ("relations: {reports_to: manages, manages: boss_of}", "has two inverses"),
    ("relations: {company: employs}", "named like a search field"),
])
def test_a_wrong_relations_setting_is_a_one_line_error(people: Path, invoke, relations: str, message: str) -> None:
    config = people / "vault.yaml"
    config.write_text(re.sub(r"\nrelations:\n(  .*\n)*", "\n", config.read_text()) + relations + "\n")
    result = invoke("-C", people, "link", "ada", "friend", "mary")
    assert result.exit_code != 0 and message in result.stderr
    no_traceback(result)


# link and unlink -------------------------------------------------------------------------------


def test_link_writes_one_line_in_the_first_contacts_file_and_commits(people: Path, invoke) -> None:
    ada = people / "contacts" / "ada-lovelace.md"
    before = ada.read_text()
    count = commit_count(people)

    result = invoke("-C", people, "link", "ada", "reports_to", "charles")

    ok(result)
    assert head_message(people) == "Link Ada Lovelace reports_to Charles Babbage"
    assert head_files(people) == ["contacts/ada-lovelace.md"] and commit_count(people) == count + 1
    after = ada.read_text()
    assert after.replace("relations:\n  reports_to: charles-babbage\n", "") == before  # only these lines added
    assert front(ada)["relations"] == {"reports_to": "charles-babbage"}


def test_linking_twice_either_way_changes_nothing_and_says_so(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    count = commit_count(people)
    charles = (people / "contacts" / "charles-babbage.md").read_bytes()

    again = invoke("-C", people, "link", "ada", "reports_to", "charles")
    inverse = invoke("-C", people, "link", "charles", "manages", "ada")

    ok(again)
    ok(inverse)
    assert "already linked, nothing changed" in again.stderr
    assert "already linked, nothing changed" in inverse.stderr
    assert commit_count(people) == count
    assert (people / "contacts" / "charles-babbage.md").read_bytes() == charles


def test_linking_by_the_inverse_writes_the_first_contacts_side_only(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "charles", "manages", "ada"))

    assert front(people / "contacts" / "charles-babbage.md")["relations"] == {"manages": "ada-lovelace"}
    assert "relations" not in front(people / "contacts" / "ada-lovelace.md")
    assert head_message(people) == "Link Charles Babbage manages Ada Lovelace"


def test_several_of_one_type_become_a_list(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "mary", "introduced", "ada"))
    ok(invoke("-C", people, "link", "mary", "introduced", "charles"))

    assert front(people / "contacts" / "mary-somerville.md")["relations"] == {
        "introduced": ["ada-lovelace", "charles-babbage"]}


@pytest.mark.parametrize("args,code,message", [
    (["ada", "boss_of", "charles"], 2, "'boss_of' is not a relation type in vault.yaml (types: assistant_of,"),
    (["ada", "friend", "ada"], 2, "cannot be related to themselves"),
    (["ada", "friend", "nobody"], 1, "no contact matches 'nobody'"),
])
def test_link_refuses_what_it_cannot_write(people: Path, invoke, args: list[str], code: int, message: str) -> None:
    count = commit_count(people)
    result = invoke("-C", people, "link", *args)
    assert result.exit_code == code and message in result.stderr, result.output
    assert result.stderr.count("\n") == 1
    no_traceback(result)
    assert commit_count(people) == count


def test_unlink_removes_the_relation_whichever_side_holds_it(people: Path, invoke) -> None:
    ada = people / "contacts" / "ada-lovelace.md"
    original = ada.read_text()
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "mary", "friend", "ada"))

    ok(invoke("-C", people, "unlink", "charles", "manages", "ada"))  # written on Ada's side
    assert ada.read_text() == original  # the key goes with its last relation
    assert head_message(people) == "Unlink Charles Babbage manages Ada Lovelace"
    assert head_files(people) == ["contacts/ada-lovelace.md"]

    ok(invoke("-C", people, "unlink", "ada", "friend", "mary"))  # written on Mary's side
    assert "relations" not in front(people / "contacts" / "mary-somerville.md")

    missing = invoke("-C", people, "unlink", "ada", "friend", "mary")
    assert missing.exit_code == 1 and "no such relation in either file" in missing.stderr


def test_unlink_takes_a_handle_no_contact_has_any_more(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "friend", "mary"))
    ok(invoke("-C", people, "rm", "mary", "--yes"))

    ok(invoke("-C", people, "unlink", "ada", "friend", "mary-somerville"))

    assert "relations" not in front(people / "contacts" / "ada-lovelace.md")


# show ------------------------------------------------------------------------------------------


def test_show_lists_relations_both_ways(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "mary", "introduced", "ada"))

    ada = invoke("-C", people, "show", "ada")
    charles = invoke("-C", people, "show", "charles")
    mary = invoke("-C", people, "show", "mary", "--format", "json")

    ok(ada)
    assert "\nRelations: reports to Charles Babbage; introduced by Mary Somerville\n" in ada.stdout
    assert "relations:" not in ada.stdout  # the field is shown as relations, not as a mapping
    assert "\nRelations: manages Ada Lovelace\n" in charles.stdout
    assert json.loads(mary.stdout)["related"] == [
        {"type": "introduced", "handle": "ada-lovelace", "name": "Ada Lovelace"}]


def test_show_names_a_relation_to_a_contact_that_is_gone(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "friend", "mary"))
    ok(invoke("-C", people, "rm", "mary", "--yes"))

    result = invoke("-C", people, "show", "ada")

    assert "Relations: friend mary-somerville (no such contact)" in result.stdout


def test_an_organisation_lists_its_people_by_name_or_handle_with_titles(people: Path, invoke) -> None:
    ok(invoke("-C", people, "add", "Grace Hopper", "--company", "Analytical Engineers"))  # another company

    result = invoke("-C", people, "show", "analytical-engines")
    data = json.loads(invoke("-C", people, "show", "analytical-engines", "--format", "json").stdout)

    ok(result)
    assert "\nPeople (2)\n  Ada Lovelace, Head of Research\n  Charles Babbage, Founder\n" in result.stdout
    assert [p["handle"] for p in data["people"]] == ["ada-lovelace", "charles-babbage"]


# search ----------------------------------------------------------------------------------------


def test_search_finds_relations_by_type_both_ways_and_by_related(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "mary", "introduced", "ada"))

    assert paths(invoke, people, "reports_to:charles") == {"ada-lovelace"}
    assert paths(invoke, people, "manages:ada") == {"charles-babbage"}  # derived from Ada's file
    assert paths(invoke, people, "introduced_by:mary") == {"ada-lovelace"}  # derived from Mary's file
    assert paths(invoke, people, "introduced:ada") == {"mary-somerville"}
    assert paths(invoke, people, 'reports_to:"Charles Babbage"') == {"ada-lovelace"}
    assert paths(invoke, people, "reports_to:charles-babbage") == {"ada-lovelace"}
    assert paths(invoke, people, "related:ada") == {"charles-babbage", "mary-somerville"}
    assert paths(invoke, people, "related:charles") == {"ada-lovelace"}
    assert paths(invoke, people, "reports_to:*") == {"ada-lovelace"}
    assert paths(invoke, people, "manages:* AND NOT related:mary") == {"charles-babbage"}
    assert paths(invoke, people, "related:babb*") == {"ada-lovelace"}
    assert paths(invoke, people, "related:char") == set()  # whole words, as other fields
    assert paths(invoke, people, "friend:ada") == set()


def test_search_follows_an_unlink_and_a_hand_edit(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    assert paths(invoke, people, "manages:ada") == {"charles-babbage"}

    ok(invoke("-C", people, "unlink", "ada", "reports_to", "charles"))
    assert paths(invoke, people, "manages:ada") == set()

    mary = people / "contacts" / "mary-somerville.md"
    mary.write_text(mary.read_text().replace("---\n", "---\nrelations: {spouse: charles-babbage}\n", 1))
    assert paths(invoke, people, "spouse:mary") == {"charles-babbage"}
    assert paths(invoke, people, "spouse:charles") == {"mary-somerville"}


def test_a_relation_clause_without_a_contact_is_an_error(people: Path, invoke) -> None:
    result = invoke("-C", people, "search", "reports_to:(ada OR charles)")

    assert result.exit_code == 2
    assert "at character 1: reports_to: wants a contact" in result.stderr
    no_traceback(result)


def test_the_search_help_names_the_relation_fields(invoke) -> None:
    result = invoke("search", "--help")
    assert "related:" in result.stdout


# graph -----------------------------------------------------------------------------------------


def test_graph_json_has_people_organisations_and_relations_once(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "charles", "manages", "ada"))  # the same relation, written on both sides
    ok(invoke("-C", people, "link", "ada", "colleague", "mary"))
    ok(invoke("-C", people, "link", "mary", "colleague", "ada"))
    ok(invoke("-C", people, "add", "Grace Hopper", "--company", "Remington Rand"))

    result = invoke("-C", people, "graph", "--format", "json")

    ok(result)
    data = json.loads(result.stdout)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["ada-lovelace"] == {"id": "ada-lovelace", "name": "Ada Lovelace", "kind": "person",
                                     "title": "Head of Research", "company": "Analytical Engines"}
    assert nodes["remington-rand"]["kind"] == "organization"  # a company with no file of its own
    edges = {(e["from"], e["type"], e["to"]) for e in data["edges"]}
    assert edges == {
        ("ada-lovelace", "reports_to", "charles-babbage"), ("ada-lovelace", "colleague", "mary-somerville"),
        ("ada-lovelace", "works_at", "analytical-engines"), ("charles-babbage", "works_at", "analytical-engines"),
        ("grace-hopper", "works_at", "remington-rand"),
    }
    assert len(data["edges"]) == len(edges)


def test_graph_of_a_query_holds_only_what_it_matches(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "ada", "friend", "mary"))

    data = json.loads(invoke("-C", people, "graph", "reports_to:* OR manages:*", "--format", "json").stdout)

    assert {n["id"] for n in data["nodes"]} == {"ada-lovelace", "charles-babbage", "analytical-engines"}
    assert ("ada-lovelace", "friend", "mary-somerville") not in {(e["from"], e["type"], e["to"]) for e in data["edges"]}


@pytest.fixture
def awkward(people: Path, invoke) -> Path:
    """Names and titles with quotes, backslashes and markup in them, and a relation between them."""
    ok(invoke("-C", people, "add", 'Bobby "Tables" O\'Brien', "--title", 'Head of <b>R&D</b> \\ #1 "ops"',
              "--company", "Say \"Hi\" & Co"))
    ok(invoke("-C", people, "link", "bobby", "reports_to", "ada"))
    return people


def test_graph_dot_is_valid_with_names_quoted_and_escaped(awkward: Path, invoke) -> None:
    result = invoke("-C", awkward, "graph", "--format", "dot")

    ok(result)
    dot = result.stdout
    assert dot.startswith("digraph contacts {\n") and dot.endswith("}\n")
    assert '"bobby-tables-o-brien" [label="Bobby \\"Tables\\" O\'Brien\\nHead of <b>R&D</b> \\\\ #1 \\"ops\\""];' in dot
    assert '"bobby-tables-o-brien" -> "ada-lovelace" [label="reports to"];' in dot
    statement = re.compile(r'  (?:"(?:[^"\\]|\\.)*"(?: -> "(?:[^"\\]|\\.)*")? \[(?:\w+=(?:"(?:[^"\\]|\\.)*"|\w+)'
                           r'(?:, )?)+\];|rankdir=LR;|node \[shape=ellipse\];)')
    for line in dot.splitlines()[1:-1]:
        assert statement.fullmatch(line), line
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


def test_graph_mermaid_is_a_flowchart_with_labels_escaped(awkward: Path, invoke) -> None:
    result = invoke("-C", awkward, "graph", "--format", "mermaid")

    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    ids = {}
    for line in lines[1:]:
        node = re.fullmatch(r'  (n\d+)(\["|\[\["|)([^"]*)("\]|"\]\]|)', line)
        edge = re.fullmatch(r'  (n\d+) (-->|---|-\.->)\|"([^"|]*)"\| (n\d+)', line)
        assert node or edge, line
        if node:
            ids[node.group(1)] = node.group(3)
        else:
            assert edge.group(1) in ids and edge.group(4) in ids
    assert "Bobby #quot;Tables#quot; O'Brien<br/>Head of #lt;b#gt;R#38;D#lt;/b#gt; \\ #35;1 #quot;ops#quot;" in ids.values()


# check -----------------------------------------------------------------------------------------


def test_check_reports_a_missing_handle_as_an_error_and_an_unknown_type_as_a_warning(people: Path, invoke) -> None:
    ada = people / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text().replace(
        "---\n", "---\nrelations:\n  reports_to: charles-babbage\n  mentor_of: [nobody-here, ada-lovelace]\n", 1))

    result = invoke("-C", people, "check")

    assert result.exit_code == 1
    no_traceback(result)
    out = result.output
    assert re.search(r"ada-lovelace\.md:4: error: relation 'mentor_of' names 'nobody-here', which is no contact's "
                     r"handle", out), out
    assert re.search(r"ada-lovelace\.md:4: error: relation 'mentor_of' names this contact itself", out)
    assert re.search(r"ada-lovelace\.md:4: warning: relation type 'mentor_of' is not in vault.yaml's relations", out)
    assert out.count("relation type 'mentor_of'") == 1
    assert "charles-babbage" not in out


def test_check_of_a_relations_value_that_is_no_mapping(people: Path, invoke) -> None:
    ada = people / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text().replace("---\n", "---\nrelations: charles-babbage\n", 1))

    result = invoke("-C", people, "check")

    assert result.exit_code == 1
    assert re.search(r"ada-lovelace\.md:2: error: relations must map a relation type to a handle", result.output)


def test_the_example_vault_has_relations_and_checks_clean_of_them(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "check")
    assert "relation" not in result.output
    assert paths(invoke, vault, "manages:*") >= {"charles-babbage"}


# mv and merge ----------------------------------------------------------------------------------


def test_mv_rewrites_relations_and_company_handles_in_the_same_commit(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "mary", "introduced", "ada"))
    ok(invoke("-C", people, "link", "mary", "introduced", "charles"))
    count = commit_count(people)

    ok(invoke("-C", people, "mv", "charles", "Charles Lord Babbage"))

    assert commit_count(people) == count + 1
    assert sorted(head_files(people)) == ["contacts/ada-lovelace.md", "contacts/charles-lord-babbage.md",
                                          "contacts/mary-somerville.md"]  # the move, as git shows it
    assert front(people / "contacts" / "ada-lovelace.md")["relations"] == {"reports_to": "charles-lord-babbage"}
    assert front(people / "contacts" / "mary-somerville.md")["relations"] == {
        "introduced": ["ada-lovelace", "charles-lord-babbage"]}
    assert paths(invoke, people, "manages:ada") == {"charles-lord-babbage"}


def test_mv_of_an_organisation_rewrites_company_by_handle_and_by_name(people: Path, invoke) -> None:
    ok(invoke("-C", people, "mv", "analytical-engines", "Analytical Engines Ltd"))

    assert front(people / "contacts" / "ada-lovelace.md")["company"] == "Analytical Engines Ltd"
    assert front(people / "contacts" / "charles-babbage.md")["company"] == "analytical-engines-ltd"
    assert "company" not in front(people / "contacts" / "mary-somerville.md")
    assert head_message(people) == "Rename Analytical Engines to Analytical Engines Ltd"
    check = invoke("-C", people, "check")
    assert "names no organisation" not in check.output


def test_mv_leaves_a_referring_file_with_hand_edits_uncommitted_but_edited(people: Path, invoke) -> None:
    ok(invoke("-C", people, "link", "ada", "reports_to", "charles"))
    ada = people / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text() + "\nA hand-written line.\n")

    ok(invoke("-C", people, "mv", "charles", "Charles Lord Babbage"))

    assert "A hand-written line." in ada.read_text()
    assert front(ada)["relations"] == {"reports_to": "charles-lord-babbage"}
    committed = git(people, "show", "HEAD:contacts/ada-lovelace.md")
    assert "reports_to: charles-lord-babbage" in committed and "hand-written" not in committed


def test_merge_rewrites_references_and_drops_a_relation_to_itself(people: Path, invoke) -> None:
    ok(invoke("-C", people, "add", "Ada King", "--company", "Analytical Engines"))
    ok(invoke("-C", people, "link", "mary", "friend", "ada-king"))
    ok(invoke("-C", people, "link", "ada-king", "reports_to", "charles"))
    ok(invoke("-C", people, "link", "ada-lovelace", "spouse", "ada-king"))
    count = commit_count(people)

    ok(invoke("-C", people, "merge", "ada-lovelace", "ada-king", "--prefer", "keep"))

    assert commit_count(people) == count + 1
    assert sorted(head_files(people)) == ["contacts/ada-king.md", "contacts/ada-lovelace.md",
                                          "contacts/mary-somerville.md"]
    assert front(people / "contacts" / "mary-somerville.md")["relations"] == {"friend": "ada-lovelace"}
    assert front(people / "contacts" / "ada-lovelace.md")["relations"] == {"reports_to": "charles-babbage"}
    assert "relation" not in invoke("-C", people, "check").output


def test_relations_travel_through_vcard_and_back(people: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", people, "link", "mary", "introduced", "ada"))
    ok(invoke("-C", people, "link", "mary", "introduced", "charles"))
    ok(invoke("-C", people, "link", "mary", "friend", "ada"))

    card = invoke("-C", people, "export", "mary")
    ok(card)
    assert "X-VAULT-FIELD;NAME=relations.introduced:ada-lovelace,charles-babbage\r\n" in card.stdout.replace(
        "\r\n", "\n").replace("\n", "\r\n")
    (tmp_path / "mary.vcf").write_text(card.stdout)
    ok(invoke("init", tmp_path / "again"))
    ok(invoke("-C", tmp_path / "again", "import", tmp_path / "mary.vcf"))

    assert front(tmp_path / "again" / "contacts" / "mary-somerville.md")["relations"] == {
        "introduced": ["ada-lovelace", "charles-babbage"], "friend": "ada-lovelace"}
