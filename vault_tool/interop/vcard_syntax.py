"""The syntax of vCard files (2.1, 3.0, 4.0): cards, content lines, parameters, escaping, folding.

vobject's ``parseLine`` splits a content line into group, name and
parameters. Everything else is done here, because vobject loses data or
time on real files: its ``getLogicalLines`` copies the whole value so far for
every folded line (a 50 MB photo never finishes), its readers stop at
the first bad line of a whole file, its PROFILE handling rejects Lotus Notes
cards, its quoted-printable decoding fails on any charset but UTF-8, it
escapes a URL's ``\\:`` a second time when it writes it back, and it cannot
write back a 2.1 ``ENCODING=BASE64`` photo. So a card here is a list of
:class:`Prop` whose values stay in their encoded (escaped) form, which is what
a lossless round trip needs; they are decoded only where a field is made of them.

Every card is read on its own, and a line that cannot be read never costs its
card: a line with empty parameters (`ADR;HOME;PREF;:`) is read without them, as
the property it is (written back so: `ADR;TYPE=HOME,PREF:`), any other (`FN`
with no colon, `X-messaging/twitter-All:…`) is kept as it is (a Prop named RAW
whose ``raw`` is the line), each with a warning naming its line.
A card that is never closed is read to the end of the file, with a warning.
"""
from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass, field

from vobject.base import ParseError as VObjectParseError
from vobject.base import parseLine

from vault_tool.interop.encoding import decode_bytes
from vault_tool.interop.records import Problem

STRUCTURED = frozenset({"N", "ADR", "ORG", "GENDER"})
LISTS = frozenset({"CATEGORIES", "NICKNAME"})
_ENCODING_WORDS = frozenset({"BASE64", "B", "QUOTED-PRINTABLE", "8BIT", "7BIT"})
_PHYSICAL_LINES = re.compile(r"\r*\n|\r")  # `\r\r\n` (CRLF converted twice) is one break
_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.I)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.I)
_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:\\?;[^,]*)?\\?;base64\\?,", re.I)
_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]{16,}={0,2}\s*$")
BINARY_NAMES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
RAW = "X-VAULT-LINE"  # a line kept as it was read: `X-VAULT-LINE: FN` in `vcard:`, written back as `FN`
# A UTF-8 character that a fold cut in two: its first bytes, the fold, the rest.
_SPLIT_CHARACTER = re.compile(rb"([\xc2-\xf4][\x80-\xbf]{0,2})(\r?\n[ \t])([\x80-\xbf]{1,3})")


class CardError(Exception):
    """A card that cannot be read: the line and what is wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Prop:
    """One content line. ``value`` is encoded as in vCard 3.0 and 4.0: escaped, unfolded."""

    name: str
    value: str
    params: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None
    line: int = 0
    raw: str | None = None  # the line as read, when it was not a well-formed vCard line: written back as it is

    @property
    def head(self) -> str:
        """Everything before the value's colon: `item1.EMAIL;TYPE=INTERNET,HOME`."""
        text = f"{self.group}.{self.name}" if self.group else self.name
        for name, values in self.params.items():
            text += f";{name}" + ("=" + ",".join(_param_value(v) for v in values) if values else "")
        return text

    def to_line(self) -> str:
        return self.raw if self.raw is not None else f"{self.head}:{self.value}"

    def kept(self) -> tuple[str, str]:
        """The property as a `vcard:` entry: (head, value), or (RAW, the line) for a line kept as it was."""
        return (RAW, self.raw) if self.raw is not None else (self.head, self.value)

    def text(self) -> str:
        return unescape(self.value)

    def parts(self) -> list[str]:
        """The components of a structured value (N, ADR, ORG), unescaped."""
        return [unescape(p) for p in split(self.value, ";")]

    def items(self) -> list[str]:
        """The items of a list value (CATEGORIES, NICKNAME), unescaped."""
        return [unescape(p) for p in split(self.value, ",")]

    def types(self) -> list[str]:
        """The TYPE parameter's values in lower case (`TYPE=WORK,pref` -> work, pref)."""
        return [t.strip().lower() for v in self.params.get("TYPE", []) for t in v.split(",") if t.strip()]

    def is_binary(self) -> bool:
        """Inline binary data: ENCODING=b, a data: URI, or (PHOTO, LOGO, SOUND, KEY) bare base64 with no ENCODING."""
        encoding = [v.upper() for v in self.params.get("ENCODING", [])]
        if "B" in encoding or "BASE64" in encoding or _DATA_URI.match(self.value):
            return True
        return self.name in BINARY_NAMES and "VALUE" not in self.params and bool(_BASE64.match(self.value[:4096]))

    def binary(self) -> tuple[bytes, str | None]:
        """The decoded bytes of an inline binary value and its media type if named; ValueError if corrupt."""
        match = _DATA_URI.match(self.value)
        data = self.value[match.end():] if match else self.value
        data = re.sub(r"\s+", "", data).rstrip("=")
        try:  # padding as it should be: some writers leave it out
            decoded = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"its base64 data is corrupt ({exc})") from None
        media = match.group("type") if match and match.group("type") else None
        return decoded, media

    def binary_size(self) -> int:
        """The decoded size of an inline binary value, from its length (without decoding it)."""
        return len(self.value) * 3 // 4


def _param_value(value: str) -> str:
    value = value.replace('"', "'")
    return f'"{value}"' if any(c in value for c in ",;:") else value


def escape(text: str) -> str:
    """Text as a vCard 3.0/4.0 value: backslash, `;`, `,` and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _PHYSICAL_LINES.sub("\\\\n", text)


def unescape(value: str) -> str:
    """A value's text: `\\n` is a line break, `\\;` `\\,` `\\\\` the character; any other escape reads leniently."""
    if "\\" not in value:
        return value
    out = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, None)
        if following is None:
            out.append("\\")
        else:
            out.append("\n" if following in "nN" else following)
    return "".join(out)


def one_line(text: str) -> str:
    """A value read back from a file as one content line's value: a final line break dropped (the file is
    written with one, and an editor adds one), any other written as `\\n` (a value holds no line break)."""
    text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text
    return _PHYSICAL_LINES.sub("\\\\n", text)


def split(value: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not escaped with a backslash; the parts stay escaped."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def fold(line: str, width: int = 75) -> str:
    """A content line folded to ``width`` octets per physical line (never inside a UTF-8 character), CRLF-ended."""
    if line.isascii():
        if len(line) <= width:
            return line + "\r\n"
        chunks = [line[:width]] + [line[i : i + width - 1] for i in range(width, len(line), width - 1)]
        return "\r\n ".join(chunks) + "\r\n"
    out, size, limit = [], 0, width
    for char in line:
        length = len(char.encode("utf-8"))
        if size + length > limit:
            out.append("\r\n ")
            size, limit = 0, width - 1
        out.append(char)
        size += length
    return "".join(out) + "\r\n"


def serialize(version: str, props: list[Prop]) -> str:
    """One card: BEGIN, VERSION, the properties, END; folded, CRLF line endings."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"] + [p.to_line() for p in props] + ["END:VCARD"]
    return "".join(fold(line) for line in lines)


# Reading


@dataclass
class Card:
    line: int  # of its BEGIN:VCARD
    version: str
    props: list[Prop]
    warnings: list[str] = field(default_factory=list)


def physical_lines(text: str) -> list[str]:
    """The lines of a text ending in CRLF, LF, or `\r\r\n` (CRLF converted twice: one break).

    A CR alone ends a line only in a file without LF (old Macs); elsewhere it is part of a value
    (Thunderbird writes one inside a value as it is).
    """
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n")
    return text.split("\n") if "\n" in text else text.split("\r")


def rejoin_split_characters(data: bytes) -> bytes:
    """RFC 6350 3.2: unfold at the byte level. A UTF-8 character a fold cut in two is made whole again, by
    moving its first bytes past the fold (line numbers stay as they are); only if the file is then UTF-8."""
    if b"\n " not in data and b"\n\t" not in data:
        return data
    fixed = _SPLIT_CHARACTER.sub(rb"\2\1\3", data)
    if fixed == data:
        return data
    try:
        fixed.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return fixed


def split_cards(text: str) -> tuple[list[list[tuple[int, str]]], list[Problem]]:
    """The cards in a file as lists of (line number, text), BEGIN and END included.

    A card nested in another (2.1's AGENT) is a card of its own.
    """
    cards: list[list[tuple[int, str]]] = []
    problems: list[Problem] = []
    stack: list[list[tuple[int, str]]] = []
    for number, line in enumerate(physical_lines(text), start=1):
        short = len(line) <= 40  # BEGIN and END lines are short; a folded photo has thousands of long ones
        if short and _BEGIN.match(line):
            stack.append([(number, line)])
        elif stack:
            stack[-1].append((number, line))
            if short and _END.match(line):
                cards.append(stack.pop())
    cards.extend(stack)  # never closed: read to the end of the file (parse_card says so)
    cards.sort(key=lambda c: c[0][0])
    return cards, problems


def logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Unfold physical lines into content lines: a line starting with a space or tab continues the one
    before (3.0, 4.0); in 2.1 a quoted-printable value ending in `=` goes on in the next line; a blank
    line ends a value (2.1's base64). Linear in the size of the card, however long a value is."""
    out: list[tuple[int, list[str]]] = []
    soft_break = False  # the last line was a quoted-printable line ending in `=`
    quoted_printable = False
    for number, text in lines:
        if not text or text.isspace():
            soft_break = quoted_printable = False
            out.append((number, []))
            continue
        if out and out[-1][1] and soft_break:
            out[-1][1].append("\n" + text)
        elif out and out[-1][1] and text[0] in " \t":
            out[-1][1].append(text[1:])
        else:
            out.append((number, [text]))
            head = text.split(":", 1)[0].upper()
            quoted_printable = "QUOTED-PRINTABLE" in head
        soft_break = quoted_printable and text.endswith("=")
    return [(number, "".join(parts)) for number, parts in out if parts]


def parse_card(lines: list[tuple[int, str]], file_encoding: str) -> Card:
    """Read one card's lines (from :func:`split_cards`); a line that is not a vCard line is kept as it is."""
    raw = logical_lines(lines)
    version = next((t.split(":", 1)[1].strip() for _, t in raw if t.upper().startswith("VERSION:")), "3.0")
    card = Card(lines[0][0], version, [])
    if not _END.match(lines[-1][1]):
        card.warnings.append(f"the card at line {card.line} is never closed (no END:VCARD): "
                             "it is read to the end of the file; check that nothing is missing")
    for number, text in raw:
        if not text.strip() or text.lstrip().startswith("#") or _BEGIN.match(text) or _END.match(text):
            continue  # blank, a comment line (Android writes and skips them), or the card's own BEGIN/END
        prop = lenient_prop(text, number, version, file_encoding, card.warnings)
        if prop.name not in ("VERSION", "PRODID", "BEGIN", "END"):  # PRODID names the program that wrote it
            card.props.append(prop)
    return card


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "…")


def lenient_prop(text: str, number: int = 0, version: str = "3.0", file_encoding: str = "utf-8",
                 warnings: list[str] | None = None) -> Prop:
    """A content line as a Prop, whatever it holds: read without its empty parameters if it has some (the
    property it is, written back clean), else kept as it is (a RAW Prop). What was done is added to ``warnings``."""
    colon = _value_start(text)
    head = text[:colon] if colon >= 0 else text
    cleaned = re.sub(r";+(?=;|$)", "", head) if '"' not in head else head
    try:
        if colon < 0 or cleaned == head:
            return parse_prop(text, number, version, file_encoding)
        prop = parse_prop(cleaned + text[colon:], number, version, file_encoding)
    except CardError:
        pass
    else:
        if warnings is not None:
            warnings.append(f"line {number}: {_shown(head + ':')} has an empty parameter: "
                            f"read without it, as {_shown(prop.head + ':')}")
        return prop
    if warnings is not None:
        warnings.append(f"line {number}: {_shown(text)} is not a vCard line: it is kept as it is")
    return Prop(RAW, text, line=number, raw=text)


def parse_prop(text: str, number: int = 0, version: str = "3.0", file_encoding: str = "utf-8") -> Prop:
    """One unfolded content line as a Prop in 3.0/4.0 encoding; CardError if it is not one."""
    colon = _value_start(text)
    try:
        name, raw_params, _, group = parseLine(text[: colon + 1] if colon >= 0 else text, number)
        value = text[colon + 1 :]
    except VObjectParseError:
        shown = text if len(text) <= 60 else text[:57] + "…"
        raise CardError(number, f"not a vCard line: '{shown}'") from None
    params: dict[str, list[str]] = {}
    tokens = _head_tokens(text[:colon])[1:]
    for index, param in enumerate(raw_params):
        if len(param) == 1:  # 2.1's bare parameters: `TEL;CELL;PREF`, `PHOTO;BASE64`, `TEL;FAX,WORK`
            bare = tokens[index] if len(tokens) == len(raw_params) and "=" not in tokens[index] else param[0]
            for word in (w.strip() for w in bare.split(",") if w.strip()):  # vobject keeps only the first word
                key = "ENCODING" if word.upper() in _ENCODING_WORDS else "TYPE"
                params.setdefault(key, []).append(word)
        else:
            params.setdefault(param[0].upper(), []).extend(param[1:])
    prop = Prop(name.upper(), value, params, group or None, number)
    _decode_transfer(prop, file_encoding)
    if version.startswith("2"):
        prop.value = _value_from_21(prop.name, prop.value)
    elif "\n" in prop.value or "\r" in prop.value:
        prop.value = _PHYSICAL_LINES.sub("\\\\n", prop.value)
    return prop


def _head_tokens(head: str) -> list[str]:
    """A head split at its `;` outside double quotes: the name, then each parameter as written."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in head:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return tokens


def _value_start(text: str) -> int:
    """Where the value's colon is: the first `:` outside a double-quoted parameter value (-1 if none)."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _decode_transfer(prop: Prop, file_encoding: str) -> None:
    """Undo quoted-printable (decoding with the CHARSET it names); drop CHARSET (the text is decoded now)."""
    encodings = prop.params.get("ENCODING", [])
    charsets = prop.params.pop("CHARSET", [])
    charset = charsets[0] if charsets else None
    if not any(e.upper() == "QUOTED-PRINTABLE" for e in encodings):
        return
    remaining = [e for e in encodings if e.upper() != "QUOTED-PRINTABLE"]
    if remaining:
        prop.params["ENCODING"] = remaining
    else:
        prop.params.pop("ENCODING")
    try:
        raw = prop.value.encode(charset or file_encoding)
    except (UnicodeEncodeError, LookupError):
        raw = prop.value.encode("utf-8")
    prop.value = decode_bytes(quopri.decodestring(raw), charset)


def _escape_21_part(part: str) -> str:
    return escape(part.replace("\\;", ";"))


def _value_from_21(name: str, value: str) -> str:
    """A 2.1 value (only `\\;` escaped, line breaks literal) in 3.0 encoding."""
    if name in STRUCTURED:
        return ";".join(_escape_21_part(p) for p in split(value, ";"))
    if name in LISTS:
        return ",".join(escape(p.strip()) for p in re.split(r"[,;]", value) if p.strip())
    if name in ("PHOTO", "LOGO", "SOUND", "KEY") and not re.search(r"[;,\\\n]", value):
        return value
    return escape(value.replace("\\;", ";"))
