"""Sending a template to many contacts, and logging what was sent (`contacts mail send`).

    result = send_template(vault, "welcome", "tag:customer", confirm=ask)

The contacts are those a search query (or `@segment`) picks through the index; each picked file is read.
A contact with `do_not_email: true` or the tag `unsubscribed` is left out, and so is one with no email
address and one the template was sent to before (an `email` interaction whose text has the line
`Template: NAME`). A placeholder a contact lacks (no value, no default) stops everything before a
message is built. Each message (text/plain and text/html from the Markdown) goes to the contact's first
address; each one sent is logged as an email interaction as `mail log` writes it (logbook), and all are
committed at the end, or at the first failure (so that the same command sends only to the rest).
With ``out`` the messages are written there as .eml files instead, and nothing is sent or logged.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from vault_tool.errors import InvalidValueError, NotFoundError, ParseError, VaultError
from vault_tool.fileio import atomic_write
from vault_tool.format.body import Interaction
from vault_tool.format.contact import Contact, parse
from vault_tool.format.mailmark import mark_line
from vault_tool.mail.logbook import (
    KIND,
    Known,
    append_logged,
    email_interaction,
    key,
    sent_to,
    zone,
)
from vault_tool.mail.message import Address
from vault_tool.mail.templates import Template, fields, load_template, missing, render
from vault_tool.mail.text import short_lines
from vault_tool.mail.transport import MailSettings, Transport, connect, load_settings
from vault_tool.store.git import CommitResult
from vault_tool.store.mutations import counted
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

OPT_OUT_FIELD = "do_not_email"
OPT_OUT_TAG = "unsubscribed"
SENT_MARK = re.compile(r"^[ \t]*Template:[ \t]*(?P<name>\S+)[ \t]*$", re.IGNORECASE | re.MULTILINE)
SHOWN_LACKING = 10


@dataclass(frozen=True)
class Recipient:
    """A contact a message is for."""

    handle: str
    name: str
    email: str
    path: Path


@dataclass
class Outgoing:
    """One rendered message and where it goes."""

    recipient: Recipient
    message: EmailMessage
    envelope: list[str]  # the contact's address and the template's Cc
    text: str  # the plain-text body, for the logged interaction


@dataclass
class Sending:
    """What a run of a template planned, sent (or wrote), and left out."""

    template: str
    ready: list[Outgoing] = field(default_factory=list)
    sent: list[Recipient] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # with ``out``: the .eml files
    opted_out: list[str] = field(default_factory=list)  # names: do_not_email or unsubscribed
    no_email: list[str] = field(default_factory=list)  # names (with the address that is none)
    already: list[str] = field(default_factory=list)  # names the template was sent to before
    skipped: list[ParseError] = field(default_factory=list)  # files that do not parse
    failure: str = ""  # why sending stopped half-way ("" when it did not)
    message: str = ""  # the commit's message
    commit: CommitResult | None = None
    hint: str | None = None
    problems: list[str] = field(default_factory=list)  # sent, but could not be logged

    @property
    def unsent(self) -> list[Recipient]:
        """The contacts still to be sent to (after a failure half-way)."""
        done = {r.handle for r in self.sent}
        return [item.recipient for item in self.ready if item.recipient.handle not in done]


def send_template(
    vault: Vault, name: str, query: str, *, out: Path | None = None, per_minute: float | None = None,
    settings: MailSettings | None = None, confirm: Callable[[Sending], None] | None = None,
    sent_one: Callable[[Recipient], None] | None = None,
) -> Sending:
    """Send template ``name`` to every contact ``query`` picks (or, with ``out``, write the messages there).

    ``confirm`` is called with the plan before anything is sent, and raises to send nothing; ``sent_one``
    after each message sent. A failure half-way is ``failure`` in the result, the sent ones committed.
    """
    if per_minute is not None and per_minute <= 0:
        raise InvalidValueError(f"--per-minute {per_minute:g}: give a number of messages above 0")
    template = load_template(vault, name)
    settings = settings if settings is not None else load_settings()
    result = plan(vault, template, query, sender(vault, template, settings))
    if out is not None:
        result.written = write_out(result, out)
        return result
    if not result.ready:
        return result
    if confirm is not None:
        confirm(result)
    with connect(settings) as transport:
        planned = _deliver(vault, result, transport, per_minute, sent_one)
    if planned:
        result.message = f"Send '{template.name}' to {counted(len(planned))}"
        logged = append_logged(vault, planned, result.message)
        result.commit, result.hint, result.problems = logged.commit, logged.hint, logged.problems
        from vault_tool.search import freshness

        freshness.refresh(vault, vault.today())
    return result


def sender(vault: Vault, template: Template, settings: MailSettings) -> str:
    """The From address: the template's `from`, else mail.toml's (or $CONTACTS_MAIL_FROM), else vault.yaml's `me:`."""
    found = template.sender or settings.sender or (vault.config.me[0] if vault.config.me else "")
    if not found or "@" not in email.utils.parseaddr(found)[1]:
        raise InvalidValueError("no From address: give `from:` in the template, `from` in mail.toml "
                                "($CONTACTS_MAIL_FROM), or your address as `me:` in vault.yaml")
    return found


def plan(vault: Vault, template: Template, query: str, from_address: str) -> Sending:
    """The messages to send: every contact ``query`` picks that can and should be written to."""
    from vault_tool.search.run import matching

    paths, left_out = matching(vault, query)
    if not paths:
        raise NotFoundError(f"no contact matches '{query}'")
    return plan_paths(template, sorted(paths), from_address, list(left_out))


def plan_paths(template: Template, paths: list[Path], from_address: str,
               skipped: list[ParseError] | None = None) -> Sending:
    """The messages of ``template`` to the contacts in ``paths`` that can and should be written to."""
    result = Sending(template.name, skipped=list(skipped or []))
    lacking: list[str] = []
    for path in paths:
        try:
            contact = parse(path, read_file(path))
        except VaultError as exc:
            result.skipped.append(exc if isinstance(exc, ParseError) else ParseError(path, str(exc)))
            continue
        address = _usable(contact, template, result)
        if address is None:
            continue
        values = fields(contact, address)
        absent = missing(template, values)
        if absent:
            lacking.append(f"{contact.name} ({', '.join(absent)})")
            continue
        recipient = Recipient(contact.handle, contact.name, address, path)
        try:
            result.ready.append(build(template, recipient, values, from_address))
        except (ValueError, IndexError, TypeError):  # the email package's refusals of an address
            result.no_email.append(f"{contact.name} ('{address}' is no email address)")
    if lacking:
        raise InvalidValueError(_lacking_error(template, lacking))
    return result


def _usable(contact: Contact, template: Template, result: Sending) -> str | None:
    """The address to write to, or None (the contact noted in ``result``) if it is not to be written to."""
    flag = contact.meta.get(OPT_OUT_FIELD)
    if flag is True or str(flag).strip().lower() in ("true", "yes", "on") or \
            OPT_OUT_TAG in (tag.lower() for tag in contact.tags):
        result.opted_out.append(contact.name)
        return None
    if not contact.emails or not contact.emails[0].strip():
        result.no_email.append(contact.name)
        return None
    if was_sent(contact, template.name):
        result.already.append(contact.name)
        return None
    return contact.emails[0].strip()


def was_sent(contact: Contact, name: str) -> bool:
    """Whether ``contact`` records template ``name`` sent: an email interaction with a `Template: NAME` line."""
    return any(item.kind == KIND and match.group("name").lower() == name.lower()
               for item in contact.interactions for match in SENT_MARK.finditer(item.text))


def _lacking_error(template: Template, lacking: list[str]) -> str:
    shown = "; ".join(lacking[:SHOWN_LACKING]) + (f" and {len(lacking) - SHOWN_LACKING} more"
                                                  if len(lacking) > SHOWN_LACKING else "")
    return (f"template '{template.name}' has placeholders {counted(len(lacking))} lack{'s' if len(lacking) == 1 else ''}"
            f", nothing sent: {shown}; fill those fields, or give a default ({{{{field|default}}}})")


def build(template: Template, recipient: Recipient, values: dict[str, str], from_address: str) -> Outgoing:
    """The message of ``template`` to ``recipient``: text/plain and text/html alternatives, with its headers."""
    subject, text, html = render(template, values)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = from_address
    msg["To"] = HeaderAddress(display_name=recipient.name, addr_spec=recipient.email)
    if template.cc:
        msg["Cc"] = ", ".join(template.cc)
    if template.reply_to:
        msg["Reply-To"] = template.reply_to
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC).astimezone())
    domain = email.utils.parseaddr(from_address)[1].rpartition("@")[2] or None
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    cc = [address for _, address in email.utils.getaddresses(list(template.cc)) if address]
    return Outgoing(recipient, msg, [recipient.email, *cc], text)


def write_out(result: Sending, out: Path) -> list[Path]:
    """Write each planned message to ``out``/HANDLE.eml; the files written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultError(f"{out}: cannot create the folder ({exc.strerror})") from None
    written = []
    for item in result.ready:
        path = out / f"{item.recipient.handle}.eml"
        atomic_write(path, item.message.as_bytes(policy=email.policy.default))
        written.append(path)
    return written


def deliver(vault: Vault, result: Sending, transport: Transport, per_minute: float | None = None,
            sent_one: Callable[[Recipient], None] | None = None) -> dict[Known, list[Interaction]]:
    """Send the messages ``result`` planned through ``transport``; the email interactions of those sent, to log.

    A failure half-way is ``result.failure``; ``result.sent`` names the contacts sent to.
    """
    return _deliver(vault, result, transport, per_minute, sent_one)


def _deliver(vault: Vault, result: Sending, transport: Transport, per_minute: float | None,
             sent_one: Callable[[Recipient], None] | None) -> dict[Known, list[Interaction]]:
    """Send the planned messages one by one (at most ``per_minute``); the interactions of those sent."""
    planned: dict[Known, list[Interaction]] = {}
    gap = 60.0 / per_minute if per_minute else 0.0
    next_at, today, here = 0.0, vault.today(), zone(vault.config.timezone)
    current: Recipient | None = None
    try:
        for item in result.ready:
            current = item.recipient
            time.sleep(max(0.0, next_at - time.monotonic()))
            when = dt.datetime.now(dt.UTC).astimezone(here)
            item.message.replace_header("Date", email.utils.format_datetime(when))
            transport.send(item.message, item.envelope)
            next_at = time.monotonic() + gap
            logged_at = when.replace(year=today.year, month=today.month, day=today.day)  # the vault's day (--today)
            planned[Known(current.handle, current.name, current.path)] = [_interaction(item, result, logged_at, today)]
            result.sent.append(current)
            if sent_one is not None:
                sent_one(current)
    except VaultError as exc:
        assert current is not None
        result.failure = f"sending to {current.name} <{current.email}> failed: {exc}"
    except KeyboardInterrupt:
        result.failure = "interrupted"
    return planned


def _interaction(item: Outgoing, result: Sending, when: dt.datetime, today: dt.date) -> Interaction:
    to = Address(item.recipient.name, item.recipient.email, key(item.recipient.email))
    lines = [mark_line(str(item.message["Message-ID"])), sent_to([to]), f"Template: {result.template}",
             *short_lines(item.text)]
    return email_interaction(when, str(item.message["Subject"]), lines, today)
