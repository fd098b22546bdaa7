"""`contacts import`: contacts from vCard, CSV, JSON and Markdown files into the vault, as one commit.

Every file is read first, outside the lock; a record that cannot be read is
reported with its file and line and left out. Then, under the vault's lock,
each record is matched against the vault and against the records before it
(the same uid or email makes a duplicate, and for a record with neither the same
name and organisation with nothing to tell them apart; a shared phone number alone
does not: `DuplicateIndex`) and added, merged into the contact it duplicates, or
skipped. Nothing is written until every record has been placed; then the files are
written and committed together.

An email, phone number or link that `contacts check` would not take as one
(`+1-800-MYFAX`, `contact1@invalid`, `www.example.de`) is kept as written, with a
line of its property under `vcard:` (`TEL: +1-800-MYFAX`) that marks it as
imported: check lists it as a warning while the line still holds it (a vault's
own export is written back as it was, unmarked). The report counts them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault_tool.errors import InvalidValueError, ParseError, VaultError
from vault_tool.format.body import render_interaction
from vault_tool.format.contact import (
    SINGLE_LINE_FIELDS,
    Contact,
    as_list,
    parse,
    render,
)
from vault_tool.format.fields import URL, email_problem, phone_problem, tag_problem
from vault_tool.format.handles import is_valid, slugify, unique
from vault_tool.format.ids import new_uid
from vault_tool.format.regions import contact_region
from vault_tool.interop.duplicates import DuplicateIndex, Match
from vault_tool.interop.merging import combine, merged_text
from vault_tool.interop.records import (
    Incoming,
    ReadResult,
    add_unique,
    check_sizes,
    keep_line,
)
from vault_tool.output import plural
from vault_tool.store.mutations import Change, finished
from vault_tool.store.transaction import transaction
from vault_tool.store.vault import Vault

FORMATS = ("vcard", "csv", "json", "markdown")
ON_DUPLICATE = ("skip", "merge", "new")
_EXTENSIONS = {".vcf": "vcard", ".vcard": "vcard", ".csv": "csv", ".tsv": "csv", ".json": "json",
               ".jsonl": "json", ".ndjson": "json", ".md": "markdown", ".markdown": "markdown"}
Progress = Callable[[int, int], None]


@dataclass
class ImportOptions:
    format: str | None = None  # vcard, csv, json or markdown; None: by each file's extension or content
    columns: dict[str, str] = field(default_factory=dict)  # CSV column -> field ('' leaves the column out)
    tags: list[str] = field(default_factory=list)  # added to every imported contact
    on_duplicate: str = "skip"
    dry_run: bool = False
    encoding: str | None = None  # read every file in this encoding instead of finding it


@dataclass
class Outcome:
    """What happened to one record: added, merged, unchanged (a duplicate with nothing new) or skipped."""

    action: str
    name: str
    where: str  # `people.csv:12`
    handle: str | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)  # values kept as written that `contacts check` lists


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)  # records and files that could not be read
    vault_problems: list[ParseError] = field(default_factory=list)  # vault files that did not parse
    written: list[Path] = field(default_factory=list)
    change: Change | None = None
    dry_run: bool = False
    guessed: list[tuple[Path, str]] = field(default_factory=list)  # files whose encoding was guessed, and as what

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def doubtful(self) -> int:
        """How many values the import wrote as written that `contacts check` lists as warnings."""
        return sum(len(o.doubtful) for o in self.outcomes if o.action in ("added", "merged"))


def _format_of(path: Path, data: bytes) -> str:
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"begin:vcard"):
        return "vcard"
    if head[:1] in (b"{", b"["):
        return "json"
    return "csv"


def sources(paths: list[Path]) -> list[Path]:
    """The files to read: each file named, and the .vcf/.csv/.json/.md files in each folder named.

    Inside a folder, symbolic links are not followed (to files or to folders): only what is in it is read.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in _EXTENSIONS and not p.is_symlink() and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                raise VaultError(f"{path}: no .vcf, .csv, .json or .md files in this folder: nothing to import")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise VaultError(f"{path}: no such file or folder")
    return found


def _read(path: Path, options: ImportOptions) -> ReadResult:
    from vault_tool.interop import csv_format, json_format, vcard

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None
    if options.encoding:
        data = _transcoded(path, data, options.encoding)
    fmt = options.format or _format_of(path, data)
    if fmt == "vcard":
        return vcard.read(data)
    if fmt == "json":
        return json_format.read(data)
    if fmt == "markdown":
        from vault_tool.interop import markdown_import

        return markdown_import.read(data, path.stem)
    return csv_format.read(data, options.columns)


def _transcoded(path: Path, data: bytes, encoding: str) -> bytes:
    """The file's bytes read in ``encoding`` (--encoding), as UTF-8; a byte that does not fit is an error."""
    from vault_tool.interop.encoding import display_name

    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise VaultError(f"{path}: byte {exc.object[exc.start]:#04x} at offset {exc.start} is not "
                         f"{display_name(encoding)}: give the file's encoding with --encoding") from None
    return text.lstrip("\ufeff").encode("utf-8")


def check_options(options: ImportOptions) -> None:
    if options.format is not None and options.format not in FORMATS:
        raise InvalidValueError(f"--format must be one of {', '.join(FORMATS)}, not '{options.format}'")
    if options.on_duplicate not in ON_DUPLICATE:
        raise InvalidValueError(f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}")
    for tag in options.tags:
        problem = tag_problem(tag)
        if problem or not tag.strip():
            raise InvalidValueError(problem or "give --tag a word")
    if options.encoding is not None:
        from vault_tool.interop.encoding import check_encoding

        options.encoding = check_encoding(options.encoding)


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def import_files(
    vault: Vault, paths: list[Path], options: ImportOptions, progress: Progress | None = None
) -> ImportReport:
    """Import every contact in ``paths`` (files or folders); one commit for all of them."""
    check_options(options)
    report = ImportReport(dry_run=options.dry_run)
    batches: list[tuple[Path, list[Incoming]]] = []
    for path in sources(paths):
        result = _read(path, options)
        report.problems += [ParseError(path, p.message, p.line) for p in result.problems]
        if result.guessed_encoding:
            report.guessed.append((path, result.guessed_encoding))
        batches.append((path, result.records))
    total = sum(len(records) for _, records in batches)
    with transaction(vault) as tx:
        plan = _Plan(vault, options)
        report.vault_problems = plan.load_problems
        done = 0
        for path, records in batches:
            records.reverse()  # taken from the end, so that each record is let go once it is placed:
            while records:     # a file of 100,000 rows is never held twice over, as records and as files
                record = records.pop()
                outcome = plan.place(record, _where(path, record.line))
                if outcome is not None:
                    report.outcomes.append(outcome)
                else:
                    report.problems.append(ParseError(path, plan.last_problem, record.line or None))
                done += 1
                if progress:
                    progress(done, total)
        if options.dry_run or not plan.pending:
            return report
        tx.bulk = True
        tx.message = _message(report, [p for p, _ in batches])
        tx.write_many(plan.pending)
    report.written = tx.paths
    report.change = finished(vault, tx, Change("", vault.contacts_dir, tx.message))
    return report


def _one_line_values(record: Incoming) -> None:
    """Line breaks in one-line fields (name, emails …) become spaces, with a note for the report."""
    for key in SINGLE_LINE_FIELDS:
        value = record.meta.get(key)
        items = value if isinstance(value, list) else [value]
        if not any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in items):
            continue
        flat = [" ".join(v.split()) if isinstance(v, str) else v for v in items]
        record.meta[key] = flat if isinstance(value, list) else flat[0]
        record.warnings.append(f"its {key} held a line break: it became a space")


def _message(report: ImportReport, files: list[Path]) -> str:
    where = files[0].name if len(files) == 1 else f"{len(files)} files"
    added, merged = report.count("added"), report.count("merged")
    if not merged:
        return f"Import {plural(added, 'contact')} from {where}"
    return f"Import {where}: {added} added, {merged} merged"


class _Plan:
    """The vault as it will be after the import: existing contacts, pending writes, the duplicate index."""

    def __init__(self, vault: Vault, options: ImportOptions) -> None:
        self.vault = vault
        self.options = options
        loaded = vault.load()
        self.load_problems = loaded.problems
        self.contacts: dict[str, Contact] = {c.handle: c for c in loaded.contacts}
        self.taken = vault.taken_handles()
        self.index = DuplicateIndex(vault.config.default_region)
        for contact in loaded.contacts:
            self.index.add(contact.handle, contact.meta)
        self.pending: dict[Path, bytes] = {}
        self.documents: dict[Path, set[str]] = {}  # a contact's folder -> the names its documents take
        self.paths: dict[str, Path] = {c.handle: c.path for c in loaded.contacts if c.path is not None}
        self.last_problem = ""

    def place(self, record: Incoming, where: str) -> Outcome | None:
        """Add, merge or skip one record; None (and ``last_problem``) if it cannot be imported."""
        problem = check_sizes(record)
        if problem:
            self.last_problem = problem
            return None
        _one_line_values(record)
        tags = list(record.meta.get("tags") or [])
        for tag in self.options.tags:
            add_unique(tags, tag)
        if tags:
            record.meta["tags"] = tags
        keys = self.index.keys(record.meta)
        match = self.index.find(record.meta, keys)
        notes = list(record.warnings)
        if match is not None and self.options.on_duplicate == "skip":
            return Outcome("skipped", record.name, where, match.handle, f"duplicate of {match.handle}: {match.reason}",
                           notes)
        if match is not None and self.options.on_duplicate == "merge":
            return self._merge(record, match, where, notes)
        return self._add(record, where, notes, match)

    def _add(self, record: Incoming, where: str, notes: list[str], match: Match | None) -> Outcome:
        meta = dict(record.meta)
        if match is not None and match.reason.startswith("same uid"):
            meta.pop("uid")
            notes.append(f"its uid is {match.handle}'s already: it gets a new one")
        if "uid" not in meta:
            meta["uid"] = new_uid()
        doubtful = _doubtful(meta, self.vault.config.default_region)
        if not record.keep_order:  # a vault's own export is written back as it was
            _mark_as_imported(meta, doubtful)
        base = record.handle if record.handle and is_valid(record.handle) else slugify(record.name)
        handle = unique(base, self.taken)
        if not any(c.isalnum() for c in record.name):
            notes.append(f"its name '{record.name}' has no letters or digits: its file is {handle}.md")
        path = self.vault.contacts_dir / f"{handle}.md"
        self._photos(record, handle, meta)
        contact = Contact(handle, meta, notes=record.notes, interactions=record.interactions)
        self.pending[path] = render(contact, keep_order=record.keep_order).encode("utf-8")
        self.taken.add(handle)
        self.paths[handle] = path
        self.index.add(handle, meta)
        return Outcome("added", record.name, where, handle, "", _noted(notes, doubtful), _shown(doubtful))

    def _photos(self, record: Incoming, handle: str, meta: dict[str, Any]) -> None:
        """The record's pictures and other binary values as documents of the contact (format/documents.py):
        `files/<handle>/photo.jpg`, `logo.png`, `sound.wav` …, named by the field (`photo: photo.jpg`)."""
        from vault_tool.format.documents import folder_files, folder_of, unique_name

        if not record.photos:
            return
        folder = folder_of(self.vault.root, handle)
        taken = self.documents.setdefault(folder, set(folder_files(self.vault.root, handle)))
        by_field: dict[str, list[str]] = {}
        for photo in record.photos:
            name = self._same_file(folder, taken, photo.data)  # imported before (a file merged in again)
            if name is None:
                stem = "attachment" if photo.field == "attachments" else photo.field
                name = unique_name(f"{stem}.{photo.extension}", taken)
                taken.add(name)
                self.pending[folder / name] = photo.data
            by_field.setdefault(photo.field, []).append(name)
            if photo.head:  # what the field cannot say (TYPE labels, a group, the property): kept with the name
                keep_line(meta, photo.head, name)
        for key, names in by_field.items():
            listed = list(dict.fromkeys([*as_list(meta.get(key)), *names]))  # a merged contact's own come first
            meta[key] = listed[0] if len(listed) == 1 else listed

    def _same_file(self, folder: Path, taken: set[str], data: bytes) -> str | None:
        """The name of a document of the contact that holds ``data`` already, if one does."""
        for name in sorted(taken):
            path = folder / name
            held = self.pending.get(path)
            if held is None:
                try:
                    held = path.read_bytes() if path.stat().st_size == len(data) else None
                except OSError:
                    held = None
            if held == data:
                return name
        return None

    def _current(self, handle: str) -> Contact:
        path = self.paths[handle]
        if path in self.pending:
            return parse(path, self.pending[path], handle)
        return self.contacts[handle]

    def _merge(self, record: Incoming, match: Match, where: str, notes: list[str]) -> Outcome:
        target = self._current(match.handle)
        assert target.path is not None and target.source is not None
        region = self.vault.config.default_region
        combined = combine([(target.handle, target.meta), ("", record.meta)], region)
        had = _doubtful(target.meta, region)
        doubtful = [found for found in _doubtful(combined.meta, region) if found not in had]
        if not record.keep_order:
            _mark_as_imported(combined.meta, doubtful)
        for conflict in combined.conflicts:
            theirs = conflict.values[1][1]
            notes.append(f"kept {conflict.field} '{conflict.values[0][1]}' (the file has '{theirs}')")
        if record.photos and not any(k in target.meta for k in ("photo", "logo")):
            self._photos(record, target.handle, combined.meta)
        elif record.photos:
            notes.append(f"{target.handle} has a picture already: the file's picture is not imported")
        sections = [(item, render_interaction(item)) for item in record.interactions]
        data = merged_text(target, combined.meta, [record.notes], sections)
        reason = f"duplicate of {match.handle}: {match.reason}"
        if data == target.source.encode():
            return Outcome("unchanged", record.name, where, match.handle, reason + "; nothing new in it", notes)
        self.pending[target.path] = data
        self.index.add(target.handle, combined.meta)
        return Outcome("merged", record.name, where, match.handle, reason, _noted(notes, doubtful), _shown(doubtful))


_PROPERTIES = {"emails": "EMAIL", "phones": "TEL", "links": "URL"}
_SHOWN = {"emails": "email", "phones": "phone", "links": "link"}
_NAMED = 3  # doubtful values a note names; the rest are counted


def _doubtful(meta: dict[str, Any], region: str) -> list[tuple[str, str, str]]:
    """(field, value, link label) of each email, phone number and link `contacts check` would not take as one.

    ``region`` is vault.yaml's default_region; a phone number is read in the contact's region, as check reads it.
    """
    found = [("emails", email, "") for email in as_list(meta.get("emails")) if email_problem(email)]
    phones = as_list(meta.get("phones"))
    own = contact_region(meta, region).code if phones else region
    found += [("phones", phone, "") for phone in phones if phone_problem(phone, own)]
    links = meta.get("links")
    for label, url in links.items() if isinstance(links, dict) else ():
        if isinstance(url, str) and not URL.match(url):
            found.append(("links", url, str(label)))
    return found


def _mark_as_imported(meta: dict[str, Any], doubtful: list[tuple[str, str, str]]) -> None:
    """Give each doubtful value a line under `vcard:` (`TEL: +1-800-MYFAX`) unless a kept line holds it already."""
    from vault_tool.interop.vcard import VCARD_FIELD, from_mapping
    from vault_tool.interop.vcard_syntax import escape

    for key, value, label in doubtful:
        prop = _PROPERTIES[key]
        kept = [p for p in from_mapping(meta.get(VCARD_FIELD)) if p.name == prop]
        if any(imported_value(p.text()) == value.strip() for p in kept):
            continue
        head = f"URL;TYPE={label}" if prop == "URL" and label not in ("", "website") else prop
        keep_line(meta, head, escape(value))


def imported_value(text: str) -> str:
    """A kept line's value as its field holds it (`tel:+1 202 555 0143` is `+1 202 555 0143`)."""
    text = text.strip()
    return text[4:] if text[:4].lower() == "tel:" else text


def _shown(doubtful: list[tuple[str, str, str]]) -> list[str]:
    return [f"{_SHOWN[key]} '{value}'" for key, value, _ in doubtful]


def _noted(notes: list[str], doubtful: list[tuple[str, str, str]]) -> list[str]:
    """The notes, and one that names the values kept as written that `contacts check` will list."""
    if not doubtful:
        return notes
    named = ", ".join(_shown(doubtful)[:_NAMED])
    more = f" and {len(doubtful) - _NAMED} more" if len(doubtful) > _NAMED else ""
    return [*notes, f"kept as written, for a look (contacts check lists it): {named}{more}"]
