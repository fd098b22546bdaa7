"""`contacts export`: the contacts a query selects, as vCard, CSV, JSON or JSON Lines.

Each format is one entry of FORMATS (interop/export_formats.py): a function
from contacts (and the options) to the bytes of a file. Output goes to one file, to standard output
(the caller writes the bytes), or, for formats that allow it, to a folder
with one file per contact named after its handle (a vdirsyncer or khard
address book for vCard).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from vault_tool.errors import InvalidValueError, ParseError, VaultError
from vault_tool.fileio import atomic_write
from vault_tool.interop.export_formats import FORMATS, ExportFormat, ExportOptions
from vault_tool.search.selection import select
from vault_tool.search.view import Between
from vault_tool.store.vault import Vault


@dataclass
class ExportResult:
    contacts: int
    data: bytes | None = None  # when there is no output path: what to print
    written: list[Path] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)


def check_options(options: ExportOptions) -> ExportFormat:
    from vault_tool.interop.csv_write import DIALECTS
    from vault_tool.interop.vcard import VERSIONS

    if options.format not in FORMATS:
        raise InvalidValueError(f"--format must be one of {', '.join(FORMATS)}, not '{options.format}'")
    if options.vcard_version not in VERSIONS:
        raise InvalidValueError(f"--vcard-version must be one of {', '.join(VERSIONS)}")
    if options.csv_dialect not in DIALECTS:
        raise InvalidValueError(f"--csv-dialect must be one of {', '.join(DIALECTS)}")
    return FORMATS[options.format]


def export(vault: Vault, query: str | None, options: ExportOptions, output: Path | None = None,
           folder: bool = False) -> ExportResult:
    """Export what ``query`` selects (everything when None) to ``output``, or return the bytes.

    With ``folder`` (or an ``output`` that is a folder) each contact is a file of its own in it.
    """
    fmt = check_options(options)
    options = replace(options, today=options.today or vault.today())
    selected = select(vault, query, _candidates(options))
    contacts = sorted(selected.contacts, key=lambda c: c.handle)
    result = ExportResult(len(contacts), problems=selected.problems)
    if output is None:
        result.data = fmt.write(contacts, options)
        return result
    if folder or output.is_dir():
        if not fmt.one_per_contact:
            raise InvalidValueError(f"{output} is a folder: a {options.format} export is one file, give a file name")
        _make_folder(output)
        for contact in contacts:
            target = output / f"{contact.handle}{fmt.suffix}"
            atomic_write(target, fmt.write([contact], options))
            result.written.append(target)
        return result
    if not output.parent.is_dir():
        raise VaultError(f"{output.parent}: no such folder")
    atomic_write(output, fmt.write(contacts, options))
    result.written.append(output)
    return result


def _candidates(options: ExportOptions) -> list[Between] | None:
    """For the calendar feed, only the contacts the index says may have an entry; else every one."""
    if options.format != "ics":
        return None
    from vault_tool.interop.ical import calendar_candidates

    return calendar_candidates(options.today or dt.date.today())


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultError(f"{path}: cannot create the folder ({exc.strerror})") from None
