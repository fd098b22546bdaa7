"""Shell completion through click's protocol, run as the shell runs it: the installed `contacts` program."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ok


def contacts_program() -> list[str]:
    beside = Path(sys.executable).with_name("contacts")
    found = str(beside) if beside.is_file() else shutil.which("contacts")
    return [found] if found else [sys.executable, "-m", "vault_tool"]


def complete(cwd: Path, line: str, shell: str = "bash", **env: str) -> subprocess.CompletedProcess[str]:
    """What the shell gets for the last word of ``line`` (an empty last word when it ends in a space)."""
    words = line.split(" ")
    environ = {**os.environ, "_CONTACTS_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, **env}
    environ["COMP_CWORD"] = words[-1] if shell == "fish" else str(len(words) - 1)
    return subprocess.run(contacts_program(), cwd=cwd, env=environ, capture_output=True, text=True, timeout=60,
                          check=False)


def offered(cwd: Path, line: str, **env: str) -> list[str]:
    """The values bash would offer, from `type,value` lines."""
    done = complete(cwd, line, **env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [row.split(",", 1)[1] for row in done.stdout.splitlines() if row]  # none: one empty line


def test_contact_arguments_complete_handles(vault: Path) -> None:
    assert offered(vault, "contacts show ad") == ["ada-lovelace"]
    assert offered(vault, "contacts log ch") == ["charles-babbage"]
    assert "analytical-engines" in offered(vault, "contacts history a")
    assert offered(vault, "contacts merge ada-lovelace ada") == ["ada-lovelace"]  # dupes_cmds' own arguments


def test_deal_arguments_complete_deal_handles_and_stages(vault: Path) -> None:
    assert offered(vault, "contacts deal show brandt") == [
        "brandt-maschinenbau-plant-rollout", "brandt-maschinenbau-training"]
    assert offered(vault, "contacts deal move liffey-learning-summer-school ") == [
        "qualified", "proposal", "negotiation", "won", "lost"]
    assert offered(vault, "contacts deal add X --stage neg") == ["negotiation"]
    assert offered(vault, "contacts deal add X --contact zo") == ["zoe-muller"]


def test_the_vault_named_on_the_command_line_or_in_the_environment(vault: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert offered(elsewhere, f"contacts -C {vault} show ad") == ["ada-lovelace"]
    assert offered(elsewhere, f"contacts show -C {vault} ad") == ["ada-lovelace"]  # after the command too
    assert offered(elsewhere, "contacts show ad", CONTACTS_VAULT=str(vault)) == ["ada-lovelace"]


def test_a_new_contact_is_offered_once_it_is_added(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "add", "Adam Smith", "--no-commit"))
    assert offered(vault, "contacts show ad") == ["ada-lovelace", "adam-smith"]


def test_tags_stages_owners_and_fields(vault: Path) -> None:
    assert offered(vault, "contacts list --tag cust") == ["customer"]
    assert offered(vault, "contacts add X --tag cust") == ["customer"]
    assert offered(vault, "contacts list --stage ") == ["churned", "customer", "lead", "prospect"]
    assert "alice" in offered(vault, "contacts agenda --owner a")
    assert offered(vault, "contacts set ada st") == ["stage"]
    assert offered(vault, "contacts unset ada keep") == ["keep_in_touch"]
    assert offered(vault, "contacts history ada --field pho") == ["phones"]
    assert offered(vault, "contacts add X --field ind") == ["industry="]  # vault.yaml's fields:
    assert offered(vault, "contacts add X --field name_") == ["name_native="]  # a custom field only a contact has


def test_values_follow_the_field_and_tags_take_their_sign(vault: Path) -> None:
    assert offered(vault, "contacts set ada stage cu") == ["customer"]
    assert offered(vault, "contacts set ada tags +cu") == ["+customer"]
    assert offered(vault, "contacts set ada title He") == []
    assert offered(vault, "contacts tag ada +cu") == ["+customer"]
    assert offered(vault, "contacts tag ada cu") == ["customer"]


def test_commands_and_options_complete_as_click_does(vault: Path) -> None:
    assert offered(vault, "contacts sea") == ["search"]
    assert "--new-field" in offered(vault, "contacts set ada stage --n")


def test_outside_any_vault_nothing_is_offered_and_nothing_is_printed(tmp_path: Path) -> None:
    assert offered(tmp_path, "contacts show a") == []
    assert offered(tmp_path, "contacts -C /no/such/vault show a") == []
    assert offered(tmp_path, "contacts show a", CONTACTS_VAULT=str(tmp_path / "missing")) == []


def test_a_broken_vault_yaml_prints_nothing(vault: Path) -> None:
    (vault / "vault.yaml").write_text("stages: [unclosed\n", encoding="utf-8")
    assert offered(vault, "contacts show a") == []
    assert offered(vault, "contacts list --stage ") == []


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish(vault: Path, shell: str) -> None:
    done = complete(vault, "contacts show ad", shell)
    assert done.returncode == 0 and done.stderr == ""
    if shell == "zsh":
        assert done.stdout.splitlines() == ["plain", "ada-lovelace", "_"]
    else:
        assert done.stdout.splitlines() == ["plain,ada-lovelace"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_scripts_to_enable_it(tmp_path: Path, shell: str) -> None:
    environ = {**os.environ, "_CONTACTS_COMPLETE": f"{shell}_source"}
    done = subprocess.run(contacts_program(), cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "_CONTACTS_COMPLETE" in done.stdout and f"{shell}_complete" in done.stdout
