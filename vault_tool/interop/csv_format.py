"""CSV files with a header row: contacts from any address book's export, and the vault as CSV.

Reading: the encoding is found (UTF-8 with or without BOM, UTF-16 as Outlook
writes it, a code page otherwise), then the delimiter (`,` `;` tab or `|`,
whichever the header uses most), then what each column is (csv_columns.py).
A row that cannot be a contact is reported with its line and skipped. A file
whose first row is data, not a header (no column name csv_columns knows, an
email address among its cells: Thunderbird's files without a header), is read
in Thunderbird's column order, each line split on the delimiter it uses (a tab
if it has one: Thunderbird's own test file mixes `,` and tab lines), and its
first record says so.

The vault's own exports (csv_write.py) read back as the contacts they came
from: a `vcard` column holds a contact's kept vCard lines (`HEAD: value`, a
line each) and stands for every kept line the other columns would give; a
Google `Custom Field` labelled with a vault field (`phones`, `name`, `stage`
…) sets that field, and the columns add nothing to it. A file with the
vault's own columns (`handle`, `name` … `uid`) keeps a name as written and
its custom columns' names as they are. A custom field's cell that is a JSON
list or object (how the vault writes a list or a mapping) is that. A cell the tool's export neutralised
for spreadsheets (`'=…`, output.spreadsheet_cell) reads back as the value.
"""
from __future__ import annotations

import contextlib
import csv
import itertools
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from vault_tool.format.contact import KNOWN_FIELDS
from vault_tool.format.fields import EMAIL
from vault_tool.format.handles import unique
from vault_tool.interop.csv_columns import (
    THUNDERBIRD_COLUMNS,
    VCARD_COLUMN,
    Target,
    custom_key,
    is_known,
    normalise,
    targets,
)
from vault_tool.interop.encoding import decode
from vault_tool.interop.records import Incoming, Problem, ReadResult, add_kept, add_unique, birthday_of, tag_of
from vault_tool.interop.vcard_syntax import Prop, escape
from vault_tool.output import from_spreadsheet_cell

_DELIMITERS = ",;\t|"
_SPLIT = {
    "emails": re.compile(r"\s*:::\s*|[,;\n]\s*"),
    "phones": re.compile(r"\s*:::\s*|[;\n]\s*|,\s+"),  # the vault's own export joins them with ", "
    "tags": re.compile(r"\s*:::\s*|[,;\n]\s*"),
}
_ADDRESS_ORDER = ("pobox", "extended", "street", "city", "region", "postal", "country")
_GENERIC_LABELS = frozenset({"", "other", "internet", "smtp"})
_PHONE_LABELS = {"mobile": "cell", "home fax": "home,fax", "work fax": "work,fax", "other fax": "fax",
                 "business": "work", "personal": "home"}


@contextlib.contextmanager
def _long_fields() -> Iterator[None]:
    """Let the csv module read cells of any length (its default stops at 128 KiB); the limit is checked later."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, (1 << 31) - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def delimiter(header_line: str) -> str:
    """The delimiter the header line uses most (outside quotes); `,` when none."""
    unquoted = _unquoted(header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str, delim: str, first: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for each row; ``first`` is the number of the text's first line."""
    reader = csv.reader(_lines(text), delimiter=delim)
    start = first
    for row in reader:
        yield start, [from_spreadsheet_cell(cell) for cell in row]
        start = first + reader.line_num


def _rows_by_line(text: str, delim: str, first: int = 1) -> Iterator[tuple[int, list[str]]]:
    """Like _rows, but each row split on the delimiter its first line uses: a tab if it has one (outside
    quotes), else ``delim``. A quoted cell may still span lines."""
    lines = _lines(text)
    start = first
    for line in lines:
        reader = csv.reader(itertools.chain([line], lines), delimiter="\t" if "\t" in _unquoted(line) else delim)
        row = next(reader, [])
        yield start, [from_spreadsheet_cell(cell) for cell in row]
        start += reader.line_num


def _header_and_rows(text: str, first: int) -> tuple[list[str], Iterator[tuple[int, list[str]]], bool]:
    """The header, the rows after it, and whether the file has no header row: then the header is Thunderbird's
    columns and the rows start with the first line."""
    delim = delimiter(next(_lines(text), "").rstrip("\r\n"))
    rows = _rows(text, delim, first)
    _, header = next(rows)
    if not _is_data(header):
        return header, rows, False
    return list(THUNDERBIRD_COLUMNS), _rows_by_line(text, delim, first), True


def _is_data(cells: list[str]) -> bool:
    """A first row that is no header: no cell names a column the tool knows, and one holds an email address."""
    filled = [c.strip() for c in cells if c.strip()]
    return any(EMAIL.match(c) for c in filled) and not any(is_known(c) for c in filled)


_NO_HEADER = ("the file has no header row: its columns are read in Thunderbird's order (First Name, Last Name, "
              "Display Name, Nickname, Primary Email, …; --map 'Custom 1=FIELD' names one)")


_LINE_END = re.compile(r"\r\n|\r|\n")  # what a file opened with newline="" splits lines at


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line ends, one at a time: a 100 MB export is not copied into a
    list of lines, nor into a StringIO (which holds four bytes a character once one is not Latin-1)."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start:end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


_PREAMBLE = re.compile(r'^\s*"?[\w ]{1,40}:"?[,;\t]*\s*$')


def _preamble(text: str) -> int:
    """How many lines come before the header: a block that opens with a line such as `Notes:` and ends at the
    first blank line (LinkedIn's Connections.csv), else none."""
    lines = _lines(text)
    if not _PREAMBLE.match(next(lines, "").rstrip("\r\n")):
        return 0
    for number, line in enumerate(lines, start=1):
        if not line.strip(" \t\r\n,;"):
            return number + 1
    return 0


def read(data: bytes, overrides: dict[str, str] | None = None) -> ReadResult:
    """The contacts in a CSV file; ``overrides`` maps column names to fields (`--map`)."""
    decoded = decode(data)
    text = decoded.text
    result = ReadResult(guessed_encoding=decoded.guessed_name)
    if not text or text.isspace():  # no stripped copy of a large file
        result.problems.append(Problem(None, "the file is empty: nothing to import"))
        return result
    if "\x00" in text:
        result.problems.append(Problem(None, "the file holds binary data (NUL bytes), not CSV text: export it again"))
        return result
    text = text.lstrip("\ufeff") if text.startswith("\ufeff") else text
    skip = _preamble(text)
    text = text.split("\n", skip)[-1] if skip else text
    with _long_fields():
        header, rows, headerless = _header_and_rows(text, skip + 1)
        wanted = {normalise(k): v for k, v in (overrides or {}).items()}
        missing = [k for k in wanted if k not in {normalise(h) for h in header}]
        if missing:
            shown = ", ".join(h for h in header if h.strip())
            result.problems.append(Problem(1, f"--map names a column this file does not have ('{missing[0]}'); "
                                              f"its columns are: {shown}"))
            return result
        columns = targets(header, wanted)
        for line, cells in rows:
            _row(result, line, header, columns, cells)
    if headerless and result.records:
        result.records[0].warnings.insert(0, _NO_HEADER)
    if not result.records and not result.problems:
        result.problems.append(Problem(None, "only a header row: nothing to import"))
    return result


def read_row(header: list[str], cells: list[str], columns: list[Target] | None = None) -> Incoming:
    """The record one row gives under ``header`` (whose targets are ``columns`` when given): what reading a
    file of that header and row gives."""
    return _record(columns or targets(header, {}), cells + [""] * (len(header) - len(cells)), 0)


def vcard_cell(mapping: Any) -> str:
    """A `vcard:` mapping as the `vcard` column's cell: `HEAD: value`, a line each (a list: a line a value)."""
    lines = []
    for head, values in mapping.items() if isinstance(mapping, dict) else []:
        for value in values if isinstance(values, list) else [values]:
            lines.append(f"{head}: {'' if value is None else value}")
    return "\n".join(lines)


_KEPT_LINE = re.compile(r'^((?:[^":\n]|"[^"\n]*")+):\s?(.*)$')


def _kept_mapping(lines: list[str]) -> dict[str, Any]:
    """The `vcard:` mapping the `vcard` column's lines give (a head that repeats: a list)."""
    mapping: dict[str, Any] = {}
    for line in (ln for cell in lines for ln in cell.replace("\r\n", "\n").split("\n")):
        match = _KEPT_LINE.match(line)
        if not match:
            continue
        add_kept(mapping, match.group(1).strip(), match.group(2))
    return mapping


def _row(result: ReadResult, line: int, header: list[str], columns: list[Target], cells: list[str]) -> None:
    if not any(c.strip() for c in cells):
        return
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
        result.problems.append(Problem(line, f"the row has {len(cells)} cells but the header has {len(header)} "
                                             "columns: the row is skipped (a stray delimiter or quote?)"))
        return
    cells = cells + [""] * (len(header) - len(cells))
    record = _record(columns, cells, line)
    if not record.name:
        result.problems.append(Problem(line, "the row has no name, company, email or phone: the row is skipped"))
        return
    result.records.append(record)


class _Row:
    """The cells of one row gathered by what they are, before they become a record."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.name_parts: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # slot -> label from its type column
        self.items: list[tuple[str, str, str, str]] = []  # (field, value, label, slot)
        self.addresses: dict[str, dict[str, list[str]]] = {}  # slot -> part -> values
        self.address_labels: dict[str, str] = {}
        self.notes: list[str] = []
        self.custom: list[tuple[str, str, str]] = []  # (key, value, slot)
        self.handle: str | None = None
        self.kept: list[str] = []  # the `vcard` column's cells
        self.overridden: set[str] = set()  # vault fields a `Custom Field` labelled with their name set


def _record(columns: list[Target], cells: list[str], line: int) -> Incoming:
    row = _Row()
    for target, cell in zip(columns, cells):
        value = cell.strip()
        if value:
            _collect(row, target, value)
    record = Incoming(meta=row.meta, line=line, handle=row.handle)
    _finish(row, record)
    return record


def _collect(row: _Row, target: Target, value: str) -> None:
    kind = target.field
    if kind == "label":
        row.labels[target.slot] = value
    elif kind.startswith("name."):
        row.name_parts[kind[5:]] = value
    elif kind.startswith("address."):
        slot = target.slot or "address"
        row.addresses.setdefault(slot, {}).setdefault(kind[8:], []).append(value)
        if target.label:
            row.address_labels[slot] = target.label
    elif kind in ("emails", "phones", "links", "tags"):
        row.items.append((kind, value, target.label, target.slot))
    elif kind == "notes":
        row.notes.append(value.replace("\r\n", "\n"))
    elif kind == "handle":
        row.handle = value
    elif kind == VCARD_COLUMN:
        row.kept.append(value)
    elif kind == "custom":
        row.custom.append((target.label, value.replace("\r\n", "\n"), target.slot))
    elif kind:
        row.meta.setdefault(kind, value)


def _label(row: _Row, label: str, slot: str) -> str:
    text = row.labels.get(slot, label) if slot else label
    return text.replace("*", "").strip().lower()


def _finish(row: _Row, record: Incoming) -> None:
    meta = record.meta
    _overrides(row, meta)
    _items(row, record)
    _addresses(row, record)
    _custom(row, meta)
    _birthday(meta, record)
    _met(meta, record)
    if "name" not in meta:
        parts = row.name_parts
        words = [parts.get(k, "") for k in ("given", "additional", "family", "suffix")]
        meta["name"] = " ".join(w for w in words if w) or meta.get("company", "") or next(
            iter(meta.get("emails", []) + meta.get("phones", [])), "")
    elif row.handle is None and "name" not in row.overridden:  # the vault's own name is as it was written
        _honorific(row, meta)
    if not meta["name"]:
        del meta["name"]
    elif row.name_parts:
        _name_parts(row, meta)
    if row.kept:  # the kept lines as the vault wrote them: every one, in place of those the columns gave
        meta.pop("vcard", None)
        kept = _kept_mapping(row.kept)
        if kept:
            meta["vcard"] = kept
    record.notes = "\n\n".join(row.notes)
    if "kind" in meta and meta["kind"].lower() in ("organization", "organisation", "org", "company"):
        meta["kind"] = "organization"
    order = ["name"] + [k for k in meta if k != "name"]
    record.meta = {k: meta[k] for k in order if k in meta}


# Titles written before a name: they go to the name's prefix (vCard N), not into the name and its handle.
_HONORIFICS = frozenset({
    "dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "mx.", "miss", "sir", "dame",
    "herr", "frau", "dipl.-ing.", "ing.", "mag.", "m.", "mme", "mme.", "mlle", "sr.", "sra.", "srta.", "dott.",
    "dott.ssa", "sig.", "sig.ra", "dhr.", "mevr.", "pan", "pani", "hr.", "fr.",
})


def _honorific(row: _Row, meta: dict[str, Any]) -> None:
    """`Dr. Max Mustermann` in a name column: the name is `Max Mustermann`, `Dr.` its prefix."""
    words = str(meta["name"]).split()
    titles = []
    while len(words) > 1 and words[0].lower() in _HONORIFICS:
        titles.append(words.pop(0))
    if titles:
        meta["name"] = " ".join(words)
        row.name_parts.setdefault("prefix", " ".join(titles))


def _name_parts(row: _Row, meta: dict[str, Any]) -> None:
    """Keep the name's parts as vCard's N (unless the name alone gives them), so a vCard export has them."""
    from vault_tool.interop.vcard import fresh_name_prop

    parts = row.name_parts
    n_value = ";".join(escape(parts.get(k, "")) for k in ("family", "given", "additional", "prefix", "suffix"))
    if n_value != fresh_name_prop(meta["name"], meta.get("kind", "person")).value:
        meta.setdefault("vcard", {})["N"] = n_value


_LIST_OVERRIDES = ("emails", "phones", "tags")


def _overrides(row: _Row, meta: dict[str, Any]) -> None:
    """A Google `Custom Field` labelled with a vault field's name (`phones`, `kind` …) is that field: the
    vault's Google and Outlook exports put there what the other columns cannot say."""
    rest = []
    for key, value, slot in row.custom:
        field_name = custom_key(row.labels.get(slot, "")) if slot.startswith("custom field ") else ""
        if field_name not in KNOWN_FIELDS or field_name in row.overridden:
            rest.append((key, value, slot))
            continue
        row.overridden.add(field_name)
        if field_name in _LIST_OVERRIDES:
            meta[field_name] = [v.strip() for v in _SPLIT[field_name].split(value) if v.strip()]
        elif field_name == "links":
            meta["links"] = {}
            _link(meta, value, "", own=True)
        else:
            meta[field_name] = value
    row.custom = rest


def _items(row: _Row, record: Incoming) -> None:
    meta = record.meta
    kept: list[Prop] = []
    for kind, value, label, slot in row.items:
        text_label = _label(row, label, slot)
        if kind == "links":
            if kind not in row.overridden:
                _link(meta, value, text_label, own=row.handle is not None and not label and not slot)
            continue
        values = [v for v in _SPLIT[kind].split(value) if v.strip()]
        labels = [lb.strip() for lb in text_label.split(":::")] if ":::" in text_label else [text_label] * len(values)
        for item, item_label in zip(values, labels + [""] * len(values)):
            if kind == "tags":
                if kind not in row.overridden:  # the vault's own tags are as written, `mycontacts` too
                    add_unique(meta.setdefault("tags", []), item if row.handle is not None else _group_tag(item))
                continue
            if kind not in row.overridden:
                add_unique(meta.setdefault(kind, []), item)
            types = _types(kind, item_label)
            if types:
                kept.append(Prop("EMAIL" if kind == "emails" else "TEL", escape(item), {"TYPE": types}))
    for key in ("emails", "phones", "tags"):
        if key in meta and not meta[key]:
            del meta[key]
    if kept:
        from vault_tool.interop.vcard import to_mapping

        meta.setdefault("vcard", {}).update(to_mapping(kept))


# Groups an address book puts every contact in (Google's `* myContacts`, `Imported on 3/29`): not tags.
_EVERYONE = re.compile(r"^(mycontacts|my contacts|other contacts|all contacts|(imported on|importiert am|importé le|"
                       r"importado el|importato il|geïmporteerd op|importerad) .*)$", re.I)


def _group_tag(group: str) -> str:
    """The tag a group becomes: `* starred` -> `starred`; '' for a group of everyone."""
    name = group.strip().lstrip("*").strip()
    return "" if _EVERYONE.match(name) else tag_of(name)


def _types(kind: str, label: str) -> list[str]:
    label = label.strip().lower()
    if kind == "phones":
        label = _PHONE_LABELS.get(label, label)
    return [] if label in _GENERIC_LABELS else [t.strip() for t in label.split(",") if t.strip()]


def _link(meta: dict[str, Any], value: str, label: str, own: bool = False) -> None:
    """A link from a website column; the vault's own `label=url, …` (``own``: the vault wrote it) is each."""
    links = meta.setdefault("links", {})
    pairs = [p.partition("=") for p in re.split(r",\s+", value)] if "=" in value and "://" in value else []
    if own:
        pairs = [p.partition("=") for p in re.split(r",\s+", value)]
    if pairs and all(sep and ("://" in url or own and not re.search(r"[:/]", key)) for key, sep, url in pairs):
        for key, _, url in pairs:
            links.setdefault(key.strip(), url.strip())
        return
    if not label and re.match(r"^(https?://)?([\w-]+\.)*linkedin\.com/", value, re.I):
        label = "linkedin"
    links[unique(re.sub(r"[^\w-]+", "-", label).strip("-") or "website", links.keys())] = value


def _address_text(parts: dict[str, list[str]]) -> str:
    """The address as one line: from its parts (as a vCard's ADR reads), else from the formatted text."""
    keys = _ADDRESS_ORDER if any(parts.get(k) for k in _ADDRESS_ORDER) else ("formatted",)
    lines = [ln.strip(" ,") for key in keys for v in parts.get(key, []) for ln in v.splitlines()]
    return ", ".join(ln for ln in lines if ln)


def _addresses(row: _Row, record: Incoming) -> None:
    kept: list[Prop] = []
    for slot, parts in row.addresses.items():
        text = _address_text(parts)
        if not text:
            continue
        record.meta.setdefault("address", text)
        components = [escape("\n".join(parts.get(k, []))) for k in _ADDRESS_ORDER]
        if not any(components):
            components[2] = escape(text)
        label = row.address_labels.get(slot) or _label(row, "", slot)
        params = {"TYPE": [label]} if label not in _GENERIC_LABELS else {}
        kept.append(Prop("ADR", ";".join(components), params))
    if kept and (len(kept) > 1 or kept[0].params or kept[0].value != f";;{escape(record.meta['address'])};;;;"):
        from vault_tool.interop.vcard import to_mapping

        record.meta.setdefault("vcard", {}).update(to_mapping(kept))


def _custom(row: _Row, meta: dict[str, Any]) -> None:
    for key, value, slot in row.custom:
        if slot:
            label = row.labels.get(slot, "").replace("*", "").strip()
            prefix = "im_" if slot.startswith("im ") else ""
            key = prefix + custom_key(label) if label else custom_key(slot)
        base, number = key, 2
        while key in meta:
            key, number = f"{base}_{number}", number + 1
        meta[key] = structured(value)


def structured(value: str) -> Any:
    """A custom field's cell: a JSON list or object (how the vault writes one) as that list or mapping."""
    if not value.startswith(("[", "{")):
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, (list, dict)) else value


_NO_DATE = re.compile(r"^0+[/.-]0+[/.-]0+$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")


def _met(meta: dict[str, Any], record: Incoming) -> None:
    """LinkedIn's `Connected On` (`15 Mar 2024`) as the date the contact was made: `met: 2024-03-15`."""
    if "met" not in meta:
        return
    written = str(meta["met"]).strip()
    match = _DAY_MONTH_YEAR.match(written)
    month = _MONTHS.index(match.group(2).lower()) + 1 if match and match.group(2).lower() in _MONTHS else 0
    value = birthday_of(f"{match.group(3)}-{month:02d}-{int(match.group(1)):02d}") if match and month else None
    value = value or birthday_of(written)
    if value:
        meta["met"] = value
    else:
        record.warnings.append(f"its connection date '{written}' is not a date for sure: kept as written")


def _birthday(meta: dict[str, Any], record: Incoming) -> None:
    keys = ("birth_year", "birth_month", "birth_day")
    written_day = str(meta.get("birthday", ""))
    if written_day.isdigit() and len(written_day) <= 2 and "birth_month" in meta and "birth_day" not in meta:
        meta["birth_day"] = meta.pop("birthday")  # `Geburtstag`, `誕生日`: Thunderbird's Birth Day column
    year, month, day = (str(meta.get(k, "")) for k in keys)
    if month.isdigit() and day.isdigit() and (not year or year.isdigit()) and "birthday" not in meta:
        for key in keys:  # Thunderbird's three columns
            meta.pop(key, None)
        meta["birthday"] = f"{year}-{int(month):02d}-{int(day):02d}" if year else f"--{int(month):02d}-{int(day):02d}"
    if _NO_DATE.match(str(meta.get("birthday", ""))):
        del meta["birthday"]  # Outlook's `0/0/00`: no birthday
    if "birthday" in meta:
        written = meta["birthday"]
        value = birthday_of(written)
        if value:
            meta["birthday"] = value
        else:
            del meta["birthday"]
            meta["birthday_as_written"] = written
            record.warnings.append(f"its birthday '{written}' is not a date for sure (use YYYY-MM-DD): "
                                   "kept as birthday_as_written")
