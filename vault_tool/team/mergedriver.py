"""Three-way merge of a contact file: what git's `vault` merge driver does.

* Front matter, field by field: a field one side changed takes that side's
  lines; lists changed on both sides get the additions and removals of each;
  mappings (links) are merged key by key; a scalar set to two different values
  is a real conflict, written with standard conflict markers around the two
  versions of that field's lines.
* Notes (the text before the first interaction) are merged as text by git's
  own three-way merge (`git merge-file`).
* Interactions (each with the tasks in it) are merged as a union of sections:
  each is kept exactly once, those one side added are placed in date order,
  one removed or edited on one side is removed or edited, and one edited on
  both sides is merged as text.

The merge is symmetric in content: swapping ours and theirs gives the same
fields, notes and sections (during a rebase git passes the upstream as ours).
Everything works on bytes in and bytes out, except the text merge of notes,
which is git's.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vault_tool.errors import GitError, ParseError
from vault_tool.format import contact as contact_mod
from vault_tool.format import yamledit, yamlsafe
from vault_tool.format.contact import LIST_FIELDS, QUOTED_FIELDS, SourceText, as_list

MISSING: Any = object()  # a field absent on one side


@dataclass
class MergeResult:
    data: bytes
    conflicts: int  # conflict blocks written; 0 for a clean merge


@dataclass(frozen=True)
class Labels:
    ours: str = "ours"
    base: str = "base"
    theirs: str = "theirs"
    size: int = 7  # conflict marker length (git's %L)


# Text merge (git's own)


def merge_text(base: str, ours: str, theirs: str, labels: Labels) -> tuple[str, int]:
    """`git merge-file` of three texts: the merged text and the number of conflicts."""
    if ours == theirs or theirs == base:
        return ours, 0
    if ours == base:
        return theirs, 0
    with tempfile.TemporaryDirectory(prefix="contacts-merge-") as folder:
        names = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = os.path.join(folder, name)
            with open(path, "wb") as handle:
                handle.write(text.encode("utf-8", "surrogateescape"))
            names.append(path)
        command = [
            "git", "merge-file", "-p", f"--marker-size={labels.size}",
            "-L", labels.ours, "-L", labels.base, "-L", labels.theirs, *names,
        ]
        try:
            done = subprocess.run(command, capture_output=True, check=False)
        except OSError as exc:
            raise GitError(f"cannot run git merge-file ({exc.strerror})") from None
    if done.returncode < 0 or done.returncode > 127:
        raise GitError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", "surrogateescape"), done.returncode


# A contact file in parts


@dataclass(frozen=True)
class Section:
    """One interaction section: its lines up to the last non-blank one, and the blank lines after it."""

    core: str
    gap: str
    when: tuple[str, str]  # (date, time) for date order
    heading: str
    side: str = ""  # "ours" or "theirs": where the section comes from in a merge
    index: int = -1  # its position on that side

    @property
    def key(self) -> str:
        """What makes two sections the same interaction: the text, ignoring line endings and trailing blanks."""
        return "\n".join(line.rstrip() for line in self.core.splitlines())


@dataclass
class Parts:
    source: SourceText | None
    meta: dict[str, Any]
    notes: str
    sections: list[Section] = field(default_factory=list)

    @property
    def front(self) -> str:
        return self.source.front_matter if self.source else ""

    @property
    def newline(self) -> str:
        return self.source.newline if self.source else "\n"


def _split_section(span: str) -> tuple[str, str]:
    end = len(span.rstrip())
    for ending in ("\r\n", "\n"):
        if span.startswith(ending, end):
            end += len(ending)
            break
    return span[:end], span[end:]


def split_parts(path: Path, data: bytes) -> Parts:
    """A contact file as front matter, notes and sections; an empty file (no base) is an empty contact."""
    if not data.strip():
        return Parts(None, {}, "")
    parsed = contact_mod.parse(path, data)
    source = parsed.source
    assert source is not None
    body = source.body
    starts = [0] + [m.end() for m in re.finditer("\n", body)]
    heads = [starts[item.line - source.body_line] for item in parsed.interactions]
    notes = body[: heads[0]] if heads else body
    sections = []
    for i, (start, item) in enumerate(zip(heads, parsed.interactions)):
        stop = heads[i + 1] if i + 1 < len(heads) else len(body)
        core, gap = _split_section(body[start:stop])
        when = (item.date.isoformat(), item.time or "")
        sections.append(Section(core, gap, when, core.split("\n", 1)[0].rstrip("\r")))
    return Parts(source, parsed.meta, notes, sections)


# Front matter, field by field


class _Conflict(Exception):
    """Both sides set a value to different things."""


def _three_way(base: Any, ours: Any, theirs: Any, key: str) -> Any:
    if ours == theirs:
        return ours
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    if key in LIST_FIELDS or (isinstance(ours, list) and isinstance(theirs, list)):
        if (ours is MISSING or isinstance(ours, (list, str))) and (theirs is MISSING or isinstance(theirs, (list, str))):
            return merge_lists(base, ours, theirs)
    if isinstance(ours, dict) and isinstance(theirs, dict) and (base is MISSING or isinstance(base, dict)):
        return _merge_dicts(base if base is not MISSING else {}, ours, theirs)
    raise _Conflict(key)


def _items(value: Any) -> list[Any]:
    return [] if value is MISSING else as_list(value) if not isinstance(value, list) else list(value)


def merge_lists(base: Any, ours: Any, theirs: Any) -> list[Any]:
    """Ours, without what theirs removed, with what theirs added (in theirs' order)."""
    old, mine, other = _items(base), _items(ours), _items(theirs)
    removed = [v for v in old if v not in other]
    added = [v for v in other if v not in old]
    merged = [v for v in mine if v not in removed]
    return merged + [v for v in added if v not in merged]


def _merge_dicts(base: dict[Any, Any], ours: dict[Any, Any], theirs: dict[Any, Any]) -> dict[Any, Any]:
    merged: dict[Any, Any] = {}
    for key in list(ours) + [k for k in theirs if k not in ours]:
        value = _three_way(base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING), str(key))
        if value is not MISSING:
            merged[key] = value
    return merged


def _spans(text: str) -> dict[str, tuple[int, int]]:
    return {key: (start, end) for key, start, end in yamledit.key_spans(text)}


def _with_newline(text: str, newline: str) -> str:
    return text if not text or text.endswith("\n") else text + newline


def _key_text(front: str, key: str, value: Any, newline: str) -> str:
    """The lines of ``key`` set to ``value``, written in the style of ``front`` (minimal diff)."""
    edited = yamledit.edit_mapping(front, {key: value}, newline, QUOTED_FIELDS)
    start, end = _spans(edited)[str(key)]
    return _with_newline(edited[start:end], newline)


def _conflict_block(ours: str, theirs: str, labels: Labels, newline: str) -> str:
    return (
        f"{'<' * labels.size} {labels.ours}{newline}{_with_newline(ours, newline)}"
        f"{'=' * labels.size}{newline}{_with_newline(theirs, newline)}"
        f"{'>' * labels.size} {labels.theirs}{newline}"
    )


def _insert_at(key: str, theirs_keys: list[str], ours_spans: dict[str, tuple[int, int]], end: int) -> int:
    """Where a field theirs added goes in ours: after the field it follows in theirs, else at the end."""
    position = theirs_keys.index(key)
    for before in reversed(theirs_keys[:position]):
        if before in ours_spans:
            return ours_spans[before][1]
    return end


def merge_front_matter(base: Parts, ours: Parts, theirs: Parts, labels: Labels) -> tuple[str, int]:
    """The merged front matter text (ours' text with theirs' changes made in it) and its conflict count."""
    front, newline = _with_newline(ours.front, ours.newline), ours.newline
    ours_spans, theirs_spans = _spans(front), _spans(theirs.front)
    theirs_keys = [str(k) for k in theirs.meta]
    edits: list[tuple[int, int, int, str]] = []  # (start, end, order, text)
    expected: dict[str, Any] = {}
    conflicts = 0
    for order, key in enumerate(list(ours.meta) + [k for k in theirs.meta if k not in ours.meta]):
        b, o, t = (p.meta.get(key, MISSING) for p in (base, ours, theirs))
        name = str(key)  # the text's key (a YAML key may load as a number)
        start, end = ours_spans.get(name) or (_insert_at(name, theirs_keys, ours_spans, len(front)),) * 2
        try:
            value = _three_way(b, o, t, key)
        except _Conflict:
            conflicts += 1
            theirs_text = theirs.front[slice(*theirs_spans[name])] if name in theirs_spans else ""
            edits.append((start, end, order, _conflict_block(front[start:end], theirs_text, labels, newline)))
            continue
        if value is not MISSING:
            expected[key] = value
        if value is o or value == o:
            continue
        if value is MISSING:
            edits.append((start, end, order, ""))
        elif value is t and name in theirs_spans:
            edits.append((start, end, order, _with_newline(theirs.front[slice(*theirs_spans[name])], newline)))
        else:
            edits.append((start, end, order, _key_text(front, key, value, newline)))
    for start, end, _, text in sorted(edits, reverse=True):
        front = front[:start] + text + front[end:]
    if not conflicts and (yamlsafe.load(front) or {}) != expected:
        changed = [k for k in set(expected) | set(ours.meta) if expected.get(k, MISSING) != ours.meta.get(k, MISSING)]
        changes = {k: expected.get(k, yamledit.REMOVE) for k in changed}
        front = yamledit.edit_mapping(_with_newline(ours.front, newline), changes, newline, QUOTED_FIELDS)
    return front, conflicts


# Notes and sections


def _section_counts(base: list[Section], ours: list[Section], theirs: list[Section]) -> Counter[str]:
    b, o, t = (Counter(s.key for s in side) for side in (base, ours, theirs))
    merged: Counter[str] = Counter()
    for key in set(b) | set(o) | set(t):
        merged[key] = o[key] if o[key] == t[key] else t[key] if o[key] == b[key] else o[key] if t[key] == b[key] \
            else max(o[key], t[key])
    return merged


def _edited_on_both_sides(
    base: list[Section], ours: list[Section], theirs: list[Section], labels: Labels
) -> tuple[list[Section], list[Section], int]:
    """Sections both sides edited (same heading, different text): merged as text, in place of ours' edit."""
    keys = {side: {s.key for s in sections} for side, sections in (("b", base), ("o", ours), ("t", theirs))}
    conflicts = 0
    ours, theirs = list(ours), list(theirs)
    for old in base:
        if old.key in keys["o"] or old.key in keys["t"]:
            continue
        mine = [i for i, s in enumerate(ours) if s.heading == old.heading and s.key not in keys["b"] | keys["t"]]
        other = [i for i, s in enumerate(theirs) if s.heading == old.heading and s.key not in keys["b"] | keys["o"]]
        if len(mine) == 1 and len(other) == 1:
            text, found = merge_text(old.core, ours[mine[0]].core, theirs[other[0]].core, labels)
            conflicts += found
            ours[mine[0]] = replace(ours[mine[0]], core=_with_newline(text, "\n"))
            del theirs[other[0]]
    return ours, theirs, conflicts


def merge_sections(
    base: list[Section], ours: list[Section], theirs: list[Section], labels: Labels
) -> tuple[list[Section], int]:
    """Every interaction of base, ours and theirs exactly once, less what one side removed."""
    ours = [replace(s, side="ours", index=i) for i, s in enumerate(ours)]
    theirs = [replace(s, side="theirs", index=i) for i, s in enumerate(theirs)]
    ours, theirs, conflicts = _edited_on_both_sides(base, ours, theirs, labels)
    wanted = _section_counts(base, ours, theirs)
    merged: list[Section] = []
    for section in ours:
        if wanted[section.key] > 0:
            wanted[section.key] -= 1
            merged.append(section)
    for section in theirs:
        if wanted[section.key] > 0:
            wanted[section.key] -= 1
            later = next((i for i, s in enumerate(merged) if s.when > section.when), len(merged))
            merged.insert(later, section)
    return merged, conflicts


def render_sections(sections: list[Section], ours_count: int, newline: str) -> str:
    """The sections as text: ours' own spacing between sections that were neighbours there, else a blank line."""
    out = []
    for i, section in enumerate(sections):
        core = section.core.replace("\r\n", "\n").replace("\n", newline)
        if i + 1 == len(sections):
            last_of_ours = section.side == "ours" and section.index == ours_count - 1
            out.append(core + (section.gap if last_of_ours else ""))
            break
        following = sections[i + 1]
        neighbours = section.side == following.side == "ours" and following.index == section.index + 1
        out.append(_with_newline(core, newline))
        out.append(section.gap if neighbours or "\n" in section.gap else newline)
    return "".join(out)


def _join_body(notes: str, sections: str, newline: str, separate: bool) -> str:
    """Notes then sections; ``separate``: put a blank line between them (ours had no sections to keep)."""
    if separate and sections:
        notes = _with_newline(notes, newline)
        if not notes.endswith(newline + newline):
            notes += newline
    return notes + sections


# The whole file


def merge_contact(base: bytes, ours: bytes, theirs: bytes, labels: Labels = Labels(), path: Path = Path("contact.md")) -> MergeResult:
    """Merge three versions of a contact file; a file that does not parse is merged as plain text."""
    if ours == theirs or theirs == base:
        return MergeResult(ours, 0)
    if ours == base:
        return MergeResult(theirs, 0)
    try:
        parts = [split_parts(path, data) for data in (base, ours, theirs)]
    except ParseError:
        return merge_whole(base, ours, theirs, labels)
    b, o, t = parts
    if o.source is None or t.source is None:
        return merge_whole(base, ours, theirs, labels)
    front, front_conflicts = merge_front_matter(b, o, t, labels)
    notes, notes_conflicts = merge_text(b.notes, o.notes, t.notes, labels)
    sections, section_conflicts = merge_sections(b.sections, o.sections, t.sections, labels)
    newline = o.newline
    body = _join_body(notes, render_sections(sections, len(o.sections), newline), newline, not o.sections)
    source = o.source
    text = source.text[: source.fm_start] + front + source.text[source.fm_end : source.body_start] + body
    return MergeResult(source.encode(text), front_conflicts + notes_conflicts + section_conflicts)


def merge_whole(base: bytes, ours: bytes, theirs: bytes, labels: Labels) -> MergeResult:
    """Git's own line-by-line merge of the whole file (for files that are not contacts)."""
    old, mine, other = (d.decode("utf-8", "surrogateescape") for d in (base, ours, theirs))
    text, conflicts = merge_text(old, mine, other, labels)
    return MergeResult(text.encode("utf-8", "surrogateescape"), conflicts)


def merge_files(base: Path, ours: Path, theirs: Path, labels: Labels = Labels(), path: str = "") -> int:
    """What git's merge driver does: merge three files, write the result over ``ours``; the conflict count.

    A file that is not a contact, or any surprise in the structured merge, falls
    back to git's own line merge, so both sides are always in what is written.
    """
    from vault_tool.fileio import atomic_write

    old, mine, other = (p.read_bytes() for p in (base, ours, theirs))
    name = Path(path or ours.name)
    try:
        result = merge_contact(old, mine, other, labels=labels, path=name)
    except Exception:  # noqa: BLE001 - the safety net: never leave a side out of the file
        try:
            result = merge_whole(old, mine, other, labels=labels)
        except GitError:
            result = MergeResult(_both_whole(mine, other, labels), 1)
    atomic_write(ours, result.data)
    return result.conflicts


def _both_whole(ours: bytes, theirs: bytes, labels: Labels) -> bytes:
    """The last resort: both files whole, inside one pair of conflict markers."""
    def ended(data: bytes) -> bytes:
        return data if not data or data.endswith(b"\n") else data + b"\n"

    return (
        f"{'<' * labels.size} {labels.ours}\n".encode() + ended(ours) + f"{'=' * labels.size}\n".encode()
        + ended(theirs) + f"{'>' * labels.size} {labels.theirs}\n".encode()
    )
