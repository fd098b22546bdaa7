"""Commits hold exactly the tool's change: the user's own work stays theirs, uncommitted, as it was.

And nothing is written while git is in the middle of something (a merge, a rebase, a conflict),
on a detached HEAD, or behind a stale index lock.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git, head_files, head_message, ok

ZOE = "contacts/zoe-muller.md"


def committed(vault: Path, rel: str, rev: str = "HEAD") -> str:
    return git(vault, "show", f"{rev}:{rel}")


def staged(vault: Path, rel: str) -> str:
    return git(vault, "show", f":{rel}")


def hand_edit(vault: Path, rel: str, old: str, new: str) -> str:
    path = vault / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path.read_text()


def test_a_tag_commits_only_the_tag_and_leaves_a_hand_edit_uncommitted(vault: Path, invoke) -> None:
    before = committed(vault, ZOE)
    hand_edit(vault, ZOE, "---\n", "---\nnickname: Zo\n")  # an unstaged hand edit at the top
    head = git(vault, "rev-parse", "HEAD")

    ok(invoke("-C", vault, "tag", "zoe-muller", "+vip"))

    assert git(vault, "rev-parse", "HEAD^") == head
    assert head_files(vault) == [ZOE]
    new = committed(vault, ZOE)
    assert "nickname" not in new and "vip" in new
    removed, added = _diff_lines(before, new)
    assert len(removed) == 1 and len(added) == 1 and "vip" in added[0]  # the tags line, nothing else
    work = (vault / ZOE).read_text()
    assert work.startswith("---\nnickname: Zo\n") and "vip" in work
    assert git(vault, "diff", "--cached", "--name-only") == ""  # nothing staged: the hand edit was not
    assert git(vault, "diff", "--name-only") == f"{ZOE}\n"
    added_lines = [ln for ln in git(vault, "diff").splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert added_lines == ["+nickname: Zo"]


def test_a_staged_hand_edit_stays_staged_and_out_of_the_commit(vault: Path, invoke) -> None:
    hand_edit(vault, ZOE, "---\n", "---\nnickname: Zo\n")
    git(vault, "add", ZOE)
    hand_edit(vault, "contacts/ada-lovelace.md", "---\n", "---\nnickname: Ada\n")
    git(vault, "add", "contacts/ada-lovelace.md")  # staged work on another contact, too

    ok(invoke("-C", vault, "set", "zoe-muller", "title", "Chief Engineer"))

    assert head_files(vault) == [ZOE]
    assert "nickname" not in committed(vault, ZOE) and "Chief Engineer" in committed(vault, ZOE)
    index = staged(vault, ZOE)
    assert "nickname: Zo" in index and "Chief Engineer" in index  # still staged, with the tool's change
    assert git(vault, "diff", "--cached", "--name-only").split() == ["contacts/ada-lovelace.md", ZOE]
    assert git(vault, "diff", "--name-only") == ""  # the working files are what is staged
    assert "nickname: Ada" not in committed(vault, "contacts/ada-lovelace.md")


def test_a_log_killed_before_its_commit_is_not_committed_by_the_next_command(vault: Path, invoke) -> None:
    path = vault / ZOE
    path.write_text(path.read_text() + "\n## 2026-11-30 call — Half-written\nKilled before the commit.\n")

    ok(invoke("-C", vault, "tag", "zoe-muller", "+vip"))

    assert head_message(vault) == "Tag Zoë Müller +vip"
    assert "Half-written" not in committed(vault, ZOE)
    assert "Half-written" in path.read_text() and "vip" in path.read_text()
    assert git(vault, "status", "--porcelain") == f" M {ZOE}\n"


def test_an_edit_that_only_fits_the_hand_edit_is_refused(vault: Path, invoke) -> None:
    text = hand_edit(vault, ZOE, "---\n", "---\nnickname: Zo\n")
    head = git(vault, "rev-parse", "HEAD")

    result = invoke("-C", vault, "unset", "zoe-muller", "nickname")

    assert result.exit_code == 1
    assert "cannot be applied to the committed version" in result.stderr
    assert "git diff contacts/zoe-muller.md" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (vault / ZOE).read_text() == text and git(vault, "rev-parse", "HEAD") == head


def test_a_contact_not_yet_committed_is_not_committed_by_a_tag(vault: Path, invoke) -> None:
    new = vault / "contacts/draft.md"
    new.write_text("---\nname: Draft Person\n---\nMy notes.\n")

    result = invoke("-C", vault, "tag", "draft", "+vip")

    assert result.exit_code == 1 and "not committed yet" in result.stderr and "--no-commit" in result.stderr
    assert new.read_text() == "---\nname: Draft Person\n---\nMy notes.\n"
    ok(invoke("-C", vault, "--no-commit", "tag", "draft", "+vip"))
    assert "vip" in new.read_text()


def test_rm_refuses_a_contact_with_uncommitted_changes(vault: Path, invoke) -> None:
    text = hand_edit(vault, ZOE, "---\n", "---\nnickname: Zo\n")
    result = invoke("-C", vault, "rm", "zoe-muller", input="y\n")
    assert result.exit_code == 1 and "has changes you have not committed" in result.stderr
    assert (vault / ZOE).read_text() == text


def test_a_rename_moves_the_hand_edit_along_uncommitted(vault: Path, invoke) -> None:
    hand_edit(vault, ZOE, "---\n", "---\nnickname: Zo\n")
    ok(invoke("-C", vault, "mv", "zoe-muller", "Zoe Mueller-Schmidt"))
    new = "contacts/zoe-mueller-schmidt.md"
    assert not (vault / ZOE).exists()
    assert "nickname: Zo" in (vault / new).read_text()
    assert "nickname" not in committed(vault, new) and "Zoe Mueller-Schmidt" in committed(vault, new)
    assert git(vault, "status", "--porcelain") == f" M {new}\n"


def test_segments_in_vault_yaml_commit_only_the_segment(vault: Path, invoke) -> None:
    config = vault / "vault.yaml"
    config.write_text(config.read_text() + "# my own note, not ready\n")
    ok(invoke("-C", vault, "segment", "save", "vips", "tag:vip"))
    assert head_files(vault) == ["vault.yaml"]
    assert "vips" in committed(vault, "vault.yaml") and "my own note" not in committed(vault, "vault.yaml")
    assert config.read_text().endswith("# my own note, not ready\n") and "vips" in config.read_text()


def test_a_commit_message_is_one_line_whatever_the_name_holds(vault: Path, invoke) -> None:
    path = vault / ZOE
    path.write_text(path.read_text().replace("name: Zoë Müller", 'name: "Zoë\\nMüller\\tEvil"', 1))
    git(vault, "commit", "-qam", "A name with a line break")
    ok(invoke("-C", vault, "tag", "zoe-muller", "+vip"))
    message = git(vault, "log", "-1", "--format=%B").strip().splitlines()
    assert message[:2] == ["Tag Zoë Müller Evil +vip", ""] and len(message) == 3  # then the tool's trailer
    assert message[2].startswith("Contacts-Change: ")


def test_nothing_is_written_into_a_file_with_conflict_markers_in_its_body(vault: Path, invoke) -> None:
    path = vault / ZOE
    text = path.read_text() + "<<<<<<< ours\nMet in Berlin.\n=======\nMet in Bonn.\n>>>>>>> theirs\n"
    path.write_text(text)
    git(vault, "commit", "-qam", "Committed with markers by mistake")
    line = text[: text.index("<<<<<<<")].count("\n") + 1
    result = invoke("-C", vault, "tag", "zoe-muller", "+vip")
    assert result.exit_code == 1 and f"zoe-muller.md:{line}: unresolved git conflict" in result.stderr
    assert path.read_text() == text


def test_nothing_is_written_into_a_file_with_conflict_markers(vault: Path, invoke) -> None:
    path = vault / ZOE
    text = path.read_text().replace("---\n", "---\n<<<<<<< ours\ntitle: A\n=======\ntitle: B\n>>>>>>> theirs\n", 1)
    path.write_text(text)
    git(vault, "commit", "-qam", "Committed with markers by mistake")
    for args in (["log", "zoe-muller", "note", "Hi", "-m", "x"], ["tag", "zoe-muller", "+vip"]):
        result = invoke("-C", vault, *args)
        assert result.exit_code == 1, args
        assert "zoe-muller.md:2: unresolved git conflict" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert path.read_text() == text


def _start_conflicted_merge(vault: Path) -> None:
    git(vault, "checkout", "-qb", "other")
    (vault / "notes.txt").write_text("theirs\n")
    git(vault, "add", "notes.txt")
    git(vault, "commit", "-qm", "theirs")
    git(vault, "checkout", "-q", "-")
    (vault / "notes.txt").write_text("ours\n")
    git(vault, "add", "notes.txt")
    git(vault, "commit", "-qm", "ours")
    done = subprocess.run(["git", "merge", "other"], cwd=vault, capture_output=True, text=True)
    assert done.returncode != 0


def test_nothing_is_written_while_a_merge_is_in_progress(vault: Path, invoke) -> None:
    _start_conflicted_merge(vault)
    before = (vault / ZOE).read_bytes()
    for args in (["log", "zoe-muller", "note", "Hi", "-m", "x"], ["--no-commit", "tag", "zoe-muller", "+vip"],
                 ["add", "New Person"]):
        result = invoke("-C", vault, *args)
        assert result.exit_code == 1, args
        assert "a merge is in progress" in result.stderr and "git merge --continue" in result.stderr
    assert (vault / ZOE).read_bytes() == before
    assert not (vault / "contacts/new-person.md").exists()
    assert "notes.txt" in git(vault, "diff", "--name-only", "--diff-filter=U")  # still the user's to resolve


def test_a_detached_head_is_never_committed_to(vault: Path, invoke) -> None:
    git(vault, "checkout", "-q", "--detach")
    head = git(vault, "rev-parse", "HEAD")
    result = invoke("-C", vault, "tag", "zoe-muller", "+vip")
    assert result.exit_code == 1 and "HEAD is detached" in result.stderr and "git switch" in result.stderr
    assert "vip" not in (vault / ZOE).read_text() and git(vault, "rev-parse", "HEAD") == head
    ok(invoke("-C", vault, "--no-commit", "tag", "zoe-muller", "+vip"))
    assert "vip" in (vault / ZOE).read_text() and git(vault, "rev-parse", "HEAD") == head


def test_a_stale_index_lock_is_named_with_what_to_do(vault: Path, invoke) -> None:
    lock = vault / ".git/index.lock"
    lock.write_text("")
    result = invoke("-C", vault, "tag", "zoe-muller", "+vip")
    assert result.exit_code == 1
    assert str(lock) in result.stderr and "safe to remove" in result.stderr
    assert "vip" not in (vault / ZOE).read_text()


def test_init_with_C_creates_the_vault_in_that_folder(tmp_path: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ok(invoke("-C", tmp_path / "elsewhere", "init"))
    assert (tmp_path / "elsewhere/vault.yaml").is_file()
    assert not (tmp_path / "vault.yaml").exists()
    ok(invoke("-C", tmp_path / "elsewhere", "init", "sub"))
    assert (tmp_path / "elsewhere/vault.yaml").is_file() and not (tmp_path / "elsewhere/sub/vault.yaml").exists()


def _diff_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    import difflib

    diff = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def _contacts_program() -> str:
    program = Path(sys.executable).parent / "contacts"
    assert program.exists(), "the contacts entry point is installed with the package"
    return str(program)


def _interruptible() -> None:
    """In the child: SIGINT as a terminal's foreground job has it (a test run started in the background of a
    shell inherits it ignored, and the import would never see the Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _people_csv(path: Path, rows: int) -> Path:
    lines = ["Name,Email,Company"] + [f"Person {i:05d},person{i}@example.com,Company {i % 50}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


# 6,000 rows take a few seconds here: the signals land while reading, planning, writing and committing.
@pytest.mark.parametrize(("signal_number", "after"), [
    (signal.SIGINT, 0.5), (signal.SIGTERM, 1.5), (signal.SIGTERM, 2.5), (signal.SIGINT, 3.5), (signal.SIGTERM, 4.5),
])
def test_an_interrupted_import_leaves_one_commit_or_nothing(
    vault: Path, tmp_path: Path, signal_number: int, after: float
) -> None:
    people = _people_csv(tmp_path / "people.csv", 6000)
    head = git(vault, "rev-parse", "HEAD")
    before = sorted(p.name for p in (vault / "contacts").iterdir())
    process = subprocess.Popen([_contacts_program(), "-C", str(vault), "import", str(people)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_interruptible)
    time.sleep(after)
    process.send_signal(signal_number)
    process.communicate(timeout=60)

    assert git(vault, "status", "--porcelain", "--untracked-files=all") == ""
    assert not [p for p in vault.rglob("*.tmp")], "no temporary file survives"
    now = sorted(p.name for p in (vault / "contacts").iterdir())
    if git(vault, "rev-parse", "HEAD") == head:
        assert now == before  # nothing: no contact file, nothing staged
    else:
        assert git(vault, "rev-parse", "HEAD^") == head  # one commit with the whole import
        assert head_message(vault) == "Import 6000 contacts from people.csv"
        assert len(now) == len(before) + 6000


def test_six_logs_during_a_sync_all_land(tmp_path: Path, vault: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(vault, "branch", "-M", "main")
    git(vault, "remote", "add", "origin", str(remote))
    git(vault, "push", "-q", "-u", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "contacts/ada-lovelace.md").write_text((other / "contacts/ada-lovelace.md").read_text() + "\nMore.\n")
    git(other, "commit", "-qam", "Elsewhere")
    git(other, "push", "-q")

    program = _contacts_program()
    sync = subprocess.Popen([program, "-C", str(vault), "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    logs = [subprocess.Popen([program, "-C", str(vault), "log", "zoe-muller", "note", f"Log {i}", "-m", f"Text {i}"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(6)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in [sync, *logs]]

    assert results[0][2] == 0, results[0][1]
    text = (vault / ZOE).read_text()
    history = git(vault, "log", "--format=%s")
    for i, (_, err, code) in enumerate(results[1:]):
        if code == 0:
            assert f"Log {i}" in text and f"Text {i}" in committed(vault, ZOE)
        else:
            assert f"Log {i}" not in text, err  # failed cleanly, before writing
    assert history.count("Log note with Zoë Müller") == sum(1 for r in results[1:] if r[2] == 0) == 6
    assert "More." in (vault / "contacts/ada-lovelace.md").read_text()
    assert git(vault, "status", "--porcelain") == ""
    assert not (vault / ".git/rebase-merge").exists() and not (vault / ".git/rebase-apply").exists()


@pytest.mark.parametrize("args", [
    ["add", "Eve\nMallory"], ["add", "Eve", "--email", "eve@example.com\nBcc: x@example.com"],
    ["set", "zoe-muller", "title", "Boss\nInjected"], ["set", "zoe-muller", "company", "Acme\rX"],
    ["set", "zoe-muller", "emails", "a@example.com\nb@example.com"],
])
def test_set_and_add_refuse_a_line_break_in_a_one_line_field(vault: Path, invoke, args: list[str]) -> None:
    head = git(vault, "rev-parse", "HEAD")
    result = invoke("-C", vault, *args)
    assert result.exit_code == 2, result.output
    assert "must be one line" in result.stderr
    assert git(vault, "rev-parse", "HEAD") == head and git(vault, "status", "--porcelain") == ""


def test_import_turns_a_line_break_in_a_name_into_a_space_and_says_so(vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text('Name,Email,Company\n"Eve\nMallory",eve@example.com,"Acme\r\nCorp"\n')
    result = invoke("-C", vault, "import", source)
    ok(result)
    text = (vault / "contacts/eve-mallory.md").read_text()
    assert "name: Eve Mallory\n" in text and "company: Acme Corp\n" in text
    assert "its name held a line break: it became a space" in result.output


def test_check_fix_writes_nothing_while_a_merge_is_in_progress(vault: Path, invoke) -> None:
    path = vault / ZOE
    path.write_text(path.read_text().replace("name: Zoë Müller\n", "name: Zoë Müller\ncountry: NO\n", 1))
    git(vault, "commit", "-qam", "A value YAML would misread")
    _start_conflicted_merge(vault)
    before = path.read_bytes()
    result = invoke("-C", vault, "check", "--fix")
    assert result.exit_code == 1 and "a merge is in progress" in result.stderr
    assert path.read_bytes() == before
