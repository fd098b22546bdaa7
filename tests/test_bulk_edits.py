"""Changing many contacts at once: `tag`, `set`, `unset`, `task` and `log` with --query.

Each picks its contacts with search's query language, changes every file by exactly the bytes the
one-contact command writes, and makes one commit; a file that does not parse is skipped and named;
more than 20 contacts ask first; --dry-run writes nothing; a failure leaves nothing half-written.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, commit_count, git, head_files, head_message, no_traceback, ok, on_a_terminal

sys.path.insert(0, str(ROOT / "bench"))
from gen_vault import generate

TODAY = "2026-11-23"
CUSTOMERS = ["ada-lovelace", "analytical-engines", "aoife-ni-bhriain", "charles-babbage", "ciaran-byrne",
             "ingrid-halvorsen", "liffey-learning", "nordlys-fisk", "priya-raman", "soren-kierkegaard-nielsen"]


def files(vault: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((vault / "contacts").rglob("*.md"))}


def contacts(invoke, vault: Path, *args: str):
    return invoke("-C", vault, "--today", TODAY, *args)


@pytest.fixture
def twin(tmp_path: Path, invoke) -> Path:
    """A second vault with the same example contacts, changed one contact at a time."""
    root = tmp_path / "twin"
    ok(invoke("init", root, "--example"))
    return root


# The bulk command, and the one-contact commands that must write the same bytes to each file: the first
# that changes the contact (a contact without a tag to remove only gets the tag to add).
SAME_AS_ONE = {
    "tag": (["tag", "--query", "stage:customer", "+gdpr-2026", "-vip"],
            [["tag", "{}", "+gdpr-2026", "-vip"], ["tag", "{}", "+gdpr-2026"]]),
    "untag block list": (["tag", "--query", "stage:customer", "-customer", "-newsletter"],
                         [["tag", "{}", "-customer", "-newsletter"], ["tag", "{}", "-customer"]]),
    "set": (["set", "--query", "stage:customer", "owner", "bob"], [["set", "{}", "owner", "bob"]]),
    "set list": (["set", "--query", "stage:customer", "emails", "--add", "team@example.com"],
                 [["set", "{}", "emails", "--add", "team@example.com"]]),
    "unset": (["unset", "--query", "stage:customer", "title"], [["unset", "{}", "title"]]),
    "task": (["task", "--query", "stage:customer", "Ask for consent", "--due", "2026-12-01"],
             [["task", "{}", "Ask for consent", "--due", "2026-12-01"]]),
    "log": (["log", "--query", "stage:customer", "email", "Sent the newsletter", "-m", "The November issue."],
            [["log", "{}", "email", "Sent the newsletter", "-m", "The November issue."]]),
}


@pytest.mark.parametrize("name", list(SAME_AS_ONE))
def test_each_file_gets_the_bytes_the_one_contact_command_writes(vault: Path, twin: Path, invoke, name: str) -> None:
    bulk, singles = SAME_AS_ONE[name]
    before = files(vault)
    commits = commit_count(vault)

    ok(contacts(invoke, vault, *bulk))

    changed = sorted(name for name, data in files(vault).items() if data != before[name])
    assert changed, "the change changed something"
    assert set(changed) <= {f"{h}.md" for h in CUSTOMERS}
    for handle in CUSTOMERS:
        for single in singles:
            result = contacts(invoke, twin, *[word.format(handle) for word in single])
            if result.exit_code == 0:
                break
            assert result.exit_code == 1, result.output  # this one has nothing to remove: try the next
    assert files(vault) == files(twin)
    assert commit_count(vault) == commits + 1
    assert sorted(Path(p).name for p in head_files(vault)) == changed
    assert git(vault, "status", "--porcelain") == ""


def test_one_commit_says_what_and_how_many(vault: Path, invoke) -> None:
    result = contacts(invoke, vault, "tag", "--query", "tag:vip", "+gdpr-2026")

    ok(result)
    vips = contacts(invoke, vault, "search", "tag:vip", "--format", "paths").stdout.split()
    assert head_message(vault) == f"Tag {len(vips)} contacts +gdpr-2026"
    assert result.stderr.startswith(f"Tag {len(vips)} contacts +gdpr-2026 (commit ")

    ok(contacts(invoke, vault, "set", "--query", "@hot-leads", "owner", "bob"))
    leads = contacts(invoke, vault, "search", "@hot-leads", "--format", "paths").stdout.split()
    assert head_message(vault) == f"Set owner of {len(leads)} contact{'s' if len(leads) != 1 else ''} to bob"
    assert all("owner: bob" in Path(vault / p).read_text() for p in leads)

    ok(contacts(invoke, vault, "log", "--query", "tag:gdpr-2026", "email", "Sent the newsletter", "-m", ""))
    assert head_message(vault) == f"Log email with {len(vips)} contacts"


def test_contacts_already_as_asked_are_left_alone_and_counted(vault: Path, invoke) -> None:
    ok(contacts(invoke, vault, "tag", "ada", "+gdpr-2026"))
    commits = commit_count(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026")

    ok(result)
    assert head_message(vault) == "Tag 9 contacts +gdpr-2026"
    assert "contacts/ada-lovelace.md" not in " ".join(head_files(vault))
    assert "1 more contact matches and is already as asked\n" in result.stderr
    again = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026")
    ok(again)
    assert again.stderr == "Nothing to change: all 10 contacts that 'stage:customer' matches are already as asked\n"
    assert commit_count(vault) == commits + 1


def test_a_tag_to_remove_that_a_contact_lacks_is_no_error(vault: Path, invoke) -> None:
    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "-vip")

    ok(result)
    assert head_message(vault).startswith("Tag ") and head_message(vault).endswith(" contacts -vip")
    assert "tag:vip" not in contacts(invoke, vault, "search", "stage:customer AND tag:vip").stdout


def test_a_query_that_matches_nothing_is_exit_1_and_no_commit(vault: Path, invoke) -> None:
    commits = commit_count(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:nosuchstage", "+x")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr == "Error: no contact matches 'stage:nosuchstage'\n"
    assert commit_count(vault) == commits


def test_a_malformed_query_is_exit_2_and_no_commit(vault: Path, invoke) -> None:
    before = files(vault)

    result = contacts(invoke, vault, "set", "--query", "stage:(", "owner", "bob")

    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: in the query 'stage:(' at character 7")
    assert files(vault) == before


def test_a_file_that_does_not_parse_is_skipped_named_and_the_rest_committed(vault: Path, invoke) -> None:
    bad = vault / "contacts" / "broken.md"
    bad.write_text("---\nname: Broken\ntags: [customer\n---\n")
    git(vault, "add", "contacts/broken.md")
    git(vault, "commit", "-q", "-m", "A broken file")
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text() + "\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n")
    git(vault, "commit", "-q", "-am", "Conflict markers in Ada's notes")
    before = files(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026")

    ok(result)
    assert f"warning: {bad}:4: invalid YAML" in result.stderr
    assert f"warning: {ada}:" in result.stderr and "conflict markers" in result.stderr
    assert head_message(vault) == "Tag 9 contacts +gdpr-2026"
    assert files(vault)["broken.md"] == before["broken.md"]
    assert files(vault)["ada-lovelace.md"] == before["ada-lovelace.md"]


def test_dry_run_lists_what_would_change_and_writes_nothing(vault: Path, invoke) -> None:
    before = files(vault)
    commits = commit_count(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026", "--dry-run")

    ok(result)
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == CUSTOMERS
    assert "Ada Lovelace" in result.stdout
    assert result.stderr == "Tag 10 contacts +gdpr-2026 (dry run: nothing written)\n"
    assert files(vault) == before
    assert commit_count(vault) == commits


def test_more_than_twenty_without_a_terminal_or_yes_is_refused(vault: Path, invoke) -> None:
    before = files(vault)

    refused = contacts(invoke, vault, "tag", "--query", "*", "+everyone")

    no_traceback(refused)
    assert refused.exit_code == 1
    assert refused.stderr == ("Error: this would change 25 contacts (more than 20) and there is no terminal to ask "
                              "on: give --yes to go ahead, or --dry-run to list them\n")
    assert files(vault) == before
    ok(contacts(invoke, vault, "tag", "--query", "*", "+everyone", "--yes"))
    assert head_message(vault) == "Tag 25 contacts +everyone"


def test_more_than_twenty_on_a_terminal_asks_first(vault: Path) -> None:
    before = files(vault)
    commits = commit_count(vault)

    status, output = on_a_terminal(vault, "n", "--today", TODAY, "tag", "--query", "*", "+everyone")

    assert status == 1
    assert "Tag 25 contacts +everyone? [y/N]" in output
    assert files(vault) == before and commit_count(vault) == commits
    status, output = on_a_terminal(vault, "y", "--today", TODAY, "tag", "--query", "*", "+everyone")
    assert status == 0, output
    assert head_message(vault) == "Tag 25 contacts +everyone"


def test_twenty_or_fewer_do_not_ask(vault: Path) -> None:
    status, output = on_a_terminal(vault, "", "--today", TODAY, "tag", "--query", "stage:customer", "+gdpr-2026")

    assert status == 0, output
    assert "[y/N]" not in output
    assert head_message(vault) == "Tag 10 contacts +gdpr-2026"


def test_no_commit_writes_the_files_and_commits_nothing(vault: Path, invoke) -> None:
    commits = commit_count(vault)

    result = contacts(invoke, vault, "--no-commit", "tag", "--query", "stage:customer", "+gdpr-2026")

    ok(result)
    assert result.stderr == "Tag 10 contacts +gdpr-2026 (not committed)\n"
    assert commit_count(vault) == commits
    assert len(git(vault, "status", "--porcelain").splitlines()) == 10


def test_a_refused_commit_leaves_every_file_as_it_was(vault: Path, invoke) -> None:
    hook = vault / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'not today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = files(vault)
    commits = commit_count(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026")

    no_traceback(result)
    assert result.exit_code == 1
    assert "the pre-commit hook stopped the commit: not today; nothing was changed" in result.stderr
    assert files(vault) == before
    assert commit_count(vault) == commits
    assert git(vault, "status", "--porcelain") == ""


def test_a_file_that_cannot_be_committed_alone_stops_the_whole_change_before_any_write(vault: Path, invoke) -> None:
    new = vault / "contacts" / "new-customer.md"
    new.write_text("---\nname: New Customer\nstage: customer\n---\n")  # not committed yet
    before = files(vault)

    result = contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {new}: not committed yet, so this change cannot be committed on its own; "
                             "commit the file first (git add contacts/new-customer.md && git commit) or use "
                             "--no-commit\n")
    assert files(vault) == before


def test_a_hand_edit_stays_uncommitted_as_with_one_contact(vault: Path, invoke) -> None:
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text().replace("name: Ada Lovelace\n", "name: Ada Lovelace\nnickname: Ada\n"))

    ok(contacts(invoke, vault, "tag", "--query", "stage:customer", "+gdpr-2026"))

    assert "nickname" not in git(vault, "show", "HEAD:contacts/ada-lovelace.md")
    assert "gdpr-2026" in git(vault, "show", "HEAD:contacts/ada-lovelace.md")
    assert "nickname: Ada" in ada.read_text() and "gdpr-2026" in ada.read_text()
    assert git(vault, "status", "--porcelain") == " M contacts/ada-lovelace.md\n"


@pytest.mark.parametrize(("args", "message"), [
    (["tag", "ada-lovelace", "--query", "stage:customer", "+x"], "give either CONTACT or --query QUERY, not both"),
    (["tag", "+x"], "give the tags to add (+TAG) and remove (-TAG)"),
    (["tag"], "give a CONTACT, or --query QUERY for every contact a search matches"),
    (["unset", "ada", "title", "--query", "stage:customer"], "give either CONTACT or --query QUERY, not both"),
    (["task", "ada", "Call her", "--query", "stage:customer"], "give either CONTACT or --query QUERY, not both"),
    (["task"], "give a CONTACT, or --query QUERY for every contact a search matches"),
    (["set", "--query", "stage:customer", "ada", "stage", "lead"], "'ada' is no field a contact has"),
    (["tag", "ada", "+x", "--yes"], "--yes goes with --query QUERY"),
    (["set", "ada", "owner", "bob", "--dry-run"], "--dry-run goes with --query QUERY"),
    (["tag", "--query", " ", "+x"], "give --query a query"),
])
def test_contact_and_query_are_one_or_the_other(vault: Path, invoke, args: list[str], message: str) -> None:
    before = files(vault)

    result = contacts(invoke, vault, *args)

    no_traceback(result)
    assert result.exit_code == 2
    assert message in result.stderr
    assert files(vault) == before


def test_every_contact_keeps_its_own_name(vault: Path, invoke) -> None:
    result = contacts(invoke, vault, "set", "--query", "stage:customer", "name", "Same")

    assert result.exit_code == 2
    assert result.stderr == "Error: every contact has its own name: change it one contact at a time\n"


def test_a_new_field_for_many_needs_new_field(vault: Path, invoke) -> None:
    refused = contacts(invoke, vault, "set", "--query", "stage:customer", "campaign", "spring")
    assert refused.exit_code == 2

    ok(contacts(invoke, vault, "set", "--query", "stage:customer", "campaign", "spring", "--new-field"))
    assert head_message(vault) == "Set campaign of 10 contacts to spring"


def test_one_contact_is_counted_as_one(vault: Path, invoke) -> None:
    ok(contacts(invoke, vault, "tag", "--query", "name:ada", "+x"))
    assert head_message(vault) == "Tag 1 contact +x"


def test_the_one_contact_commands_work_as_before(vault: Path, invoke) -> None:
    ok(contacts(invoke, vault, "tag", "ada", "+gdpr-2026"))
    assert head_message(vault) == "Tag Ada Lovelace +gdpr-2026"
    ok(contacts(invoke, vault, "task", "ada", "Call her"))
    assert head_message(vault) == "Add task for Ada Lovelace: Call her"
    missing = contacts(invoke, vault, "tag", "ada", "-nosuchtag")
    assert missing.exit_code == 1 and "has no tag nosuchtag" in missing.stderr


def test_hundreds_of_files_are_one_fast_commit_and_git_sees_them_committed(tmp_path: Path, invoke) -> None:
    root = tmp_path / "big"
    generate(root, 300, seed=3)
    git(root.parent, "init", "-q", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Generated")
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    everyone = sorted(p.stem for p in (root / "contacts").rglob("*.md"))
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)

    result = contacts(invoke, root, "tag", "--query", "*", "+gdpr-2026", "--yes")

    ok(result)
    assert "note: a commit of this many files skips git hooks (pre-commit)\n" in result.stderr
    assert head_message(root) == "Tag 300 contacts +gdpr-2026"
    assert len(head_files(root)) == 300
    assert git(root, "status", "--porcelain") == ""
    sample = everyone[::12]
    for handle in sample:
        ok(contacts(invoke, twin, "--no-commit", "tag", handle, "+gdpr-2026"))
    one_by_one, at_once = files(twin), files(root)
    assert {name for name in at_once if at_once[name] != one_by_one[name]} == {
        f"{handle}.md" for handle in everyone if handle not in sample}


def test_short_words_are_still_tags_to_remove(vault: Path, invoke) -> None:
    ok(contacts(invoke, vault, "tag", "ada", "+y", "+q"))
    ok(contacts(invoke, vault, "tag", "ada", "-y", "-q"))
    assert head_message(vault) == "Tag Ada Lovelace -y -q"


def test_with_many_files_a_hand_edit_still_stays_out_of_the_commit(tmp_path: Path, invoke) -> None:
    root = tmp_path / "many"
    generate(root, 80, seed=5)
    git(root.parent, "init", "-q", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Generated")
    first = min((root / "contacts").rglob("*.md"))
    rel = first.relative_to(root).as_posix()
    first.write_text(first.read_text().replace("\nname: ", "\nnickname: Hand\nname: ", 1))

    ok(contacts(invoke, root, "tag", "--query", "*", "+gdpr-2026", "--yes"))

    assert len(head_files(root)) == 80
    assert "nickname" not in git(root, "show", f"HEAD:{rel}") and "gdpr-2026" in git(root, "show", f"HEAD:{rel}")
    assert "nickname: Hand" in first.read_text() and "gdpr-2026" in first.read_text()
    assert git(root, "status", "--porcelain") == f" M {rel}\n"


def test_a_query_whose_every_file_is_skipped_is_an_error_that_names_one(vault: Path, invoke) -> None:
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text() + "\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n")
    git(vault, "commit", "-q", "-am", "Conflict markers in Ada's notes")
    commits = commit_count(vault)

    result = contacts(invoke, vault, "tag", "--query", "name:ada", "+x")

    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: 'name:ada' picks 1 file, and none can be changed: {ada}:")
    assert "conflict markers" in result.stderr
    assert commit_count(vault) == commits


def _committed_vault(root: Path, n: int, seed: int, *init: str) -> Path:
    generate(root, n, seed=seed)
    git(root.parent, "init", "-q", *init, str(root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Generated")
    return root


def test_hundreds_of_files_are_read_and_edited_in_two_processes_as_a_few_in_one(tmp_path: Path, invoke) -> None:
    # From store.bulk.FORK_FROM files the plan is made by two forked processes: the same report, the same bytes.
    root = _committed_vault(tmp_path / "many", 260, seed=7)
    names = sorted((root / "contacts").rglob("*.md"))
    marked, edited = names[3], names[200]
    marked.write_text(marked.read_text() + "\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n")
    git(root, "commit", "-q", "-am", "Conflict markers in one file")
    edited.write_text(edited.read_text().replace("\nname: ", "\nnickname: Hand\nname: ", 1))
    before = files(root)

    result = contacts(invoke, root, "tag", "--query", "*", "+gdpr-2026", "--yes")

    ok(result)
    assert f"warning: {marked}:" in result.stderr and "conflict markers" in result.stderr
    assert head_message(root) == "Tag 259 contacts +gdpr-2026"
    assert len(head_files(root)) == 259
    after = files(root)
    assert after[marked.name] == before[marked.name]
    assert all(after[name] != before[name] for name in after if name != marked.name)
    assert "nickname: Hand" in edited.read_text() and "gdpr-2026" in edited.read_text()
    rel = edited.relative_to(root).as_posix()
    assert "nickname" not in git(root, "show", f"HEAD:{rel}") and "gdpr-2026" in git(root, "show", f"HEAD:{rel}")
    assert git(root, "status", "--porcelain") == f" M {rel}\n"
    assert git(root, "fsck", "--no-dangling") == ""


def _conflict_in_index(root: Path, rel: str) -> None:
    """Git's index holds `rel` as an unresolved conflict (stages 1 to 3), the file itself untouched."""
    blob = git(root, "rev-parse", f"HEAD:{rel}").strip()
    stages = "".join(f"100644 {blob} {stage}\t{rel}\n" for stage in (1, 2, 3))
    subprocess.run(["git", "update-index", "--index-info"], cwd=root, check=True,
                   input=f"0 {'0' * 40}\t{rel}\n{stages}", text=True)


@pytest.mark.parametrize("n", [30, 80])  # the versions of a few files are read from git; of many, their ids first
def test_a_file_git_holds_as_a_conflict_stops_the_whole_change_before_any_write(tmp_path: Path, invoke, n: int) -> None:
    root = _committed_vault(tmp_path / "conflict", n, seed=11)
    rel = min((root / "contacts").rglob("*.md")).relative_to(root).as_posix()
    _conflict_in_index(root, rel)
    before = files(root)
    commits = commit_count(root)

    result = contacts(invoke, root, "tag", "--query", "*", "+gdpr-2026", "--yes")

    no_traceback(result)
    assert result.exit_code == 1
    assert f"{root / rel}: git has an unresolved conflict for this file" in result.stderr
    assert files(root) == before
    assert commit_count(root) == commits


def test_a_repository_with_sha256_ids_gets_the_same_bulk_commit(tmp_path: Path, invoke) -> None:
    # The files are compared with git's versions, and the commit names its blobs, by ids hashed here.
    try:
        root = _committed_vault(tmp_path / "sha256", 210, 13, "--object-format=sha256")
    except subprocess.CalledProcessError:
        pytest.skip("this git has no sha256 repositories")
    edited = min((root / "contacts").rglob("*.md"))
    edited.write_text(edited.read_text() + "A line of my own.\n")

    ok(contacts(invoke, root, "tag", "--query", "*", "+gdpr-2026", "--yes"))

    assert len(head_files(root)) == 210
    rel = edited.relative_to(root).as_posix()
    assert git(root, "status", "--porcelain") == f" M {rel}\n"
    committed = git(root, "show", f"HEAD:{rel}")
    assert "A line of my own" not in committed and "gdpr-2026" in committed
    assert git(root, "fsck", "--no-dangling") == ""
