"""Why a contact matched: the first line of its notes or interactions that holds a matched word."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vault_tool.format.handles import fold

WORD = re.compile(r"\w+(?:[.'’]\w+)*")
WIDTH = 100


@dataclass
class Snippet:
    text: str
    spans: list[tuple[int, int]]  # (start, end) of each matched word in ``text``
    line: int  # 1-based line in the file


def find(path: Path, words: set[str], width: int = WIDTH) -> Snippet | None:
    """The body line of ``path`` with the most of ``words`` (indexed, folded forms), clipped to ``width``."""
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return None
    start = _body_start(lines)
    best: tuple[int, int, list[tuple[int, int]]] | None = None
    for number, line in enumerate(lines[start - 1:], start):
        matched = [(m.span(), fold(m.group(0))) for m in WORD.finditer(line)]
        spans = [span for span, word in matched if word in words]
        distinct = len({word for _, word in matched if word in words})
        if spans and (best is None or distinct > best[0]):
            best = (distinct, number, spans)
    return _clip(lines[best[1] - 1], best[2], best[1], width) if best else None


def _body_start(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 1
    for number, line in enumerate(lines[1:], 2):
        if line.strip() in ("---", "..."):
            return number + 1
    return len(lines) + 1


def _clip(line: str, spans: list[tuple[int, int]], number: int, width: int) -> Snippet:
    text = line.strip()
    offset = len(line) - len(line.lstrip())
    spans = [(a - offset, b - offset) for a, b in spans]
    start = max(0, min(spans[0][0] - width // 3, len(text) - width))
    if start > 0:
        start = text.rfind(" ", 0, start) + 1 or start
    clipped = text[start:start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    shifted = [(a - start + len(prefix), b - start + len(prefix)) for a, b in spans if b <= start + width and a >= start]
    return Snippet(prefix + clipped + suffix, shifted, number)
