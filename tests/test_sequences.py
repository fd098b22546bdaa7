"""`contacts sequence`: drip sequences run over simulated days, through a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import commit_count, git, head_files, head_message, no_traceback, ok
from tests.test_mail_send import Recorder, smtp  # noqa: F401 - the SMTP server fixture

TEMPLATES = {
    "welcome": "---\nsubject: \"Welcome, {{first_name|friend}}\"\n---\nDear {{first_name|there}}, welcome.\n",
    "follow-up": "---\nsubject: \"How is it going, {{first_name|friend}}?\"\n---\nAny questions?\n",
    "last-call": "---\nsubject: \"Last call, {{first_name|friend}}\"\n---\nOne more thing.\n",
}
SEQUENCE = """\
steps:
  - {template: welcome, after: 0d}
  - {template: follow-up, after: 3d}
  - {template: last-call, after: 4d}
stop:
  reply: true
  stage: customer
  tag: [vip]
"""
PEOPLE = {
    "ada-lovelace": "name: Ada Lovelace\nemails: [ada@analytical.example]\ntags: [trial]\nstage: lead",
    "charles-babbage": "name: Charles Babbage\nemails: [charles@engines.example]\ntags: [trial]\nstage: lead",
    "emily-carter": "name: Emily Carter\nemails: [emily@carter.example]\ntags: [trial]",
    "opted-out": "name: Olga Optout\nemails: [olga@out.example]\ndo_not_email: true\ntags: [trial]",
}
REPLY = """\
Message-ID: <reply-1@analytical.example>
Date: Fri, 04 Dec 2026 09:00:00 +0000
From: Ada Lovelace <ada@analytical.example>
To: Me <me@example.com>
Subject: Re: Welcome, Ada

Thank you, that helps.
"""


@pytest.fixture
def vault(tmp_path: Path, invoke) -> Path:
    root = tmp_path / "vault"
    ok(invoke("init", root))
    for handle, front in PEOPLE.items():
        (root / "contacts" / f"{handle}.md").write_text(f"---\n{front}\n---\nNotes.\n", encoding="utf-8")
    (root / "templates").mkdir()
    for name, text in TEMPLATES.items():
        (root / "templates" / f"{name}.md").write_text(text, encoding="utf-8")
    (root / "sequences").mkdir()
    (root / "sequences" / "onboarding.yaml").write_text(SEQUENCE, encoding="utf-8")
    with (root / "vault.yaml").open("a", encoding="utf-8") as config:
        config.write("me: [me@example.com]\ntimezone: UTC\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Contacts")
    return root


def sent(recorder: Recorder) -> list[tuple[str, str]]:
    return [(str(msg["To"].addresses[0].addr_spec), str(msg["Subject"])) for msg in recorder.messages()]


def run(invoke, vault: Path, day: str, *more: str):
    return invoke("-C", vault, "--today", f"2026-12-{day}", "sequence", "run", *more)


def test_enroll_writes_the_place_once_with_a_minimal_diff(vault: Path, invoke) -> None:
    before = (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")
    result = invoke("-C", vault, "--today", "2026-12-01", "sequence", "enroll", "onboarding", "tag:trial")
    ok(result)
    assert head_message(vault) == "Enroll 3 contacts in onboarding"
    assert "left out: 1 (want no email): Olga Optout" in result.output
    after = (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")
    assert after == before.replace("stage: lead\n", "stage: lead\nsequences:\n  onboarding: {step: 0, since: 2026-12-01}\n")
    assert "sequences" not in (vault / "contacts" / "opted-out.md").read_text(encoding="utf-8")
    count = commit_count(vault)
    again = invoke("-C", vault, "--today", "2026-12-02", "sequence", "enroll", "onboarding", "tag:trial")
    ok(again)
    assert "left out: 3 (enrolled in onboarding before)" in again.output and "Nothing to enroll" in again.output
    assert commit_count(vault) == count
    assert (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8") == after


def test_a_drip_over_simulated_days(vault: Path, invoke, smtp: Recorder) -> None:  # noqa: F811
    ok(invoke("-C", vault, "--today", "2026-12-01", "sequence", "enroll", "onboarding", "tag:trial"))
    first = run(invoke, vault, "01", "--yes")
    ok(first)
    assert sorted(sent(smtp)) == [("ada@analytical.example", "Welcome, Ada"),
                                  ("charles@engines.example", "Welcome, Charles"),
                                  ("emily@carter.example", "Welcome, Emily")]
    assert head_message(vault) == "Send 3 sequence steps to 3 contacts (onboarding)"
    assert sorted(head_files(vault)) == ["contacts/ada-lovelace.md", "contacts/charles-babbage.md",
                                         "contacts/emily-carter.md"]
    ada = (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")
    assert "  onboarding: {step: 1, since: 2026-12-01, last: 2026-12-01}\n" in ada
    assert "Template: welcome" in ada and "To: Ada Lovelace <ada@analytical.example>" in ada
    count = commit_count(vault)
    for day in ("01", "02", "03"):  # run as often as cron likes: nothing is sent twice, nothing early
        again = run(invoke, vault, day, "--yes")
        ok(again)
        assert "Nothing due" in again.output
    assert len(smtp.received) == 3 and commit_count(vault) == count

    dry = run(invoke, vault, "04", "--dry-run")
    ok(dry)
    assert "due: Emily Carter: onboarding step 2 'follow-up' (due 2026-12-04)" in dry.output
    assert "3 steps due, 0 to stop (nothing sent)" in dry.output and len(smtp.received) == 3

    ok(invoke("-C", vault, "--today", "2026-12-04", "mail", "log", "-", input=REPLY))
    fourth = run(invoke, vault, "04", "--yes")
    ok(fourth)
    assert "stop: Ada Lovelace in onboarding (reply)" in fourth.output
    assert sorted(sent(smtp)[3:]) == [("charles@engines.example", "How is it going, Charles?"),
                                      ("emily@carter.example", "How is it going, Emily?")]
    assert head_message(vault) == "Send 2 sequence steps to 2 contacts, stop 1 contact (onboarding)"
    assert "onboarding: {step: 1, since: 2026-12-01, last: 2026-12-01, stopped: 2026-12-04, reason: reply}" in \
        (vault / "contacts" / "ada-lovelace.md").read_text(encoding="utf-8")

    ok(invoke("-C", vault, "set", "charles", "stage", "customer"))
    seventh = run(invoke, vault, "07", "--yes")  # last-call is due 4 days after the follow-up: not yet
    ok(seventh)
    assert "stop: Charles Babbage in onboarding (stage customer)" in seventh.output and len(smtp.received) == 5
    assert head_message(vault) == "Stop 1 contact (onboarding)"
    ok(run(invoke, vault, "08", "--yes"))
    assert sent(smtp)[5:] == [("emily@carter.example", "Last call, Emily")]
    for day in ("09", "20"):
        ok(run(invoke, vault, day, "--yes"))
    assert len(smtp.received) == 6 and len(set(sent(smtp))) == 6

    status = invoke("-C", vault, "--today", "2026-12-20", "sequence", "status", "onboarding", "--format", "json")
    ok(status)
    rows = {row["handle"]: row for row in json.loads(status.output)}
    assert (rows["ada-lovelace"]["state"], rows["ada-lovelace"]["step"]) == ("replied", "1/3")
    assert (rows["charles-babbage"]["state"], rows["charles-babbage"]["reason"]) == ("stopped", "stage customer")
    assert (rows["emily-carter"]["state"], rows["emily-carter"]["step"]) == ("finished", "3/3")
    table = invoke("-C", vault, "--today", "2026-12-20", "sequence", "status", "onboarding")
    ok(table)
    assert "Emily Carter" in table.output and "finished" in table.output


def test_stop_by_hand_and_a_status_of_who_is_due(vault: Path, invoke, smtp: Recorder) -> None:  # noqa: F811
    ok(invoke("-C", vault, "--today", "2026-12-01", "sequence", "enroll", "onboarding", "tag:trial"))
    stopped = invoke("-C", vault, "--today", "2026-12-01", "sequence", "stop", "onboarding", "emily")
    ok(stopped)
    assert head_message(vault) == "Stop onboarding for Emily Carter"
    assert "onboarding: {step: 0, since: 2026-12-01, stopped: 2026-12-01}" in \
        (vault / "contacts" / "emily-carter.md").read_text(encoding="utf-8")
    status = invoke("-C", vault, "--today", "2026-12-01", "sequence", "status", "onboarding", "--format", "json")
    states = {row["handle"]: (row["state"], row["reason"], row["next"]) for row in json.loads(status.output)}
    assert states["emily-carter"] == ("stopped", "by hand", "")
    assert states["ada-lovelace"] == ("due", "", "2026-12-01")
    ok(run(invoke, vault, "01", "--yes"))
    assert sorted(to for to, _ in sent(smtp)) == ["ada@analytical.example", "charles@engines.example"]


def test_run_asks_first_and_refuses_without_a_terminal(vault: Path, invoke, smtp: Recorder) -> None:  # noqa: F811
    ok(invoke("-C", vault, "--today", "2026-12-01", "sequence", "enroll", "onboarding", "tag:trial"))
    count = commit_count(vault)
    result = run(invoke, vault, "01")
    no_traceback(result)
    assert result.exit_code == 1 and "there is no terminal to ask on: give --yes" in result.output
    assert smtp.received == [] and commit_count(vault) == count


@pytest.mark.parametrize(("text", "words"), [
    ("steps:\n  - {template: nowhere, after: 0d}\n", "no template 'nowhere'"),
    ("steps:\n  - {template: welcome, after: soon}\n", "'soon' is not a duration"),
    ("steps: []\n", "`steps:` must be a list"),
    ("steps:\n  - {template: welcome}\nstop: {when: never}\n", "`stop:` must be a mapping of"),
])
def test_a_bad_sequence_file_is_one_line(vault: Path, invoke, text: str, words: str) -> None:
    (vault / "sequences" / "bad.yaml").write_text(text, encoding="utf-8")
    result = invoke("-C", vault, "sequence", "enroll", "bad", "tag:trial")
    no_traceback(result)
    assert result.exit_code != 0 and words in result.output and "sequences/bad.yaml" in result.output


def test_unknown_names_are_clear_errors(vault: Path, invoke) -> None:
    unknown = invoke("-C", vault, "sequence", "status", "onbording")
    no_traceback(unknown)
    assert unknown.exit_code != 0 and "no sequence 'onbording'" in unknown.output and "onboarding" in unknown.output
    not_enrolled = invoke("-C", vault, "sequence", "stop", "onboarding", "ada")
    no_traceback(not_enrolled)
    assert not_enrolled.exit_code == 2 and "Ada Lovelace is not enrolled in onboarding" in not_enrolled.output


def test_init_example_copies_the_example_sequence(tmp_path: Path, invoke) -> None:
    ok(invoke("init", tmp_path / "demo", "--example"))
    assert "sequences/onboarding.yaml" in git(tmp_path / "demo", "ls-files")
    status = invoke("-C", tmp_path / "demo", "sequence", "status", "onboarding")
    ok(status)
    assert "No contact is enrolled in onboarding" in status.output
