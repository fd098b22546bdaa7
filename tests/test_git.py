"""How the tool behaves with git, the file system and other processes.

Every change is its own commit of exactly the files it changed; the user's
other work in progress is never staged, committed or lost; a machine with no
git identity still works; two processes never interleave their writes.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import commit_count, git, head_files, head_message

ADA = Path("contacts/ada-lovelace.md")


def installed_contacts() -> str:
    """The installed `contacts` entry point: beside this Python (a venv used without activating it), else on PATH."""
    beside = Path(sys.executable).with_name("contacts")
    found = str(beside) if beside.is_file() else shutil.which("contacts")
    assert found, "the `contacts` entry point is installed (pip install -e .)"
    return found



def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def snapshot(root: Path) -> dict[str, str]:
    """Everything git can tell about the working tree and the index."""
    return {
        "status": git(root, "status", "--porcelain"),
        "staged": git(root, "diff", "--cached"),
        "unstaged": git(root, "diff"),
    }


# The user's work in progress


def test_a_command_leaves_the_users_other_changes_as_they_were(vault: Path, invoke) -> None:
    charles = vault / "contacts" / "charles-babbage.md"
    charles.write_text(charles.read_text().replace("stage: customer", "stage: churned"))
    git(vault, "add", "contacts/charles-babbage.md")  # staged
    with (vault / "vault.yaml").open("a") as handle:  # not staged
        handle.write("# a setting I am still thinking about\n")
    (vault / "draft.txt").write_text("untracked\n")
    before = snapshot(vault)
    assert before["status"] == "M  contacts/charles-babbage.md\n M vault.yaml\n?? draft.txt\n"

    ok(invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Wants a demo."))

    assert snapshot(vault) == before
    assert head_message(vault) == "Log call with Ada Lovelace"
    assert head_files(vault) == [ADA.as_posix()]
    assert "stage: churned" not in git(vault, "show", "HEAD:contacts/charles-babbage.md")


def test_every_mutating_command_commits_only_its_own_file(vault: Path, invoke) -> None:
    git(vault, "rm", "-q", "--cached", "contacts/zoe-muller.md")  # a staged deletion of someone else
    before = snapshot(vault)
    for args in (
        ["set", "ada", "stage", "lead"],
        ["unset", "ada", "title"],
        ["tag", "ada", "+speaker"],
        ["log", "ada", "note", "-m", "x"],
        ["add", "Grace Hopper"],
    ):
        ok(invoke("-C", vault, *args))
        assert len(head_files(vault)) == 1, args
        assert snapshot(vault) == before, args


def test_a_vault_inside_a_larger_repository(tmp_path: Path, invoke) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "README.md").write_text("Project\n")
    git(project, "add", "README.md")
    git(project, "commit", "-q", "-m", "Start")
    ok(invoke("init", project / "crm"))
    (project / "README.md").write_text("Project, changed\n")
    git(project, "add", "README.md")

    result = invoke("-C", project / "crm", "add", "Grace Hopper")

    ok(result)
    assert head_message(project) == "Add Grace Hopper"
    assert head_files(project) == ["crm/contacts/grace-hopper.md"]
    assert git(project, "status", "--porcelain") == "M  README.md\n"


def test_a_vault_that_is_not_in_git_works_without_commits(example_copy: Path, invoke) -> None:
    before = (example_copy / ADA).read_bytes()
    result = invoke("-C", example_copy, "log", "ada", "call", "-m", "Hello.")
    ok(result)
    assert "not committed" in result.stderr
    assert (example_copy / ADA).read_bytes().startswith(before)
    assert not (example_copy / ".git").exists()


# Git identity


@pytest.fixture
def no_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine where git knows nobody: no identity variables, no global or system config."""
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


def test_no_git_identity_commits_with_the_fallback_and_hints_once(vault: Path, invoke, no_identity: None) -> None:
    first = invoke("-C", vault, "log", "ada", "call", "-m", "Hello.")

    ok(first)
    assert head_message(vault) == "Log call with Ada Lovelace"
    assert git(vault, "log", "-1", "--format=%an <%ae> / %cn <%ce>").strip() == (
        "Contacts Vault <contacts@vault.invalid> / Contacts Vault <contacts@vault.invalid>"
    )
    hints = [ln for ln in first.stderr.splitlines() if ln.startswith("hint:")]
    assert len(hints) == 1
    assert "git config --global user.email" in hints[0]

    second = invoke("-C", vault, "tag", "ada", "+speaker")
    ok(second)
    assert head_message(vault) == "Tag Ada Lovelace +speaker"
    assert "hint:" not in second.stderr
    assert git(vault, "log", "-1", "--format=%ae").strip() == "contacts@vault.invalid"


def test_no_git_identity_from_the_very_first_command(tmp_path: Path, invoke, no_identity: None) -> None:
    root = tmp_path / "crm"
    first = invoke("init", root)
    ok(first)
    assert git(root, "log", "--format=%s <%ae>").splitlines() == ["Create contact vault <contacts@vault.invalid>"]
    assert first.output.count("hint:") == 1

    second = invoke("-C", root, "add", "Grace Hopper")
    ok(second)
    assert head_message(root) == "Add Grace Hopper"
    assert "hint:" not in second.output


def test_a_user_name_without_an_email_keeps_the_name(vault: Path, invoke, no_identity: None) -> None:
    git(vault, "config", "user.name", "Ada Admin")
    ok(invoke("-C", vault, "log", "ada", "-m", "Hello."))
    assert git(vault, "log", "-1", "--format=%an <%ae>").strip() == "Ada Admin <contacts@vault.invalid>"


def test_a_configured_identity_is_used(vault: Path, invoke, no_identity: None) -> None:
    git(vault, "config", "user.name", "Alice")
    git(vault, "config", "user.email", "alice@example.com")
    result = invoke("-C", vault, "log", "ada", "-m", "Hello.")
    ok(result)
    assert git(vault, "log", "-1", "--format=%an <%ae>").strip() == "Alice <alice@example.com>"
    assert "hint:" not in result.stderr


# Not committing


def test_no_commit_leaves_the_change_uncommitted(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "--no-commit", "set", "ada", "stage", "lead")
    ok(result)
    assert "not committed" in result.stderr
    assert "stage: lead\n" in (vault / ADA).read_text()
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain") == " M contacts/ada-lovelace.md\n"

    ok(invoke("-C", vault, "--no-commit", "add", "Grace Hopper"))
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain") == " M contacts/ada-lovelace.md\n?? contacts/grace-hopper.md\n"


def test_init_no_commit(tmp_path: Path, invoke) -> None:
    root = tmp_path / "crm"
    result = invoke("--no-commit", "init", root)
    ok(result)
    assert "not committed" in result.output
    assert (root / "vault.yaml").is_file()
    assert git(root, "status", "--porcelain").splitlines() == ["?? .gitattributes", "?? .gitignore", "?? vault.yaml"]


def test_auto_commit_false_in_vault_yaml(vault: Path, invoke) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text().replace("auto_commit: true", "auto_commit: false"))
    git(vault, "commit", "-q", "-am", "Stop committing automatically")

    result = invoke("-C", vault, "log", "ada", "call", "-m", "Hello.")

    ok(result)
    assert "not committed" in result.stderr
    assert head_message(vault) == "Stop committing automatically"
    assert git(vault, "status", "--porcelain") == " M contacts/ada-lovelace.md\n"


# Other processes, permissions, files that do not parse


def test_two_processes_at_once_both_get_their_section(vault: Path) -> None:
    contacts = installed_contacts()
    before = (vault / ADA).read_bytes()
    for pair in (("A", "B"), ("C", "D")):  # two rounds: one race can miss by luck
        texts = {who: "\n".join(f"{who} line {n}" for n in range(200)) for who in pair}
        procs = [
            subprocess.Popen(
                [contacts, "-C", str(vault), "log", "ada", "call", who, "-m", text],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for who, text in texts.items()
        ]
        outcomes = [p.communicate(timeout=60) for p in procs]

        for proc, (_, err) in zip(procs, outcomes):
            assert proc.returncode == 0, err
        after = (vault / ADA).read_text()
        for who, text in texts.items():
            assert f"call — {who} ✓\n{text}\n" in after
    assert after.encode().startswith(before)
    assert commit_count(vault) == 5
    assert git(vault, "log", "-4", "--format=%s").splitlines() == ["Log call with Ada Lovelace"] * 4
    assert git(vault, "status", "--porcelain") == ""


def test_writes_keep_the_files_permissions(vault: Path, invoke) -> None:
    path = vault / ADA
    path.chmod(0o640)
    ok(invoke("-C", vault, "set", "ada", "stage", "lead"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    ok(invoke("-C", vault, "log", "ada", "-m", "Hello."))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
@pytest.mark.parametrize("read_only", [["contacts"], ["contacts", "."]], ids=["contacts", "whole-vault"])
def test_an_unwritable_vault_is_a_one_line_error(vault: Path, invoke, read_only: list[str]) -> None:
    path = vault / ADA
    before = path.read_bytes()
    path.chmod(0o444)
    for folder in read_only:
        (vault / folder).chmod(0o555)
    try:
        result = invoke("-C", vault, "set", "ada", "stage", "lead")
    finally:
        for folder in read_only:
            (vault / folder).chmod(0o755)
        path.chmod(0o644)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: ")
    assert "permission" in result.stderr.lower()
    assert path.read_bytes() == before
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
@pytest.mark.parametrize("in_git", [True, False], ids=["git", "plain-folder"])
def test_mv_in_an_unwritable_vault_is_a_one_line_error(vault: Path, invoke, in_git: bool) -> None:
    if not in_git:
        shutil.rmtree(vault / ".git")
    before = (vault / ADA).read_bytes()
    (vault / "contacts").chmod(0o555)
    try:
        result = invoke("-C", vault, "mv", "ada", "Ada King")
    finally:
        (vault / "contacts").chmod(0o755)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert len(result.stderr.splitlines()) == 1
    assert "ada-lovelace.md" in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert not (vault / "contacts" / "ada-king.md").exists()


def test_a_file_that_does_not_parse_is_never_rewritten(vault: Path, invoke) -> None:
    broken = vault / "contacts" / "broken.md"
    broken.write_text("---\nname: Broken Person\nstage: lead: customer\nowner: bob\n---\n")
    before = broken.read_bytes()
    for args in (["set", "broken", "stage", "lead"], ["log", "broken", "-m", "x"], ["tag", "broken", "+x"]):
        result = invoke("-C", vault, *args)
        assert result.exit_code == 1, args
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "broken.md:3" in result.stderr
        assert "invalid YAML" in result.stderr
        assert broken.read_bytes() == before
    assert commit_count(vault) == 1


# Finding the vault


def test_vault_from_the_C_option(vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ok(invoke("-C", vault, "show", "ada"))
    ok(invoke("--vault", vault, "show", "ada"))


def test_vault_from_the_environment(vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTACTS_VAULT", str(vault))
    result = invoke("show", "ada")
    ok(result)
    assert result.stdout.startswith("Ada Lovelace")


def test_a_wrong_vault_in_the_environment_is_named(invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTS_VAULT", str(tmp_path / "missing"))
    result = invoke("list")
    assert result.exit_code == 1
    assert "not a contact vault" in result.stderr
    assert "$CONTACTS_VAULT" in result.stderr


def test_the_C_option_wins_over_the_environment(
    vault: Path, empty_vault: Path, invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTACTS_VAULT", str(empty_vault))
    ok(invoke("-C", vault, "show", "ada"))
    assert invoke("show", "ada").exit_code == 1


def test_vault_found_upward_from_the_working_directory(vault: Path, invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(vault / "contacts")
    ok(invoke("show", "ada"))
    result = invoke("add", "Grace Hopper")
    ok(result)
    assert (vault / "contacts" / "grace-hopper.md").is_file()
    assert not (vault / "contacts" / "contacts").exists()
    assert "(grace-hopper.md, commit " in result.stderr  # paths are shown relative to where you are


def test_vault_from_the_user_config(vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "xdg" / "contacts" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"default_vault: {vault}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ok(invoke("show", "ada"))


def test_no_vault_anywhere(invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    result = invoke("list")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "contacts init" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_C_pointing_at_a_folder_that_is_not_a_vault(invoke, tmp_path: Path) -> None:
    result = invoke("-C", tmp_path, "list")
    assert result.exit_code == 1
    assert "not a contact vault" in result.stderr
