"""What a follow-up made of each contact, kept between runs by the index document it was made from.

A segment of the index never changes once written: an edit writes the contact into a new segment
and marks its old document deleted, and a new day writes the contacts whose day turned anew
(freshness.py). So the rows a command made of one document, for one day and the command's
options, hold for as long as that segment does: the next run makes rows only for documents it
has none for (the contacts edited since), and reads the others back. At 100,000 contacts `tasks`,
`stale`, `agenda` and `remind` spent 300-400 ms rebuilding 30,000-60,000 contacts and making their
rows; read back, the rows take 50-100 ms (`bench/bench_reading.py`).

Which documents of a segment a command looks at (by day columns and the like) is as fixed, and kept
too: a run reads no column of a segment it has seen. A command may keep what it made of a segment's
documents together instead (`whole`: a report's counts, reports/tally.py). Kept in
`.vault/rows/<command>` (marshal): the tag (this module's version, the command's day and options)
and, by segment, the documents chosen and each one's rows. A run with another tag starts afresh and writes
its own; segments the index no longer has are dropped whenever it is written. A memo that cannot be
read is made again, one that cannot be written (a read-only `.vault/`) is done without. Deleting
it loses nothing.
"""
from __future__ import annotations

import marshal
from collections.abc import Collection
from pathlib import Path
from typing import Any

FOLDER = "rows"  # in .vault/
VERSION = 5  # bump when what a command keeps changes: rows kept by an older version are then made again
Kept = list[Any]  # of a segment: [the documents chosen (None until known), {document: its rows}, what was made of all]


class RowMemo:
    """The rows one command made of each document of each segment, for one ``tag`` (day and options)."""

    def __init__(self, state: Path, command: str, tag: tuple[Any, ...]) -> None:
        self.path = state / FOLDER / command
        self.tag = (VERSION, *tag)
        self._segments = self._read()
        self._made = False

    def _read(self) -> dict[str, Kept]:
        try:
            tag, segments = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return segments if tag == self.tag and isinstance(segments, dict) else {}

    def _kept(self, segment: str) -> Kept:
        return self._segments.setdefault(segment, [None, {}, None])

    def chosen(self, segment: str) -> list[int] | None:
        """The documents of ``segment`` the command chose (live then: some may be deleted since), if kept."""
        found: list[int] | None = self._kept(segment)[0]
        return found

    def choose(self, segment: str, docs: list[int]) -> list[int]:
        """Keep ``docs`` as the documents of ``segment`` the command chooses."""
        self._kept(segment)[0] = docs
        self._made = True
        return docs

    def of_segment(self, segment: str) -> dict[int, Any]:
        """The rows kept of the documents of ``segment``, by document number (a dict to add to: see `made`)."""
        rows: dict[int, Any] = self._kept(segment)[1]
        return rows

    def whole(self, segment: str) -> Any:
        """What the command made of the chosen documents of ``segment`` together (None if nothing is kept)."""
        return self._kept(segment)[2]

    def keep_whole(self, segment: str, docs: list[int], whole: Any) -> None:
        """Keep ``whole`` as what the command made of documents ``docs`` of ``segment`` together."""
        self._kept(segment)[0::2] = [docs, whole]
        self._made = True

    def made(self) -> None:
        """Rows were added: write the memo when saved."""
        self._made = True

    def save(self, segments: Collection[str]) -> None:
        """Keep the rows of ``segments`` (the index's, now), if any were made or another segment's are dropped."""
        gone = [name for name in self._segments if name not in segments]
        for name in gone:
            del self._segments[name]
        if not (self._made or gone):
            return
        from vault_tool.fileio import atomic_write

        try:
            self.path.parent.mkdir(exist_ok=True)
            atomic_write(self.path, marshal.dumps((self.tag, self._segments)), durable=False)
        except OSError:
            pass  # a memo only: the next run makes the rows again
