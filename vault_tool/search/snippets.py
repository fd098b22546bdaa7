"""Why a contact matched: the line of its notes or interactions that holds the most matched words; else its
document whose name or text holds one (the snippet names the document)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vault_tool.format.handles import fold

WORD = re.compile(r"\w+(?:[.'’]\w+)*")
NAME_WORD = re.compile(r"[^\W_]+")  # the words of a document's name, as the index reads them (`contract`, `pdf`)
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
    best = _best_line(lines[start - 1:], words, start)
    if best is not None:
        return _clip(lines[best[1] - 1], best[2], best[1], width)
    return _in_documents(path, words, width)


def _best_line(lines: list[str], words: set[str], start: int = 1,
               word: re.Pattern[str] = WORD) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(distinct words, line number, spans) of the line of ``lines`` with the most of ``words``."""
    best: tuple[int, int, list[tuple[int, int]]] | None = None
    for number, line in enumerate(lines, start):
        matched = [(m.span(), fold(m.group(0))) for m in word.finditer(line)]
        spans = [span for span, word in matched if word in words]
        distinct = len({word for _, word in matched if word in words})
        if spans and (best is None or distinct > best[0]):
            best = (distinct, number, spans)
    return best


def _in_documents(path: Path, words: set[str], width: int) -> Snippet | None:
    """A matched word in the name or the text of one of the contact's documents: the snippet names the
    document (`contract.pdf: …the indemnity clause…`)."""
    from vault_tool.errors import VaultError
    from vault_tool.format.contact import parse
    from vault_tool.format.documents import documents_of, vault_root_of
    from vault_tool.search.documents import document_text

    root = vault_root_of(path)
    try:
        contact = parse(path, path.read_bytes(), path.stem) if root is not None else None
    except (OSError, VaultError):
        return None
    if contact is None or root is None:
        return None
    found = documents_of(root, contact.handle, contact.meta, path)
    for doc in found:
        named = _best_line([doc.name], words) or _best_line([doc.name], words, word=NAME_WORD)
        if named is not None:
            return _clip(doc.name, named[2], 1, width)
    for doc in found:
        try:
            lines = document_text(doc.path, root).splitlines() if doc.path is not None else []
        except VaultError:
            continue
        best = _best_line(lines, words)
        if best is not None:
            clipped = _clip(lines[best[1] - 1], best[2], best[1], width - len(doc.name) - 2)
            shift = len(doc.name) + 2
            return Snippet(f"{doc.name}: {clipped.text}", [(a + shift, b + shift) for a, b in clipped.spans], best[1])
    return None


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
