"""The short text of a message: a few lines of what its writer wrote, and the names of its attachments.

The plain-text part, or else the HTML part as text (html.parser: scripts and styles dropped, entities
decoded); quoted lines (`> `), the attribution line before them (`On … wrote:`) and the signature
(from a `-- ` line on) left out; blank lines dropped; at most LINES lines.
"""
from __future__ import annotations

import email.message
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

LINES = 5
LINE_WIDTH = 300
_BLOCKS = {"p", "br", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
           "table", "ul", "ol", "hr", "section", "article", "header", "footer", "title"}
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_ATTRIBUTION = re.compile(r"^(?:On\b.*\bwrote:|.*\bwrote:|.*\bschrieb:|Le .* a écrit\s*:)$", re.IGNORECASE)
_TASK = re.compile(r"^([-*+] )\[([ xX])\]")
_MARK = re.compile(r"^message-id:", re.IGNORECASE)


@dataclass
class Content:
    """What a whole message says besides its headers."""

    lines: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def content(msg: email.message.EmailMessage) -> Content:
    """The short text and the attachment names of the message ``msg`` (message.parsed; any failure of the email
    package on a part leaves that part out)."""
    body = _body(msg)
    text = _part_text(body) if body is not None else ""
    if body is not None and body.get_content_subtype() == "html":
        text = html_text(text)
    return Content(short_lines(text), _attachments(msg, body))


def _body(msg: email.message.EmailMessage) -> email.message.EmailMessage | None:
    try:
        found = msg.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001 - a structure get_body cannot walk
        return None
    return found if isinstance(found, email.message.EmailMessage) else None


def _part_text(part: email.message.EmailMessage) -> str:
    try:
        value = part.get_content()
        if isinstance(value, str):
            return _iso_2022_jp(value) if part.get_param("charset") is None else value
    except Exception:  # noqa: BLE001, S110 - an unknown charset or a broken transfer encoding: decode what is there
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _iso_2022_jp(text: str) -> str:
    """Text in ISO-2022-JP's escape sequences though no charset says so (old Japanese mail), decoded."""
    if "\x1b$B" not in text:
        return text
    try:
        return text.encode("ascii").decode("iso-2022-jp")
    except UnicodeError:
        return text


def _attachments(msg: email.message.EmailMessage, body: email.message.Message | None) -> list[str]:
    names: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or part is body:
            continue
        try:
            name = part.get_filename()
        except Exception:  # noqa: BLE001, S112 - a name the email package cannot decode
            continue
        name = " ".join(str(name or "").split())
        if name and name not in names:
            names.append(name)
    return names


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML document: one line per block, scripts and styles dropped, entities decoded."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).translate(_INVISIBLE).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def short_lines(text: str, most: int = LINES) -> list[str]:
    """What the writer wrote: no quotes, attribution or signature, no blank lines, at most ``most`` lines."""
    lines = [line.rstrip() for line in text.translate(_INVISIBLE).replace("\r\n", "\n").split("\n")]
    kept: list[str] = []
    for at, line in enumerate(lines):
        if line == "--":  # the signature's `-- ` line
            break
        stripped = line.strip()
        if not stripped or stripped.startswith(">") or _MARK.match(stripped):
            continue
        if _ATTRIBUTION.match(stripped) and _quote_follows(lines, at):
            if kept and kept[-1].startswith("On ") and not stripped.startswith("On "):
                kept.pop()  # the attribution's first line
            continue
        kept.append(_safe(stripped))
    return kept[:most]


def _quote_follows(lines: list[str], at: int) -> bool:
    following = [line for line in lines[at + 1:] if line.strip()]
    return not following or following[0].lstrip().startswith(">")


def _safe(line: str) -> str:
    """A line that reads as text in a contact file: no code fence, no task, not too long."""
    if line.startswith(("```", "~~~")):
        line = "\\" + line
    line = _TASK.sub(r"\1\\[\2]", line)
    return line if len(line) <= LINE_WIDTH else line[:LINE_WIDTH - 1] + "…"
