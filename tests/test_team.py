"""A team sharing a vault through a git remote: two clones, each with its own identity, and a bare remote.

The `vault` merge driver is exercised through real git: `contacts sync`
(pull with rebase), `git pull` with a merge, `git pull --rebase`, `git merge`
and `git cherry-pick`. Nothing is mocked; every repository lives in tmp_path.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from teamclones import ADA, TODAY, Clone, alice, bob, elsewhere, remote  # noqa: F401 - fixtures

from vault_tool.cli.main import cli


def log_subjects(clone: Clone) -> list[str]:
    return clone.out("log", "--format=%an: %s").splitlines()


# Setting up a clone


def test_init_in_a_fresh_clone_registers_the_merge_driver(tmp_path: Path, remote: Path, alice: Clone) -> None:
    carol = Clone(tmp_path / "carol", "Carol")
    subprocess.run(["git", "clone", "-q", str(remote), str(carol.root)], check=True)
    assert carol.git("config", "--get", "merge.vault.driver", check=False).stdout == ""

    result = carol.ok("init", carol.root)

    assert "already a vault: registered the vault merge driver in this clone" in result.stdout
    driver = carol.out("config", "--get", "merge.vault.driver").strip()
    assert driver == f"{shlex.quote(sys.executable)} -m vault_tool merge-driver %O %A %B %L %P"
    assert carol.out("check-attr", "merge", "--", ADA).strip() == f"{ADA}: merge: vault"
    assert carol.out("status", "--porcelain") == ""
    assert log_subjects(carol) == ["Alice: Create contact vault"]
    assert "local set-up done" in carol.ok("init", carol.root).stdout  # a second time: nothing to do


def test_the_driver_runs_without_contacts_on_the_path(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "Alice's call", "-m", "From Alice.")
    alice.git("push", "-q")
    bob.ok("log", "ada", "meeting", "Bob's meeting", "-m", "From Bob.")
    minimal = {**os.environ, **bob.env, "PATH": "/usr/bin:/bin"}

    done = subprocess.run(["git", "pull", "-q", "--rebase"], cwd=bob.root, env=minimal, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert "Alice's call" in bob.text() and "Bob's meeting" in bob.text()


# contacts sync


def test_two_people_log_and_change_different_fields_then_sync(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "Renewal terms", "-m", "Alice agreed the terms.")
    alice.ok("set", "ada", "stage", "churned")
    bob.ok("log", "ada", "meeting", "Workshop", "-m", "Bob ran the workshop.")
    bob.ok("tag", "ada", "+workshop")
    bob.ok("set", "ada", "title", "Chief Scientist")

    first = alice.ok("sync")
    second = bob.ok("sync")
    third = alice.ok("sync")

    assert first.stdout == "Pushed 2 commits to origin/main\n"
    assert second.stdout == (
        "Pulled 2 commits from origin/main\n"
        "  changed  Ada Lovelace (contacts/ada-lovelace.md) by Alice\n"
        "Pushed 3 commits to origin/main\n"
    )
    assert third.stdout.startswith("Pulled 3 commits from origin/main\n  changed  Ada Lovelace")
    assert alice.text() == bob.text()
    text = alice.text()
    assert "Alice agreed the terms." in text and "Bob ran the workshop." in text
    assert "stage: churned\n" in text and "title: Chief Scientist\n" in text
    assert "tags: [customer, mathematics, vip, workshop]\n" in text
    assert "<<<<<<<" not in text
    assert alice.out("rev-parse", "HEAD") == bob.out("rev-parse", "HEAD")
    assert log_subjects(alice)[:5] == [
        "Bob: Set title of Ada Lovelace to Chief Scientist", "Bob: Tag Ada Lovelace +workshop",
        "Bob: Log meeting with Ada Lovelace", "Alice: Set stage of Ada Lovelace to churned",
        "Alice: Log call with Ada Lovelace",
    ]
    check = alice.contacts("check")
    assert check.exit_code == 0 and ": error:" not in check.stdout


def test_a_real_conflict_is_reported_and_nothing_is_lost(alice: Clone, bob: Clone) -> None:
    alice.ok("set", "ada", "title", "Chief Scientist")
    alice.ok("sync")
    bob.ok("set", "ada", "title", "Research Lead")
    bob.ok("log", "ada", "note", "Afterwards", "-m", "Bob's note survives.")

    result = bob.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: conflict in contacts/ada-lovelace.md: both sides changed the same field")
    assert "Nothing changed here" in result.stderr and "git pull --rebase" in result.stderr
    assert "rebase in progress" not in bob.out("status")  # the tool never leaves a rebase behind
    assert "title: Research Lead\n" in bob.text() and "Bob's note survives." in bob.text()
    assert bob.out("status", "--porcelain") == ""

    bob.git("pull", "--rebase", check=False)  # the user settles it by hand
    assert "<<<<<<< upstream\ntitle: Chief Scientist\n=======\ntitle: Research Lead\n>>>>>>> yours\n" in bob.text()
    status = bob.out("status")
    assert "rebase in progress" in status and "both modified:   contacts/ada-lovelace.md" in status
    refused = bob.contacts("log", "ada", "note", "Later")
    assert refused.exit_code == 1 and "a rebase is in progress, so the tool writes nothing" in refused.stderr
    check = bob.contacts("check")
    assert check.exit_code == 1
    assert "contacts/ada-lovelace.md:7: error: unresolved git conflict" in check.stdout
    assert bob.contacts("sync").stderr.startswith("Error: ")  # a rebase in progress: sync refuses

    resolved = bob.text().replace("<<<<<<< upstream\ntitle: Chief Scientist\n=======\n", "").replace(">>>>>>> yours\n", "")
    (bob.root / ADA).write_text(resolved)
    bob.git("add", ADA)
    bob.git("-c", "core.editor=true", "rebase", "--continue")
    bob.ok("sync")
    alice.ok("sync")
    assert "title: Research Lead\n" in alice.text() and "Bob's note survives." in alice.text()


def test_sync_refuses_dirty_contact_files_unless_asked_to_commit_them(alice: Clone) -> None:
    zoe = alice.root / "contacts/zoe-muller.md"
    zoe.write_text(zoe.read_text() + "\nA hand-written line.\n")
    head = alice.out("rev-parse", "HEAD")

    refused = alice.contacts("sync")

    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: 1 contact file has uncommitted changes (contacts/zoe-muller.md): commit them, "
        "or run contacts sync --commit to commit them first\n"
    )
    assert alice.out("rev-parse", "HEAD") == head
    assert alice.out("status", "--porcelain") == " M contacts/zoe-muller.md\n"

    done = alice.ok("sync", "--commit")
    assert "Edit Zoë Müller (commit" in done.stderr
    assert done.stdout == "Pushed 1 commit to origin/main\n"
    assert alice.out("status", "--porcelain") == ""


def test_sync_keeps_other_work_in_progress(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "x", "-m", "y")
    alice.ok("sync")
    with (bob.root / "vault.yaml").open("a") as handle:
        handle.write("# a setting I am thinking about\n")
    (bob.root / "draft.txt").write_text("not for the vault\n")
    bob.ok("log", "ada", "email", "z", "-m", "w")

    bob.ok("sync")

    assert bob.out("status", "--porcelain") == " M vault.yaml\n?? draft.txt\n"
    assert "# a setting I am thinking about" in (bob.root / "vault.yaml").read_text()


def test_sync_reports_contacts_added_and_removed_by_whom(alice: Clone, bob: Clone) -> None:
    alice.ok("add", "Grace Hopper", "--company", "Navy")
    alice.ok("rm", "wang", "--yes")
    alice.ok("sync")
    result = bob.ok("sync")
    assert result.stdout == (
        "Pulled 2 commits from origin/main\n"
        "  added    Grace Hopper (contacts/grace-hopper.md) by Alice\n"
        "  removed  wang-fang (contacts/wang-fang.md) by Alice\n"
    )


def test_sync_when_up_to_date(alice: Clone) -> None:
    assert alice.ok("sync").stdout == "Up to date with origin/main\n"


def test_sync_without_a_remote_or_an_upstream(tmp_path: Path, remote: Path) -> None:
    solo = Clone(tmp_path / "solo", "Solo")
    CliRunner().invoke(cli, ["init", str(solo.root)], env=solo.env)
    no_remote = solo.contacts("sync")
    assert no_remote.exit_code == 1
    assert "no remote to sync with; add one: git remote add origin URL" in no_remote.stderr
    solo.git("remote", "add", "origin", str(remote))
    solo.git("remote", "add", "backup", str(remote))
    branch = solo.out("branch", "--show-current").strip()
    two_remotes = solo.contacts("sync")
    assert two_remotes.exit_code == 1
    assert two_remotes.stderr == (
        f"Error: branch '{branch}' has no upstream and there are 2 remotes (origin, backup); choose the one to "
        f"sync with and push to it once: git push -u origin {branch}\n"
    )
    assert solo.git("config", "--get-regexp", "^branch\\.", check=False).stdout == ""


def test_a_remote_that_cannot_be_reached_changes_nothing(alice: Clone, tmp_path: Path) -> None:
    alice.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    alice.ok("log", "ada", "call", "x", "-m", "y")
    head = alice.out("rev-parse", "HEAD")
    result = alice.contacts("sync")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot fetch from origin; nothing changed: ")
    assert "Traceback" not in result.output
    assert alice.out("rev-parse", "HEAD") == head and alice.out("status", "--porcelain") == ""


def test_a_push_rejected_because_the_remote_moved_says_sync_again(alice: Clone, bob: Clone) -> None:
    bob.ok("log", "ada", "call", "Bob first", "-m", "x")
    bob.ok("sync")
    # Alice's fetch no longer updates origin/main, as if Bob pushed between her fetch and her push.
    alice.git("config", "remote.origin.fetch", "+refs/heads/main:refs/remotes/origin/elsewhere")
    alice.ok("log", "ada", "email", "Alice second", "-m", "y")
    head = alice.out("rev-parse", "HEAD")

    result = alice.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: origin changed while syncing, so the push was rejected; your commits are safe here: "
        "run contacts sync again\n"
    )
    assert alice.out("rev-parse", "HEAD") == head and alice.out("status", "--porcelain") == ""


def test_a_push_the_remote_declines_is_named(alice: Clone, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'contacts are frozen this week' >&2\nexit 1\n")
    hook.chmod(0o755)
    alice.ok("log", "ada", "call", "x", "-m", "y")
    result = alice.contacts("sync")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot push to origin: ")
    assert "Traceback" not in result.output


# The driver through git's own commands


def test_git_pull_with_a_merge(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "Alice's call", "-m", "From Alice.")
    alice.ok("set", "ada", "stage", "churned")
    alice.git("push", "-q")
    bob.ok("log", "ada", "meeting", "Bob's meeting", "-m", "From Bob.")
    bob.ok("set", "ada", "owner", "bob")

    done = bob.git("pull", "--no-rebase", "--no-edit", check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert len(bob.out("log", "-1", "--format=%P").split()) == 2  # a merge commit
    text = bob.text()
    assert "From Alice." in text and "From Bob." in text
    assert "stage: churned\n" in text and "owner: bob\n" in text


def test_git_pull_rebase(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "Alice's call", "-m", "From Alice.")
    alice.git("push", "-q")
    bob.ok("log", "ada", "meeting", "Bob's meeting", "-m", "From Bob.")
    done = bob.git("pull", "--rebase", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "From Alice." in bob.text() and "From Bob." in bob.text()
    assert len(bob.out("log", "-1", "--format=%P").split()) == 1


def test_git_merge_of_a_branch_with_a_conflict_leaves_both_values(alice: Clone) -> None:
    alice.git("switch", "-q", "-c", "feature")
    alice.ok("set", "ada", "stage", "prospect")
    alice.ok("log", "ada", "note", "On the branch", "-m", "Branch note.")
    alice.git("switch", "-q", "main")
    alice.ok("set", "ada", "stage", "churned")

    done = alice.git("merge", "--no-edit", "feature", check=False)

    assert done.returncode == 1
    assert "CONFLICT (content): Merge conflict in contacts/ada-lovelace.md" in done.stdout
    assert "<<<<<<< yours\nstage: churned\n=======\nstage: prospect\n>>>>>>> theirs\n" in alice.text()
    assert "Branch note." in alice.text()


def test_git_cherry_pick(alice: Clone) -> None:
    alice.git("switch", "-q", "-c", "feature")
    alice.ok("log", "ada", "call", "Picked", "-m", "Cherry-picked call.")
    picked = alice.out("rev-parse", "HEAD").strip()
    alice.git("switch", "-q", "main")
    alice.ok("log", "ada", "email", "On main", "-m", "Main email.")

    done = alice.git("cherry-pick", picked, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    text = alice.text()
    assert "Cherry-picked call." in text and "Main email." in text
    assert text.count("## 2026-11-23") == 2


def test_git_revert_of_an_older_change(alice: Clone) -> None:
    alice.ok("log", "ada", "call", "Wrong contact", "-m", "This was for Charles.")
    wrong = alice.out("rev-parse", "HEAD").strip()
    alice.ok("log", "ada", "email", "Later", "-m", "A later email.")
    alice.ok("set", "ada", "stage", "churned")

    done = alice.git("revert", "--no-edit", wrong, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    text = alice.text()
    assert "This was for Charles." not in text
    assert "A later email." in text and "stage: churned\n" in text


def test_git_stash_pop_over_a_pulled_change(alice: Clone, bob: Clone) -> None:
    alice.ok("log", "ada", "call", "Alice's call", "-m", "From Alice.")
    alice.ok("sync")
    ada = bob.root / ADA
    ada.write_text(ada.read_text() + "\n## 2026-11-23 note — By hand\nBob's draft.\n")  # not committed
    bob.git("stash")
    bob.git("pull", "-q", "--rebase")

    done = bob.git("stash", "pop", check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "From Alice." in bob.text() and "Bob's draft." in bob.text()


def test_the_driver_with_spaces_in_every_path(tmp_path: Path) -> None:
    """The repository and the interpreter both live in folders with spaces: git's sh must get them quoted."""
    shim_dir = tmp_path / "my tools"
    shim_dir.mkdir()
    shim = shim_dir / "python for contacts"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    shim.chmod(0o755)
    person = Clone(tmp_path / "team vault" / "crm book", "Alice")
    person.root.parent.mkdir()
    assert CliRunner().invoke(cli, ["init", str(person.root), "--example"], env=person.env).exit_code == 0
    from vault_tool.store.gitconfig import driver_command

    person.git("config", "merge.vault.driver", driver_command(str(shim)))
    person.git("switch", "-q", "-c", "feature")
    person.ok("log", "ada", "call", "Branch", "-m", "On the branch.")
    person.git("switch", "-q", "-")
    person.ok("log", "ada", "email", "Main", "-m", "On main.")

    done = person.git("merge", "--no-edit", "feature", check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "On the branch." in person.text() and "On main." in person.text()


# contacts history across clones


def test_history_answers_who_changed_her_phone_number_and_when(alice: Clone, bob: Clone) -> None:
    bob.ok("set", "ada", "phones", "+44 20 7946 0000")
    bob.ok("sync")
    alice.ok("log", "ada", "call", "x", "-m", "y")
    alice.ok("sync")

    result = alice.ok("history", "--field", "phones", "ada")

    lines = result.stdout.splitlines()
    assert lines[0].endswith("Bob <bob@team.example>  Set phones of Ada Lovelace  (%s)"
                             % alice.out("log", "-1", "--format=%h", "--author=Bob").strip())
    assert lines[1] == "    phones: +44 20 7946 0958 → +44 20 7946 0000"
    assert lines[2].endswith("Alice <alice@team.example>  Create contact vault  (%s)"
                             % alice.out("rev-list", "--max-parents=0", "--abbrev-commit", "HEAD").strip())
    assert lines[3:] == ["    added contacts/ada-lovelace.md", "    phones: +44 20 7946 0958"]
