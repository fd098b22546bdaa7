"""A query that does not read is an error (exit 2, one line, what is wrong and where), never an empty answer;
`segment save` checks its query the same way; nothing matching exits 1, as grep and rg do."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import commit_count, git

from vault_tool.search.query import QueryError, check_syntax


@pytest.mark.parametrize("query, where, message", [
    ("tag:client AND", 12, "AND has nothing after it"),
    ("tag:client OR", 12, "OR has nothing after it"),
    ("ada NOT", 5, "NOT has nothing after it"),
    ("AND ada", 1, "AND has nothing before it"),
    ("(OR ada)", 2, "OR has nothing before it"),
    ("ada AND OR lovelace", 9, "AND is followed by OR with nothing between them"),
    ("(ada AND) lovelace", 6, "AND has nothing after it"),
    ("(unclosed", 1, "this '(' is never closed"),
    ("ada (b OR (c)", 5, "this '(' is never closed"),
    ("ada)", 4, "')' closes nothing"),
    ("ada ()", 5, "'()' holds nothing"),
    ('"demo first', 1, "this quote is never closed"),
    ('title:"head of', 1, "this quote is never closed"),
    ("created:[2026-01-01 to", 1, "this range is never closed"),
    ("tag:", 1, "tag: has no value"),
    ("stage:lead tag: ada", 12, "tag: has no value"),
    ("employees:>abc", 1, "employees:>abc is not a number"),
    ("ada employees:<=x", 5, "employees:<=x is not a number"),
    ("shoe:4", 1, "no field 'shoe' to search"),
    ("ada created:yesterdayish", 5, "'yesterdayish' is not a date"),
    ("ada NOT NOT lovelace", 9, "NOT is followed by NOT with nothing between them"),
    ('title:"head of research"', 1, "title: is searched by words, not phrases; write each word: title:head"),
])
def test_a_malformed_query_is_one_line_that_points_at_the_problem(
    vault: Path, invoke, query: str, where: int, message: str,
) -> None:
    result = invoke("-C", vault, "search", query)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: in the query '{query}' at character {where}: {message}" + result.stderr[
        len(f"Error: in the query '{query}' at character {where}: {message}"):]
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output
    assert "; " in result.stderr or ":" in result.stderr.split(message)[1]  # and what to write instead


@pytest.mark.parametrize("query", [
    "tag:customer AND stage:customer", "a AND (b OR NOT c)", "tag:(vip OR customer)", 'company:"analytical engines"',
    "created:[2026-01-01 to 2026-06-30]", "employees:>300", "employees:[100 to 600]", "NOT tag:vip",
    "ada AND NOT lovelace", "phone:7946 0958", 'phone:"+44 20 7946 0958"', "lovlace~ OR müller", "ada*",
    "@hot-leads", "last_contact:none", "ada@analytical.example", "email:ada@analytical.example",
])
def test_well_formed_queries_pass_the_check(vault: Path, invoke, query: str) -> None:
    check_syntax(query)
    result = invoke("-C", vault, "search", "--format", "json", query)
    assert result.exit_code in (0, 1), result.output
    assert result.exit_code == (0 if json.loads(result.stdout) else 1)


def test_the_error_says_where_as_an_attribute_too() -> None:
    with pytest.raises(QueryError) as raised:
        check_syntax("tag:client AND")
    assert raised.value.at == 11 and raised.value.text == "tag:client AND"


def test_list_and_other_query_commands_refuse_a_malformed_query(vault: Path, invoke) -> None:
    for args in (["list", "tag:client AND"], ["tasks", "(unclosed"], ["export", "tag:client AND"]):
        result = invoke("-C", vault, *args)
        assert result.exit_code == 2, (args, result.output)
        assert "in the query" in result.stderr and "at character" in result.stderr


def test_a_broken_segment_names_itself(vault: Path, invoke) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'hot-leads: "stage:lead AND last_contact:>-30days"', 'hot-leads: "stage:lead AND"'), encoding="utf-8")
    result = invoke("-C", vault, "search", "ada OR @hot-leads")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: in segment @hot-leads 'stage:lead AND' at character 12: AND has nothing")
    listed = invoke("-C", vault, "segments")
    assert "warning: segment hot-leads: AND has nothing after it" in listed.stderr


def test_segment_save_checks_the_query_before_saving(vault: Path, invoke) -> None:
    before = (vault / "vault.yaml").read_bytes()
    commits = commit_count(vault)
    for query in ("tag:client AND", "(stage:lead", "employees:>abc"):
        result = invoke("-C", vault, "segment", "save", "broken", query)
        assert result.exit_code == 2, result.output
        assert f"in the query '{query}' at character" in result.stderr
    assert (vault / "vault.yaml").read_bytes() == before
    assert commit_count(vault) == commits
    assert git(vault, "status", "--porcelain") == ""


# Nothing matching: exit 1, as grep and rg


@pytest.mark.parametrize("command", ["search", "list"])
@pytest.mark.parametrize("fmt, stdout", [
    ("table", ""), ("paths", ""), ("jsonl", ""), ("json", "[]\n"), ("csv", "name,company,email,tags,last_contact\n"),
])
def test_nothing_matching_exits_1(vault: Path, invoke, command: str, fmt: str, stdout: str) -> None:
    result = invoke("-C", vault, command, "--format", fmt, "qwertzuiop")
    assert result.exit_code == 1
    assert result.stdout == stdout
    assert ("no contacts match 'qwertzuiop'" in result.stderr) == (fmt == "table")


def test_a_match_exits_0_and_filters_that_match_nothing_exit_1(vault: Path, invoke) -> None:
    assert invoke("-C", vault, "list", "--format", "paths", "--tag", "vip").exit_code == 0
    result = invoke("-C", vault, "list", "--tag", "no-such-tag")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no contacts match 'tag:\"no-such-tag\"'" in result.stderr


def test_an_empty_vault_lists_nothing_without_failing(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "list")
    assert result.exit_code == 0 and result.stdout == "" and "no contacts yet" in result.stderr
    assert invoke("-C", empty_vault, "list", "ada").exit_code == 1
