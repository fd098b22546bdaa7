"""Changes for follow-ups: add a task, tick it off, schedule an appointment. Minimal diffs, committed."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError, NotFoundError
from vault_tool.format.body import Interaction, Task, parse_task, task_title
from vault_tool.format.contact import Contact
from vault_tool.format.handles import fold
from vault_tool.store.mutations import (
    Change,
    Edit,
    apply_edit,
    check_interaction,
    counted,
    mutate,
    with_interaction,
)

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

_DATE_SIGN = re.compile(r"(?:\b(?:due|done):|📅|✅)\S*")
_OPEN_BOX = re.compile(r"^(?P<lead>[ \t]*[-*+] )\[ \]")


def _one_line(label: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise InvalidValueError(f"{label} must be one line")
    return value.strip()


def _uses_obsidian_signs(contact: Contact) -> bool:
    """Whether the file writes its task dates the Obsidian Tasks way (📅/✅) rather than due:/done:."""
    texts = [t.text for t in contact.tasks]
    emoji = any("📅" in t or "✅" in t for t in texts)
    plain = any(re.search(r"\b(?:due|done):", t) for t in texts)
    return emoji and not plain


def task_line(text: str, due: dt.date | None, obsidian: bool = False) -> str:
    """The Markdown line of a new open task; InvalidValueError if the text would not read back as given."""
    text = _one_line("the task", text)
    if not text:
        raise InvalidValueError("give the task a text, e.g. contacts task ada \"Send the proposal\"")
    sign = _DATE_SIGN.search(text)
    if sign:
        raise InvalidValueError(
            f"the task text has '{sign.group(0)}', which reads as a date: give the due date with --due"
        )
    line = f"- [ ] {text}"
    if due is not None:
        line += f" 📅 {due.isoformat()}" if obsidian else f" due:{due.isoformat()}"
    task = parse_task(line)
    if task is None or task_title(task.text) != " ".join(text.split()) or task.due != due or task.problems:
        raise InvalidValueError(f"'{text}' does not read back as a task: rephrase it")
    return line


def _notes_end(lines: list[str], contact: Contact) -> int:
    """Index of the first line after the notes (the first interaction heading, or the end)."""
    if contact.interactions:
        return min(i.line for i in contact.interactions) - 1
    return len(lines) - 1 if lines and lines[-1] == "" else len(lines)


def _insert_at(lines: list[str], contact: Contact) -> tuple[int, bool, bool]:
    """Where a new task goes, and whether it needs a blank line before and after it.

    After the last task of the notes (and its indented continuation lines), or else at the
    end of the notes, separated from text before and a heading after by a blank line.
    """
    source = contact.source
    assert source is not None
    start = source.text.count("\n", 0, source.fm_end) + 1  # the line after the closing `---`
    end = _notes_end(lines, contact)
    in_notes = [t.line - 1 for t in contact.tasks if start <= t.line - 1 < end]
    if in_notes:
        index = max(in_notes) + 1
        while index < end and lines[index].strip() and lines[index][:1] in " \t":
            index += 1
        return index, False, index < end and bool(lines[index].strip())
    last = end - 1
    while last >= start and not lines[last].strip():
        last -= 1
    before = last >= start
    return last + 1, before, end < len(lines) and lines[end].strip() != "" and last + 1 == end


def insert_task(contact: Contact, line: str) -> bytes:
    """The file's bytes with ``line`` inserted among the notes' tasks; no other byte changes."""
    source = contact.source
    assert source is not None
    text = source.text
    if not text.endswith("\n"):
        text += source.newline
    cr = "\r" if source.newline == "\r\n" else ""
    lines = text.split("\n")
    index, blank_before, blank_after = _insert_at(lines, contact)
    new = ([cr] if blank_before else []) + [line + cr] + ([cr] if blank_after else [])
    return source.encode("\n".join(lines[:index] + new + lines[index:]))


def add_task(vault: Vault, query: str, text: str, due: dt.date | None = None) -> Change:
    """Add an open task `- [ ] TEXT due:DATE` after the contact's other tasks in the notes."""
    return apply_edit(vault, query, task_edit(text, due))


def task_edit(text: str, due: dt.date | None = None) -> Edit:
    """What `task` does to a contact (the text checked here, once): see :func:`add_task`."""
    line = task_line(text, due)
    title = task_title(text)

    def make(contact: Contact) -> tuple[bytes | None, str]:
        final = task_line(text, due, _uses_obsidian_signs(contact)) if due else line
        return insert_task(contact, final), f"Add task for {contact.name}: {title}"

    return Edit(make, lambda n: f"Add task for {counted(n)}: {title}")


def _listing(tasks: list[Task]) -> str:
    return "; ".join(f"{n}. {task_title(t.text)}" for n, t in enumerate(tasks, 1))


def pick_task(contact: Contact, which: str | None) -> Task:
    """The open task ``which`` names: its number among the open tasks (1, 2 …) or a part of its text.

    With no ``which`` the contact must have exactly one open task.
    """
    open_tasks = [t for t in contact.tasks if not t.done]
    if not open_tasks:
        raise NotFoundError(f"{contact.name} has no open tasks")
    which = (which or "").strip()
    if not which:
        if len(open_tasks) == 1:
            return open_tasks[0]
        raise InvalidValueError(f"{contact.name} has {len(open_tasks)} open tasks, say which: {_listing(open_tasks)}")
    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(open_tasks):
            raise NotFoundError(
                f"{contact.name} has {len(open_tasks)} open task{'s' if len(open_tasks) > 1 else ''}, "
                f"not {number}: {_listing(open_tasks)}"
            )
        return open_tasks[number - 1]
    wanted = fold(" ".join(which.split()))
    matchers: tuple[Callable[[Task], bool], ...] = (
        lambda t: fold(task_title(t.text)) == wanted, lambda t: wanted in fold(t.text),
    )
    for matches in matchers:
        found = [t for t in open_tasks if matches(t)]
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidValueError(f"'{which}' matches {len(found)} open tasks of {contact.name}: {_listing(found)}")
    raise NotFoundError(f"{contact.name} has no open task matching '{which}': {_listing(open_tasks)}")


def tick_line(line: str, on: dt.date) -> str:
    """An open task line ticked: `- [ ] x due:D` -> `- [x] x due:D done:ON` (✅ when it uses 📅)."""
    cr = "\r" if line.endswith("\r") else ""
    body = line[: len(line) - len(cr)].rstrip(" \t")
    stamp = f"✅ {on.isoformat()}" if "📅" in body else f"done:{on.isoformat()}"
    return _OPEN_BOX.sub(r"\g<lead>[x]", body, count=1) + " " + stamp + cr


def complete_task(vault: Vault, query: str, which: str | None = None, on: dt.date | None = None) -> Change:
    """Tick an open task (see pick_task) and stamp it `done:DATE` (``on``, default today)."""
    day = on or vault.today()

    def make(contact: Contact) -> tuple[bytes | None, str]:
        task = pick_task(contact, which)
        source = contact.source
        assert source is not None
        lines = source.text.split("\n")
        lines[task.line - 1] = tick_line(lines[task.line - 1], day)
        return source.encode("\n".join(lines)), f"Complete task for {contact.name}: {task_title(task.text)}"

    return mutate(vault, query, make)


def schedule(vault: Vault, query: str, item: Interaction, now: dt.datetime | None = None) -> Change:
    """Append an appointment: an interaction section dated after today, or today at a time still ahead
    (or all day). ``now`` is the time of day (the clock's); a date in the past is refused."""
    today = vault.today()
    clock = now or dt.datetime.now()
    passed = item.date == today == clock.date() and item.time is not None and item.time <= clock.strftime("%H:%M")
    if item.date < today or passed:
        when = item.date.isoformat() + (f" {item.time}" if passed else "")
        raise InvalidValueError(
            f"{when} is in the past: an appointment is ahead (use 'contacts log' to record what happened)"
        )
    check_interaction(vault, item)
    item.logged = False

    def make(contact: Contact) -> tuple[bytes | None, str]:
        when = item.date.isoformat() + (f" {item.time}" if item.time else "")
        return with_interaction(contact, item), f"Schedule {item.kind} with {contact.name} on {when}"

    return mutate(vault, query, make)
