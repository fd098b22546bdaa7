"""The repository's own git hooks run around the tool's commits (real hook scripts in .git/hooks).

A pre-commit or commit-msg hook that refuses stops the commit with a one-line
error and leaves the files as they were; one that passes lets it through; a
commit-msg hook may edit the message. The bulk import (git fast-import) cannot
run hooks and says so.
"""
from __future__ import annotations

from pathlib import Path

from conftest import commit_count, git, head_message, no_traceback, ok

ADA = "contacts/ada-lovelace.md"
CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@navy.example\r\nEND:VCARD\r\n"


def hook(vault: Path, name: str, script: str, folder: str = ".git/hooks") -> Path:
    path = vault / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


REFUSE = "echo 'checking contacts…'\necho 'contacts check: ada has no email' >&2\nexit 1\n"


def test_a_failing_pre_commit_hook_stops_add_and_nothing_is_written(vault: Path, invoke) -> None:
    hook(vault, "pre-commit", REFUSE)
    commits = commit_count(vault)

    result = invoke("-C", vault, "add", "Grace Hopper", "--email", "grace@navy.example")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {vault}: the pre-commit hook stopped the commit: contacts check: ada has no email; "
        "nothing was changed\n"
    )
    assert not (vault / "contacts/grace-hopper.md").exists()
    assert commit_count(vault) == commits
    assert git(vault, "status", "--porcelain") == ""


def test_a_failing_pre_commit_hook_leaves_an_edited_file_as_it_was(vault: Path, invoke) -> None:
    hook(vault, "pre-commit", "exit 3\n")
    before = (vault / ADA).read_bytes()

    result = invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Agreed.")

    assert result.exit_code == 1
    assert result.stderr == f"Error: {vault}: the pre-commit hook stopped the commit: exit status 3; nothing was changed\n"
    assert (vault / ADA).read_bytes() == before
    assert git(vault, "status", "--porcelain") == ""


def test_a_passing_pre_commit_hook_sees_exactly_the_change(vault: Path, invoke, tmp_path: Path) -> None:
    seen = tmp_path / "seen.txt"
    hook(vault, "pre-commit", f"git diff --cached --name-only > '{seen}'\n")
    (vault / "contacts/zoe-muller.md").write_text("---\nname: Zoë Müller\n---\nA hand edit, not committed.\n")

    result = invoke("-C", vault, "add", "Grace Hopper")

    ok(result)
    assert seen.read_text() == "contacts/grace-hopper.md\n"
    assert head_message(vault) == "Add Grace Hopper"
    assert git(vault, "status", "--porcelain") == " M contacts/zoe-muller.md\n"


def test_a_commit_msg_hook_may_add_to_the_message(vault: Path, invoke) -> None:
    hook(vault, "prepare-commit-msg", 'test "$2" = message || exit 1\n')
    hook(vault, "commit-msg", 'printf "\\nReviewed-by: Carol <carol@team.example>\\n" >> "$1"\n')

    ok(invoke("-C", vault, "tag", "ada", "+renewal"))

    lines = git(vault, "log", "-1", "--format=%B").strip().splitlines()
    assert lines[2].startswith("Contacts-Change: ")  # the tool's trailer, which the hook saw
    assert lines[:2] + lines[3:] == ["Tag Ada Lovelace +renewal", "", "", "Reviewed-by: Carol <carol@team.example>"]
    assert git(vault, "status", "--porcelain") == ""


def test_a_commit_msg_hook_that_refuses(vault: Path, invoke) -> None:
    hook(vault, "commit-msg", "grep -q JIRA- \"$1\" || { echo 'commit-msg: no ticket in the message'; exit 1; }\n")
    before = (vault / ADA).read_bytes()

    result = invoke("-C", vault, "set", "ada", "stage", "churned")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {vault}: the commit-msg hook stopped the commit: commit-msg: no ticket in the message; "
        "nothing was changed\n"
    )
    assert (vault / ADA).read_bytes() == before


def test_post_commit_runs_and_its_failure_changes_nothing(vault: Path, invoke, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    hook(vault, "post-commit", f"touch '{ran}'\nexit 1\n")
    ok(invoke("-C", vault, "add", "Grace Hopper"))
    assert ran.exists()
    assert head_message(vault) == "Add Grace Hopper"


def test_hooks_from_core_hooks_path(vault: Path, invoke) -> None:
    hook(vault, "pre-commit", REFUSE, folder="team-hooks")
    git(vault, "config", "core.hooksPath", "team-hooks")
    result = invoke("-C", vault, "add", "Grace Hopper")
    assert result.exit_code == 1 and "the pre-commit hook stopped the commit" in result.stderr


def test_a_hook_that_is_not_executable_is_not_run(vault: Path, invoke) -> None:
    hook(vault, "pre-commit", REFUSE).chmod(0o644)
    ok(invoke("-C", vault, "add", "Grace Hopper"))


def test_check_fix_with_a_refusing_hook_keeps_the_fix_uncommitted(vault: Path, invoke) -> None:
    gustav = vault / "contacts/gustav-holm.md"
    gustav.write_text("---\nname: Gustav Holm\nphones: [+4721990000]\n---\n")
    git(vault, "add", "contacts/gustav-holm.md")
    git(vault, "commit", "-q", "-m", "Add Gustav")
    hook(vault, "pre-commit", REFUSE)
    commits = commit_count(vault)

    result = invoke("-C", vault, "check", "--fix")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {vault}: a git hook (pre-commit) stopped the commit: contacts check: ada has no email; the files "
        "are written but not committed: fix that, then commit them (git commit)"
    )
    assert gustav.read_text() == '---\nname: Gustav Holm\nphones: ["+4721990000"]\n---\n'
    assert commit_count(vault) == commits
    assert git(vault, "status", "--porcelain") == " M contacts/gustav-holm.md\n"  # not left staged


# The bulk import


def test_import_says_it_skips_the_hooks(vault: Path, invoke, tmp_path: Path) -> None:
    hook(vault, "pre-commit", REFUSE)
    hook(vault, "commit-msg", "exit 1\n")
    card = tmp_path / "grace.vcf"
    card.write_text(CARD)

    result = invoke("-C", vault, "import", card)

    ok(result)
    assert "note: the bulk import commit skips git hooks (pre-commit, commit-msg)\n" in result.stderr
    assert head_message(vault) == "Import 1 contact from grace.vcf"
    assert (vault / "contacts/grace-hopper.md").exists()


def test_import_without_hooks_has_no_note(vault: Path, invoke, tmp_path: Path) -> None:
    card = tmp_path / "grace.vcf"
    card.write_text(CARD)
    result = invoke("-C", vault, "import", card)
    ok(result)
    assert "note:" not in result.stderr
