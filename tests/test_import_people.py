"""`contacts import` finds people, not rows: the same uid or email is a duplicate, a shared phone is not.

A card with neither uid nor email is a duplicate of the contact with its name and organisation when
nothing (another email, phone, birthday or kind) tells them apart, so a file imported twice adds nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, commit_count, ok

REALWORLD = ROOT.parent / "shared" / "realworld" / "interop"
OUTLOOK = REALWORLD / "csv" / "folkerkinzel" / "Outlook365.csv"
SINGLE_CARDS = [REALWORLD / "vcard" / "khard" / "korean-c.vcf", REALWORLD / "vcard" / "folkerkinzel" / "ansi-Greek.vcf",
                REALWORLD / "vcard" / "folkerkinzel" / "ansi-Hebrew.vcf"]


def cards(path: Path, *bodies: str) -> Path:
    path.write_text("".join(f"BEGIN:VCARD\nVERSION:3.0\n{body.strip()}\nEND:VCARD\n" for body in bodies),
                    encoding="utf-8")
    return path


def handles(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "contacts").rglob("*.md"))


def front(root: Path, handle: str) -> str:
    return (root / "contacts" / f"{handle}.md").read_text(encoding="utf-8").split("\n---", 1)[0]


# A shared phone number is no duplicate


@pytest.mark.skipif(not OUTLOOK.is_file(), reason="the real-world Outlook CSV is not there")
def test_outlooks_contoso_people_sharing_a_switchboard_are_all_imported(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "import", OUTLOOK)

    ok(result)
    assert "skipped" not in result.stdout
    assert "6 added, 0 merged" in result.stdout
    assert {"anita-jorgensen", "anne-mette-olesen", "dorena-paschke", "kemal-celik", "shiori-inoue"} <= set(
        handles(empty_vault))
    for handle in ("anne-mette-olesen", "shiori-inoue"):
        assert '555-555-1212' in front(empty_vault, handle)
    # Five people at one company share the number: a switchboard, which check does not call an error.
    check = invoke("-C", empty_vault, "check")
    assert check.exit_code == 0, check.output
    assert ": warning: the phone number 555-555-1212 is also on " in check.stdout


def test_a_shared_phone_alone_adds_both_people_and_dupes_still_lists_them(empty_vault: Path, invoke,
                                                                           tmp_path: Path) -> None:
    source = cards(tmp_path / "home.vcf",
                   "FN:Jane Smith\nEMAIL:jane@smith.example\nTEL:+44 20 7946 0123",
                   "FN:John Smith\nEMAIL:john@smith.example\nTEL:+44 20 7946 0123")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert result.stdout.startswith("2 added, 0 merged\n")
    assert handles(empty_vault) == ["jane-smith", "john-smith"]
    dupes = invoke("-C", empty_vault, "dupes", "--format", "json")
    ok(dupes)
    assert [(g["handles"], g["reasons"]) for g in json.loads(dupes.stdout)] == [
        (["jane-smith", "john-smith"], ["same phone +44 20 7946 0123"])]


def test_a_shared_phone_merges_nothing_into_another_person(vault: Path, invoke, tmp_path: Path) -> None:
    ada = front(vault, "ada-lovelace")
    phone = ada.split('phones: ["')[1].split('"')[0]
    source = cards(tmp_path / "office.vcf", f"FN:Rita Reception\nEMAIL:rita@analytical.example\nTEL:{phone}")

    result = invoke("-C", vault, "import", source, "--on-duplicate", "merge")

    ok(result)
    assert result.stdout.startswith("1 added, 0 merged\n")
    assert "rita-reception" in handles(vault)
    assert front(vault, "ada-lovelace") == ada


def test_the_same_email_or_uid_is_still_a_duplicate(vault: Path, invoke, tmp_path: Path) -> None:
    uid = front(vault, "ada-lovelace").split("uid: ")[1].split("\n")[0]
    source = cards(tmp_path / "again.vcf", "FN:A. Lovelace\nEMAIL:ADA@analytical.example\nTEL:+44 7700 900999",
                   f"FN:The Countess\nUID:{uid}")

    result = invoke("-C", vault, "import", source)

    ok(result)
    assert result.stdout.splitlines()[:3] == [
        f"skipped {source}:1 (A. Lovelace): duplicate of ada-lovelace: same email ADA@analytical.example",
        f"skipped {source}:7 (The Countess): duplicate of ada-lovelace: same uid {uid}",
        "0 added, 0 merged, 2 skipped as duplicates",
    ]


# A card with no uid or email: its name and organisation, and nothing that tells them apart


@pytest.mark.parametrize("card,duplicate", [
    ("FN:KIM  PARK\nORG:hanbit", True),  # the same name and company (case, spaces), less said: the same person
    ("FN:Kim Park\nORG:Hanbit\nTEL:+82 2 312 3456\nNOTE:Met in Seoul", True),
    ("FN:Kim Park\nORG:Hanbit\nTEL:+82 2 999 0000", False),  # another phone number: someone else
    ("FN:Kim Park\nORG:Hanbit\nBDAY:1991-07-08", False),  # another birthday
    ("FN:Kim Park\nORG:Other Co", False),  # another company
    ("FN:Kim Park", False),  # no company: not the one at Hanbit
    ("FN:Kim Park\nORG:Hanbit\nKIND:org", False),  # an organisation is not a person
])
def test_a_name_and_organisation_with_nothing_different_is_a_duplicate(empty_vault: Path, invoke, tmp_path: Path,
                                                                       card: str, duplicate: bool) -> None:
    ok(invoke("-C", empty_vault, "import", cards(tmp_path / "first.vcf",
                                                  "FN:Kim Park\nORG:Hanbit\nTEL:+82 2 312 3456\nBDAY:1980-02-03")))
    again = cards(tmp_path / "again.vcf", card)

    result = invoke("-C", empty_vault, "import", again, "--dry-run")

    ok(result)
    first = result.stdout.splitlines()[0]
    if duplicate:
        name = card.split("\n")[0][3:]
        company = card.split("ORG:")[1].split("\n")[0]
        assert first == (f"skipped {again}:1 ({name}): duplicate of kim-park: same name {name} at {company} "
                         "(no uid or email; nothing different)")
    else:
        assert first.startswith(f"would add {again}:1 (Kim Park) as kim-park-2")


def test_a_name_only_duplicate_merges_what_is_new(empty_vault: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", empty_vault, "import", cards(tmp_path / "a.vcf", "FN:Σωκράτης Παππάς")))
    more = cards(tmp_path / "b.vcf", "FN:Σωκράτης Παππάς\nTEL:+30 21 0123 4567")

    result = invoke("-C", empty_vault, "import", more, "--on-duplicate", "merge")

    ok(result)
    assert "1 merged" in result.stdout
    assert handles(empty_vault) == ["sokratis-pappas"]
    assert '"+30 21 0123 4567"' in front(empty_vault, "sokratis-pappas")


def test_a_card_with_a_uid_or_email_is_not_matched_by_name(empty_vault: Path, invoke, tmp_path: Path) -> None:
    ok(invoke("-C", empty_vault, "import", cards(tmp_path / "a.vcf", "FN:Lee Chan")))
    other = cards(tmp_path / "b.vcf", "FN:Lee Chan\nEMAIL:lee@chan.example", "FN:Lee Chan\nUID:urn:uuid:1234")

    result = invoke("-C", empty_vault, "import", other)

    ok(result)
    assert result.stdout.startswith("2 added, 0 merged\n")
    assert handles(empty_vault) == ["lee-chan", "lee-chan-2", "lee-chan-3"]


def test_a_new_uid_for_a_clash_is_a_uid_of_its_own(vault: Path, invoke, tmp_path: Path) -> None:
    uid = front(vault, "ada-lovelace").split("uid: ")[1].split("\n")[0]
    source = cards(tmp_path / "clash.vcf", f"FN:Ada Copy\nUID:{uid}", f"FN:Ada Copy Two\nUID:{uid}")

    result = invoke("-C", vault, "import", source, "--on-duplicate", "new")

    ok(result)
    made = {front(vault, h).split("uid: ")[1].split("\n")[0] for h in ("ada-copy", "ada-copy-two")}
    assert len(made) == 2 and uid not in made


# The same file twice adds nothing


def test_a_thousand_cards_with_only_names_imported_twice_are_a_thousand_contacts(empty_vault: Path, invoke,
                                                                                  tmp_path: Path) -> None:
    source = cards(tmp_path / "many.vcf", *(f"FN:Person {n:04d} Example\nN:Example;Person {n:04d};;;"
                                            for n in range(1000)))
    first = invoke("-C", empty_vault, "import", source)
    ok(first)
    assert first.stdout.startswith("1000 added, 0 merged\n")
    commits = commit_count(empty_vault)

    second = invoke("-C", empty_vault, "import", source)

    ok(second)
    assert second.stdout.splitlines()[-1] == "0 added, 0 merged, 1000 skipped as duplicates"
    assert len(handles(empty_vault)) == 1000
    assert commit_count(empty_vault) == commits


@pytest.mark.parametrize("path", SINGLE_CARDS, ids=lambda p: p.name)
def test_a_real_card_with_no_uid_email_or_phone_imported_twice_is_one_contact(empty_vault: Path, invoke,
                                                                              path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    ok(invoke("-C", empty_vault, "import", path))
    made = handles(empty_vault)
    assert len(made) == 1

    again = invoke("-C", empty_vault, "import", path)

    ok(again)
    assert again.stdout.splitlines()[-1] == "0 added, 0 merged, 1 skipped as duplicates"
    assert "same name" in again.stdout
    assert handles(empty_vault) == made
