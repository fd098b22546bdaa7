"""`contacts sync` on a branch with no upstream, and conflicts with no markers: a file deleted on one
side and changed on the other, in sync, in a plain `git merge`, and in `contacts check`.

Real repositories only: a bare remote, clones, branches, all in tmp_path.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from teamclones import Clone, alice, bob, new_vault, remote  # noqa: F401 - fixtures

WANG = "contacts/wang-fang.md"


def errors(output: str) -> list[str]:
    """The error lines of `contacts check` (the example vault has warnings of its own)."""
    return [line for line in output.splitlines() if ": error: " in line]


# No upstream yet


def test_a_new_vault_with_one_remote_is_pushed_and_tracks_it(tmp_path: Path, remote: Path) -> None:
    solo = new_vault(tmp_path, "Solo")
    solo.git("remote", "add", "origin", str(remote))
    solo.ok("log", "ada", "call", "First call")

    result = solo.ok("sync")

    assert result.stdout == "Pushed 2 commits to origin/main and set it as the upstream of main (git push -u)\n"
    assert solo.out("rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main\n"
    assert solo.out("rev-parse", "HEAD") == subprocess.run(
        ["git", "rev-parse", "main"], cwd=remote, capture_output=True, text=True, check=True).stdout
    assert solo.ok("sync").stdout == "Up to date with origin/main\n"


def test_no_upstream_but_the_remote_has_the_branch_already(tmp_path: Path, remote: Path, alice: Clone) -> None:
    carol = Clone(tmp_path / "carol", "Carol")
    carol.root.mkdir()
    carol.git("init", "-q", "-b", "main")
    carol.git("remote", "add", "origin", str(remote))
    carol.git("fetch", "-q", "origin")
    carol.git("reset", "-q", "--hard", "origin/main")  # the branch, with no upstream set
    carol.ok("init", str(carol.root))
    assert carol.git("rev-parse", "--abbrev-ref", "main@{upstream}", check=False).returncode != 0

    result = carol.ok("sync")

    assert result.stdout == "Set origin/main as the upstream of main\n"
    assert carol.out("rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main\n"
    alice.ok("log", "ada", "email", "From Alice")
    alice.ok("sync")
    carol.ok("log", "ada", "call", "From Carol")
    assert carol.ok("sync").stdout.endswith("Pushed 1 commit to origin/main\n")


def test_a_new_branch_counts_only_the_commits_the_remote_lacks(tmp_path: Path, remote: Path, alice: Clone) -> None:
    alice.git("checkout", "-q", "-b", "feature")
    result = alice.ok("sync")
    assert result.stdout == ("Created origin/feature (it has every commit of feature already) "
                             "and set it as the upstream of feature (git push -u)\n")
    assert alice.out("rev-parse", "--abbrev-ref", "feature@{upstream}") == "origin/feature\n"
    alice.git("checkout", "-q", "-b", "second")
    alice.ok("log", "ada", "call", "On the second branch")
    assert alice.ok("sync").stdout == ("Pushed 1 commit to origin/second and set it as the upstream of second "
                                       "(git push -u)\n")


def test_several_remotes_and_no_upstream_explains_and_pushes_nothing(tmp_path: Path, remote: Path) -> None:
    solo = new_vault(tmp_path, "Solo")
    solo.git("remote", "add", "origin", str(remote))
    solo.git("remote", "add", "mirror", str(remote))

    result = solo.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: branch 'main' has no upstream and there are 2 remotes (origin, mirror); choose the one to sync "
        "with and push to it once: git push -u origin main\n"
    )
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "main"], cwd=remote,
                          capture_output=True, check=False).returncode != 0


# A contact removed on one side and changed on the other


def test_sync_names_a_removed_and_changed_contact_and_check_reports_it(
    alice: Clone, bob: Clone, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice.ok("rm", "wang", "--yes")
    alice.ok("sync")
    bob.ok("log", "wang", "call", "Shipping dates", "-m", "Bob's call.")
    head = bob.out("rev-parse", "HEAD")

    result = bob.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: conflict: {WANG} was deleted on one side and changed on the other (there are no conflict "
        "markers). Nothing changed here and your commits are safe. To settle it: git pull --rebase, then keep "
        f"the changed {WANG} (git add {WANG}) or its deletion (git rm {WANG}); then: git rebase --continue && "
        "contacts sync\n"
    )
    assert bob.out("rev-parse", "HEAD") == head and bob.out("status", "--porcelain") == ""
    assert "Bob's call." in (bob.root / WANG).read_text()

    bob.git("pull", "-q", "--rebase", check=False)
    monkeypatch.chdir(bob.root)
    check = bob.contacts("check")
    assert check.exit_code == 1
    assert errors(check.stdout) == [
        (f"{WANG}:1: error: git has not merged this file: deleted on one side and changed on the other (there are "
         "no conflict markers); keep the changed file with git add, or the deletion with git rm"),
    ]
    bob.git("add", WANG)
    bob.git("-c", "core.editor=true", "rebase", "--continue")
    assert bob.contacts("check").exit_code == 0
    assert bob.ok("sync").stdout == "Pushed 1 commit to origin/main\n"


def test_check_lists_every_unmerged_path_of_a_git_merge(alice: Clone, monkeypatch: pytest.MonkeyPatch) -> None:
    alice.git("switch", "-q", "-c", "feature")
    alice.ok("rm", "wang", "--yes")
    (alice.root / "plan.txt").write_text("Plan B\n")
    alice.git("add", "plan.txt")
    alice.git("commit", "-q", "-m", "Plan B")
    alice.git("switch", "-q", "main")
    alice.ok("set", "wang", "stage", "churned")
    (alice.root / "plan.txt").write_text("Plan A\n")
    alice.git("add", "plan.txt")
    alice.git("commit", "-q", "-m", "Plan A")

    done = alice.git("merge", "--no-edit", "feature", check=False)
    assert done.returncode == 1
    assert f"CONFLICT (modify/delete): {WANG} deleted in feature and modified in HEAD" in done.stdout

    monkeypatch.chdir(alice.root)
    check = alice.contacts("check")

    assert check.exit_code == 1
    assert errors(check.stdout) == [
        (f"{WANG}:1: error: git has not merged this file: deleted on one side and changed on the other (there are "
         "no conflict markers); keep the changed file with git add, or the deletion with git rm"),
        ("plan.txt:1: error: git has not merged this file: added on both sides, differently; keep the right lines "
         "between the conflict markers, then git add it"),
    ]
    alice.git("rm", "-q", WANG)
    alice.git("add", "plan.txt")  # kept with its markers: now only the marker lines would be reported, not here
    assert "git has not merged" not in alice.contacts("check").stdout
