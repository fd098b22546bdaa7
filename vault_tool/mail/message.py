"""What one message says: its Message-ID, date, addresses, whether it is list traffic, and its subject.

Read with Python's `email` (policy.default). The headers are read first and alone (`head`), which is
all a message already logged needs; the whole message only when it is logged (text.py).
A message without a Message-ID gets one derived from its Date, From and Subject and a hash of its body
(`<derived-…@contacts.invalid>`), the same on every run. An address is compared in lower case and
without a `+tag` after its local part (`ada+news@x` is `ada@x`).
"""
from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser, BytesParser

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_AUTOMATIC = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster)(?:[-+._].*)?$", re.IGNORECASE)
_LIST_PRECEDENCE = ("bulk", "list", "junk")
_IDENTIFYING = ("from", "to", "cc", "date", "message-id", "subject", "sender", "received")
DERIVED_DOMAIN = "contacts.invalid"


class NotAMessage(Exception):
    """The bytes are no email message that can be read."""


@dataclass(frozen=True)
class Address:
    name: str  # the display name, decoded ("" when there is none)
    address: str  # as written
    key: str  # as compared: lower case, no +tag

    def shown(self) -> str:
        if not self.name:
            return self.address
        quoted = any(c in self.name for c in ',;:<>@"()')
        return f'"{self.name.replace(chr(34), "")}" <{self.address}>' if quoted else f"{self.name} <{self.address}>"


@dataclass
class Head:
    """A message's headers, as the logbook needs them."""

    message_id: str  # without angle brackets; derived when the message has none
    derived: bool
    senders: list[Address] = field(default_factory=list)  # From
    recipients: list[Address] = field(default_factory=list)  # To and Cc
    date: dt.datetime | None = None  # aware; None when missing or not a date
    subject: str = ""
    listed: str = ""  # why it is list traffic ("List-Id", "Precedence: bulk" …), "" if it is not
    quick: bool = False  # read by `quick`: no date, no subject, names as written


def readable(text: str) -> str:
    """Text with the raw bytes a header held undecoded (surrogate escapes) read as UTF-8 where they are."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def address_key(address: str) -> str:
    """An address as compared: lower case, the `+tag` of its local part left out."""
    local, at, domain = address.strip().lower().rpartition("@")
    if not at:
        return domain
    return f"{local.split('+', 1)[0] or local}@{domain}"


def parsed(data: bytes) -> email.message.EmailMessage:
    """The message in ``data`` as Python's email reads it (policy.default); NotAMessage if it cannot."""
    try:
        msg = BytesParser(policy=email.policy.default).parsebytes(data)
    except Exception as exc:  # noqa: BLE001 - the email package's own failure on bytes it cannot take apart
        raise NotAMessage(f"not a message Python's email can read ({exc})") from None
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def head(data: bytes, msg: email.message.EmailMessage) -> Head:
    """The headers of the message in ``data`` (``msg``: as `parsed` reads it); NotAMessage when it has none of
    a message's headers."""
    names = {name.lower() for name in msg}
    if not names & set(_IDENTIFYING) or b"\x00" in data[:4096]:
        raise NotAMessage("not an email message (no From, To, Date or Subject header)")
    senders = addresses(msg, "from")
    found = Head(message_id="", derived=False, senders=senders, recipients=addresses(msg, "to") + addresses(msg, "cc"),
                 date=_date(msg), subject=_text(msg, "subject"), listed=_listed(msg, senders))
    written = _MESSAGE_ID.search(_text(msg, "message-id")) or _MESSAGE_ID.search(f"<{_text(msg, 'message-id')}>")
    if written is not None:
        found.message_id = written.group(1)
    else:
        found.message_id, found.derived = derived_id(msg, data), True
    return found


def quick(data: bytes) -> Head | None:
    """The Message-ID, addresses and list headers of a plain message, read fast (without policy.default's
    header objects); None for anything less plain (no Message-ID, encoded words, 8-bit bytes, groups),
    which `head` reads. Enough to see that a message is logged already."""
    try:
        msg = BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    except Exception:  # noqa: BLE001 - the email package's own failure: `head` reports it
        return None
    written = _MESSAGE_ID.search(str(msg.get("message-id") or ""))
    if written is None:
        return None
    found: dict[str, list[Address]] = {}
    for name in ("from", "to", "cc"):
        raws = msg.get_all(name, failobj=[])
        if not all(isinstance(raw, str) and raw.isascii() and "=?" not in raw and ":" not in raw for raw in raws):
            return None
        pairs = email.utils.getaddresses(raws)
        if any("@" not in spec or " " in spec.strip() for _, spec in pairs):
            return None
        found[name] = [Address(" ".join(display.split()), spec.strip(), address_key(spec)) for display, spec in pairs]
    if not found["from"] and not found["to"] and not found["cc"]:
        return None
    return Head(written.group(1), False, found["from"], found["to"] + found["cc"],
                listed=_listed(msg, found["from"]), quick=True)


def _text(msg: email.message.Message, name: str) -> str:
    """A header's value decoded, on one line ("" when missing or unreadable)."""
    try:
        value = msg.get(name)
        return " ".join(readable(str(value)).split()) if value is not None else ""
    except Exception:  # noqa: BLE001 - a header policy.default cannot decode
        return ""


def addresses(msg: email.message.EmailMessage, name: str) -> list[Address]:
    """The addresses of every header ``name`` (groups opened, display names decoded)."""
    found: list[Address] = []
    for header in msg.get_all(name, failobj=[]):
        try:
            pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:  # noqa: BLE001 - a header policy.default cannot take apart: the older parser's reading
            pairs = email.utils.getaddresses([str(header)])
        for display, spec in pairs:
            spec = readable(spec.strip())
            if "@" in spec and " " not in spec:
                found.append(Address(" ".join(readable(display).split()), spec, address_key(spec)))
    return found


def _date(msg: email.message.EmailMessage) -> dt.datetime | None:
    try:
        header = msg.get("date")
        when = getattr(header, "datetime", None) if header is not None else None
    except Exception:  # noqa: BLE001 - a Date that is no date
        return None
    if not isinstance(when, dt.datetime):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)  # `-0000`: in UTC


def _listed(msg: email.message.Message, senders: list[Address]) -> str:
    """Why the message is mailing-list or automatic traffic, or ""."""
    if msg.get("list-id") is not None:
        return "List-Id"
    precedence = _text(msg, "precedence").lower()
    if precedence in _LIST_PRECEDENCE:
        return f"Precedence: {precedence}"
    submitted = _text(msg, "auto-submitted").lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    for sender in senders:
        if _AUTOMATIC.match(sender.address.rpartition("@")[0]):
            return f"from {sender.address}"
    return ""


def derived_id(msg: email.message.EmailMessage, data: bytes) -> str:
    """A stable id for a message without one: its Date, From and Subject and a hash of its body."""
    body = _body_bytes(data)
    digest = hashlib.sha256()
    for part in (_text(msg, "date"), _text(msg, "from"), _text(msg, "subject")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(body)
    return f"derived-{digest.hexdigest()[:32]}@{DERIVED_DOMAIN}"


def _body_bytes(data: bytes) -> bytes:
    """The body as the same message reads in any mailbox: LF line ends, no trailing blanks, `>From` unquoted."""
    data = data.replace(b"\r\n", b"\n")
    _, _, body = data.partition(b"\n\n")
    lines = [line.rstrip() for line in body.split(b"\n")]
    lines = [line[1:] if line.startswith(b">From ") else line for line in lines]
    return b"\n".join(lines).strip(b"\n")
