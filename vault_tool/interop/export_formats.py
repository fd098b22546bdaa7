"""The export formats: each is one entry of FORMATS, a function from contacts to the bytes of a file.

A new format is one more entry (a writer taking the contacts and the
ExportOptions, the file suffix, whether a folder of one file per contact
makes sense); `contacts export --format` offers every entry.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vault_tool.format.contact import Contact
    from vault_tool.interop.records import Photo


@dataclass
class ExportOptions:
    format: str = "vcard"
    vcard_version: str = "3.0"
    csv_dialect: str = "vault"
    raw_csv: bool = False  # CSV cells exactly as stored (by default a cell a spreadsheet would run gets a `'`)
    today: dt.date | None = None  # for formats with dates relative to today (the vault's today when None)


Writer = Callable[[Sequence["Contact"], "ExportOptions"], bytes]


@dataclass(frozen=True)
class ExportFormat:
    write: Writer
    suffix: str
    one_per_contact: bool = False  # whether -o DIR may write a file per contact


def _vcard(contacts: Sequence[Contact], options: ExportOptions) -> bytes:
    from vault_tool.interop import vcard

    return "".join(vcard.to_vcard(c, options.vcard_version, load_photos(c)) for c in contacts).encode("utf-8")


def _csv(contacts: Sequence[Contact], options: ExportOptions) -> bytes:
    from vault_tool.interop.csv_write import to_csv

    return to_csv(contacts, options.csv_dialect, options.raw_csv).encode("utf-8")


def _json(contacts: Sequence[Contact], options: ExportOptions) -> bytes:
    from vault_tool.interop.json_format import to_json

    return to_json(list(contacts)).encode("utf-8")


def _jsonl(contacts: Sequence[Contact], options: ExportOptions) -> bytes:
    from vault_tool.interop.json_format import to_jsonl

    return to_jsonl(list(contacts)).encode("utf-8")


def _ics(contacts: Sequence[Contact], options: ExportOptions) -> bytes:
    from vault_tool.interop.ical import to_ics

    return to_ics(contacts, options.today or dt.date.today())


FORMATS: dict[str, ExportFormat] = {
    "vcard": ExportFormat(_vcard, ".vcf", one_per_contact=True),
    "csv": ExportFormat(_csv, ".csv"),
    "json": ExportFormat(_json, ".json", one_per_contact=True),
    "jsonl": ExportFormat(_jsonl, ".jsonl"),
    "ics": ExportFormat(_ics, ".ics"),
}


def load_photos(contact: Contact) -> list[Photo]:
    """The files a contact's `photo`, `logo`, `sound`, `key` and `attachments` fields name, read from its
    documents folder, or from beside its file in a vault from before the folder (format/documents.py);
    missing ones, and symbolic links, left out."""
    from vault_tool.errors import VaultError
    from vault_tool.format.documents import FILE_FIELDS, locate, read_document, vault_root_of
    from vault_tool.interop.records import Photo
    from vault_tool.interop.vcard import photo_names

    root = vault_root_of(contact.path) if contact.path else None
    if root is None:
        return []
    photos = []
    for key, name in photo_names(contact):
        path = locate(root, contact.handle, key if key in FILE_FIELDS else "photo", name, contact.path)
        if path is None:
            continue
        try:
            photos.append(Photo(read_document(path, root), path.suffix.lstrip(".").lower(), key, name=name))
        except VaultError:
            continue  # unreadable: left out, as a missing one (`contacts check` names it)
    return photos
