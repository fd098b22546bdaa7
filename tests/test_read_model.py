"""The index as the read model: reports and follow-ups answer from it, always what the files say."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from vault_tool.reports.summaries import load_summaries
from vault_tool.store.vault import Vault

TODAY = dt.date(2026, 11, 23)
ADA = """\
---
name: Ada Lovelace
stage: lead
tags: [vip]
employees: 12
---
- [ ] Write notes due:2026-12-01

## 2026-11-20 call — Renewal
## 2026-10-01 email — Earlier, written later
"""


def age(path: Path, seconds: float = 10) -> None:
    """Make ``path`` look modified ``seconds`` ago (older than the racy window)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def vault_with(tmp_path: Path, files: dict[str, str]) -> Vault:
    root = tmp_path / "v"
    (root / "contacts").mkdir(parents=True)
    (root / "vault.yaml").write_text("version: 1\n")
    for rel, text in files.items():
        path = root / "contacts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        age(path)
    return Vault.open(root)


def names(vault: Vault) -> list[str]:
    return [s.name for s in load_summaries(vault, TODAY).items]


def test_a_summary_has_what_reports_need(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA})
    [ada] = load_summaries(vault, TODAY).items
    assert (ada.path, ada.handle, ada.name) == ("contacts/ada.md", "ada", "Ada Lovelace")
    assert (ada.kind, ada.stage, ada.owner, ada.fields["employees"]) == ("person", "lead", "", "12")
    # interactions sorted by date, each with its kind
    assert list(zip(ada.interactions, ada.kinds)) == [("2026-10-01", "email"), ("2026-11-20", "call")]
    assert ada.lists == {"tags": ["vip"]}
    [trimmed] = load_summaries(vault, TODAY, only={"stage"}).items
    assert (trimmed.name, trimmed.stage, trimmed.fields, trimmed.lists) == ("Ada Lovelace", "lead", {
        "name": "Ada Lovelace", "stage": "lead"}, {})


def test_edits_additions_and_deletions_behind_the_tools_back_are_seen(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "sub/bob.md": ADA.replace("Ada Lovelace", "Bob")})
    assert names(vault) == ["Ada Lovelace", "Bob"]
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA.replace("Ada Lovelace", "Ada King"))
    age(ada, 5)
    (vault.contacts_dir / "sub" / "bob.md").unlink()
    (vault.contacts_dir / "cy.md").write_text(ADA.replace("Ada Lovelace", "Cy"))
    assert names(vault) == ["Ada King", "Cy"]


def test_an_edit_that_keeps_size_and_time_is_not_trusted_while_the_file_is_young(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA})
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA)  # just written: too young to trust its (size, mtime)
    assert names(vault) == ["Ada Lovelace"]
    stamp = os.stat(ada)
    ada.write_text(ADA.replace("Ada", "Eva"))  # same size; put the old time back
    os.utime(ada, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert names(vault) == ["Eva Lovelace"]


def test_a_file_indexed_while_young_is_not_indexed_again_once_its_bytes_are_found_the_same(tmp_path: Path) -> None:
    """A file just written is indexed, and read again by the next command (its stat cannot be trusted yet): when
    its bytes are those the index read, nothing is indexed again and no segment is added; when they differ, though
    its size and time are the same, it is indexed again."""
    from vault_tool.search import freshness

    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada", "Bob")})
    freshness.refresh(vault, TODAY)
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA.replace("vip", "vvip"))  # just written: too young to trust
    first = freshness.refresh(vault, TODAY)
    assert first.reread == 1
    age(ada)  # older now: its stat can be trusted, and its bytes are the same
    again = freshness.refresh(vault, TODAY)
    assert (again.reread, len(again.index._segments())) == (0, len(first.index._segments()))
    assert freshness.refresh(vault, TODAY).reread == 0  # and it is trusted from then on

    ada.write_text(ADA.replace("vip", "vvip"))  # young again: indexed, its stat not trusted
    assert freshness.refresh(vault, TODAY).reread == 1
    stamp = os.stat(ada)
    ada.write_text(ADA.replace("vip", "vvip").replace("Ada", "Eva"))  # other bytes, same size and time
    os.utime(ada, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert freshness.refresh(vault, TODAY).reread == 1
    assert names(vault) == ["Eva Lovelace", "Bob Lovelace"]


def test_a_young_file_is_confirmed_by_its_bytes_with_no_write_until_something_changes(tmp_path: Path) -> None:
    """As git re-checks a "racily clean" file: the command after a write reads the young file's bytes, finds them
    those the index read, and answers; it takes no lock and writes neither the manifest nor the stamp."""
    from vault_tool.search import freshness

    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada", "Bob")})
    freshness.refresh(vault, TODAY)
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA.replace("vip", "vvip"))  # just written: too young to trust
    assert freshness.refresh(vault, TODAY).reread == 1
    shelf = freshness.CONTACTS
    written = {path: path.read_bytes() for path in (shelf.stamp(vault.state_dir), shelf.manifest(vault.state_dir))}
    assert json.loads(written[shelf.stamp(vault.state_dir)])["racy_files"] == ["ada.md"]
    for _ in range(2):
        again = freshness.refresh(vault, TODAY)
        assert (again.reread, again.removed) == (0, 0)
        assert {path: path.read_bytes() for path in written} == written
    (vault.contacts_dir / "cy.md").write_text(ADA.replace("Ada", "Cy"))  # a stat changed: the manifest is read
    assert freshness.refresh(vault, TODAY).reread == 1
    assert names(vault) == ["Ada Lovelace", "Bob Lovelace", "Cy Lovelace"]


def test_an_update_leaves_no_cycle_that_keeps_its_callers_alive(tmp_path: Path) -> None:
    """Reading commands run with the collector off: an update that writes the index leaves no reference cycle
    through its frames (which hold the scan of every file) for the collector to find."""
    import gc
    import types

    from vault_tool.search import freshness

    vault = vault_with(tmp_path, {"ada.md": ADA})
    freshness.refresh(vault, TODAY)
    (vault.contacts_dir / "bob.md").write_text(ADA.replace("Ada", "Bob"))
    gc.collect()
    gc.disable()
    try:
        assert freshness.refresh(vault, TODAY).reread == 1
        held = [o.f_code.co_name for o in gc.get_objects() if isinstance(o, types.FrameType)
                and o.f_code.co_filename == freshness.__file__]
    finally:
        gc.enable()
    assert held == []


def test_many_young_files_are_confirmed_once_and_the_manifest_written(tmp_path: Path) -> None:
    """From RACY_CONFIRMED_MAX young files on, the next command confirms them under the lock and writes the manifest."""
    from vault_tool.search import freshness

    vault = vault_with(tmp_path, {"ada.md": ADA})
    freshness.refresh(vault, TODAY)
    for n in range(freshness.RACY_CONFIRMED_MAX):
        (vault.contacts_dir / f"c{n}.md").write_text(ADA.replace("Ada", f"C{n}"))
    assert freshness.refresh(vault, TODAY).reread == freshness.RACY_CONFIRMED_MAX
    stamp = freshness.CONTACTS.stamp(vault.state_dir)
    assert "racy_files" not in json.loads(stamp.read_bytes())
    before = stamp.read_bytes()
    assert freshness.refresh(vault, TODAY).reread == 0  # their bytes the same: none read into the index again
    assert stamp.read_bytes() != before


def test_a_deal_indexed_while_young_is_not_indexed_again_once_its_bytes_are_found_the_same(tmp_path: Path) -> None:
    """The deals' index confirms a young file by its bytes as the contacts' does."""
    from vault_tool.search import freshness
    from vault_tool.search.deals import SHELF

    vault = vault_with(tmp_path, {"ada.md": ADA})
    (vault.root / "deals").mkdir()
    deal = vault.root / "deals" / "renewal.md"
    deal.write_text("---\nname: Renewal\nstage: lead\n---\n", encoding="utf-8")  # just written
    assert freshness.refresh(vault, TODAY, shelf=SHELF).reread == 1
    age(deal)  # older now, its bytes the same: not read and indexed again
    assert freshness.refresh(vault, TODAY, shelf=SHELF).reread == 0


def test_a_broken_file_is_reported_every_time_and_comes_back_when_fixed(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "bad.md": "---\nname: [unclosed\n---\n"})
    for _ in range(2):  # from the files, then from the index
        loaded = load_summaries(vault, TODAY)
        assert [s.handle for s in loaded.items] == ["ada"]
        [problem] = loaded.problems
        assert problem.path == vault.contacts_dir / "bad.md" and "invalid YAML" in problem.message
    bad = vault.contacts_dir / "bad.md"
    bad.write_text("---\nname: Fixed\n---\n")
    age(bad, 3)
    assert names(vault) == ["Ada Lovelace", "Fixed"]


def test_a_query_limits_to_the_contacts_it_matches(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob")})
    only = "name:bob"
    assert [s.name for s in load_summaries(vault, TODAY, only).items] == ["Bob"]




def test_no_reading_command_parses_a_contact_file_when_nothing_changed(tmp_path: Path, monkeypatch) -> None:
    """Agenda, tasks, stale and reports answer from the index alone once it is up to date."""
    from vault_tool.followups.agenda import agenda, stale_contacts, tasks
    from vault_tool.format import contact as contact_mod

    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob")})
    assert names(vault) == ["Ada Lovelace", "Bob"]  # builds the index

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a contact file was parsed")

    monkeypatch.setattr(contact_mod, "parse", refuse)
    assert [i.contact.name for i in tasks(vault, today=TODAY).items] == ["Ada Lovelace", "Bob"]
    assert [i.contact.name for i in agenda(vault, today=TODAY).due] == ["Ada Lovelace", "Bob"]
    assert stale_contacts(vault, days=30, today=TODAY).items == []
    assert names(vault) == ["Ada Lovelace", "Bob"]


def test_a_contact_named_by_name_or_email_is_found_in_the_index_and_only_its_file_is_read(
    tmp_path: Path, invoke, monkeypatch,
) -> None:
    """`show`, `log` and every command that takes a CONTACT find it by name, email or the start of a word in
    the index (brought up to date first), and parse only the file of the contact found."""
    from vault_tool.format import contact as contact_mod

    vault = vault_with(tmp_path, {
        "ada.md": ADA.replace("stage: lead", "emails: [ada@example.com]"),
        "bob.md": ADA.replace("Ada Lovelace", "Bob Zoë Müller"),
        "broken.md": "---\nname: Carla Broken\nstage: [\n---\n",
    })
    root = str(vault.root)
    assert invoke("-C", root, "list").exit_code == 0  # the index is up to date
    read: list[str] = []
    parse = contact_mod.parse

    def counted(path: Path, *args: object, **kwargs: object) -> object:
        read.append(path.name)
        return parse(path, *args, **kwargs)

    monkeypatch.setattr(contact_mod, "parse", counted)
    for query, handle in (("ADA@example.com", "ada"), ("Bob Zoe Muller", "bob"), ("mull", "bob"), ("love", "ada")):
        read.clear()
        result = invoke("-C", root, "show", query, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["handle"] == handle and read == [f"{handle}.md"]
    bob = vault.root / "contacts" / "bob.md"
    bob.write_text(bob.read_text().replace("Bob Zoë Müller", "Robert Lovelace-Müller"))
    age(bob)
    assert invoke("-C", root, "show", "Bob Zoe Muller").exit_code == 1  # the index follows the edit
    assert json.loads(invoke("-C", root, "show", "robert", "--format", "json").stdout)["handle"] == "bob"
    missing = invoke("-C", root, "show", "carla")
    assert missing.exit_code != 0 and "broken.md" in missing.output and "does not parse" in missing.output
    ambiguous = invoke("-C", root, "show", "love")
    assert ambiguous.exit_code != 0 and "matches 2 contacts: ada, bob" in ambiguous.output


def test_a_handle_in_a_subfolder_is_found_in_the_index_and_one_in_two_folders_is_ambiguous(
    tmp_path: Path, invoke, monkeypatch,
) -> None:
    """A handle whose file is not contacts/HANDLE.md is looked for among the index's files, as among a listing
    of contacts/: found when one file has that name, named by both paths when two have."""
    from vault_tool.format import contact as contact_mod

    vault = vault_with(tmp_path, {"team/ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob"),
                                  "a/cy.md": ADA.replace("Ada Lovelace", "Cy"), "b/cy.md": ADA.replace("Ada", "Cy")})
    root = str(vault.root)
    assert invoke("-C", root, "list").exit_code == 0  # the index is up to date
    read: list[str] = []
    parse = contact_mod.parse

    def counted(path: Path, *args: object, **kwargs: object) -> object:
        read.append(path.relative_to(vault.root).as_posix())
        return parse(path, *args, **kwargs)

    monkeypatch.setattr(contact_mod, "parse", counted)
    found = invoke("-C", root, "show", "ada", "--format", "json")
    assert found.exit_code == 0 and json.loads(found.stdout)["handle"] == "ada" and read == ["contacts/team/ada.md"]
    both = invoke("-C", root, "show", "cy")
    assert both.exit_code != 0 and "contacts/a/cy.md, contacts/b/cy.md" in both.output


def test_a_contact_in_a_folder_named_like_a_contact_file_is_listed_found_and_checked(tmp_path: Path) -> None:
    """One definition of the contact files serves the vault, the index and the checks."""
    from vault_tool.search.run import search
    from vault_tool.team.check.run import run_checks

    vault = vault_with(tmp_path, {"odd.md/zed.md": ADA.replace("Ada Lovelace", "Zed Odd")})
    assert [p.relative_to(vault.root).as_posix() for p in vault.files()] == ["contacts/odd.md/zed.md"]
    assert [row["handle"] for row in search(vault, "zed", TODAY).rows] == ["zed"]
    assert run_checks(vault.root, TODAY).files == 1


def files_read(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The names of the files `check` reads from now on, as it reads them."""
    from vault_tool.team.check import run as check_run

    read: list[str] = []
    real = check_run.read_record

    def reading(path: Path):  # type: ignore[no-untyped-def]
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(check_run, "read_record", reading)
    return read


def test_check_reads_only_the_files_that_changed_since_the_last_check(tmp_path: Path, monkeypatch) -> None:
    from vault_tool.team.check import run as check_run

    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob").replace("vip", "x")})
    first = check_run.run_checks(vault.root, TODAY)
    read = files_read(monkeypatch)
    assert check_run.run_checks(vault.root, TODAY).problems == first.problems and read == []
    bob = vault.contacts_dir / "bob.md"
    bob.write_text(bob.read_text().replace("stage: lead", "stage: [lead"))
    age(bob, 5)
    again = check_run.run_checks(vault.root, TODAY)
    assert read == ["bob.md"] and any("bob.md" in str(p.path) for p in again.problems)


def test_a_kept_check_result_that_depends_on_today_is_checked_again_when_the_day_comes(tmp_path: Path) -> None:
    """A birthday in the future is a problem until that day; the kept result does not outlive it."""
    from vault_tool.team.check.run import run_checks

    vault = vault_with(tmp_path, {"ada.md": ADA.replace("tags: [vip]", "birthday: 2026-12-01\ntags: [vip]")})
    future = [p.message for p in run_checks(vault.root, TODAY).problems]
    assert any("in the future" in message for message in future)
    later = [p.message for p in run_checks(vault.root, dt.date(2026, 12, 2)).problems]
    assert not any("in the future" in message for message in later)
    earlier = [p.message for p in run_checks(vault.root, TODAY).problems]  # going back: all checked again
    assert earlier == future


def test_an_appointment_or_a_task_ahead_does_not_make_its_file_be_checked_again_the_next_days(
    tmp_path: Path, monkeypatch,
) -> None:
    """Only a birthday in the future and a date too far ahead read differently on a later day: a file with an
    appointment next week and a task due next month is checked once, and its kept result serves every day after
    (the first check of each day of a large vault read every such file again)."""
    from vault_tool.team.check import run as check_run

    planned = ADA + "\n## 2026-11-30 meeting — Planned\n- [ ] Send the offer due:2026-12-20\n"
    far = ADA + "\n## 2037-02-01 call — Far ahead\n"
    vault = vault_with(tmp_path, {"ada.md": planned, "far.md": far})
    first = check_run.run_checks(vault.root, TODAY)
    read = files_read(monkeypatch)
    for day in (dt.date(2026, 11, 24), dt.date(2026, 12, 1), dt.date(2026, 12, 21)):
        assert check_run.run_checks(vault.root, day).problems == first.problems and read == []
    assert any("years ahead" in p.message for p in first.problems)
    later = check_run.run_checks(vault.root, dt.date(2027, 1, 1))  # 2037 is no longer more than 10 years ahead
    assert read == ["far.md"] and not any("years ahead" in p.message for p in later.problems)


def test_the_checks_of_the_deals_are_kept_from_day_to_day_until_a_date_could_read_differently(tmp_path: Path) -> None:
    """A deal closing next week is checked once; a close date too far ahead is checked again the first day it
    no longer is (the checks of 10,000 deals were made again every morning)."""
    from vault_tool.team.check.run import run_checks

    vault = vault_with(tmp_path, {"ada.md": ADA})
    deals = vault.root / "deals"
    deals.mkdir()
    for handle, close in (("soon", "2026-11-30"), ("far", "2037-03-01")):
        (deals / f"{handle}.md").write_text(f"---\nname: {handle}\nstage: lead\nclose: {close}\n---\n")
        age(deals / f"{handle}.md")
    first = run_checks(vault.root, TODAY).problems
    kept = vault.root / ".vault" / "check-deals"
    made = kept.stat().st_mtime_ns
    assert any("far.md" in str(p.path) and "years ahead" in p.message for p in first)
    assert run_checks(vault.root, dt.date(2026, 12, 1)).problems == first and kept.stat().st_mtime_ns == made
    later = run_checks(vault.root, dt.date(2027, 1, 1)).problems
    assert not any("years ahead" in p.message for p in later) and kept.stat().st_mtime_ns != made


def test_a_query_selects_through_the_index_and_reads_only_the_files_it_matches(tmp_path: Path, monkeypatch) -> None:
    """`export QUERY` and `tasks QUERY` read whole contacts only for what the query matches."""
    from vault_tool.format import contact as contact_mod
    from vault_tool.search.selection import select

    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob"),
                                  "bad.md": "---\nname: [unclosed\n---\n"})
    assert names(vault) == ["Ada Lovelace", "Bob"]  # the index is built
    parsed: list[str] = []
    real = contact_mod.parse

    def parse(path: Path, data: bytes):  # type: ignore[no-untyped-def]
        parsed.append(path.name)
        return real(path, data)

    monkeypatch.setattr(contact_mod, "parse", parse)
    chosen = select(vault, "name:bob")
    assert [c.name for c in chosen.contacts] == ["Bob"] and parsed == ["bob.md"]
    assert [p.path.name for p in chosen.problems] == ["bad.md"]  # still named: it may have matched


def test_vault_wide_problems_are_kept_while_nothing_changes_and_found_again_after_an_edit(tmp_path: Path) -> None:
    from vault_tool.team.check.run import run_checks

    shared = ADA.replace("tags: [vip]", "emails: [same@example.com]\ntags: [vip]")
    vault = vault_with(tmp_path, {"ada.md": shared, "bob.md": shared.replace("Ada Lovelace", "Bob")})

    def duplicates() -> list[str]:
        return sorted(p.path.name for p in run_checks(vault.root, TODAY).problems if p.check == "duplicate")

    assert duplicates() == ["ada.md", "bob.md"]
    assert duplicates() == ["ada.md", "bob.md"]  # kept
    bob = vault.contacts_dir / "bob.md"
    bob.write_text(bob.read_text().replace("same@example.com", "bob@example.com"))
    age(bob, 5)
    assert duplicates() == []


def test_every_reading_command_says_when_it_rebuilds_the_index(tmp_path: Path, invoke) -> None:
    """A rebuild can take minutes on a large vault: the command that waited for it says why, once."""
    import json

    vault = vault_with(tmp_path, {"ada.md": ADA})
    stamp = vault.state_dir / "index-stamp.json"
    for command in (["agenda"], ["tasks"], ["stale"], ["remind"], ["report"], ["segments"], ["dupes"], ["search", "x"]):
        invoke("-C", vault.root, "--today", "2026-11-23", *command)  # the index up to date
        data = json.loads(stamp.read_text())
        stamp.write_text(json.dumps({**data, "settings": "an older version"}))
        result = invoke("-C", vault.root, "--today", "2026-11-23", *command)
        notices = [line for line in result.stderr.splitlines() if line.startswith("notice:")]
        assert len(notices) == 1 and "another version" in notices[0], (command, result.stderr)


def test_an_unchanged_vault_is_checked_from_the_last_checks_summary(tmp_path: Path, monkeypatch) -> None:
    from vault_tool.team.check import kept
    from vault_tool.team.check import run as check_run

    vault = vault_with(tmp_path, {"ada.md": ADA.replace("stage: lead", "stage: [lead"), "bob.md": ADA})
    first = check_run.run_checks(vault.root, TODAY).problems
    assert any(p.path.name == "ada.md" for p in first)

    def no_results(*args: object) -> kept.Kept:
        raise AssertionError("the kept results were read")

    monkeypatch.setattr(kept, "load", no_results)
    assert check_run.run_checks(vault.root, TODAY).problems == first  # from the summary alone
    monkeypatch.undo()
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA)
    age(ada, 5)
    assert not any(p.path.name == "ada.md" for p in check_run.run_checks(vault.root, TODAY).problems)
    assert check_run.run_checks(vault.root, TODAY + dt.timedelta(days=1)).problems == []  # and the next day


def test_a_file_too_young_to_trust_is_checked_again_even_when_nothing_else_changed(tmp_path: Path) -> None:
    """An edit within the clock's resolution keeps size and time: the summary does not hide it."""
    from vault_tool.team.check.run import run_checks

    vault = vault_with(tmp_path, {"bob.md": ADA})
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA)  # just written: too young to trust its stat
    assert run_checks(vault.root, TODAY).problems == []
    stamp = os.stat(ada)
    ada.write_text(ADA.replace("stage: lead", "stage: [lea"))  # same size; the old time put back
    os.utime(ada, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert [p.path.name for p in run_checks(vault.root, TODAY).problems] == ["ada.md"]


_PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=30), inner, max_size=4),
    max_leaves=20,
)


@given(_PLAIN)
def test_a_column_reads_back_what_was_written_with_its_short_strings_shared(data: object) -> None:
    """Views and facts are marshalled with their keys and short strings interned: read back equal, and each
    short string one object however many contacts hold it."""
    import marshal

    from vault_tool.search.view import column_bytes

    assert marshal.loads(column_bytes(data)) == data
    first, second = marshal.loads(column_bytes({"stage": "lead"})), marshal.loads(column_bytes({"stage": "lead"}))
    assert first["stage"] is second["stage"]


def test_after_one_edit_check_reads_the_kept_results_of_that_files_part_alone(tmp_path: Path, monkeypatch) -> None:
    """The kept results are in parts: an edit that changes no fact the vault-wide checks read (here a birthday in
    the future) reads and checks one part again; the others give their problems as kept. Files removed and
    added are seen too (the vault-wide checks then read every part's facts)."""
    from vault_tool.team.check import kept
    from vault_tool.team.check.run import run_checks

    files = {f"c{n:03}.md": ADA.replace("Ada Lovelace", f"Person {n}") for n in range(120)}
    files["c007.md"] = files["c007.md"].replace("stage: lead", "stage: [lead")
    vault = vault_with(tmp_path, files)
    first = run_checks(vault.root, TODAY).problems
    assert [p.path.name for p in first if p.severity == "error"] == ["c007.md"]
    read: list[int] = []
    real = kept.Kept.entries

    def entries(self: kept.Kept, number: int) -> dict[str, kept.Entry]:
        read.append(number)
        return real(self, number)

    monkeypatch.setattr(kept.Kept, "entries", entries)
    edited = vault.contacts_dir / "c042.md"
    edited.write_text(files["c042.md"].replace("tags: [vip]", "birthday: 2030-01-01\ntags: [vip]"))
    age(edited, 5)
    again = run_checks(vault.root, TODAY).problems
    assert read == [kept.part_of("c042.md")]
    assert [p.path.name for p in again if p.severity == "error"] == ["c007.md", "c042.md"]
    assert [p.path.name for p in again if "in the future" in p.message] == ["c042.md"]
    (vault.contacts_dir / "c007.md").unlink()
    added = vault.contacts_dir / "new.md"
    added.write_text(files["c007.md"])
    age(added, 5)
    after = run_checks(vault.root, TODAY).problems
    assert [p.path.name for p in after if p.severity == "error"] == ["c042.md", "new.md"]
    assert [p.path.name for p in after if "in the future" in p.message] == ["c042.md"]
    assert [str(p) for p in run_checks(vault.root, TODAY + dt.timedelta(days=1)).problems] == [str(p) for p in after]


def test_views_read_from_a_column_read_whole_are_those_read_one_by_one(tmp_path: Path, monkeypatch) -> None:
    """Many views are read from their column in blocks of many values (columns._values); the same, value for
    value, as Whoosh's reader gives them one at a time, deleted documents left out either way."""
    from vault_tool.followups.agenda import select_tasks
    from vault_tool.search import columns
    from vault_tool.search.selection import views

    files = {f"c{n:02}.md": ADA.replace("Ada Lovelace", f"Person {n}").replace("vip", f"t{n % 3}") for n in range(30)}
    vault = vault_with(tmp_path, files)
    names(vault)
    edited = vault.contacts_dir / "c05.md"  # its old document is deleted, the new one added
    edited.write_text(files["c05.md"].replace("Person 5", "Person Five"))
    age(edited, 5)

    def read() -> tuple[object, ...]:
        summaries = load_summaries(vault, TODAY, "tag:t1")
        tasks = select_tasks(views(vault, TODAY).contacts(), TODAY)
        return ([(s.path, s.name, s.kinds, s.lists, s.fields, s.interactions) for s in summaries.items],
                [(t.contact.name, t.task.text, t.task.due) for t in tasks])

    monkeypatch.setattr(columns, "WHOLE_FROM", 10**9)
    monkeypatch.setattr(columns._Block, "RUN", 4)  # several runs, the last one short
    whole = read()
    monkeypatch.setattr(columns, "WHOLE_FROM", 0)
    assert read() == whole
    assert "Person Five" in [name for name, _, _ in whole[1]] and len(whole[1]) == 30


def test_kept_check_results_that_cannot_be_read_are_checked_again(tmp_path: Path) -> None:
    """A part of `.vault/check-results` whose problems or entries do not unmarshal is not trusted: its files are
    checked again, also when the vault-wide checks need every file's facts."""
    import marshal

    from vault_tool.team.check.run import run_checks

    shared = ADA.replace("tags: [vip]", "emails: [same@example.com]\ntags: [vip]")
    files = {f"c{n:02}.md": shared.replace("Ada Lovelace", f"Person {n}").replace("same@", f"p{n}@") for n in range(40)}
    files["c03.md"] = shared.replace("stage: lead", "stage: [lead")
    files["c04.md"] = shared
    files["c05.md"] = shared.replace("Ada Lovelace", "Ada Twin")
    vault = vault_with(tmp_path, files)

    def found() -> list[str]:
        return sorted(f"{p.path.name}:{p.check}" for p in run_checks(vault.root, TODAY).problems)

    first = found()
    assert first == ["c03.md:parse", "c04.md:duplicate", "c05.md:duplicate"]
    state = vault.state_dir / "check-results"
    (vault.state_dir / "check-summary").unlink()

    def spoil(problems: bool) -> None:
        if problems:
            data = marshal.loads(state.read_bytes())
            data["parts"] = [(part[0], part[1], b"\x00", part[3]) if part else None for part in data["parts"]]
            state.write_bytes(marshal.dumps(data))
        for part in (vault.state_dir / "check-entries").iterdir():
            part.write_bytes(b"\x00")

    spoil(problems=True)
    assert found() == first
    (vault.state_dir / "check-summary").unlink()
    spoil(problems=False)  # the problems read, but not the facts the vault-wide checks now need
    edited = vault.contacts_dir / "c05.md"
    edited.write_text(files["c05.md"].replace("same@example.com", "twin@example.com"))
    age(edited, 5)
    assert found() == ["c03.md:parse"]


def test_a_parts_entries_file_that_is_not_the_one_it_names_is_not_trusted(tmp_path: Path) -> None:
    """Each part's entries are in a file of their own, named by a digest the part keeps: an older file put back
    (a crash between two writes, another check) is not read for the vault-wide checks, which would then see
    an email the contact no longer has."""
    import shutil

    from vault_tool.team.check import kept
    from vault_tool.team.check.run import run_checks

    shared = ADA.replace("tags: [vip]", "emails: [same@example.com]\ntags: [vip]")
    files = {f"c{n:02}.md": shared.replace("Ada Lovelace", f"Person {n}").replace("same@", f"p{n}@") for n in range(40)}
    files["c04.md"], files["c05.md"] = shared, shared.replace("Ada Lovelace", "Ada Twin")
    vault = vault_with(tmp_path, files)

    def found() -> list[str]:
        (vault.state_dir / "check-summary").unlink(missing_ok=True)
        return sorted(f"{p.path.name}:{p.check}" for p in run_checks(vault.root, TODAY).problems)

    assert found() == ["c04.md:duplicate", "c05.md:duplicate"]
    part = vault.state_dir / "check-entries" / f"{kept.part_of('c05.md'):02d}"
    shutil.copy(part, tmp_path / "older")
    twin = vault.contacts_dir / "c05.md"
    twin.write_text(files["c05.md"].replace("same@example.com", "twin@example.com"))
    age(twin, 5)
    assert found() == []
    shutil.copy(tmp_path / "older", part)
    other = next(rel for rel in files if kept.part_of(rel) != kept.part_of("c05.md") and rel not in ("c04.md",))
    edited = vault.contacts_dir / other
    edited.write_text(files[other].replace("@example.com", "@elsewhere.example"))  # a fact: every part's facts read
    age(edited, 5)
    assert found() == []


_HEADING = st.tuples(
    st.dates(dt.date(2026, 11, 1), dt.date(2026, 12, 31)), st.sampled_from(["", "09:30"]),
    st.sampled_from(["call", "email", "meeting"]), st.text("ab —\x1f", max_size=6), st.booleans(),
)


@given(st.lists(_HEADING, max_size=8), st.dates(dt.date(2026, 10, 25), dt.date(2027, 1, 5)))
def test_a_contact_rebuilt_from_its_view_answers_follow_ups_as_the_parsed_contact_does(
    headings: list[tuple[dt.date, str, str, str, bool]], today: dt.date,
) -> None:
    """The last contact, whether one is planned, and the interactions follow-ups look at (the last one and every
    later one) are the same from the stored headings, in date order and bisected, as from the parsed file."""
    from vault_tool.format.body import Interaction
    from vault_tool.format.contact import Contact
    from vault_tool.search.view import contact_of, follow_of, view_of

    parsed = Contact("ada", {"name": "Ada"}, interactions=[
        Interaction(day, kind, summary, "", time or None, line, logged)
        for line, (day, time, kind, summary, logged) in enumerate(headings, 1)
    ])
    rebuilt = contact_of(follow_of(view_of(parsed, "contacts/ada.md")), Path("/v"), today)
    last = parsed.last_contact(today)
    assert rebuilt.last_contact(today) == last
    assert rebuilt.has_appointment(today) == parsed.has_appointment(today)
    looked_at = [i for i in parsed.interactions if last is None or i.date >= last]
    key = lambda i: (i.date, i.line)  # noqa: E731
    assert sorted((i.date, i.line, i.kind, i.logged) for i in rebuilt.interactions) == \
        sorted((i.date, i.line, i.kind, i.logged) for i in looked_at)
    assert [i.line for i in sorted(rebuilt.interactions, key=key)] == [i.line for i in sorted(looked_at, key=key)]


def test_a_report_counts_the_same_from_the_small_summary_as_from_every_field(tmp_path: Path) -> None:
    """A report by stage, owner, tag or kind reads only the `summary` column; by any other field, the fields beside
    it too. Either way each contact counts under the same values, a list written where a scalar is usual too."""
    from vault_tool.reports.tally import field_values

    odd = "---\nname: Bo\nstage: [lead, customer]\nowner: dana\ncompany: Acme\n---\n"
    vault = vault_with(tmp_path, {"ada.md": ADA, "bo.md": odd, "cy.md": "---\nname: Cy\ntags: []\n---\n"})
    whole = {item.path: item for item in load_summaries(vault, TODAY).items}
    for by in ("stage", "owner", "tag", "kind", "company", "employees", "name"):
        wanted = {"tags" if by == "tag" else by}
        for item in load_summaries(vault, TODAY, only=wanted).items:
            assert field_values(item, by) == field_values(whole[item.path], by), (by, item.path)
    assert field_values(whole["contacts/bo.md"], "stage") == ["lead", "customer"]


def test_the_kept_checks_of_the_deals_see_a_contact_added_or_renamed(tmp_path: Path) -> None:
    """The checks of the deals are kept while the contact files are the same files: a deal naming a contact that
    is added, or renamed away, is checked again."""
    from vault_tool.team.check.run import run_checks

    vault = vault_with(tmp_path, {"ada.md": ADA})
    deals = vault.root / "deals"
    deals.mkdir()
    (deals / "deal.md").write_text("---\nname: Deal\nstage: lead\ncontacts: [zed]\n---\n")
    age(deals / "deal.md")

    def unknown() -> bool:
        return any("'zed' is no contact's handle" in p.message for p in run_checks(vault.root, TODAY).problems)

    assert unknown()
    zed = vault.root / "contacts" / "zed.md"
    zed.write_text(ADA.replace("Ada Lovelace", "Zed"))
    age(zed)
    assert not unknown()
    zed.rename(zed.with_name("zed-2.md"))
    assert unknown()
