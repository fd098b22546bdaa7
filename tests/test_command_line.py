"""The command line itself: a mistyped command, global options after the command name, `-h` and `--` everywhere."""
from __future__ import annotations

from pathlib import Path

import click
import pytest

from tests.conftest import commit_count, head_message, no_traceback, ok
from vault_tool.cli.common import option_arity, values_last
from vault_tool.cli.main import LazyGroup, hoist

ADA = Path("contacts") / "ada-lovelace.md"


def test_a_mistyped_command_says_what_was_meant(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "serch", "ada")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: No such command 'serch'. Did you mean 'search'?"
    no_traceback(result)
    result = invoke("-C", vault, "agnda")
    assert result.exit_code == 2 and "Did you mean 'agenda'?" in result.stderr


def test_an_unknown_command_near_nothing(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "frobnicate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: No such command 'frobnicate'."


def test_today_after_the_command_name(vault: Path, invoke) -> None:
    before = invoke("-C", vault, "--today", "2026-12-01", "agenda")
    ok(before)
    assert before.stdout.startswith("Agenda from 2026-12-01")
    for args in (["agenda", "--today", "2026-12-01"], ["agenda", "--today=2026-12-01"]):
        after = invoke("-C", vault, *args)
        ok(after)
        assert after.stdout == before.stdout


def test_a_bad_today_after_the_command_is_the_group_option_error(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "agenda", "--today", "tomorrowish")
    assert result.exit_code == 2
    assert "Invalid value for '--today'" in result.stderr
    no_traceback(result)


def test_no_commit_after_the_command_name(vault: Path, invoke) -> None:
    count = commit_count(vault)
    result = invoke("-C", vault, "add", "Grace Hopper", "--no-commit")
    ok(result)
    assert result.stdout == "grace-hopper\n"
    assert (vault / "contacts" / "grace-hopper.md").is_file()
    assert "not committed" in result.stderr and commit_count(vault) == count


def test_vault_after_the_command_name(vault: Path, tmp_path: Path, invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no vault around the working directory
    for args in (["list", "-C", str(vault)], ["list", f"--vault={vault}"], ["list", "--vault", str(vault)]):
        result = invoke(*args, "--format", "paths")
        ok(result)
        assert "contacts/ada-lovelace.md" in result.stdout
    result = invoke("list", "--format", "paths")
    assert result.exit_code != 0 and "no contact vault" in result.stderr


def test_tag_takes_no_commit_as_the_option(vault: Path, invoke) -> None:
    count = commit_count(vault)
    ok(invoke("-C", vault, "tag", "ada", "+speaker", "--no-commit"))
    text = (vault / ADA).read_text(encoding="utf-8")
    assert "speaker" in text and "no-commit" not in text
    assert commit_count(vault) == count


def test_set_takes_no_commit_as_the_option(vault: Path, invoke) -> None:
    count = commit_count(vault)
    ok(invoke("-C", vault, "set", "ada", "title", "Countess", "--no-commit"))
    assert "title: Countess\n" in (vault / ADA).read_text(encoding="utf-8")
    assert commit_count(vault) == count


def test_an_option_value_and_words_after_double_dash_stay_where_they_are(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "--no-commit"))
    assert head_message(vault) == "Log call with Ada Lovelace"
    assert (vault / ADA).read_text(encoding="utf-8").rstrip().endswith("--no-commit")
    ok(invoke("-C", vault, "log", "ada", "call", "--", "--today"))
    assert "call — --today" in (vault / ADA).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["set", "tag"])
def test_set_and_tag_take_dash_h_as_help(vault: Path, invoke, command: str) -> None:
    for flag in ("-h", "--help"):
        result = invoke("-C", vault, command, flag)
        ok(result)
        assert result.stdout.startswith("Usage: ") and f" {command} [OPTIONS] CONTACT" in result.stdout.split("\n")[0]
    result = invoke("-C", vault, command, "ada", "-h")
    ok(result)
    assert f" {command} [OPTIONS] CONTACT" in result.stdout.split("\n")[0]


def test_dash_values_are_still_values(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "-mathematics", "history"))  # -m… is not an option here
    text = (vault / ADA).read_text(encoding="utf-8")
    assert "tags: [customer, vip, history]" in text
    ok(invoke("-C", vault, "set", "ada", "emails", "-countess@lovelace.example", "+ada@new.example"))
    assert "emails: [ada@analytical.example, ada@new.example]" in (vault / ADA).read_text(encoding="utf-8")
    result = invoke("-C", vault, "tag", "ada", "--bogus")
    assert result.exit_code != 0 and "no tag -bogus" in result.stderr  # a word, as before: a tag to remove


def test_set_options_in_any_place(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "--add", "+44 20 7946 0000", "phones"))
    assert "+44 20 7946 0000" in (vault / ADA).read_text(encoding="utf-8")
    ok(invoke("-C", vault, "set", "ada", "phones", "--remove=+44 20 7946 0000"))
    assert "+44 20 7946 0000" not in (vault / ADA).read_text(encoding="utf-8")


def test_a_commands_own_option_of_a_global_name_wins() -> None:
    assert hoist(["ada", "--today", "2026-12-01", "--no-commit"], {}) == (
        ["--today", "2026-12-01", "--no-commit"], ["ada"])
    assert hoist(["ada", "--today", "2026-12-01", "--no-commit"], {"--today": 1}) == (
        ["--no-commit"], ["ada", "--today", "2026-12-01"])
    assert hoist(["-m", "--no-commit", "x"], {"-m": 1}) == ([], ["-m", "--no-commit", "x"])
    assert hoist(["x", "--", "-C", "v"], {}) == ([], ["x", "--", "-C", "v"])
    assert hoist(["x", "--today"], {}) == ([], ["x", "--today"])  # no value: left for the command to refuse

    @click.group(cls=LazyGroup)
    @click.option("--today")
    def group(today: str | None) -> None:
        """A group whose command has its own --today."""

    @group.command()
    @click.option("--today", "own")
    def probe(own: str | None) -> None:
        click.echo(f"own={own}")

    ctx = click.Context(group)
    assert group.globals_first(ctx, ["probe", "--today", "x"]) == ["probe", "--today", "x"]


def test_values_last_keeps_a_commands_options_first() -> None:
    command = click.Command("c", params=[click.Option(["--add"], multiple=True), click.Option(["--flag"], is_flag=True)])
    arity = option_arity(command, click.Context(command))
    assert arity["--add"] == 1 and arity["--flag"] == 0 and arity["--help"] == 0
    assert values_last(arity, ["a", "-b", "--add", "-c", "--flag", "--", "--add"]) == [
        "--add", "-c", "--flag", "--", "a", "-b", "--add"]
