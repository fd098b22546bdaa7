"""The `contacts` command, one command at a time: what it prints, what it writes, what it commits.

Every test runs the real command (in-process through click's runner, or the
installed entry point) against a real vault in a real git repository.
"""
from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import commit_count, git, head_files, head_message, line_changes  # noqa: F401 - shared with the tests

from vault_tool.cli.main import COMMANDS
from vault_tool.format.handles import fold

TODAY = dt.date.today()
ADA = Path("contacts/ada-lovelace.md")


# Helpers that keep the tests reading like the documentation.



def committed_bytes(root: Path, path: Path | str) -> bytes:
    return subprocess.run(
        ["git", "show", f"HEAD:{Path(path).as_posix()}"], cwd=root, check=True, capture_output=True
    ).stdout


def no_traceback(result) -> None:
    """A user error is a one-line message and an exit code, never a Python traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    no_traceback(result)


def all_crlf(data: bytes) -> bool:
    return data.count(b"\n") == data.count(b"\r\n")


# init


def test_init_creates_a_committed_vault(tmp_path: Path, invoke) -> None:
    root = tmp_path / "crm"
    result = invoke("init", root)
    ok(result)
    assert "Created a contact vault" in result.output
    assert "(new git repository)" in result.output

    assert (root / "vault.yaml").is_file()
    assert (root / "contacts").is_dir()
    assert ".vault/" in (root / ".gitignore").read_text().splitlines()
    assert "contacts/**/*.md merge=vault" in (root / ".gitattributes").read_text().splitlines()
    assert (root / ".git").is_dir()

    assert git(root, "log", "--format=%s").splitlines() == ["Create contact vault"]
    assert sorted(head_files(root)) == [".gitattributes", ".gitignore", "vault.yaml"]
    assert git(root, "status", "--porcelain") == ""


def test_init_in_an_existing_vault_only_says_so(vault: Path, invoke) -> None:
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file() and ".git" not in p.parts}
    head = git(vault, "rev-parse", "HEAD")

    result = invoke("init", vault)

    ok(result)
    assert "already a vault" in result.output
    after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before
    assert git(vault, "rev-parse", "HEAD") == head
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.parametrize("inside", ["contacts", "contacts/team"])
def test_init_in_a_folder_inside_a_vault_only_says_so(
    vault: Path, invoke, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    (vault / inside).mkdir(exist_ok=True)
    monkeypatch.chdir(vault / inside)

    result = invoke("init")

    ok(result)
    assert f"{vault} is already a vault" in result.output
    assert not (vault / inside / "vault.yaml").exists()
    assert not (vault / inside / "contacts").exists()
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain") == ""


def test_init_example_copies_the_example_contacts_and_schema(vault: Path) -> None:
    contacts = sorted(p.name for p in (vault / "contacts").glob("*.md"))
    assert len(contacts) == 25
    assert "ada-lovelace.md" in contacts
    # The example contacts use the example's custom fields, so its vault.yaml comes along.
    assert "industry:" in (vault / "vault.yaml").read_text()
    assert git(vault, "log", "--format=%s").splitlines() == ["Create contact vault"]
    assert len([f for f in head_files(vault) if f.startswith("contacts/")]) == 25


def test_init_inside_a_larger_repository_does_not_git_init_again(tmp_path: Path, invoke) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "README.md").write_text("The project.\n")
    git(project, "add", "README.md")
    git(project, "commit", "-q", "-m", "Start")

    result = invoke("init", project / "crm")

    ok(result)
    assert "new git repository" not in result.output
    assert not (project / "crm" / ".git").exists()
    assert head_message(project) == "Create contact vault"
    assert sorted(head_files(project)) == ["crm/.gitattributes", "crm/.gitignore", "crm/vault.yaml"]
    assert commit_count(project) == 2


# add


def test_add_prints_the_handle_and_commits_only_the_new_file(vault: Path, invoke) -> None:
    result = invoke(
        "-C", vault, "add", "Grace Hopper", "--email", "grace@navy.example", "--phone", "+44 20 7946 0001",
        "--tag", "admiral", "--stage", "lead", "--field", "industry=computing",
    )

    ok(result)
    assert result.stdout == "grace-hopper\n"
    path = vault / "contacts" / "grace-hopper.md"
    text = path.read_text()
    assert text.startswith("---\nname: Grace Hopper\n")
    assert "emails: [grace@navy.example]\n" in text
    assert 'phones: ["+44 20 7946 0001"]\n' in text
    assert "stage: lead\n" in text
    assert "industry: computing\n" in text
    uid = [ln for ln in text.splitlines() if ln.startswith("uid: ")]
    assert len(uid) == 1 and len(uid[0].removeprefix("uid: ")) == 26

    assert head_message(vault) == "Add Grace Hopper"
    assert head_files(vault) == ["contacts/grace-hopper.md"]
    assert git(vault, "status", "--porcelain") == ""


def test_add_with_a_taken_handle_gets_a_number(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "add", "Grace Hopper"))
    second = invoke("-C", vault, "add", "Grace Hopper")
    ok(second)
    assert second.stdout == "grace-hopper-2\n"
    assert (vault / "contacts" / "grace-hopper-2.md").is_file()
    assert head_files(vault) == ["contacts/grace-hopper-2.md"]


@pytest.mark.parametrize(
    ("name", "handle"),
    [("!!!", "contact"), ("../../x", "x"), (".hidden", "hidden"), ("Zoë Ørsted", "zoe-orsted")],
)
def test_add_makes_a_safe_handle_from_any_name(vault: Path, invoke, name: str, handle: str) -> None:
    result = invoke("-C", vault, "add", name)

    ok(result)
    assert result.stdout == f"{handle}\n"
    assert (vault / "contacts" / f"{handle}.md").is_file()
    assert not (vault.parent / "x.md").exists()
    shown = json.loads(invoke("-C", vault, "show", handle, "--format", "json").stdout)
    assert shown["fields"]["name"] == name
    assert head_files(vault) == [f"contacts/{handle}.md"]
    assert head_message(vault) == f"Add {name}"


def test_add_checks_its_values(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "add", "Grace Hopper", "--field", "industry=shipping")
    assert result.exit_code == 2
    no_traceback(result)
    assert "industry must be one of" in result.stderr
    assert not (vault / "contacts" / "grace-hopper.md").exists()
    assert commit_count(vault) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([""], "give the contact a name"),
        (["Two\nLines"], "the name must be one line"),
        (["Grace Hopper", "--field", "uid=01ABC"], "uid is set by 'contacts add' itself"),
        (["Grace Hopper", "--field", "nokey"], "is not KEY=VALUE"),
        (["Grace Hopper", "--email", "grace"], "does not look like an email address"),
    ],
)
def test_add_refuses_bad_input(vault: Path, invoke, args: list[str], message: str) -> None:
    result = invoke("-C", vault, "add", *args)
    assert result.exit_code == 2
    no_traceback(result)
    assert message in result.stderr
    assert git(vault, "status", "--porcelain") == ""
    assert commit_count(vault) == 1


# show


def test_show_text(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "show", "ada")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "Ada Lovelace  (ada-lovelace)"
    assert any(ln.split() == ["company:", "Analytical", "Engines"] for ln in lines)
    assert "Notes" in lines
    assert "Open tasks" in lines
    assert any(ln.startswith("  [ ] Send the Bernoulli notes due:2026-12-01") for ln in lines)  # maybe (overdue)
    assert "Interactions (5, 1 on a deal)" in lines


def test_show_limit_keeps_the_newest_interactions(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "show", "ada", "--limit", "1")
    ok(result)
    assert "Interactions (5, 1 on a deal), newest 1" in result.stdout
    assert "Demo at their office" in result.stdout  # 2026-12-09, the newest
    assert "Renewal" not in result.stdout


def test_show_json(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "show", "ada", "--format", "json", "--limit", "2")
    ok(result)
    data = json.loads(result.stdout)
    assert data["handle"] == "ada-lovelace"
    assert data["fields"]["name"] == "Ada Lovelace"
    assert data["fields"]["emails"] == ["ada@analytical.example", "countess@lovelace.example"]
    assert [i["date"] for i in data["interactions"]] == ["2026-11-20", "2026-12-09"]
    assert data["tasks"][0] == {"text": "Send the Bernoulli notes due:2026-12-01", "done": False,
                                "due": "2026-12-01", "done_on": None}


def test_show_markdown_is_the_file(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "show", "ada", "--format", "markdown")
    ok(result)
    assert result.stdout == (vault / ADA).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "query", ["ada-lovelace", "Ada Lovelace", "ada lovelace", "countess@lovelace.example", "lovelace"]
)
def test_show_finds_a_contact_by_handle_name_email_or_unique_part(vault: Path, invoke, query: str) -> None:
    result = invoke("-C", vault, "show", query)
    ok(result)
    assert result.stdout.startswith("Ada Lovelace  (ada-lovelace)\n")


def test_show_ambiguous_lists_the_handles(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "show", "analytical")
    assert result.exit_code == 1
    no_traceback(result)
    for handle in ("ada-lovelace", "analytical-engines", "charles-babbage"):
        assert handle in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("query", ["nobody-at-all", "../../etc/passwd", ".git/config", "contacts/../vault.yaml", ""])
def test_show_unknown_or_unsafe_is_a_plain_error(vault: Path, invoke, query: str) -> None:
    result = invoke("-C", vault, "show", query)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr.startswith("Error: ")
    assert "root:" not in result.output
    assert "[core]" not in result.output


# set, unset, tag


def test_set_a_scalar_field(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stage", "prospect"))
    result = invoke("-C", vault, "set", "ada", "stage", "customer")

    ok(result)
    assert "Set stage of Ada Lovelace to customer" in result.stderr
    assert head_message(vault) == "Set stage of Ada Lovelace to customer"
    assert head_files(vault) == [ADA.as_posix()]
    assert "stage: customer\n" in (vault / ADA).read_text()
    assert git(vault, "status", "--porcelain") == ""


def test_set_several_words_is_one_value(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "title", "Countess", "of", "Lovelace"))
    assert "title: Countess of Lovelace\n" in (vault / ADA).read_text()
    assert head_message(vault) == "Set title of Ada Lovelace to Countess of Lovelace"


def test_set_the_same_value_changes_and_commits_nothing(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "set", "ada", "stage", "customer")
    ok(result)
    assert "already customer" in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


def test_set_typed_values(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "birthday", "1815-12-10"))
    ok(invoke("-C", vault, "set", "ada", "employees", "120"))
    ok(invoke("-C", vault, "set", "ada", "industry", "finance"))
    text = (vault / ADA).read_text()
    assert "employees: 120\n" in text
    assert "industry: finance          # any other key is a custom field\n" in text
    fields = json.loads(invoke("-C", vault, "show", "ada", "--format", "json").stdout)["fields"]
    assert (fields["birthday"], fields["employees"], fields["industry"]) == ("1815-12-10", 120, "finance")


def test_set_a_birthday_without_a_year(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "birthday", "--12-10"))
    assert "birthday: --12-10\n" in (vault / ADA).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "ada", "stage", "vip"], "stage must be one of lead, prospect, customer, churned"),
        (["set", "ada", "emails", "not-an-email"], "does not look like an email address"),
        (["set", "ada", "emails", "+not-an-email"], "does not look like an email address"),
        (["set", "ada", "birthday", "1815-13-10"], "birthday must be YYYY-MM-DD"),
        (["set", "ada", "birthday", "next tuesday"], "birthday must be YYYY-MM-DD"),
        (["set", "ada", "industry", "farming"], "industry must be one of computing, retail"),
        (["set", "ada", "employees", "many"], "employees must be a whole number"),
        (["set", "ada", "kind", "robot"], "kind must be person or organization"),
        (["set", "ada", "keep_in_touch", "often"], "is not a duration"),
        (["set", "ada", "linkedin", "not a url"], "linkedin must be a URL"),
        (["set", "ada", "phones", "--add", "call me"], "is not a phone number"),
        (["tag", "ada", "+two words"], "has a space or comma"),
        (["set", "ada", "links", "github"], "is not a link"),
    ],
)
def test_bad_values_exit_2_and_change_nothing(vault: Path, invoke, args: list[str], message: str) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, *args)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert message in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


def test_unset(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "unset", "ada", "title")
    ok(result)
    assert "title:" not in (vault / ADA).read_text()
    assert head_message(vault) == "Unset title of Ada Lovelace"
    assert head_files(vault) == [ADA.as_posix()]


def test_unset_a_missing_field_or_the_name_is_an_error(vault: Path, invoke) -> None:
    missing = invoke("-C", vault, "unset", "ada", "favourite_colour")
    assert missing.exit_code == 1
    assert "has no field 'favourite_colour'" in missing.stderr
    name = invoke("-C", vault, "unset", "ada", "name")
    assert name.exit_code == 2
    no_traceback(name)
    assert commit_count(vault) == 1


def test_tag_adds_and_removes(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "tag", "ada", "+speaker", "-vip", "board")
    ok(result)
    assert "tags: [customer, mathematics, speaker, board]\n" in (vault / ADA).read_text()
    assert head_message(vault) == "Tag Ada Lovelace +speaker +board -vip"


def test_tag_removing_a_missing_tag_is_an_error(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "tag", "ada", "-nonexistent")
    assert result.exit_code == 1
    no_traceback(result)
    assert "has no tag nonexistent" in result.stderr
    assert (vault / ADA).read_bytes() == before


def test_set_list_fields(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "emails", "+ada@new.example", "-countess@lovelace.example"))
    assert "emails: [ada@analytical.example, ada@new.example]\n" in (vault / ADA).read_text()
    assert head_message(vault) == (
        "Add ada@new.example to emails of Ada Lovelace; remove countess@lovelace.example from emails of Ada Lovelace"
    )
    ok(invoke("-C", vault, "set", "ada", "phones", "--add", "+44 20 7946 0000"))
    assert 'phones: ["+44 20 7946 0958", "+44 20 7946 0000"]\n' in (vault / ADA).read_text()
    assert head_message(vault) == "Add +44 20 7946 0000 to phones of Ada Lovelace"
    ok(invoke("-C", vault, "set", "ada", "tags", "alpha", "beta"))
    assert "tags: [alpha, beta]\n" in (vault / ADA).read_text()
    assert head_message(vault) == "Set tags of Ada Lovelace"


# Minimal diffs on a file a person wrote by hand

HAND_WRITTEN = textwrap.dedent(
    """\
    ---
    # Written by hand; the tool must keep this comment.
    uid: 01HANDWRITTEN0000000000000
    name: Hedy Lamarr   # as she signs
    stage: lead  # since the fair
    company: 'Frequency Hopping Ltd'
    tags:
      - inventor   # first
      - actress
    emails: [hedy@hop.example,  lamarr@film.example]
    phones:
      - "+44 20 7946 0111"
    title: Inventor
    zip: 01234
    country: NO
    ---
    Met at the patent office.

    ## Background
    Co-invented frequency hopping.

    ## 2026-01-05 call — First call
    Went well.
    """
).replace("\n", "\r\n").encode("utf-8")


@pytest.fixture
def hand_written(vault: Path) -> Path:
    """A committed, hand-written contact with CRLF line endings, comments and mixed list styles."""
    path = vault / "contacts" / "hedy-lamarr.md"
    path.write_bytes(HAND_WRITTEN)
    git(vault, "add", "contacts/hedy-lamarr.md")
    git(vault, "commit", "-q", "-m", "Add Hedy by hand")
    return path


MINIMAL_STEPS = [
    (["set", "hedy", "stage", "customer"],
     [b"stage: lead  # since the fair\r\n"], [b"stage: customer  # since the fair\r\n"]),
    (["set", "hedy", "tags", "inventor", "engineer"],
     [b"  - actress\r\n"], [b"  - engineer\r\n"]),
    (["tag", "hedy", "+pilot", "-inventor"],
     [b"  - inventor   # first\r\n"], [b"  - pilot\r\n"]),
    (["set", "hedy", "emails", "+hedy@new.example"],
     [b"emails: [hedy@hop.example,  lamarr@film.example]\r\n"],
     [b"emails: [hedy@hop.example, lamarr@film.example, hedy@new.example]\r\n"]),
    (["set", "hedy", "phones", "--add", "+44 20 7946 0222"],
     [], [b'  - "+44 20 7946 0222"\r\n']),
    (["unset", "hedy", "title"],
     [b"title: Inventor\r\n"], []),
    (["set", "hedy", "owner", "alice"],
     [], [b"owner: alice\r\n"]),
    (["set", "hedy", "name", "Hedy Kiesler"],
     [b"name: Hedy Lamarr   # as she signs\r\n"], [b"name: Hedy Kiesler   # as she signs\r\n"]),
]


def test_each_change_touches_only_its_own_lines(hand_written: Path, invoke) -> None:
    vault = hand_written.parent.parent
    for args, removed, added in MINIMAL_STEPS:
        old = hand_written.read_bytes()
        result = invoke("-C", vault, *args)
        ok(result)
        new = hand_written.read_bytes()
        assert line_changes(old, new) == (removed, added), args
        assert all_crlf(new), args
        # What was committed is exactly the file, and git sees the same small change.
        assert committed_bytes(vault, "contacts/hedy-lamarr.md") == new
        numstat = git(vault, "show", "--numstat", "--format=", "HEAD").split()
        assert numstat == [str(len(added)), str(len(removed)), "contacts/hedy-lamarr.md"], args

    text = hand_written.read_bytes().decode()
    for kept in ("# Written by hand; the tool must keep this comment.\r\n", "company: 'Frequency Hopping Ltd'\r\n",
                 "zip: 01234\r\n", "country: NO\r\n", "## Background\r\nCo-invented frequency hopping.\r\n"):
        assert kept in text
    shown = json.loads(invoke("-C", vault, "show", "hedy", "--format", "json").stdout)
    assert shown["fields"]["zip"] == "01234"
    assert shown["fields"]["country"] == "NO"
    assert "## Background" in shown["notes"]


def test_log_appends_and_changes_no_existing_byte(hand_written: Path, invoke) -> None:
    vault = hand_written.parent.parent
    old = hand_written.read_bytes()

    ok(invoke("-C", vault, "log", "hedy", "meeting", "Demo", "-m", "Showed the prototype.\nShe liked it."))

    new = hand_written.read_bytes()
    assert new.startswith(old)
    assert new[len(old):] == (
        f"\r\n## {TODAY.isoformat()} meeting — Demo ✓\r\nShowed the prototype.\r\nShe liked it.\r\n".encode()
    )
    assert head_message(vault) == "Log meeting with Hedy Lamarr"
    assert committed_bytes(vault, "contacts/hedy-lamarr.md") == new


def test_a_file_without_a_final_newline_gets_one_before_the_new_section(vault: Path, invoke) -> None:
    path = vault / "contacts" / "no-newline.md"
    path.write_bytes(b"---\nname: No Newline\n---\nLast line")
    old = path.read_bytes()
    ok(invoke("-C", vault, "--no-commit", "log", "no-newline", "call", "-m", "Hi"))
    new = path.read_bytes()
    assert new.startswith(old)
    assert new[len(old):] == f"\n\n## {TODAY.isoformat()} call ✓\nHi\n".encode()


# log


def ada_tail(vault: Path, old: bytes) -> str:
    new = (vault / ADA).read_bytes()
    assert new.startswith(old)
    return new[len(old):].decode()


def test_log_kind_summary_and_message(vault: Path, invoke) -> None:
    old = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Wants a demo first.")
    ok(result)
    assert ada_tail(vault, old) == f"\n## {TODAY.isoformat()} call — Renewal ✓\nWants a demo first.\n"
    assert head_message(vault) == "Log call with Ada Lovelace"
    assert head_files(vault) == [ADA.as_posix()]
    assert "Log call with Ada Lovelace (" in result.stderr


def test_log_reads_the_message_from_stdin(vault: Path, invoke) -> None:
    old = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "log", "ada", "meeting", "Minutes", "-m", "-", input="First point.\n\nSecond point.\n"))
    assert ada_tail(vault, old) == f"\n## {TODAY.isoformat()} meeting — Minutes ✓\nFirst point.\n\nSecond point.\n"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("yesterday", TODAY - dt.timedelta(days=1)),
        ("-3d", TODAY - dt.timedelta(days=3)),
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("today", TODAY),
    ],
)
def test_log_date(vault: Path, invoke, given: str, expected: dt.date) -> None:
    old = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "log", "ada", "email", "--date", given, "-m", "Sent."))
    mark = " ✓" if expected == TODAY else ""  # what happened today is no appointment
    assert ada_tail(vault, old) == f"\n## {expected.isoformat()} email{mark}\nSent.\n"


def test_log_time(vault: Path, invoke) -> None:
    old = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "log", "ada", "meeting", "--time", "9:05", "-m", "Coffee."))
    assert ada_tail(vault, old) == f"\n## {TODAY.isoformat()} 09:05 meeting ✓\nCoffee.\n"
    old = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "log", "ada", "call", "--time", "14:30", "-m", "Call."))
    assert ada_tail(vault, old) == f"\n## {TODAY.isoformat()} 14:30 call ✓\nCall.\n"


def test_log_in_the_future_is_refused_for_meet(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "log", "ada", "meeting", "Review", "--date", "+7d")
    assert result.exit_code == 2
    no_traceback(result)
    assert "is in the future: 'log' records what happened (use 'contacts meet'" in result.stderr
    assert (vault / ADA).read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time", "25:00"], "is not a 24-hour time"),
        (["--time", "2pm"], "is not a 24-hour time"),
        (["--date", "someday"], "is not a date"),
        (["--date", "2026-02-30"], "is not a date"),
    ],
)
def test_log_bad_date_or_time_exits_2(vault: Path, invoke, args: list[str], message: str) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "log", "ada", "call", *args, "-m", "x")
    assert result.exit_code == 2
    no_traceback(result)
    assert message in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


def test_log_unknown_kind_with_a_summary_exits_2(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "log", "ada", "lunch", "Pasta")
    assert result.exit_code == 2
    no_traceback(result)
    assert "'lunch' is not an interaction kind" in result.stderr
    assert (vault / ADA).read_bytes() == before


@pytest.mark.parametrize(
    ("words", "heading"),
    [(["Brochure"], "note — Brochure"), (["Sent the brochure"], "note — Sent the brochure"), (["call"], "call")],
)
def test_log_words_that_are_not_a_kind_are_the_summary(vault: Path, invoke, words: list[str], heading: str) -> None:
    old = (vault / ADA).read_bytes()
    ok(invoke("-C", vault, "log", "ada", *words))
    assert ada_tail(vault, old) == f"\n## {TODAY.isoformat()} {heading} ✓\n"


def test_logged_interactions_read_back(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "log", "ada", "call", "Check-in", "--date", "yesterday", "-m", "All good."))
    data = json.loads(invoke("-C", vault, "show", "ada", "--format", "json").stdout)
    last = data["interactions"][-1]
    assert last == {"date": (TODAY - dt.timedelta(days=1)).isoformat(), "time": None, "kind": "call",
                    "summary": "Check-in", "text": "All good."}


# list


def list_json(invoke, vault: Path, *args: str) -> list[dict]:
    result = invoke("-C", vault, "list", "--format", "json", *args)
    ok(result)
    return json.loads(result.stdout)


def test_list_table(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "list")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "COMPANY", "EMAIL", "TAGS", "LAST", "CONTACT"]
    assert len(lines) == 26
    assert any(ln.startswith("Ada Lovelace ") for ln in lines)


def test_list_filters(vault: Path, invoke) -> None:
    customers = list_json(invoke, vault, "--tag", "customer")
    assert customers and all("customer" in r["tags"] for r in customers)
    assert "Ada Lovelace" in [r["name"] for r in customers]
    assert "Rachel Okafor" not in [r["name"] for r in customers]

    leads = list_json(invoke, vault, "--stage", "lead")
    assert sorted(r["name"] for r in leads) == [
        "Agnieszka Nowak", "Rachel Okafor", "Vistula Health", "Wang Fang", "Łukasz Żuk"
    ]

    bobs = list_json(invoke, vault, "--owner", "bob")
    assert bobs and all(r["owner"] == "bob" for r in bobs)

    both = list_json(invoke, vault, "--stage", "lead", "--tag", "newsletter")
    assert sorted(r["name"] for r in both) == ["Rachel Okafor", "Wang Fang"]


def test_list_csv(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "list", "--stage", "lead", "--format", "csv")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "name,company,email,tags,last_contact"
    assert len(lines) == 6
    assert '"conference-2026, newsletter"' in result.stdout  # a cell with a comma is quoted


def test_list_paths(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "list", "--owner", "bob", "--format", "paths")
    ok(result)
    paths = result.stdout.splitlines()
    assert paths
    for path in paths:
        assert path.startswith("contacts/") and path.endswith(".md")
        assert "owner: bob" in (vault / path).read_text()


def test_list_sort_name(vault: Path, invoke) -> None:
    names = [r["name"] for r in list_json(invoke, vault, "--sort", "name")]
    assert len(names) == 25
    assert names == sorted(names, key=fold)
    assert names.index("Łukasz Żuk") < names.index("Marcus Webb")  # Ł sorts as L, not after Z


def test_list_sort_last(vault: Path, invoke) -> None:
    # Zoë: her handle sorts last, so she comes first even on a day another contact was last seen too.
    ok(invoke("-C", vault, "log", "zoe", "call", "-m", "Caught up."))
    rows = list_json(invoke, vault, "--sort", "last")
    assert rows[0]["name"] == "Zoë Müller"
    assert rows[0]["last_contact"] == TODAY.isoformat()
    dates = [r["last_contact"] for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_list_sort_created(tmp_path: Path, invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "dated"
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2020-01-01T12:00:00+00:00")
    ok(invoke("init", root))
    ok(invoke("-C", root, "add", "Old Timer"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2024-06-01T12:00:00+00:00")
    ok(invoke("-C", root, "add", "Middle Aged"))
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    ok(invoke("-C", root, "add", "Zed Newcomer"))

    by_created = [r["name"] for r in list_json(invoke, root, "--sort", "created")]
    assert by_created == ["Zed Newcomer", "Middle Aged", "Old Timer"]
    by_name = [r["name"] for r in list_json(invoke, root, "--sort", "name")]
    assert by_name == ["Middle Aged", "Old Timer", "Zed Newcomer"]

    # A contact is created when its file first appeared, whatever it is called now.
    ok(invoke("-C", root, "mv", "old-timer", "Old Hand"))
    ok(invoke("-C", root, "mv", "old-hand", "Veteran"))
    rows = list_json(invoke, root, "--sort", "created")
    assert [r["name"] for r in rows] == ["Zed Newcomer", "Middle Aged", "Veteran"]
    assert rows[-1]["created"] == "2020-01-01"


def test_list_skips_a_broken_file_with_one_warning(vault: Path, invoke) -> None:
    (vault / "contacts" / "broken.md").write_text("---\nname: [unclosed\n---\nNotes.\n")

    result = invoke("-C", vault, "list", "--format", "json")

    ok(result)
    assert len(json.loads(result.stdout)) == 25
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: ")
    assert "broken.md" in warnings[0]


def test_list_of_an_empty_vault(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "list")
    ok(result)
    assert result.stdout == ""
    assert json.loads(invoke("-C", empty_vault, "list", "--format", "json").stdout) == []


# rm, mv


def test_rm_asks_first(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "rm", "charles-babbage", input="n\n")
    assert result.exit_code == 1
    assert "Remove Charles Babbage (charles-babbage)?" in result.stderr
    assert (vault / "contacts" / "charles-babbage.md").is_file()
    assert commit_count(vault) == 1


def test_rm_yes_removes_and_commits(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "rm", "Charles Babbage", "--yes")
    ok(result)
    assert not (vault / "contacts" / "charles-babbage.md").exists()
    assert head_message(vault) == "Remove Charles Babbage"
    assert git(vault, "show", "--name-status", "--format=", "HEAD").split() == ["D", "contacts/charles-babbage.md"]
    assert git(vault, "status", "--porcelain") == ""


def test_rm_answer_yes_at_the_prompt(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "rm", "charles-babbage", input="y\n"))
    assert not (vault / "contacts" / "charles-babbage.md").exists()


def test_mv_renames_with_git_so_history_follows(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stage", "lead"))
    result = invoke("-C", vault, "mv", "ada", "Ada King")

    ok(result)
    assert result.stdout == "ada-king\n"
    new = vault / "contacts" / "ada-king.md"
    assert not (vault / ADA).exists()
    assert "name: Ada King\n" in new.read_text()
    assert head_message(vault) == "Rename Ada Lovelace to Ada King"
    status = git(vault, "show", "-M", "--name-status", "--format=", "HEAD").splitlines()
    renamed = [line.split("\t")[1:] for line in status if line.startswith("R") and "contacts/" in line]
    assert renamed == [["contacts/ada-lovelace.md", "contacts/ada-king.md"]]  # her documents move too (test_documents)
    history = git(vault, "log", "--follow", "--format=%s", "--", "contacts/ada-king.md").splitlines()
    assert history == ["Rename Ada Lovelace to Ada King", "Set stage of Ada Lovelace to lead", "Create contact vault"]
    assert git(vault, "status", "--porcelain") == ""
    ok(invoke("-C", vault, "show", "Ada King"))


def test_mv_to_the_same_name_changes_nothing(vault: Path, invoke) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "mv", "ada", "Ada Lovelace")
    ok(result)
    assert result.stdout == "ada-lovelace\n"
    assert "already called that" in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


def test_mv_to_a_taken_name_gets_a_numbered_handle(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "mv", "ada", "Charles Babbage")
    ok(result)
    assert result.stdout == "charles-babbage-2\n"
    assert (vault / "contacts" / "charles-babbage.md").is_file()
    assert "name: Charles Babbage\n" in (vault / "contacts" / "charles-babbage-2.md").read_text()


def test_contacts_in_subfolders(vault: Path, invoke) -> None:
    (vault / "contacts" / "team").mkdir()
    git(vault, "mv", "contacts/charles-babbage.md", "contacts/team/charles-babbage.md")
    git(vault, "commit", "-q", "-m", "File Charles under team/")

    ok(invoke("-C", vault, "log", "charles-babbage", "call", "-m", "Hello."))
    assert head_files(vault) == ["contacts/team/charles-babbage.md"]
    ok(invoke("-C", vault, "mv", "charles", "Charles B"))
    assert (vault / "contacts" / "team" / "charles-b.md").is_file()
    ok(invoke("-C", vault, "rm", "charles-b", "--yes"))
    assert git(vault, "status", "--porcelain") == ""

    # A handle must be unique across the vault: two files with one stem are an error that names both.
    (vault / "contacts" / "old").mkdir()
    for folder in ("team", "old"):
        (vault / "contacts" / folder / "twin.md").write_text(f"---\nname: Twin in {folder}\n---\n")
    result = invoke("-C", vault, "show", "twin")
    assert result.exit_code == 1
    no_traceback(result)
    assert "contacts/team/twin.md" in result.stderr and "contacts/old/twin.md" in result.stderr


# edit


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Make $EDITOR a small Python script that rewrites the file it is given."""
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\npath = Path(sys.argv[1])\ntext = path.read_text(encoding='utf-8')\n"
        + code
    )
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")


def test_edit_commits_a_valid_edit(vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor(tmp_path, monkeypatch,
           "path.write_text(text.replace('title: Head of Research', 'title: Chief Scientist'), encoding='utf-8')\n")

    result = invoke("-C", vault, "edit", "ada")

    ok(result)
    assert "title: Chief Scientist\n" in (vault / ADA).read_text()
    assert head_message(vault) == "Edit Ada Lovelace"
    assert git(vault, "show", "--numstat", "--format=", "HEAD").split() == ["1", "1", ADA.as_posix()]
    assert git(vault, "status", "--porcelain") == ""


def test_edit_that_changes_nothing_commits_nothing(
    vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, "")
    result = invoke("-C", vault, "edit", "ada")
    ok(result)
    assert result.stderr == "Ada Lovelace: nothing changed, nothing committed\n"
    assert commit_count(vault) == 1


def test_edit_that_breaks_the_yaml_keeps_the_file_and_commits_nothing(
    vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch,
           "path.write_text(text.replace('stage: customer', 'stage: [customer'), encoding='utf-8')\n")

    result = invoke("-C", vault, "edit", "ada", input="n\n")

    assert result.exit_code == 1
    no_traceback(result)
    assert "ada-lovelace.md" in result.stderr
    assert "nothing committed" in result.stderr
    assert "stage: [customer" in (vault / ADA).read_text()  # the user's work is not thrown away
    assert commit_count(vault) == 1
    assert git(vault, "status", "--porcelain") == " M contacts/ada-lovelace.md\n"


def test_edit_is_how_a_broken_file_is_fixed(
    vault: Path, invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = vault / "contacts" / "broken.md"
    path.write_text("---\nname: Broken Person\nstage: [lead\n---\n")
    git(vault, "add", "contacts/broken.md")
    git(vault, "commit", "-q", "-m", "A bad merge")
    editor(tmp_path, monkeypatch, "path.write_text(text.replace('[lead', 'lead'), encoding='utf-8')\n")

    result = invoke("-C", vault, "edit", "broken")

    ok(result)
    assert path.read_text() == "---\nname: Broken Person\nstage: lead\n---\n"
    assert head_message(vault) == "Edit Broken Person"


# every command


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(invoke, command: str) -> None:
    result = invoke(command, "--help")
    ok(result)
    assert "Example" in result.stdout


def test_top_level_help_lists_every_command(invoke) -> None:
    result = invoke("--help")
    ok(result)
    for command in COMMANDS:
        assert command in result.stdout


def test_unknown_command(invoke) -> None:
    result = invoke("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


# The installed entry point, end to end


def installed_contacts() -> str:
    """The installed `contacts` entry point: beside this Python (a venv used without activating it), else on PATH."""
    beside = Path(sys.executable).with_name("contacts")
    found = str(beside) if beside.is_file() else shutil.which("contacts")
    assert found, "the `contacts` entry point is installed (pip install -e .)"
    return found


def run(*args: str | Path, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, input=input, capture_output=True, text=True, timeout=60)


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    contacts = installed_contacts()

    done = run(contacts, "init", "demo", "--example", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "with 25 example contacts" in done.stdout
    root = tmp_path / "demo"

    done = run(contacts, "add", "Grace Hopper", "--email", "grace@navy.example", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "grace-hopper\n"
    assert "Add Grace Hopper (contacts/grace-hopper.md, commit " in done.stderr

    done = run(contacts, "log", "grace", "call", "Compilers", "-m", "-", cwd=root / "contacts",
               input="Talked about COBOL.\n")
    assert done.returncode == 0, done.stderr

    done = run(contacts, "-C", root, "show", "grace", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Grace Hopper  (grace-hopper)\n")
    assert f"{TODAY.isoformat()} call — Compilers" in done.stdout
    assert "Talked about COBOL." in done.stdout
    assert git(root, "log", "--format=%s").splitlines() == [
        "Log call with Grace Hopper", "Add Grace Hopper", "Create contact vault"
    ]

    done = run(contacts, "show", "nobody", cwd=root)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and "Traceback" not in done.stderr


def test_python_dash_m_version(tmp_path: Path) -> None:
    done = run(sys.executable, "-m", "vault_tool", "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "contacts, version 0.1.0"


def test_removing_a_tag_whose_name_has_an_h(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "tag", "ada", "-mathematics")
    assert result.exit_code == 0, result.output
    assert "Usage" not in result.output
    assert "mathematics" not in (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8").split("---")[1]
