"""Logging mail: each message becomes an `email` interaction with every contact whose address it carries.

    log_mail(vault, ["~/Mail/inbox.mbox"], since=dt.date(2026, 1, 1))

Addresses (From, To, Cc) are matched through the index's stored rows, never by reading every contact
file; the Message-IDs already logged are the index's `mail_ids` (format/mailmark.py), so a message is
logged once with each contact, however often it is read. The user's own addresses (vault.yaml `me:`)
say whether a message was sent or received and are never logged. Everything is one commit
(`Log 37 emails with 12 contacts`); the index is brought up to date afterwards.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.format.body import Interaction, render_interaction
from vault_tool.format.contact import Contact, append_section, parse, render
from vault_tool.format.handles import slugify, unique
from vault_tool.format.ids import new_uid
from vault_tool.format.mailmark import mark_line, marked_ids, normalised
from vault_tool.mail.message import Address, Head, NotAMessage, address_key, head, parsed, quick
from vault_tool.mail.sources import Raw, Unreadable, sources
from vault_tool.store.git import CommitResult, identity_hint
from vault_tool.store.mutations import counted
from vault_tool.store.transaction import IDENTITY_MARKER, transaction
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

KIND = "email"
CREATED_TAG = "from-mail"  # the tag of contacts `--create` adds
SUMMARY_WIDTH = 200
SHOWN_RECIPIENTS = 5
BULK_FROM = 200  # files changed from which the commit is made by fast-import


@dataclass(frozen=True)
class Known:
    """A contact an address belongs to."""

    handle: str
    name: str
    path: Path


@dataclass
class MailLog:
    """What a run logged, and what it left out."""

    read: int = 0  # messages read
    logged: int = 0  # messages logged with at least one contact
    interactions: int = 0
    contacts: set[str] = field(default_factory=set)  # handles (of new contacts too) given an interaction
    already: int = 0  # messages logged before with every contact they name
    lists: int = 0  # list and automatic mail left out
    older: int = 0  # before --since
    unmatched: list[str] = field(default_factory=list)  # addresses that matched no contact (without --create)
    created: list[str] = field(default_factory=list)  # names of the contacts --create added
    problems: list[str] = field(default_factory=list)  # what could not be read, each `where: why`
    warnings: list[str] = field(default_factory=list)  # logged, but worth knowing (no Date …)
    message: str = ""
    commit: CommitResult | None = None
    hint: str | None = None


@dataclass
class _New:
    name: str
    address: str
    items: list[Interaction] = field(default_factory=list)


@dataclass
class _Run:
    """The state of one run: what is known, what is planned, what was found."""

    book: dict[str, list[Known]]
    logged: set[tuple[str, str]]  # (handle, normalised Message-ID) already in the vault
    mine: set[str]
    zone: dt.tzinfo | None
    today: dt.date
    since: dt.date | None
    create: bool
    include_lists: bool
    result: MailLog = field(default_factory=MailLog)
    existing: dict[Known, list[Interaction]] = field(default_factory=dict)
    new: dict[str, _New] = field(default_factory=dict)  # address key -> contact to add


def log_mail(
    vault: Vault, paths: list[str], stdin: bytes | None = None, *, since: dt.date | None = None,
    create: bool = False, include_lists: bool = False, progress: Callable[[int, int], None] | None = None,
) -> MailLog:
    """Log every message of ``paths`` (`-`: ``stdin``) with the contacts it names, in one commit."""
    if KIND not in vault.config.interaction_kinds:
        raise InvalidValueError(f"'{KIND}' is not an interaction kind in vault.yaml: add it to interaction_kinds")
    found = sources(paths, stdin)
    today = vault.today()
    book, logged = address_book(vault, today)
    run = _Run(book, logged, {key(a) for a in vault.config.me}, zone(vault.config.timezone), today, since,
               create, include_lists)
    total, done = sum(source.count for source in found), 0
    for source in found:
        for item in source.items():
            done += 1
            if progress is not None:
                progress(done, total)
            if isinstance(item, Unreadable):
                run.result.problems.append(f"{item.where}: {item.why}")
            else:
                _take(run, item)
    if run.existing or run.new:
        _write(vault, run)
        from vault_tool.search import freshness

        freshness.refresh(vault, today)  # so that the next run (and the next search) starts at once
    return run.result


def key(address: str) -> str:
    """An address as compared (message.address_key)."""
    return address_key(address)


def zone(name: str) -> dt.tzinfo | None:
    """vault.yaml's time zone; None for the machine's own."""
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def address_book(vault: Vault, today: dt.date) -> tuple[dict[str, list[Known]], set[tuple[str, str]]]:
    """Each contact address (as compared) -> its contacts, and the (handle, Message-ID) pairs logged,
    from one pass over the index's stored rows and its `mail_ids` terms."""
    from vault_tool.search import freshness, lookup

    def ask(ix: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
        return lookup.stored_rows(ix, lookup.field_terms(ix, "path")), lookup.field_terms(ix, "mail_ids")

    (rows, terms), _ = freshness.answer(vault, today, ask)
    book: dict[str, list[Known]] = {}
    for rel, row in rows.items():
        known = Known(str(row["handle"]), str(row["name"]), vault.root / rel)
        for email in row.get("emails") or []:
            entries = book.setdefault(key(str(email)), [])
            if known not in entries:
                entries.append(known)
    logged = {(handle, mid) for handle, _, mid in (term.partition("/") for term in terms)}
    return book, logged


def _take(run: _Run, raw: Raw) -> None:
    """Plan the interactions of one message (or count why it has none)."""
    msg = None  # the whole message as Python's email reads it: once, for its decoded headers and its text
    try:
        found = quick(raw.data)
        if found is None:
            msg = parsed(raw.data)
            found = head(raw.data, msg)
    except NotAMessage as exc:
        run.result.problems.append(f"{raw.where}: {exc}")
        return
    run.result.read += 1
    if found.listed and not run.include_lists:
        run.result.lists += 1
        return
    targets = _targets(run, found)
    if not targets:
        return
    try:
        if msg is None:  # read quickly: the date, the subject and the names, decoded
            msg = parsed(raw.data)
            found = head(raw.data, msg)
    except NotAMessage as exc:
        run.result.problems.append(f"{raw.where}: {exc}")
        return
    when = _when(run, found, raw)
    if when is None:
        return
    if run.since is not None and when.date() < run.since:
        run.result.older += 1
        return
    try:
        from vault_tool.mail.text import content

        said = content(msg)
    except Exception as exc:  # noqa: BLE001 - a structure Python's email cannot take apart
        run.result.problems.append(f"{raw.where}: cannot be read as a message ({exc})")
        return
    sent = any(sender.key in run.mine for sender in found.senders)
    lines = [mark_line(found.message_id), _who(run, found, sent), *said.lines]
    if said.attachments:
        lines.append("Attachments: " + ", ".join(said.attachments))
    item = Interaction(date=when.date(), kind=KIND, summary=_summary(found.subject), time=when.strftime("%H:%M"),
                       text="\n".join(_clean(line) for line in lines), logged=when.date() == run.today)
    for target in targets:
        _plan(run, target, item)
    run.result.logged += 1


def _targets(run: _Run, found: Head) -> list[Known | Address]:
    """The contacts (or, with --create, the new correspondents) the message is still to be logged with."""
    mid = normalised(found.message_id)
    targets: list[Known | Address] = []
    matched = False
    seen: set[str] = set()
    for address in [*found.senders, *found.recipients]:
        if address.key in run.mine or address.key in seen:
            continue
        seen.add(address.key)
        entries = run.book.get(address.key, [])
        if not entries and not run.create:
            if address.key not in run.result.unmatched:
                run.result.unmatched.append(address.key)
            continue
        matched = True
        choices: list[Known | Address] = [*entries] if entries else [address]
        for target in choices:
            handle = target.handle if isinstance(target, Known) else f"new:{address.key}"
            if (handle, mid) not in run.logged:
                run.logged.add((handle, mid))
                targets.append(target)
    if matched and not targets:
        run.result.already += 1
    return targets


def _plan(run: _Run, target: Known | Address, item: Interaction) -> None:
    run.result.interactions += 1
    if isinstance(target, Known):
        run.existing.setdefault(target, []).append(item)
        run.result.contacts.add(target.handle)
        return
    new = run.new.setdefault(target.key, _New(new_name(target), target.address))
    new.items.append(item)
    run.result.contacts.add(f"new:{target.key}")


def new_name(address: Address) -> str:
    """The name a new correspondent gets: the display name, without the quotes some mailers leave around it
    (`'Captain Foo'`); the address when there is none, or when it did not decode (8-bit bytes in a charset the
    header does not declare read as U+FFFD, which would make a name of question marks)."""
    name = address.name.strip()
    if len(name) > 1 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1].strip()
    return address.address if not name or "\ufffd" in name else name


def _when(run: _Run, found: Head, raw: Raw) -> dt.datetime | None:
    """When the message was written, in the vault's time zone: its Date, else when the mailbox says it arrived
    (the mbox `From ` line, the file's time; now for standard input). None (with a warning) if after today."""
    if found.date is not None and found.date.astimezone(run.zone).date() <= run.today:
        return found.date.astimezone(run.zone)
    why = "no Date" if found.date is None else "a Date after today"
    arrived = raw.arrived or dt.datetime.now(dt.UTC)
    when = arrived.astimezone(run.zone)
    if when.date() > run.today:
        run.result.warnings.append(f"{raw.where}: {why}, and it arrived after today: left out")
        return None
    run.result.warnings.append(f"{raw.where}: {why}; logged at {when:%Y-%m-%d %H:%M}, when it arrived")
    return when


def _who(run: _Run, found: Head, sent: bool) -> str:
    """`To: …` for a message sent, `From: …` for one received."""
    if not sent:
        return "From: " + (", ".join(a.shown() for a in found.senders) or "(no From header)")
    others = [a for a in found.recipients if a.key not in run.mine]
    shown = ", ".join(a.shown() for a in others[:SHOWN_RECIPIENTS])
    more = len(others) - SHOWN_RECIPIENTS
    return "To: " + (shown or "(only you)") + (f" and {more} more" if more > 0 else "")


def _summary(subject: str) -> str:
    """The heading's summary: the subject on one line, not too long, without the logged mark."""
    from vault_tool.format.body import LOGGED_MARK

    text = _clean(" ".join(subject.split())).rstrip(LOGGED_MARK + " ") or "(no subject)"
    return text if len(text) <= SUMMARY_WIDTH else text[:SUMMARY_WIDTH - 1] + "…"


def _clean(text: str) -> str:
    """Text that can be written to a contact file: valid UTF-8, no control characters."""
    from vault_tool.mail.message import readable

    text = readable(text)
    return "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text)


def _appended(contact: Contact, items: list[Interaction]) -> bytes | None:
    """The contact's file with the ``items`` it does not record yet appended; None if it records them all."""
    source = contact.source
    assert source is not None
    have = {mid for item in contact.interactions for mid in marked_ids(item.text)}
    text = source.text
    added = False
    for item in sorted(items, key=lambda i: i.when):
        if not set(marked_ids(item.text)) <= have:
            text = append_section(text, render_interaction(item, source.newline), source.newline)
            added = True
    return source.encode(text) if added else None


def _write(vault: Vault, run: _Run) -> None:
    """Write every planned interaction and new contact, in one commit."""
    result = run.result
    with transaction(vault) as tx:
        edits = _edits(run.existing, result.problems)
        files = _new_files(vault, run)
        result.message = _message(result)
        tx.message, tx.bulk = result.message, len(edits) + len(files) >= BULK_FROM
        tx.edit_many(edits)
        tx.write_many(files)
    if tx.result.sha:
        result.commit = tx.result
        result.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)


def _edits(
    planned: dict[Known, list[Interaction]], problems: list[str],
) -> dict[Path, tuple[Callable[[bytes], bytes | None], bytes | None]]:
    """The transaction's edits that append ``planned`` to each contact's file (those it records already are
    left out); a file that does not parse is named in ``problems`` and its emails are not logged."""
    edits: dict[Path, tuple[Callable[[bytes], bytes | None], bytes | None]] = {}
    for known, items in sorted(planned.items(), key=lambda pair: str(pair[0].path)):
        try:
            after = _appended(parse(known.path, read_file(known.path), known.handle), items)
        except VaultError as exc:
            problems.append(f"{exc} ({len(items)} email{'s' if len(items) > 1 else ''} not logged)")
            continue
        if after is not None:
            edits[known.path] = (_again(known, items), after)
    return edits


def _again(known: Known, items: list[Interaction]) -> Callable[[bytes], bytes | None]:
    """The edit as the transaction applies it to another version of the file (as committed, as staged)."""
    return lambda blob: _appended(parse(known.path, blob, known.handle), items)


def _new_files(vault: Vault, run: _Run) -> dict[Path, bytes]:
    """The files of the contacts --create adds, each with its emails."""
    taken = set(vault.taken_handles())
    files: dict[Path, bytes] = {}
    for new in run.new.values():
        handle = unique(slugify(new.name), taken)
        taken.add(handle)
        meta: dict[str, Any] = {"name": new.name, "emails": [new.address], "tags": [CREATED_TAG], "uid": new_uid()}
        items = sorted(new.items, key=lambda i: i.when)
        files[vault.contacts_dir / f"{handle}.md"] = render(Contact(handle, meta, interactions=items)).encode("utf-8")
        run.result.created.append(new.name)
    return files


def _message(result: MailLog) -> str:
    """`Log 37 emails with 12 contacts` (`, 3 of them new`)."""
    emails = f"{result.logged} email{'' if result.logged == 1 else 's'}"
    new = f", {len(result.created)} of them new" if result.created else ""
    return f"Log {emails} with {counted(len(result.contacts))}{new}"


def email_interaction(when: dt.datetime, subject: str, lines: list[str], today: dt.date) -> Interaction:
    """An `email` interaction as `mail log` writes it: the heading from ``when`` and ``subject``, ``lines``
    (the Message-ID line first, then `From: …` or `To: …`) as its text."""
    return Interaction(date=when.date(), kind=KIND, summary=_summary(subject), time=when.strftime("%H:%M"),
                       text="\n".join(_clean(line) for line in lines), logged=when.date() == today)


def sent_to(recipients: list[Address]) -> str:
    """The `To: …` line of a message sent to ``recipients``."""
    return "To: " + (", ".join(a.shown() for a in recipients) or "(only you)")


def append_logged(vault: Vault, planned: dict[Known, list[Interaction]], message: str) -> MailLog:
    """Append the email interactions ``planned`` (those a contact does not record yet) in one commit."""
    result = MailLog(message=message)
    with transaction(vault) as tx:
        edits = _edits(planned, result.problems)
        for known, items in planned.items():
            if known.path in edits:
                result.interactions += len(items)
                result.contacts.add(known.handle)
        tx.message, tx.bulk = message, len(edits) >= BULK_FROM
        tx.edit_many(edits)
    if tx.result.sha:
        result.commit = tx.result
        result.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return result
