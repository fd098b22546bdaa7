"""LinkedIn's Connections.csv: a `Notes:` block before the header, then one row per connection."""
from __future__ import annotations

from pathlib import Path

from conftest import ok

from vault_tool.format.contact import parse
from vault_tool.interop import csv_format

CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Grace,Hopper,https://www.linkedin.com/in/grace-hopper,grace@navy.example,US Navy,Rear Admiral,15 Mar 2024\n"
    "Alan,Turing,https://www.linkedin.com/in/alan-turing,,Bletchley Park,Cryptanalyst,02 Jan 2023\n"
)


def test_a_linkedin_export_reads_after_its_notes_block() -> None:
    result = csv_format.read(CONNECTIONS.encode("utf-8"))

    assert not result.problems
    grace, alan = result.records
    assert grace.line == 5 and alan.line == 6
    assert grace.meta == {
        "name": "Grace Hopper", "emails": ["grace@navy.example"], "company": "US Navy", "title": "Rear Admiral",
        "met": "2024-03-15", "links": {"linkedin": "https://www.linkedin.com/in/grace-hopper"},
    }
    assert alan.meta["met"] == "2023-01-02"
    assert "emails" not in alan.meta


def test_a_connection_date_that_is_no_date_is_kept_with_a_warning() -> None:
    data = "First Name,Last Name,Connected On\nAda,Lovelace,sometime\n".encode()

    record = csv_format.read(data).records[0]

    assert record.meta["met"] == "sometime"
    assert record.warnings == ["its connection date 'sometime' is not a date for sure: kept as written"]


def test_importing_connections_writes_the_contacts(tmp_path: Path, empty_vault: Path, invoke) -> None:
    source = tmp_path / "Connections.csv"
    source.write_text(CONNECTIONS, encoding="utf-8")

    result = invoke("-C", empty_vault, "import", source)

    ok(result)
    assert "2 added" in result.output
    path = empty_vault / "contacts" / "grace-hopper.md"
    grace = parse(path, path.read_bytes(), "grace-hopper")
    assert grace.meta["met"] == "2024-03-15"
    assert grace.meta["title"] == "Rear Admiral"
    assert grace.meta["links"] == {"linkedin": "https://www.linkedin.com/in/grace-hopper"}
