"""`contacts undo`: a change the tool made taken back by a new commit that reverts it.

Real vaults in real git repositories (a bare remote for the push), the real index; each test
looks at the exit status, what was printed, the files and the commits.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import commit_count, git, head_files, head_message, no_traceback, ok

ADA = Path("contacts/ada-lovelace.md")
ZOE = Path("contacts/zoe-muller.md")
CHARLES = Path("contacts/charles-babbage.md")
SHA = r"[0-9a-f]{7}"


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def short(root: Path, rev: str = "HEAD") -> str:
    return git(root, "rev-parse", "--short=7", rev).strip()


def message(root: Path, rev: str = "HEAD") -> list[str]:
    return git(root, "log", "-1", "--format=%B", rev).strip().splitlines()


def undone(result, subject: str) -> None:
    """The undo worked and said so in one line: `Revert "…" (commit abc1234)`."""
    ok(result)
    assert re.fullmatch(rf"{re.escape(subject)} \(commit {SHA}\)\n", result.stderr), result.stderr
    assert result.stdout == ""


def refused(result, *words: str) -> None:
    """A one-line error with exit status 1 that says ``words``."""
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "contacts").rglob("*.md"))}


# Taking back each kind of change


def test_undo_takes_back_an_add_with_a_revert_commit(vault: Path, invoke) -> None:
    before, commits = files(vault), commit_count(vault)
    ok(invoke("-C", vault, "add", "Grace Hopper", "--tag", "navy"))
    added = head(vault)

    result = invoke("-C", vault, "undo")

    undone(result, 'Revert "Add Grace Hopper"')
    assert not (vault / "contacts/grace-hopper.md").exists() and files(vault) == before
    assert commit_count(vault) == commits + 2  # history kept: the add, then its revert
    lines = message(vault)
    assert lines[:3] == ['Revert "Add Grace Hopper"', "", f"This reverts commit {added}."]
    assert lines[3] == "" and lines[4].startswith("Contacts-Change: ") and len(lines) == 5
    assert result.stderr == f'Revert "Add Grace Hopper" (commit {short(vault)})\n'
    assert git(vault, "status", "--porcelain") == ""
    assert invoke("-C", vault, "search", "tag:navy").exit_code == 1  # the index followed


def test_undo_takes_back_set_tag_and_log(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    for args, subject in [
        (("set", "ada", "stage", "churned"), "Set stage of Ada Lovelace to churned"),
        (("tag", "ada", "+renewal"), "Tag Ada Lovelace +renewal"),
        (("log", "ada", "call", "Renewal", "-m", "Wants a demo."), "Log call with Ada Lovelace"),
    ]:
        ok(invoke("-C", vault, *args))
        assert head_message(vault) == subject and (vault / ADA).read_bytes() != before

        undone(invoke("-C", vault, "undo"), f'Revert "{subject}"')

        assert (vault / ADA).read_bytes() == before
        assert head_files(vault) == [ADA.as_posix()]
        assert git(vault, "status", "--porcelain") == ""
    assert invoke("-C", vault, "search", "tag:renewal").exit_code == 1
    shown = invoke("-C", vault, "list", "--stage", "churned", "--format", "paths")
    assert "ada-lovelace" not in shown.stdout


def test_undo_brings_back_a_removed_contact(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "rm", "ada", "--yes"))
    assert not (vault / ADA).exists()

    undone(invoke("-C", vault, "undo"), 'Revert "Remove Ada Lovelace"')

    assert (vault / ADA).read_bytes() == before
    assert git(vault, "status", "--porcelain") == ""
    shown = invoke("-C", vault, "show", "ada-lovelace")
    ok(shown)
    assert shown.stdout.startswith("Ada Lovelace  (ada-lovelace)")


def test_undo_takes_back_a_rename(vault: Path, invoke) -> None:
    before = files(vault)
    ok(invoke("-C", vault, "mv", "ada", "Ada King"))

    undone(invoke("-C", vault, "undo"), 'Revert "Rename Ada Lovelace to Ada King"')

    assert files(vault) == before and not (vault / "contacts/ada-king.md").exists()


def test_undo_takes_back_a_merge_of_contacts(vault: Path, invoke) -> None:
    before = files(vault)
    ok(invoke("-C", vault, "merge", "ada", "charles-babbage", "--prefer", "keep"))
    assert not (vault / CHARLES).exists()

    result = invoke("-C", vault, "undo")

    ok(result)
    assert result.stderr.startswith('Revert "Merge ') and files(vault) == before
    assert {ADA.as_posix(), CHARLES.as_posix()} <= set(head_files(vault))
    assert git(vault, "status", "--porcelain") == ""


def test_undo_takes_back_an_import(vault: Path, invoke, tmp_path: Path) -> None:
    before, commits = files(vault), commit_count(vault)
    cards = tmp_path / "people.vcf"
    cards.write_text("".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{name.split()[0].lower()}@import.example\r\nEND:VCARD\r\n"
        for name in ("Grace Hopper", "Alan Turing", "Edsger Dijkstra")
    ))
    ok(invoke("-C", vault, "import", cards))
    imported = head(vault)
    assert len(head_files(vault)) == 3 and "Contacts-Change: " in message(vault)[-1]

    undone(invoke("-C", vault, "undo"), 'Revert "Import 3 contacts from people.vcf"')

    assert files(vault) == before and commit_count(vault) == commits + 2
    assert message(vault)[2] == f"This reverts commit {imported}."
    assert git(vault, "status", "--porcelain") == ""
    assert invoke("-C", vault, "search", "email:hopper*").exit_code == 1


# Undo of an undo, an older change, --no-commit


def test_undo_twice_brings_the_change_back(vault: Path, invoke) -> None:
    before = (vault / ZOE).read_bytes()
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    tagged = (vault / ZOE).read_bytes()

    undone(invoke("-C", vault, "undo"), 'Revert "Tag Zoë Müller +vip"')
    assert (vault / ZOE).read_bytes() == before
    undone(invoke("-C", vault, "undo"), 'Reapply "Tag Zoë Müller +vip"')
    assert (vault / ZOE).read_bytes() == tagged
    undone(invoke("-C", vault, "undo"), 'Revert "Tag Zoë Müller +vip"')
    assert (vault / ZOE).read_bytes() == before

    subjects = git(vault, "log", "-4", "--format=%s").splitlines()
    assert subjects == ['Revert "Tag Zoë Müller +vip"', 'Reapply "Tag Zoë Müller +vip"',
                        'Revert "Tag Zoë Müller +vip"', "Tag Zoë Müller +vip"]
    assert "zoe-muller" not in invoke("-C", vault, "search", "tag:vip", "--format", "paths").stdout


def test_undo_sha_takes_back_an_older_change_whose_files_were_not_touched_since(vault: Path, invoke) -> None:
    ada_before = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "set", "ada", "stage", "churned"))
    older = short(vault)
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    zoe_tagged = (vault / ZOE).read_bytes()

    undone(invoke("-C", vault, "undo", older), 'Revert "Set stage of Ada Lovelace to churned"')

    assert (vault / ADA).read_bytes() == ada_before and (vault / ZOE).read_bytes() == zoe_tagged
    assert head_files(vault) == [ADA.as_posix()]


def test_undo_an_undone_change_again_is_refused_and_says_by_what(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    tagged = short(vault)
    ok(invoke("-C", vault, "undo"))
    revert = short(vault)

    refused(invoke("-C", vault, "undo", tagged), f"{tagged} \"Tag Zoë Müller +vip\" is taken back already (by {revert})",
            f"contacts undo {revert}")
    assert short(vault) == revert


def test_no_commit_puts_the_files_back_and_commits_nothing(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    tagged, commits = (vault / ADA).read_bytes(), commit_count(vault)

    result = invoke("-C", vault, "undo", "--no-commit")

    ok(result)
    assert result.stderr == 'Revert "Tag Ada Lovelace +renewal" (not committed)\n'
    assert (vault / ADA).read_bytes() == before and commit_count(vault) == commits
    assert git(vault, "show", f"HEAD:{ADA.as_posix()}").encode() == tagged
    assert git(vault, "status", "--porcelain") == f" M {ADA.as_posix()}\n"


def test_other_uncommitted_work_is_left_as_it_was(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    charles = vault / CHARLES
    charles.write_text(charles.read_text().replace("stage: customer", "stage: churned"))
    git(vault, "add", CHARLES.as_posix())
    (vault / ZOE).write_text((vault / ZOE).read_text() + "\nA thought, not committed.\n")

    undone(invoke("-C", vault, "undo"), 'Revert "Tag Ada Lovelace +renewal"')

    assert head_files(vault) == [ADA.as_posix()]
    assert git(vault, "status", "--porcelain") == f"M  {CHARLES.as_posix()}\n M {ZOE.as_posix()}\n"


# Refusals


def test_a_change_whose_file_was_changed_since_is_refused(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    tagged = short(vault)
    ok(invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Wants a demo."))
    logged, data = short(vault), (vault / ADA).read_bytes()

    result = invoke("-C", vault, "undo", tagged)

    refused(result, f"{ADA.as_posix()}: changed since {tagged} \"Tag Ada Lovelace +renewal\"",
            f"(by {logged} \"Log call with Ada Lovelace\")", "take back the later change first")
    assert short(vault) == logged and (vault / ADA).read_bytes() == data


def test_a_change_since_made_by_hand_is_refused(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    tagged = short(vault)
    path = vault / ADA
    path.write_text(path.read_text().replace("title:", "nickname: Ada\ntitle:", 1))
    git(vault, "commit", "-qam", "Add Ada's nickname")
    hand = short(vault)

    refused(invoke("-C", vault, "undo"), f"{hand} \"Add Ada's nickname\" has no Contacts-Change trailer",
            "contacts undo --list", f"git revert {hand}")
    refused(invoke("-C", vault, "undo", tagged), f"changed since {tagged}", f"by {hand}")
    assert short(vault) == hand


def test_a_hand_commit_with_the_tools_words_is_not_the_tools(vault: Path, invoke) -> None:
    path = vault / ZOE
    path.write_text(path.read_text().replace("tags: [conference-2026]", "tags: [conference-2026, vip]"))
    git(vault, "commit", "-qam", "Tag Zoë Müller +vip")
    hand = short(vault)

    refused(invoke("-C", vault, "undo", hand), "has no Contacts-Change trailer")
    assert short(vault) == hand and "vip" in path.read_text()
    assert invoke("-C", vault, "undo", "--list").stdout == ""


def test_uncommitted_changes_to_the_files_are_never_lost(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    tagged = short(vault)
    path = vault / ADA
    edited = path.read_text() + "\nMy own note, not committed.\n"
    path.write_text(edited)

    for args in (("undo",), ("undo", "--no-commit")):
        refused(invoke("-C", vault, *args), f"{ADA.as_posix()}: has changes you have not committed",
                f"git diff HEAD -- {ADA.as_posix()}")
        assert path.read_text() == edited and short(vault) == tagged

    git(vault, "add", ADA.as_posix())  # staged only
    path.write_text(git(vault, "show", f"HEAD:{ADA.as_posix()}"))
    refused(invoke("-C", vault, "undo"), "has changes you have not committed")
    assert short(vault) == tagged


def test_a_new_file_where_a_removed_contact_was_is_not_overwritten(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "rm", "ada", "--yes"))
    (vault / ADA).write_text("---\nname: Ada Byron\n---\nA new file of mine.\n")

    refused(invoke("-C", vault, "undo"), "has changes you have not committed")
    assert (vault / ADA).read_text() == "---\nname: Ada Byron\n---\nA new file of mine.\n"


def test_a_merge_commit_is_refused(vault: Path, invoke) -> None:
    git(vault, "switch", "-qc", "side")
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    git(vault, "switch", "-q", "-")
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    git(vault, "merge", "-q", "--no-edit", "side")
    merge = short(vault)

    refused(invoke("-C", vault, "undo"), f"{merge} \"Merge branch 'side'", "is a merge", "git revert -m 1")
    refused(invoke("-C", vault, "undo", merge), "is a merge")
    # the changes it merged are the tool's, and each can be taken back
    listed = invoke("-C", vault, "undo", "--list").stdout
    assert "Tag Zoë Müller +vip" in listed and "Tag Ada Lovelace +renewal" in listed and "Merge" not in listed
    side = short(vault, "side")
    undone(invoke("-C", vault, "undo", side), 'Revert "Tag Zoë Müller +vip"')
    assert "vip" not in (vault / ZOE).read_text()


def test_an_unknown_sha_the_vaults_first_commit_and_another_branch_are_refused(vault: Path, invoke) -> None:
    for sha in ("0123abc", "--all"):
        result = invoke("-C", vault, "undo", "--", sha)
        no_traceback(result)
        assert result.exit_code == 2
        assert result.stderr == f"Error: '{sha}' is no commit of this repository; contacts undo --list shows the " \
                                "changes it can take back\n"
    refused(invoke("-C", vault, "undo"), '"Create contact vault" has no Contacts-Change trailer')
    git(vault, "switch", "-qc", "side")
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    elsewhere = short(vault)
    git(vault, "switch", "-q", "-")
    refused(invoke("-C", vault, "undo", elsewhere), "is not on this branch")


def test_nothing_is_written_during_a_rebase_or_a_merge(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"}
    subprocess.run(["git", "rebase", "-q", "-i", "HEAD~2"], cwd=vault, env=env, check=True, capture_output=True)
    assert (vault / ".git/rebase-merge").is_dir()
    data = files(vault)

    for args in (("undo",), ("undo", "--no-commit")):
        refused(invoke("-C", vault, *args), "a rebase is in progress", "git rebase --abort")
    assert files(vault) == data
    git(vault, "rebase", "--abort")

    git(vault, "switch", "-qc", "side")
    ok(invoke("-C", vault, "set", "zoe", "stage", "lead"))
    git(vault, "switch", "-q", "-")
    ok(invoke("-C", vault, "set", "zoe", "stage", "customer"))  # the same field, two values: a real conflict
    merging = subprocess.run(["git", "merge", "side"], check=False, cwd=vault, capture_output=True, text=True)
    assert merging.returncode != 0 and (vault / ".git/MERGE_HEAD").exists()
    refused(invoke("-C", vault, "undo"), "a merge is in progress", "git merge --abort")


def test_outside_git_undo_says_there_is_nothing_to_take_back(example_copy: Path, invoke) -> None:
    refused(invoke("-C", example_copy, "undo"), "not in a git repository")
    refused(invoke("-C", example_copy, "undo", "--list"), "not in a git repository")


def test_sha_and_list_together_are_a_usage_error(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "undo", "--list", "HEAD")
    no_traceback(result)
    assert result.exit_code == 2 and "give SHA or --list, not both" in result.stderr


# What the tool's commits carry, and --list


def test_every_change_the_tool_commits_carries_the_trailer_and_keeps_its_subject(vault: Path, invoke) -> None:
    for args, subject in [
        (("add", "Grace Hopper"), "Add Grace Hopper"),
        (("task", "grace", "Send the notes"), "Add task for Grace Hopper: Send the notes"),
        (("segment", "save", "vips", "tag:vip"), "Save segment @vips"),
    ]:
        ok(invoke("-C", vault, *args))
        lines = message(vault)
        assert lines[0] == head_message(vault)
        assert re.fullmatch(r"Contacts-Change: [0-9A-Z]{26}", lines[-1]) and lines[-2] == "", lines
    ids = git(vault, "log", "-3", "--format=%(trailers:key=Contacts-Change,valueonly)").split()
    assert len(set(ids)) == 3  # each change has an id of its own


def test_list_shows_the_tools_changes_newest_first(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    ok(invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Wants a demo."))
    git(vault, "commit", "-q", "--allow-empty", "-m", "A hand commit")
    ok(invoke("-C", vault, "tag", "zoe", "+vip"))
    (vault / ZOE).write_text((vault / ZOE).read_text() + "\nNot committed.\n")
    day = git(vault, "log", "-1", "--format=%as").strip()
    shas = git(vault, "log", "--format=%h", "--abbrev=7").split()

    result = invoke("-C", vault, "undo", "--list")

    ok(result)
    assert result.stdout.splitlines() == [
        f"{shas[0]}  {day}  Test Author  Tag Zoë Müller +vip  (cannot undo: not committed: {ZOE.as_posix()})",
        f"{shas[2]}  {day}  Test Author  Log call with Ada Lovelace",
        f"{shas[3]}  {day}  Test Author  Tag Ada Lovelace +renewal  (cannot undo: changed since: {ADA.as_posix()})",
    ]
    limited = invoke("-C", vault, "undo", "--list", "--limit", "1")
    assert limited.stdout.splitlines() == result.stdout.splitlines()[:1]


def test_list_of_a_vault_with_no_changes_of_the_tools(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "undo", "--list")
    ok(result)
    assert result.stdout == "" and result.stderr == "no changes made by contacts to take back\n"


def test_a_commit_msg_hook_that_adds_a_paragraph_keeps_the_commit_the_tools(vault: Path, invoke) -> None:
    hook = vault / ".git/hooks/commit-msg"
    hook.write_text('#!/bin/sh\nprintf "\\nReviewed-by: Carol <carol@team.example>\\n" >> "$1"\n')
    hook.chmod(0o755)
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    assert message(vault)[-1] == "Reviewed-by: Carol <carol@team.example>"

    undone(invoke("-C", vault, "undo"), 'Revert "Tag Ada Lovelace +renewal"')


# Sharing


def test_after_a_push_the_undo_is_a_new_commit_that_pushes_cleanly(vault: Path, invoke, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(vault, "remote", "add", "origin", str(remote))
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    git(vault, "push", "-q", "-u", "origin", "HEAD")
    pushed = head(vault)

    undone(invoke("-C", vault, "undo"), 'Revert "Tag Ada Lovelace +renewal"')

    assert git(vault, "rev-parse", "HEAD~1").strip() == pushed  # on top of what was pushed, nothing rewritten
    git(vault, "push", "-q")  # a fast-forward: no force needed
    assert git(remote, "rev-parse", "HEAD").strip() == head(vault)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    assert (clone / ADA).read_text() == git(vault, "show", f"{pushed}~1:{ADA.as_posix()}")  # as before the tag


def test_undo_of_a_large_import_is_one_bulk_commit(vault: Path, invoke, tmp_path: Path) -> None:
    hook = vault / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    before = files(vault)
    cards = tmp_path / "many.vcf"
    cards.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n:03d}\r\nEMAIL:p{n}@bulk.example\r\n"
                             "END:VCARD\r\n" for n in range(210)))
    ok(invoke("-C", vault, "import", cards))
    assert len(head_files(vault)) == 210

    result = invoke("-C", vault, "undo")

    ok(result)
    assert result.stderr.splitlines() == [
        f'Revert "Import 210 contacts from many.vcf" (commit {short(vault)})',
        "note: a commit of this many files skips git hooks (pre-commit)",
    ]
    assert files(vault) == before and len(head_files(vault)) == 210
    assert git(vault, "status", "--porcelain") == ""
    assert message(vault)[-1].startswith("Contacts-Change: ")
    assert invoke("-C", vault, "search", "email:p1*").exit_code == 1


def test_in_a_vault_inside_a_larger_repository_undo_looks_at_the_vaults_commits(tmp_path: Path, invoke) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "README").write_text("a project\n")
    git(project, "add", "README")
    git(project, "commit", "-qm", "Start the project")
    ok(invoke("init", project / "crm", "--example"))
    vault = project / "crm"
    ok(invoke("-C", vault, "tag", "ada", "+renewal"))
    (project / "README").write_text("a project, with a vault\n")
    git(project, "commit", "-qam", "Say what the project holds")  # after the tool's change, outside the vault

    undone(invoke("-C", vault, "undo"), 'Revert "Tag Ada Lovelace +renewal"')

    assert "renewal" not in (vault / ADA).read_text().split("---")[1]
    assert head_files(project) == [f"crm/{ADA.as_posix()}"]
    listed = invoke("-C", vault, "undo", "--list").stdout.splitlines()
    assert [line.split("  ")[-1] for line in listed[:1]] == ['Revert "Tag Ada Lovelace +renewal"']
