"""A clean import leaves a vault `contacts check` passes: values kept as written are warnings, not errors.

An email, phone number or link that is none (`TEL:+1-800-MYFAX`) is kept as written, counted in the
import's summary, and marked by a line of its property under `vcard:`; check lists it as a warning
while that line holds it, and as an error once the value is typed by hand.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, no_traceback, ok

SHARED = ROOT.parent / "shared"
FOLDERS = sorted(
    {path.parent for base in (SHARED / "realworld" / "interop", SHARED / "testdata")
     for pattern in ("*.vcf", "*.csv") for path in base.rglob(pattern) if base.is_dir()}
)

CARD = """BEGIN:VCARD
VERSION:3.0
FN:Fax Machine
TEL:+1-800-MYFAX
TEL;TYPE=CELL:+1 202 555 0143
EMAIL:contact1@invalid
URL:www.example.de
END:VCARD
"""


def problems(invoke, root: Path) -> tuple[int, list[dict[str, object]]]:
    result = invoke("-C", root, "check", "--format", "json")
    no_traceback(result)
    return result.exit_code, json.loads(result.stdout)["problems"]


def test_values_that_are_none_are_kept_counted_and_warned_about(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "fax.vcf"
    source.write_text(CARD, encoding="utf-8")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert result.stdout.splitlines()[:2] == [
        (f"added {source}:1 (Fax Machine) as fax-machine; kept as written, for a look (contacts check lists it): "
         "email 'contact1@invalid', phone '+1-800-MYFAX', link 'www.example.de'"),
        "1 added, 0 merged, 3 values need a look: contacts check",
    ]
    text = (empty_vault / "contacts" / "fax-machine.md").read_text(encoding="utf-8")
    assert 'phones: ["+1-800-MYFAX", "+1 202 555 0143"]' in text
    assert "emails: [contact1@invalid]" in text
    assert "  website: www.example.de" in text
    assert "  TEL: +1-800-MYFAX\n" in text and "  EMAIL: contact1@invalid\n" in text and "  URL: www.example.de\n" in text

    status, found = problems(invoke, empty_vault)
    assert status == 0
    assert [(p["severity"], p["message"]) for p in found] == [
        ("warning", "'contact1@invalid' does not look like an email address (kept as imported: correct it)"),
        ("warning", "'+1-800-MYFAX' is not a possible phone number in region GB (kept as imported: correct it)"),
        ("warning", "link 'website' is not a URL like https://example.com (kept as imported: correct it)"),
    ]


def test_a_value_typed_by_hand_is_an_error_again(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "fax.vcf"
    source.write_text(CARD, encoding="utf-8")
    ok(invoke("-C", empty_vault, "import", source))
    path = empty_vault / "contacts" / "fax-machine.md"
    path.write_text(path.read_text(encoding="utf-8").replace('"+1-800-MYFAX"', '"+1-800-NOFAX"'), encoding="utf-8")
    (empty_vault / "contacts" / "by-hand.md").write_text(
        "---\nname: By Hand\nemails: [someone@invalid]\nvcard:\n  TEL: '12'\n---\n", encoding="utf-8")

    status, found = problems(invoke, empty_vault)

    assert status == 1
    errors = [(Path(str(p["path"])).name, p["message"]) for p in found if p["severity"] == "error"]
    assert errors == [
        ("by-hand.md", "'someone@invalid' does not look like an email address"),
        ("fax-machine.md", "'+1-800-NOFAX' is not a possible phone number in region GB"),
    ]


def test_a_csv_rows_values_are_kept_and_counted_too(empty_vault: Path, invoke, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("First Name,Last Name,E-mail Address,Business Phone,Web Page\n"
                      "Ann,Able,ann@able,Reception,www.able.example\n"
                      "Bob,Baker,bob@baker.example,+44 20 7946 0001,https://baker.example\n", encoding="utf-8")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert "2 added, 0 merged, 3 values need a look: contacts check\n" in result.stdout
    status, found = problems(invoke, empty_vault)
    assert status == 0
    assert len(found) == 3 and all(p["severity"] == "warning" for p in found)
    assert all("(kept as imported: correct it)" in str(p["message"]) for p in found)


def test_a_vaults_own_json_is_imported_as_it_was(vault: Path, invoke, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    ok(invoke("-C", vault, "export", "--format", "jsonl", "-o", backup))
    restored = tmp_path / "restored"
    ok(invoke("init", restored))

    result = invoke("-C", restored, "import", backup)

    ok(result)
    assert "need a look" not in result.stdout
    assert invoke("-C", restored, "export", "--format", "jsonl").stdout == backup.read_text(encoding="utf-8")


@pytest.mark.skipif(not FOLDERS, reason="the real-world vCard and CSV folders are not there")
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: str(p.relative_to(SHARED)))
def test_check_passes_after_importing_each_real_folder(tmp_path: Path, invoke, folder: Path) -> None:
    root = tmp_path / "vault"
    ok(invoke("init", root))

    result = invoke("-C", root, "import", folder)

    no_traceback(result)
    assert result.exit_code in (0, 1), result.output  # 1: a file or card that cannot be read is named
    status, found = problems(invoke, root)
    errors = [f"{p['path']}:{p['line']}: {p['message']}" for p in found if p["severity"] == "error"]
    assert (status, errors) == (0, [])
    summary = next((line for line in result.stdout.splitlines() if " added, " in line), "")
    counted = next((int(part.split()[0]) for part in summary.split(", ") if part.endswith(" a look: contacts check")), 0)
    kept = [p for p in found if "(kept as imported" in str(p["message"])]
    assert counted == len(kept)
