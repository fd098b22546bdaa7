"""Segments: `contacts segments`, `contacts segment save|rm`, and the minimal edits they make to vault.yaml."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git
from hypothesis import given
from hypothesis import strategies as st
from test_cli import line_changes

from vault_tool.format import yamlsafe
from vault_tool.format.configedit import REMOVE, set_entry
from vault_tool.search.selection import select
from vault_tool.store.vault import Vault

TODAY = "2026-11-23"


def run(invoke, root: Path, *args: str):
    return invoke("-C", root, "--today", TODAY, *args)


def commits(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def test_segments_lists_each_with_its_count(vault: Path, invoke) -> None:
    assert run(invoke, vault, "segment", "save", "vips", "tag:vip").exit_code == 0
    result = run(invoke, vault, "segments", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert list(rows) == ["hot-leads", "customers-emea", "vips"]  # vault.yaml's order
    # by hand: ada, analytical-engines, charles-babbage, dieter-brandt are tagged vip; the customers
    # in the UK or Norway are ada, analytical-engines, charles-babbage, ingrid, nordlys, priya, søren
    assert (rows["vips"]["count"], rows["vips"]["query"]) == (4, "tag:vip")
    assert rows["customers-emea"]["count"] == 7
    # a count is what the search engine selects for @name
    hot = select(Vault.open(vault, today=__import__("datetime").date(2026, 11, 23)), "@hot-leads")
    assert rows["hot-leads"]["count"] == len(hot.contacts)


def test_segments_as_a_table(vault: Path, invoke) -> None:
    result = run(invoke, vault, "segments")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "CONTACTS", "QUERY"]
    assert lines[2].startswith("customers-emea  7         stage:customer AND (country:uk")


def test_save_adds_one_line_to_vault_yaml_and_commits_it(vault: Path, invoke) -> None:
    before = (vault / "vault.yaml").read_bytes()
    result = run(invoke, vault, "segment", "save", "vips", "tag:vip")
    assert result.exit_code == 0, result.output
    assert result.stdout == "@vips: 4 contacts\n"
    assert "Save segment vips (" in result.stderr
    removed, added = line_changes(before, (vault / "vault.yaml").read_bytes())
    assert (removed, added) == ([], [b'  vips: "tag:vip"\n'])
    assert git(vault, "log", "-1", "--format=%s").strip() == "Save segment vips"
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == ["vault.yaml"]
    assert git(vault, "status", "--porcelain").strip() == ""
    assert sorted(run(invoke, vault, "search", "@vips", "--format", "paths").stdout.split()) == [
        "contacts/ada-lovelace.md", "contacts/analytical-engines.md", "contacts/charles-babbage.md",
        "contacts/dieter-brandt.md"]


def test_replace_changes_one_line_and_only_with_replace(vault: Path, invoke) -> None:
    before = (vault / "vault.yaml").read_bytes()
    result = run(invoke, vault, "segment", "save", "hot-leads", "stage:lead")
    assert result.exit_code == 2
    assert "segment 'hot-leads' already exists ('stage:lead AND last_contact:>-30days'): add --replace" in result.output
    assert (vault / "vault.yaml").read_bytes() == before
    result = run(invoke, vault, "segment", "save", "hot-leads", "stage:lead", "--replace")
    assert result.exit_code == 0 and result.stdout == "@hot-leads: 5 contacts\n"
    removed, added = line_changes(before, (vault / "vault.yaml").read_bytes())
    assert removed == [b'  hot-leads: "stage:lead AND last_contact:>-30days"\n']
    assert added == [b'  hot-leads: "stage:lead"\n']
    assert git(vault, "log", "-1", "--format=%s").strip() == "Change segment hot-leads"
    count = commits(vault)
    result = run(invoke, vault, "segment", "save", "hot-leads", "stage:lead")
    assert result.exit_code == 0 and "Segment hot-leads is already 'stage:lead'" in result.stderr
    assert commits(vault) == count


def test_remove_takes_its_line_out(vault: Path, invoke) -> None:
    before = (vault / "vault.yaml").read_bytes()
    result = run(invoke, vault, "segment", "rm", "hot-leads")
    assert result.exit_code == 0, result.output
    removed, added = line_changes(before, (vault / "vault.yaml").read_bytes())
    assert (removed, added) == ([b'  hot-leads: "stage:lead AND last_contact:>-30days"\n'], [])
    assert git(vault, "log", "-1", "--format=%s").strip() == "Remove segment hot-leads"
    result = run(invoke, vault, "segment", "rm", "hot-leads")
    assert result.exit_code == 1
    assert "no segment 'hot-leads' in vault.yaml (segments: customers-emea)" in result.output


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("bad name", "tag:vip", "'bad name' cannot be a segment name"),
        ("_x", "tag:vip", "'_x' cannot be a segment name"),
        ("a.b", "tag:vip", "'a.b' cannot be a segment name"),
        ("ok", "   ", "give the segment's query on one line"),
        ("ok", "tag:vip\nstage:lead", "give the segment's query on one line"),
        ("ok", "colour:red", "no field 'colour' to search"),
        ("ok", "@nowhere", "no segment '@nowhere' in vault.yaml"),
        ("ok", "@ok", "no segment '@ok' in vault.yaml"),
    ],
)
def test_a_wrong_segment_is_refused_and_nothing_changes(vault: Path, invoke, name: str, query: str,
                                                        message: str) -> None:
    before, count = (vault / "vault.yaml").read_bytes(), commits(vault)
    result = run(invoke, vault, "segment", "save", name, query)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert (vault / "vault.yaml").read_bytes() == before and commits(vault) == count


def test_a_segment_of_segments(vault: Path, invoke) -> None:
    assert run(invoke, vault, "segment", "save", "vips", "tag:vip").exit_code == 0
    result = run(invoke, vault, "segment", "save", "uk-vips", "@vips AND country:uk")
    assert result.exit_code == 0 and result.stdout == "@uk-vips: 3 contacts\n"  # not dieter, in Berlin


def test_a_new_vault_gets_its_first_segment(empty_vault: Path, invoke) -> None:
    before = (empty_vault / "vault.yaml").read_bytes()
    assert b"segments: {}\n" in before
    assert run(invoke, empty_vault, "segments").stderr.startswith("No segments yet")
    result = run(invoke, empty_vault, "segment", "save", "leads", "stage:lead")
    assert result.exit_code == 0, result.output
    removed, added = line_changes(before, (empty_vault / "vault.yaml").read_bytes())
    assert (removed, added) == ([b"segments: {}\n"], [b"segments:\n", b'  leads: "stage:lead"\n'])
    assert run(invoke, empty_vault, "segment", "rm", "leads").exit_code == 0
    assert (empty_vault / "vault.yaml").read_bytes() == before


def test_no_commit_leaves_the_change_for_the_user(vault: Path, invoke) -> None:
    count = commits(vault)
    result = invoke("-C", vault, "--no-commit", "segment", "save", "vips", "tag:vip")
    assert result.exit_code == 0 and "not committed" in result.stderr
    assert commits(vault) == count
    assert git(vault, "status", "--porcelain").strip() == "M vault.yaml"


def test_a_segment_whose_query_no_longer_runs_is_listed_with_the_error(vault: Path, invoke) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text().replace('customers-emea: "stage:customer', 'customers-emea: "colour:red'))
    result = run(invoke, vault, "segments")
    assert result.exit_code == 0
    assert "customers-emea  error" in result.stdout
    assert "warning: segment customers-emea: no field 'colour' to search" in result.stderr
    rows = json.loads(run(invoke, vault, "segments", "--format", "json").stdout)
    assert rows[1]["count"] is None and "no field 'colour'" in rows[1]["error"]


# The edit itself, on any vault.yaml


CONFIG = """\
# Settings\r
version: 1\r
segments:\r
  a: "tag:x"   # the first\r
  b: >-\r
    stage:lead\r
    AND tag:y\r
  # a comment after the last one\r
\r
owners: {}\r
"""

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,12}", fullmatch=True)
queries = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
                  min_size=1, max_size=40)


@given(names, queries)
def test_setting_an_entry_changes_one_line_and_nothing_else(name: str, query: str) -> None:
    after = set_entry(CONFIG, "segments", name, query)
    loaded = yamlsafe.load(after)
    assert loaded["segments"] == {**yamlsafe.load(CONFIG)["segments"], name: query}
    assert {k: v for k, v in loaded.items() if k != "segments"} == {"version": 1, "owners": {}}
    removed, added = line_changes(CONFIG.encode(), after.encode())
    assert len(added) == 1 and added[0].endswith(b"\r\n")
    assert len(removed) == {"a": 1, "b": 3}.get(name, 0)
    if name == "a":
        assert added[0].endswith(b"   # the first\r\n")  # the comment stays with its line


@given(names)
def test_removing_an_entry_takes_out_its_lines_only(name: str) -> None:
    after = set_entry(CONFIG, "segments", name, REMOVE)
    removed, added = line_changes(CONFIG.encode(), after.encode())
    assert added == [] and len(removed) == {"a": 1, "b": 3}.get(name, 0)


@pytest.mark.parametrize("command", [("segment",), ("segment", "save"), ("segment", "rm"), ("segments",)])
def test_every_segment_command_has_help_with_an_example(invoke, command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "Example" in result.stdout
