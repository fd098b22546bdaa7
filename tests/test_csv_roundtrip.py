"""`contacts export --format csv` then `contacts import` into an empty vault gives back the same contacts."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ok

from vault_tool.format.contact import parse

ROW = ("Title,First Name,Middle Name,Last Name,Job Title,Company,E-mail Address,Mobile Phone,Business Phone,"
       "Business Street,Business City,Business Postal Code,Business Country\n"
       "Dr.,Rachel,Ann,Okafor,Partner,Potomac,rachel@example.org,+1 202 555 0147,+1 202 555 0100,"
       "1 K Street NW,Washington,20001,USA\n")


def contacts_of(root: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    out = {}
    for path in sorted((root / "contacts").glob("*.md")):
        meta = dict(parse(path, path.read_bytes(), path.stem).meta)
        meta.pop("uid", None)
        out[path.stem] = meta
    return out


@pytest.mark.parametrize("dialect", ["vault", "google"])
def test_an_exported_csv_imports_back_as_the_same_contacts(tmp_path: Path, invoke, dialect: str) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    ok(invoke("init", first))
    ok(invoke("init", second))
    source = tmp_path / "outlook.csv"
    source.write_text(ROW, encoding="utf-8")
    ok(invoke("-C", first, "import", source))
    exported = tmp_path / "export.csv"
    ok(invoke("-C", first, "export", "--format", "csv", "--csv-dialect", dialect, "-o", exported))

    ok(invoke("-C", second, "import", exported))

    mine, theirs = contacts_of(first), contacts_of(second)
    assert list(theirs) == ["rachel-ann-okafor"]
    for key in ("name", "emails", "phones", "company", "title", "address"):
        assert theirs["rachel-ann-okafor"].get(key) == mine["rachel-ann-okafor"].get(key), key
