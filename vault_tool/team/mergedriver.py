"""Three-way merge of a contact file: what git's `vault` merge driver does.

* Front matter, field by field: a field one side changed takes that side's
  lines; lists changed on both sides get the additions and removals of each;
  mappings (links) are merged key by key; a scalar set to two different values
  is a real conflict, written with standard conflict markers around the two
  versions of that field's lines.
* Notes (the text before the first interaction, with its tasks) are merged by
  lines (`merge_lines`): a line changed on one side takes the change, even next
  to a line changed on the other; lines both sides added at one place (two new
  tasks) are all kept; only the same lines changed two ways are a conflict.
* Interactions (each with the tasks in it) are merged as sections: each section
  of base is matched with what it became on each side (the same text; else the
  same heading, its text edited; the same text, its heading edited; or the same
  date and most of the text). One edited on one side is edited; one edited on
  both sides gets its heading as a value and its text by lines; one removed on
  one side is removed, unless the other side edited it: a conflict, the edit
  between markers. Those one side added are kept once, in date order.

The merge is symmetric in content: swapping ours and theirs gives the same
fields, notes and sections, up to the order of lines both sides added at one
place (during a rebase git passes the upstream as ours). Everything works on
bytes in and bytes out; a file that is not a contact is merged by git's own
`git merge-file`.

A deal file (deals/<handle>.md, format/deal.py) is merged the same way: it is read as `contacts
deal` reads it (numbers with a dot as Decimals, so two amounts a float would round to one value
stay two), and its `contacts:` merges as a list.
"""
from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vault_tool.errors import GitError, ParseError
from vault_tool.format import contact as contact_mod
from vault_tool.format import yamledit, yamlsafe
from vault_tool.format.contact import LIST_FIELDS, QUOTED_FIELDS, SourceText, as_list
from vault_tool.format.deal import DEALS
from vault_tool.format.layout import CONFIG_NAME, CONTACTS

MISSING: Any = object()  # a field absent on one side


@dataclass(frozen=True)
class Shape:
    """What a file holds, for merging: a contact, or a deal."""

    record: str = "contact"
    lists: tuple[str, ...] = LIST_FIELDS  # keys merged as lists even where one side writes one value
    decimals: bool = False  # numbers with a dot read as Decimals (a deal's amounts)


CONTACT = Shape()
DEAL = Shape("deal", (*LIST_FIELDS, "contacts"), True)


def shape_of(path: Path, workdir: Path | None = None) -> Shape:
    """A deal for a file under a vault's deals/ folder, else a contact.

    ``path`` is relative to ``workdir`` (git runs the driver at the repository's top, %P relative
    to it): the vault is the nearest folder above the file with a vault.yaml. Without one, the
    first folder of ``path`` named contacts or deals decides.
    """
    parts = path.parts[:-1]
    if workdir is not None:
        for end in range(len(parts) - 1, -1, -1):
            if (workdir.joinpath(*parts[:end]) / CONFIG_NAME).is_file():
                return DEAL if parts[end] == DEALS else CONTACT
    first = next((part for part in parts if part in (CONTACTS, DEALS)), CONTACTS)
    return DEAL if first == DEALS else CONTACT


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


def split_parts(path: Path, data: bytes, shape: Shape = CONTACT) -> Parts:
    """A contact (or deal) file as front matter, notes and sections; an empty file (no base) is an empty one."""
    if not data.strip():
        return Parts(None, {}, "")
    parsed = contact_mod.parse(path, data, record=shape.record, decimals=shape.decimals)
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


def _three_way(base: Any, ours: Any, theirs: Any, key: str, lists: tuple[str, ...] = LIST_FIELDS) -> Any:
    if ours == theirs:
        return ours
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    listed = key in lists or (isinstance(ours, list) and isinstance(theirs, list))
    if listed and all(side is MISSING or isinstance(side, (list, str)) for side in (ours, theirs)):
        return merge_lists(base, ours, theirs)
    if isinstance(ours, dict) and isinstance(theirs, dict) and (base is MISSING or isinstance(base, dict)):
        return _merge_dicts(base if base is not MISSING else {}, ours, theirs, lists)
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


def _merge_dicts(
    base: dict[Any, Any], ours: dict[Any, Any], theirs: dict[Any, Any], lists: tuple[str, ...] = LIST_FIELDS,
) -> dict[Any, Any]:
    merged: dict[Any, Any] = {}
    for key in list(ours) + [k for k in theirs if k not in ours]:
        value = _three_way(base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING), str(key), lists)
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


def merge_front_matter(
    base: Parts, ours: Parts, theirs: Parts, labels: Labels, shape: Shape = CONTACT,
) -> tuple[str, int]:
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
            value = _three_way(b, o, t, key, shape.lists)
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
    if not conflicts and (yamlsafe.load(front, decimals=shape.decimals) or {}) != expected:
        changed = [k for k in set(expected) | set(ours.meta) if expected.get(k, MISSING) != ours.meta.get(k, MISSING)]
        changes = {k: expected.get(k, yamledit.REMOVE) for k in changed}
        front = yamledit.edit_mapping(_with_newline(ours.front, newline), changes, newline, QUOTED_FIELDS)
    return front, conflicts


# Lines: a three-way merge that keeps what both sides added


Change = tuple[int, int, int, list[str]]  # base lines [start, end) become these lines, on side 0 (ours) or 1


def _changes(base: list[str], side: list[str], which: int) -> list[Change]:
    """What ``side`` changed in ``base``, each replaced block split into the lines that became others."""
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, side, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            changes += [(i1 + n, i1 + n + 1, which, [side[j1 + n]]) for n in range(i2 - i1)]
        elif tag == "replace" and (i2 - i1) * (j2 - j1) <= _PAIRING_LIMIT:
            changes += [(i1 + a1, i1 + a2, which, lines) for a1, a2, lines in _paired(base[i1:i2], side[j1:j2])]
        elif tag != "equal":
            changes.append((i1, i2, which, side[j1:j2]))
    return changes


_PAIRING_LIMIT = 2500  # lines x lines of a replaced block worth pairing


def _paired(old: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    """A block of ``old`` lines that became ``new`` lines, as changes of one line each where a line
    became a similar one (a task ticked, a word changed), with the lines added or removed between."""
    like = [[difflib.SequenceMatcher(None, a, b).ratio() >= 0.6 for b in new] for a in old]
    best = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for x in range(len(old) - 1, -1, -1):
        for y in range(len(new) - 1, -1, -1):
            best[x][y] = max(best[x + 1][y], best[x][y + 1], best[x + 1][y + 1] + 1 if like[x][y] else 0)
    out: list[tuple[int, int, list[str]]] = []
    x = y = gap_x = gap_y = 0
    while x < len(old) and y < len(new):
        if like[x][y] and best[x][y] == best[x + 1][y + 1] + 1:
            if gap_x < x or gap_y < y:
                out.append((gap_x, x, new[gap_y:y]))
            out.append((x, x + 1, [new[y]]))
            x, y = x + 1, y + 1
            gap_x, gap_y = x, y
        elif best[x + 1][y] >= best[x][y + 1]:
            x += 1
        else:
            y += 1
    if gap_x < len(old) or gap_y < len(new):
        out.append((gap_x, len(old), new[gap_y:]))
    return out


def _touches(change: Change, lo: int, hi: int) -> bool:
    """Whether ``change`` (sorted after the group [lo, hi)) is in the group: it changes a line of
    it, or adds lines inside it, or adds lines where the group (only additions so far) adds them."""
    start, end = change[0], change[1]
    if lo == hi:
        return start == end == lo
    return start < hi and (start > lo or end > start)


def _apply(base: list[str], lo: int, hi: int, changes: list[Change]) -> list[str]:
    out, pos = [], lo
    for start, end, _, lines in changes:
        out += base[pos:start] + lines
        pos = end
    return out + base[pos:hi]


def _common(a: list[str], b: list[str]) -> tuple[int, int]:
    """The number of lines ``a`` and ``b`` share at the start, and then at the end."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _resolve(base: list[str], lo: int, hi: int, group: list[Change], labels: Labels) -> tuple[list[str], int]:
    """One group of changes: one side's, or both sides' additions at one place (both kept), or a conflict."""
    mine = _apply(base, lo, hi, [c for c in group if c[2] == 0])
    other = _apply(base, lo, hi, [c for c in group if c[2] == 1])
    if len({c[2] for c in group}) == 1 or mine == other:
        return (mine if group[0][2] == 0 else other), 0
    head, tail = _common(mine, other)
    end = len(mine) - tail
    if lo == hi:  # both added lines at the same place: ours' then theirs', shared lines once
        return mine[:end] + other[head : len(other) - tail] + mine[end:], 0
    newline = "\r\n" if any(line.endswith("\r\n") for line in mine + other) else "\n"
    block = _conflict_block("".join(mine[head:end]), "".join(other[head : len(other) - tail]), labels, newline)
    return mine[:head] + [block] + mine[end:], 1


def merge_lines(base: str, ours: str, theirs: str, labels: Labels) -> tuple[str, int]:
    """Three-way merge of text by lines; the merged text and its number of conflicts.

    Lines changed on one side take that side's change, even next to a change on the other side;
    lines both sides added at the same place are all kept (ours' first, shared lines once); only
    the same lines changed two ways are a conflict, written with git's markers.

    Not `git merge-file`: diff3 reads changes to neighbouring lines (a task ticked on one side, a
    task added under it on the other) as one conflict, and a contact's notes are mostly such lines.
    """
    if ours == theirs or theirs == base:
        return ours, 0
    if ours == base:
        return theirs, 0
    texts = [text + "\n" if text and not text.endswith("\n") else text for text in (base, ours, theirs)]
    old, mine, other = (text.splitlines(keepends=True) for text in texts)
    changes = sorted(_changes(old, mine, 0) + _changes(old, other, 1), key=lambda c: (c[0], c[1], c[2]))
    out: list[str] = []
    pos = conflicts = k = 0
    while k < len(changes):
        group, lo, hi = [changes[k]], changes[k][0], changes[k][1]
        k += 1
        while k < len(changes) and _touches(changes[k], lo, hi):
            group.append(changes[k])
            hi = max(hi, changes[k][1])
            k += 1
        lines, found = _resolve(old, lo, hi, group, labels)
        out += old[pos:lo] + lines
        pos, conflicts = hi, conflicts + found
    text = "".join(out + old[pos:])
    if text.endswith("\n") and all(not t or not t.endswith("\n") for t in (ours, theirs)):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text, conflicts


# Sections: each interaction matched with its own versions


def _body_key(section: Section) -> str:
    return section.key.partition("\n")[2].strip()


def _same_heading(old: Section, new: Section) -> bool:
    return old.heading.rstrip() == new.heading.rstrip()


def _same_text(old: Section, new: Section) -> bool:
    return bool(_body_key(old)) and _body_key(old) == _body_key(new)


def _similar(old: Section, new: Section) -> bool:
    return old.when[0] == new.when[0] and difflib.SequenceMatcher(None, old.key, new.key).ratio() >= 0.6


def match_sections(base: list[Section], side: list[Section]) -> dict[int, int]:
    """Which section of ``side`` each section of base became (left out: removed there).

    The same text first; then, among the sections base does not have, one with the same heading
    (its text edited), the same text (its heading edited), or the same date and most of the text.
    """
    found: dict[int, int] = {}
    free = list(range(len(side)))

    def claim(test: Callable[[Section, Section], bool], skip: set[str]) -> None:
        for i, old in enumerate(base):
            pick = None if i in found else next(
                (j for j in free if side[j].key not in skip and test(old, side[j])), None)
            if pick is not None:
                found[i] = pick
                free.remove(pick)

    claim(lambda old, new: old.key == new.key, set())
    for test in (_same_heading, _same_text, _similar):
        claim(test, {old.key for old in base})
    return found


def _head_and_text(section: Section) -> tuple[str, str]:
    head, _, text = section.core.partition("\n")
    return head + "\n", text


def merge_section(base: Section, ours: Section, theirs: Section, labels: Labels) -> tuple[Section, int]:
    """One interaction edited on both sides: the heading as a value, the text by lines; in ours' place."""
    if theirs.key in (base.key, ours.key):
        return ours, 0
    if ours.key == base.key:
        return replace(ours, core=theirs.core, heading=theirs.heading, when=theirs.when), 0
    (_, old_text), (my_head, my_text), (other_head, other_text) = map(_head_and_text, (base, ours, theirs))
    text, conflicts = merge_lines(old_text, my_text, other_text, labels)
    heading, when = (ours.heading, ours.when) if theirs.heading == base.heading else (theirs.heading, theirs.when)
    head = my_head if heading == ours.heading else other_head
    if base.heading != ours.heading != theirs.heading != base.heading:
        head, conflicts = _conflict_block(my_head, other_head, labels, "\n"), conflicts + 1
    return replace(ours, core=head + text, heading=heading, when=when), conflicts


def _removed_and_edited(edited: Section, labels: Labels) -> Section:
    """A conflict: one side removed the interaction the other edited; the edit inside markers."""
    core = _with_newline(edited.core, "\n")
    ours, theirs = ("", core) if edited.side == "theirs" else (core, "")
    return replace(edited, core=_conflict_block(ours, theirs, labels, "\n"), heading="")


def merge_sections(
    base: list[Section], ours: list[Section], theirs: list[Section], labels: Labels
) -> tuple[list[Section], int]:
    """Every interaction of base, ours and theirs once, with each side's edits, less what one side removed.

    One removed on one side and edited on the other is a conflict; one both sides added is kept once;
    those theirs added go in date order among ours, and nothing of ours moves.
    """
    ours = [replace(s, side="ours", index=i) for i, s in enumerate(ours)]
    theirs = [replace(s, side="theirs", index=i) for i, s in enumerate(theirs)]
    mine, other = match_sections(base, ours), match_sections(base, theirs)
    from_base = {j: i for i, j in mine.items()}
    merged: list[Section] = []
    conflicts = 0
    for j, section in enumerate(ours):
        i = from_base.get(j)
        if i is None:
            merged.append(section)
        elif i in other:
            done, found = merge_section(base[i], section, theirs[other[i]], labels)
            merged.append(done)
            conflicts += found
        elif section.key != base[i].key:
            merged.append(_removed_and_edited(section, labels))
            conflicts += 1
    added = Counter(s.key for j, s in enumerate(ours) if j not in from_base)
    to_base = {j: i for i, j in other.items()}
    for j, section in enumerate(theirs):
        i = to_base.get(j)
        if i is None and added[section.key] > 0:
            added[section.key] -= 1
            continue
        if i is not None and (i in mine or section.key == base[i].key):
            continue
        if i is not None:
            section = _removed_and_edited(section, labels)
            conflicts += 1
        later = next((n for n, s in enumerate(merged) if s.when > section.when), len(merged))
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


def merge_contact(
    base: bytes, ours: bytes, theirs: bytes, labels: Labels = Labels(), path: Path = Path("contact.md"),
    shape: Shape | None = None,
) -> MergeResult:
    """Merge three versions of a contact file (or a deal file: ``shape``, by default told by ``path``);
    a file that does not parse is merged as plain text."""
    if ours == theirs or theirs == base:
        return MergeResult(ours, 0)
    if ours == base:
        return MergeResult(theirs, 0)
    shape = shape or shape_of(path)
    try:
        parts = [split_parts(path, data, shape) for data in (base, ours, theirs)]
    except ParseError:
        return merge_whole(base, ours, theirs, labels)
    b, o, t = parts
    if o.source is None or t.source is None:
        return merge_whole(base, ours, theirs, labels)
    front, front_conflicts = merge_front_matter(b, o, t, labels, shape)
    notes, notes_conflicts = merge_lines(b.notes, o.notes, t.notes, labels)
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
        shape = shape_of(name, Path.cwd()) if path else CONTACT
        result = merge_contact(old, mine, other, labels=labels, path=name, shape=shape)
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
