"""JSON and JSON Lines: the vault's own export (every field, notes, interactions, tasks) and back.

A contact is ``{"handle", "fields", "notes", "interactions", "tasks"}`` as
``Contact.to_dict`` makes it; importing one gives back the same contact
(vault -> JSON -> vault is the identity). Tasks are written into the notes
and interactions they come from, so they are only checked on import: a task
listed but in neither is added to the notes. A flat object from another tool
(``{"name": …, "email": …}``) is read like a CSV row with those columns.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from vault_tool.format.body import Interaction, parse_body
from vault_tool.format.contact import Contact
from vault_tool.interop.encoding import decode
from vault_tool.interop.records import Incoming, Problem, ReadResult

_ORDINAL = {1: "st", 2: "nd", 3: "rd"}


def to_json(contacts: list[Contact]) -> str:
    return json.dumps([c.to_dict() for c in contacts], ensure_ascii=False, indent=2) + "\n"


def to_jsonl(contacts: list[Contact]) -> str:
    return "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in contacts)


def _nth(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else _ORDINAL.get(number % 10, "th")
    return f"the {number}{suffix} contact"


def read(data: bytes) -> ReadResult:
    """The contacts in a JSON file (a list or one object) or a JSON Lines file (an object a line)."""
    text = decode(data).text.lstrip("\ufeff")
    result = ReadResult()
    if not text.strip():
        result.problems.append(Problem(None, "the file is empty: nothing to import"))
        return result
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("[") or len([ln for ln in text.splitlines() if ln.strip()]) < 2:
            result.problems.append(Problem(exc.lineno, f"not valid JSON ({exc.msg}, column {exc.colno}): "
                                                       "nothing imported from this file"))
            return result
        return _lines(text)
    for number, item in enumerate(_items(whole), start=1):
        _add(result, item, None, _nth(number))
    return result


def _items(whole: Any) -> list[Any]:
    """The contacts of a JSON document: a list, an object with a "contacts" list, or one object."""
    if isinstance(whole, list):
        return whole
    contacts = whole.get("contacts") if isinstance(whole, dict) else None
    return contacts if isinstance(contacts, list) else [whole]


def _lines(text: str) -> ReadResult:
    result = ReadResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(Problem(number, f"not valid JSON ({exc.msg}, column {exc.colno}): line skipped"))
            continue
        _add(result, item, number, "the contact")
    return result


def _add(result: ReadResult, item: Any, line: int | None, what: str) -> None:
    try:
        result.records.append(record_of(item, line or 0))
    except ValueError as exc:
        result.problems.append(Problem(line, f"{what}: {exc}; it is skipped"))


def record_of(item: Any, line: int = 0) -> Incoming:
    """The record for one JSON object; ValueError if it cannot be a contact."""
    if not isinstance(item, dict):
        raise ValueError(f"a contact is an object {{…}}, not {type(item).__name__}")
    if "fields" not in item:
        return _flat(item, line)
    fields = item["fields"]
    if not isinstance(fields, dict):
        raise ValueError("'fields' must be an object of field names and values")
    name = fields.get("name")
    if not isinstance(name, (str, int, float)) or not str(name).strip():
        raise ValueError("it has no name ('fields' needs a 'name')")
    notes = item.get("notes") or ""
    if not isinstance(notes, str):
        raise ValueError("'notes' must be text")
    interactions = [_interaction(i) for i in item.get("interactions") or []]
    handle = item.get("handle") if isinstance(item.get("handle"), str) else None
    record = Incoming(meta=dict(fields), notes=notes, interactions=interactions, handle=handle, line=line,
                      keep_order=True)
    record.notes = _with_missing_tasks(record, item.get("tasks") or [])
    return record


def _interaction(data: Any) -> Interaction:
    if not isinstance(data, dict):
        raise ValueError("an interaction is an object with date, kind, summary and text")
    try:
        day = dt.date.fromisoformat(str(data.get("date")))
    except ValueError:
        raise ValueError(f"interaction date '{data.get('date')}' is not YYYY-MM-DD") from None
    time = data.get("time")
    if time is not None and not (isinstance(time, str) and len(time) == 5 and time[2] == ":"):
        raise ValueError(f"interaction time '{time}' is not HH:MM")
    kind = str(data.get("kind") or "note")
    if not kind.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"interaction kind '{kind}' is not one word")
    return Interaction(date=day, kind=kind, summary=str(data.get("summary") or "").strip(),
                       text=str(data.get("text") or ""), time=time)


def _with_missing_tasks(record: Incoming, tasks: Any) -> str:
    """The notes, with a task-list line added for each listed task that neither notes nor interactions hold."""
    present = {t.text for t in parse_body(record.notes).tasks}
    present |= {t.text for i in record.interactions for t in parse_body(i.text).tasks}
    lines = []
    for task in tasks if isinstance(tasks, list) else []:
        if isinstance(task, dict) and isinstance(task.get("text"), str) and task["text"] not in present:
            lines.append(f"- [{'x' if task.get('done') else ' '}] {task['text']}")
    if not lines:
        return record.notes
    return "\n\n".join(part for part in (record.notes.strip(), "\n".join(lines)) if part)


def _flat(item: dict[str, Any], line: int) -> Incoming:
    """An object of column-like keys, read as a CSV row with those columns."""
    from vault_tool.interop.csv_columns import targets
    from vault_tool.interop.csv_format import _record

    headers = [str(k) for k in item]
    cells = [_cell(v) for v in item.values()]
    record = _record(targets(headers, {}), cells, line)
    if not record.name:
        raise ValueError("it has no name, company, email or phone")
    return record


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ::: ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
