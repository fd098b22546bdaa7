"""`contacts mail log`: messages of .eml files, standard input, mbox files and Maildirs logged as email
interactions, checked against what Python's own `email` package reads in the same messages."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import mailbox
import os
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import commit_count, head_message, no_traceback, ok
from vault_tool.format.contact import parse
from vault_tool.mail.message import address_key, readable

ROOT = Path(__file__).resolve().parent.parent
MAIL = ROOT.parent / "shared" / "realworld" / "mail"
EXAMPLE_MBOX = ROOT / "docs" / "examples" / "example.mbox"
TODAY = "2026-12-06"
ARRIVED = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # undated test mail arrived then
LEFT_OUT_OF_THE_MBOX = {"eml/mail-gem/rfc2822-example14.eml", "eml/cyrus/msg1.eml"}
needs_mail = pytest.mark.skipif(not MAIL.is_dir(), reason="the real-world mail files are not on this machine")


def settings(root: Path, extra: str) -> None:
    """vault.yaml with the top-level keys of ``extra`` (one line each) set to its values."""
    path = root / "vault.yaml"
    keys = {line.partition(":")[0] + ":" for line in extra.splitlines()}
    kept = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith(tuple(keys))]
    path.write_text("".join(kept) + extra, encoding="utf-8")


@pytest.fixture
def mail_vault(vault: Path) -> Path:
    settings(vault, "me: you@example.com\ntimezone: UTC\n")
    return vault


@pytest.fixture
def contacts(invoke):
    def run(root: Path, *args: object, input: str | None = None):
        return invoke("--today", TODAY, "-C", root, "mail", "log", *map(str, args), input=input)

    return run


def section(path: Path, message_id: str) -> tuple[str, str]:
    """The heading and text of the interaction of ``path`` that records ``message_id``."""
    contact = parse(path, path.read_bytes())
    found = [i for i in contact.interactions if f"Message-ID: <{message_id}>" in i.text]
    assert len(found) == 1, (path, message_id, [i.text for i in contact.interactions])
    item = found[0]
    return f"{item.date} {item.time} {item.kind} — {item.summary}", item.text


# The example mailbox ---------------------------------------------------------------------------


def test_an_mbox_is_logged_with_each_contact_it_names(mail_vault: Path, contacts) -> None:
    before = commit_count(mail_vault)
    result = contacts(mail_vault, EXAMPLE_MBOX)
    ok(result)
    assert "3 messages read: 2 logged with 3 contacts" in result.stdout
    assert "1 list or automatic message left out" in result.stdout
    assert head_message(mail_vault) == "Log 2 emails with 3 contacts"
    assert commit_count(mail_vault) == before + 1
    heading, text = section(mail_vault / "contacts" / "ada-lovelace.md", "renewal-2@analytical.example")
    assert heading == "2026-11-17 09:12 email — Re: The Q1 renewal"
    assert text.splitlines() == [
        "Message-ID: <renewal-2@analytical.example>",
        "From: Ada Lovelace <ada@analytical.example>",
        "Thank you for the figures. A demo first, then we sign:",
        "would the 4th of December suit you?",
    ]  # no quote, no attribution, no signature
    charles = (mail_vault / "contacts" / "charles-babbage.md").read_text(encoding="utf-8")
    assert "## 2026-11-17 09:12 email — Re: The Q1 renewal\nMessage-ID: <renewal-2@analytical.example>\n" in charles
    heading, text = section(mail_vault / "contacts" / "emily-carter.md", "deck-1@example.com")
    assert heading == "2026-11-18 15:30 email — Deck for the investor call"  # -0500 in UTC
    assert text.splitlines()[1:] == [
        "To: Emily Carter <emily.carter@potomac-capital.example>",
        "Emily, the deck for Thursday is attached.",
        "Attachments: deck.pdf",
    ]
    assert "weekly-47" not in "".join(p.read_text(encoding="utf-8") for p in (mail_vault / "contacts").glob("*.md"))


def test_the_example_vault_knows_its_owner_so_the_readme_example_runs_as_shown(tmp_path: Path, invoke,
                                                                               contacts) -> None:
    ok(invoke("init", tmp_path / "demo", "--example"))
    result = contacts(tmp_path / "demo", EXAMPLE_MBOX)
    ok(result)
    assert result.stdout.splitlines() == [
        "3 messages read: 2 logged with 3 contacts, 1 list or automatic message left out (--include-lists logs them)"]
    emily = (tmp_path / "demo" / "contacts" / "emily-carter.md").read_text(encoding="utf-8")
    assert "\nTo: Emily Carter <" in emily  # sent by you@example.com, the example's me:


def test_a_second_run_adds_nothing(mail_vault: Path, contacts) -> None:
    ok(contacts(mail_vault, EXAMPLE_MBOX))
    files = {p: p.read_bytes() for p in (mail_vault / "contacts").glob("*.md")}
    before = commit_count(mail_vault)
    again = contacts(mail_vault, EXAMPLE_MBOX)
    ok(again)
    assert "0 logged with 0 contacts, 2 logged before" in again.stdout
    assert commit_count(mail_vault) == before
    assert {p: p.read_bytes() for p in (mail_vault / "contacts").glob("*.md")} == files


def test_the_vaults_time_zone_is_used(mail_vault: Path, contacts) -> None:
    text = (mail_vault / "vault.yaml").read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Asia/Tokyo")
    (mail_vault / "vault.yaml").write_text(text, encoding="utf-8")
    ok(contacts(mail_vault, EXAMPLE_MBOX))
    heading, _ = section(mail_vault / "contacts" / "emily-carter.md", "deck-1@example.com")
    assert heading == "2026-11-19 00:30 email — Deck for the investor call"


def test_list_mail_is_logged_when_asked(mail_vault: Path, contacts, invoke) -> None:
    ok(invoke("-C", mail_vault, "add", "Computing Weekly", "--email", "news@list.example"))
    ok(contacts(mail_vault, EXAMPLE_MBOX))
    assert "weekly-47" not in (mail_vault / "contacts" / "computing-weekly.md").read_text(encoding="utf-8")
    ok(contacts(mail_vault, EXAMPLE_MBOX, "--include-lists"))
    assert section(mail_vault / "contacts" / "computing-weekly.md", "weekly-47@list.example")[0] == (
        "2026-11-19 08:00 email — This week in computing")


def test_logged_mail_counts_as_contact(mail_vault: Path, contacts, invoke) -> None:
    ok(contacts(mail_vault, EXAMPLE_MBOX))
    found = invoke("--today", TODAY, "-C", mail_vault, "search", "email:emily.carter@potomac-capital.example",
                   "--format", "json")
    ok(found)
    assert json.loads(found.stdout)[0]["last_contact"] == "2026-11-18"
    stale = invoke("--today", TODAY, "-C", mail_vault, "search", "last_contact:>2026-11-17", "--format", "paths")
    assert "contacts/emily-carter.md" in stale.stdout


# Addresses, ids, contacts ----------------------------------------------------------------------


def message(sender: str, to: str, subject: str, body: str, message_id: str | None = None,
            date: str = "Mon, 16 Nov 2026 10:00:00 +0100", cc: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = sender, to, subject, date
    if cc:
        msg["Cc"] = cc
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    return bytes(msg)


def test_addresses_match_without_case_or_tag(mail_vault: Path, contacts, tmp_path: Path) -> None:
    assert address_key("Ada+News@Analytical.Example") == "ada@analytical.example"
    eml = tmp_path / "one.eml"
    eml.write_bytes(message("ADA+news@Analytical.EXAMPLE", "you@example.com", "Tagged", "Hi.", "<t-1@x>"))
    ok(contacts(mail_vault, eml))
    heading, _ = section(mail_vault / "contacts" / "ada-lovelace.md", "t-1@x")
    assert heading == "2026-11-16 09:00 email — Tagged"


def test_a_message_logged_by_hand_is_recognised(mail_vault: Path, contacts, invoke, tmp_path: Path) -> None:
    ok(invoke("--today", TODAY, "-C", mail_vault, "log", "ada", "email", "Talked it over", "-m",
              "Message-ID: <by-hand@x>\nShe agreed."))
    eml = tmp_path / "one.eml"
    eml.write_bytes(message("ada@analytical.example", "you@example.com", "Agreed", "Yes.", "<BY-HAND@x>"))
    result = contacts(mail_vault, eml)
    ok(result)
    assert "1 logged before" in result.stdout
    assert "Agreed" not in (mail_vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")


def test_a_message_without_message_id_is_logged_once(mail_vault: Path, contacts, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(message("ada@analytical.example", "you@example.com", "No id", "Body."))
    ok(contacts(mail_vault, eml))
    box = mailbox.mbox(tmp_path / "copy.mbox")
    box.add(eml.read_bytes())
    box.close()
    again = contacts(mail_vault, eml, tmp_path / "copy.mbox")
    ok(again)
    assert "2 logged before" in again.stdout
    text = (mail_vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")
    assert text.count("— No id") == 1 and "Message-ID: <derived-" in text


def test_unknown_correspondents_are_listed_or_created(mail_vault: Path, contacts, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(message("Grace Hopper <grace@navy.example>", "you@example.com", "Compilers", "Hello.", "<g@x>",
                            cc="ada@analytical.example"))
    result = contacts(mail_vault, eml)
    ok(result)
    assert "1 address matched no contact (--create adds them): grace@navy.example" in result.stdout
    created = contacts(mail_vault, eml, "--create")
    ok(created)
    assert "Added 1 contact tagged from-mail: Grace Hopper" in created.stdout
    path = mail_vault / "contacts" / "grace-hopper.md"
    grace = parse(path, path.read_bytes())
    assert grace.meta["emails"] == ["grace@navy.example"] and grace.meta["tags"] == ["from-mail"]
    assert section(grace.path or Path(), "g@x")[0] == "2026-11-16 09:00 email — Compilers"
    assert head_message(mail_vault) == "Log 1 email with 1 contact, 1 of them new"
    assert "Compilers" in section(mail_vault / "contacts" / "ada-lovelace.md", "g@x")[0]  # logged once, before


def test_bad_settings_are_one_line_errors(mail_vault: Path, contacts) -> None:
    settings(mail_vault, "")
    text = (mail_vault / "vault.yaml").read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Mars/Olympus")
    (mail_vault / "vault.yaml").write_text(text, encoding="utf-8")
    result = contacts(mail_vault, EXAMPLE_MBOX)
    no_traceback(result)
    assert result.exit_code != 0 and "timezone: unknown time zone 'Mars/Olympus'" in result.output
    missing = contacts(mail_vault.parent, mail_vault / "nowhere.mbox")
    no_traceback(missing)


def test_a_missing_path_is_an_error(mail_vault: Path, contacts) -> None:
    result = contacts(mail_vault, mail_vault / "nowhere.mbox")
    no_traceback(result)
    assert result.exit_code == 2 and "nowhere.mbox: no such file or folder" in result.output


# Real-world messages ---------------------------------------------------------------------------


def read(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def addresses_of(msg: EmailMessage) -> list[str]:
    found = []
    for name in ("from", "to", "cc"):
        for header in msg.get_all(name, []):
            try:
                found += [a.addr_spec for a in header.addresses]
            except Exception:  # noqa: BLE001, S112
                continue
    return [readable(a) for a in found if "@" in a and " " not in a]


def all_messages() -> list[bytes]:
    found = [p.read_bytes() for p in sorted(MAIL.rglob("*")) if p.is_file() and p.parent.name != "mbox"
             and p.suffix != ".md" and "junk" not in p.parts]
    for path in sorted((MAIL / "mbox").iterdir()):
        found += [m.as_bytes() for m in mailbox.mbox(path)]
    return found


@pytest.fixture
def real_vault(tmp_path: Path, invoke) -> Path:
    """A vault with a contact for every address in the real-world messages, `me: bob@example.com`."""
    root = tmp_path / "real"
    ok(invoke("init", root))
    settings(root, "me: bob@example.com\ntimezone: Europe/Berlin\n")
    keys = sorted({address_key(a) for data in all_messages() for a in addresses_of(read(data))} - {"bob@example.com"})
    for number, key in enumerate(keys):
        (root / "contacts" / f"c{number}.md").write_text(f"---\nname: C {number}\nemails: [{json.dumps(key)}]\n---\n",
                                                         encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "Contacts"], cwd=root, check=True)
    return root


def expected_heading(msg: EmailMessage) -> str | None:
    """What Python's email says the heading is, for a message with a Date before today."""
    when = msg["date"].datetime if msg["date"] is not None else None
    if when is None:
        return None
    local = when.astimezone(ZoneInfo("Europe/Berlin"))
    if str(local.date()) > TODAY:
        return None
    subject = " ".join(str(msg["subject"] or "").split()) or "(no subject)"
    return f"{local:%Y-%m-%d %H:%M} email — {subject}"[:220]


def contact_files(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "contacts").glob("*.md")))


def check_logged(root: Path, messages: list[bytes]) -> None:
    """Every message with a Message-ID, a Date and a contact is in the files with the heading email reads."""
    text = contact_files(root)
    for data in messages:
        msg = read(data)
        mid = str(msg["message-id"] or "").strip()
        listed = msg["list-id"] is not None or str(msg["precedence"] or "").lower() in ("bulk", "list", "junk")
        senders = [a.split("@")[0].lower() for a in addresses_of(msg)[:1]] if msg["from"] else []
        listed = listed or bool(set(senders) & {"no-reply", "noreply", "mailer-daemon", "postmaster"})
        listed = listed or str(msg["auto-submitted"] or "no").lower() != "no"
        if listed or not mid.startswith("<") or not addresses_of(msg):
            if listed and mid:
                assert f"Message-ID: {mid}" not in text, mid
            continue
        assert f"Message-ID: {mid}" in text, mid
        heading = expected_heading(msg)
        if heading is not None and len(heading) < 200:
            assert f"## {heading}" in text, (mid, heading)


@needs_mail
def test_real_world_messages(real_vault: Path, contacts, tmp_path: Path) -> None:
    eml = sorted(p for p in (MAIL / "eml").rglob("*.eml") if str(p.relative_to(MAIL)) not in LEFT_OUT_OF_THE_MBOX)
    box = mailbox.mbox(tmp_path / "gathered.mbox")
    for path in eml:  # a message with no Date is logged when it arrived: a fixed day before TODAY, not now
        message = mailbox.mboxMessage(path.read_bytes())
        message.set_from("MAILER-DAEMON", ARRIVED.timetuple())
        box.add(message)
    box.close()
    maildir = tmp_path / "maildir"
    shutil.copytree(MAIL / "maildir", maildir)
    for path in (p for p in maildir.rglob("*") if p.is_file()):  # arrived: the file's time, not when it was copied
        os.utime(path, (ARRIVED.timestamp(), ARRIVED.timestamp()))
    os.symlink(tmp_path / "gone", maildir / "cur" / "99:2,")
    runs = [
        ((tmp_path / "gathered.mbox",), 0),
        ((maildir,), 1),
        ((MAIL / "eml" / "cyrus" / "msg1.eml", MAIL / "junk" / "not-a-message.eml"), 1),
        (tuple(sorted((MAIL / "mbox").iterdir())), 0),
    ]
    for paths, code in runs:
        result = contacts(real_vault, *paths)
        no_traceback(result)
        assert result.exit_code == code, result.output
    result = contacts(real_vault, *[p for paths, _ in runs for p in paths])
    assert "0 logged with 0 contacts" in result.stdout  # a second run adds nothing
    assert "not-a-message.eml: not an email message" in result.stderr
    assert "99:2,: cannot be read" in result.stderr
    given = [*eml, MAIL / "eml" / "cyrus" / "msg1.eml", *(p for p in sorted(maildir.rglob("*")) if p.is_file())]
    mboxes = [m.as_bytes() for path in sorted((MAIL / "mbox").iterdir()) for m in mailbox.mbox(path)]
    check_logged(real_vault, [p.read_bytes() for p in given] + mboxes)
    files = contact_files(real_vault)
    assert files.count("Message-ID: <20091117190054.GU3165@dottiness.seas.harvard.edu>") <= 2  # cur/51 and new/18


def arrived_before_today(path: Path, folder: Path) -> Path:
    """A copy of a shared message file in ``folder`` whose time (when it arrived, for a message with no Date) is
    ARRIVED, not when the shared files were copied onto this machine."""
    copy = folder / path.name
    shutil.copyfile(path, copy)
    os.utime(copy, (ARRIVED.timestamp(), ARRIVED.timestamp()))
    return copy


@needs_mail
def test_html_only_mail_is_read_as_text(real_vault: Path, contacts, tmp_path: Path) -> None:
    path = arrived_before_today(MAIL / "eml" / "thunderbird" / "html-entities-and-styles.eml", tmp_path)  # no Date
    msg = read(path.read_bytes())
    ok(contacts(real_vault, path))
    text = contact_files(real_vault)
    assert "\nI am traveling to Münster for work.\nI need to call AT&T because my phone is broken. A < B.\n" in text
    assert "The weather is beautiful, and I am meeting my coworker.\nDon't miss the Sale Today!\n" in text
    assert "HiddenCity" not in text and "opacity" not in text  # no script, no style
    assert "(no subject)" not in text and " ".join(str(msg["subject"]).split()) in text


@needs_mail
def test_a_message_on_standard_input_through_the_installed_program(real_vault: Path) -> None:
    path = MAIL / "eml" / "mail-gem" / "rfc2822-example14.eml"
    program = Path(sys.executable).parent / "contacts"
    env = {**os.environ, "CONTACTS_TODAY": TODAY}
    done = subprocess.run([str(program), "-C", str(real_vault), "mail", "log", "-"], input=path.read_bytes(),
                          capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    msg = read(path.read_bytes())
    heading = expected_heading(msg)
    assert heading and f"## {heading}" in contact_files(real_vault)
    assert f"Message-ID: {str(msg['message-id']).strip()}" in contact_files(real_vault)


def test_since_and_a_message_without_date(mail_vault: Path, contacts, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "box.mbox")
    old = mailbox.mboxMessage(message("ada@analytical.example", "you@example.com", "Old", "Old.", "<old@x>",
                                      date="Mon, 02 Mar 2026 10:00:00 +0000"))
    undated = mailbox.mboxMessage(message("ada@analytical.example", "you@example.com", "Undated", "Body.",
                                          "<undated@x>").replace(b"Date: Mon, 16 Nov 2026 10:00:00 +0100\n", b""))
    undated.set_from("ada@analytical.example Wed Nov 25 08:30:00 2026")
    box.add(old)
    box.add(undated)
    box.close()
    result = contacts(mail_vault, tmp_path / "box.mbox", "--since", "2026-11-01")
    ok(result)
    assert "1 before --since" in result.stdout
    assert "message 2 (byte" in result.stderr and "no Date; logged at 2026-11-25 08:30" in result.stderr
    assert section(mail_vault / "contacts" / "ada-lovelace.md", "undated@x")[0] == "2026-11-25 08:30 email — Undated"
    assert "<old@x>" not in (mail_vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")


def test_mailed_text_never_reads_as_markup(mail_vault: Path, contacts, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    body = "## 2026-01-01 call — not a heading\n```\n- [ ] not a task\nMessage-ID: <quoted@x>\n"
    eml.write_bytes(message("ada@analytical.example", "you@example.com", "Markup", body, "<markup@x>"))
    ok(contacts(mail_vault, eml))
    ada = parse(mail_vault / "contacts" / "ada-lovelace.md", (mail_vault / "contacts" / "ada-lovelace.md").read_bytes())
    assert [i.summary for i in ada.interactions].count("not a heading") == 0
    assert not [t for t in ada.tasks if "not a task" in t.text]
    assert section(mail_vault / "contacts" / "ada-lovelace.md", "markup@x")[0].endswith("— Markup")
    assert "quoted@x" not in (mail_vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")


def test_me_must_be_addresses(mail_vault: Path, contacts) -> None:
    settings(mail_vault, "")
    text = (mail_vault / "vault.yaml").read_text(encoding="utf-8").replace("me: you@example.com", "me: [42]")
    (mail_vault / "vault.yaml").write_text(text, encoding="utf-8")
    result = contacts(mail_vault, EXAMPLE_MBOX)
    no_traceback(result)
    assert result.exit_code != 0 and "'me' must be your email address" in result.output


def test_a_new_correspondent_is_named_without_quotes_or_undecodable_bytes(mail_vault: Path, contacts,
                                                                           tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.eml"
    quoted.write_bytes(message("'Captain Foo' <foo@ship.example>", "you@example.com", "Ahoy", "Hello.", "<q@x>"))
    raw = tmp_path / "raw.eml"  # a KOI8-R name, its charset declared nowhere
    raw.write_bytes(b"From: \xe9\xd7\xc1\xce \xf0\xc5\xd4\xd2\xcf\xd7 <ivan@mir.example>\nTo: you@example.com\n"
                    b"Subject: Privet\nDate: Mon, 16 Nov 2026 10:00:00 +0100\nMessage-ID: <r@x>\n\nHello.\n")
    result = contacts(mail_vault, quoted, raw, "--create")
    ok(result)
    names = {parse(p, p.read_bytes()).meta["name"] for p in (mail_vault / "contacts").glob("*.md")
             if "from-mail" in p.read_text(encoding="utf-8")}
    assert names == {"Captain Foo", "ivan@mir.example"}
