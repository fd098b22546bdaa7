"""The Markdown body of a contact: notes, dated interaction sections and task-list items."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# `## 2026-11-20`, `## 2026-11-20 14:30 meeting`, `## 2026-11-20 call — Renewal`
HEADING = re.compile(
    r"^##[ \t]+(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2}))?"
    r"(?P<rest>(?:[ \t].*|:.*)?)$"
)
_KIND_AND_SUMMARY = re.compile(
    r"^[ \t]*(?P<kind>[A-Za-z][\w-]*)?[ \t]*(?:(?: — | – | - |: |—|–|:)[ \t]*(?P<summary>.*))?$"
)
# Lines escape_text protects: every line HEADING could read as an interaction (any run of
# spaces or tabs after `##`), with any number of leading backslashes.
_ESCAPED = re.compile(r"^(\\*)##[ \t]*\d{4}-\d{2}-\d{2}")
_TASK = re.compile(r"^(?P<indent>[ \t]*)[-*+] \[(?P<mark>[ xX])\] (?P<text>.*?)[ \t]*$")
_DUE = re.compile(r"(?:\bdue:|📅 ?)(?P<date>\S+)")
_DONE = re.compile(r"(?:\bdone:|✅ ?)(?P<date>\S+)")
# `(?:\b(?:due|done):|📅 ?|✅ ?)\S+`, written to start from one class of characters: the regular expression engine
# then skips to a `d` or a sign, where the plain alternation was tried at every character (twice as fast; tasks
# and agenda take the title of tens of thousands of tasks).
_DATE_SIGNS = re.compile(r"[d📅✅](?:(?<=\bd)(?:ue|one):|(?<=📅) ?|(?<=✅) ?)\S+")
SEPARATOR = " — "
DEFAULT_KIND = "note"
LOGGED_MARK = "✓"  # closes the heading of an interaction logged on its own day: it happened, it is no appointment


@dataclass
class Interaction:
    """One dated section: `## DATE [TIME] [KIND] [— SUMMARY]` and the text under it."""

    date: dt.date
    kind: str = DEFAULT_KIND
    summary: str = ""
    text: str = ""
    time: str | None = None
    line: int = 0  # 1-based line of the heading in the file; 0 when not read from a file
    logged: bool = False  # the heading ends with LOGGED_MARK

    @property
    def when(self) -> dt.datetime:
        hours, minutes = (int(x) for x in (self.time or "00:00").split(":"))
        return dt.datetime.combine(self.date, dt.time(hours, minutes))

    def is_appointment(self, today: dt.date) -> bool:
        """Dated after ``today``, or dated ``today`` and not logged as having happened."""
        return self.date > today or (self.date == today and not self.logged)


@dataclass
class Task:
    """A task-list item: `- [ ] text due:DATE` or `- [x] text done:DATE`."""

    text: str
    done: bool = False
    due: dt.date | None = None
    done_on: dt.date | None = None
    line: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Body:
    notes: str
    interactions: list[Interaction]
    tasks: list[Task]


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_heading(line: str, line_no: int = 0) -> Interaction | None:
    """The interaction a heading line starts, or None if it is not an interaction heading."""
    match = HEADING.match(line.rstrip("\r"))
    if not match:
        return None
    day = parse_date(match["date"])
    if day is None:
        return None
    time = match["time"]
    if time is not None:
        hours, minutes = (int(x) for x in time.split(":"))
        if hours > 23 or minutes > 59:
            return None
        time = f"{hours:02d}:{minutes:02d}"
    rest = (match["rest"] or "").rstrip()
    logged = rest.endswith(LOGGED_MARK)
    if logged:
        rest = rest[: -len(LOGGED_MARK)].rstrip()
    parts = _KIND_AND_SUMMARY.match(rest)
    if parts and (parts["kind"] or parts["summary"] is not None):
        kind, summary = parts["kind"] or DEFAULT_KIND, (parts["summary"] or "").strip()
    else:  # free text after the date with no separator: all of it is the summary
        kind, summary = DEFAULT_KIND, rest.strip()
    return Interaction(date=day, time=time, kind=kind, summary=summary, line=line_no, logged=logged)


def _unescape(line: str) -> str:
    match = _ESCAPED.match(line)
    return line[1:] if match and match.group(1) else line


def escape_text(text: str) -> str:
    """Escape lines of interaction text that would read as a new interaction heading."""
    return "\n".join("\\" + ln if _ESCAPED.match(ln) else ln for ln in text.split("\n"))


def _trim_blank_lines(lines: list[str]) -> list[str]:
    start, stop = 0, len(lines)
    while stop > start and not lines[stop - 1].strip():
        stop -= 1
    while start < stop and not lines[start].strip():
        start += 1
    return lines[start:stop]


def normalise_text(text: str) -> str:
    """Interaction text as it reads back: without blank lines at either end."""
    return "\n".join(_trim_blank_lines(text.split("\n")))


def _section_text(lines: list[str]) -> str:
    return "\n".join(_unescape(ln) for ln in _trim_blank_lines(lines))


def parse_task(line: str, line_no: int = 0) -> Task | None:
    match = _TASK.match(line.rstrip("\r"))
    if not match:
        return None
    task = Task(text=match["text"], done=match["mark"] != " ", line=line_no)
    for pattern, attr in ((_DUE, "due"), (_DONE, "done_on")):
        found = pattern.search(task.text)
        if found:
            day = parse_date(found["date"])
            if day is None:
                task.problems.append(f"'{found.group(0)}' is not a date (use YYYY-MM-DD)")
            setattr(task, attr, day)
    return task


def task_title(text: str) -> str:
    """A task's text without its due and done markers: `Send notes due:2026-12-01` -> `Send notes`."""
    return " ".join(_DATE_SIGNS.sub(" ", text).split())


def parse_body(text: str, first_line: int = 1) -> Body:
    """Split a body into notes, interactions and tasks; ``first_line`` is its line in the file."""
    lines = text.split("\n")
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    notes_lines: list[str] = []
    interactions: list[Interaction] = []
    tasks: list[Task] = []
    current: list[str] = notes_lines
    fence: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
        heading = parse_heading(line, number) if fence is None and line.startswith("##") else None
        if heading is not None:
            if interactions:
                interactions[-1].text = _section_text(current)
            interactions.append(heading)
            current = []
            continue
        current.append(line)
        task = parse_task(line, number) if fence is None and stripped[:1] in ("-", "*", "+") else None
        if task is not None:
            tasks.append(task)
    if interactions:
        interactions[-1].text = _section_text(current)
    notes = _section_text(notes_lines)
    return Body(notes=notes, interactions=interactions, tasks=tasks)


def render_heading(item: Interaction) -> str:
    parts = [f"## {item.date.isoformat()}"]
    if item.time:
        parts.append(item.time)
    parts.append(item.kind or DEFAULT_KIND)
    heading = " ".join(parts) + (SEPARATOR + item.summary if item.summary else "")
    return heading + (" " + LOGGED_MARK if item.logged else "")


def render_interaction(item: Interaction, newline: str = "\n") -> str:
    """The section for an interaction, ending with a newline."""
    text = escape_text(normalise_text(item.text))
    block = render_heading(item) + "\n" + (text + "\n" if text else "")
    return block.replace("\n", newline)
