"""Drip sequences: `sequences/NAME.yaml`, templates sent one after another (`contacts sequence`).

    enroll(vault, "onboarding", "tag:customer")
    result = run_sequences(vault, confirm=ask)

A contact's place in a sequence is in its front matter: `sequences: {onboarding: {step: 1, since: 2026-12-01,
last: 2026-12-01}}` (`step`: how many steps were sent; `last`: the day the last one was; `stopped`, and
`reason`, once it stopped). Step N is due its `after` past the day step N-1 was sent (past `since` for the
first). A run sends each contact at most one due step per sequence, through mail send's machinery
(sending.py), and records the step in the same commit as the logged message; the whole run holds the lock.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, NotFoundError, ParseError, VaultError
from vault_tool.format import yamlsafe
from vault_tool.format.body import Interaction, render_interaction
from vault_tool.format.contact import Contact, append_section, parse
from vault_tool.format.dates import parse_duration
from vault_tool.format.mailmark import marked_ids
from vault_tool.format.yamledit import key_spans
from vault_tool.mail.logbook import KIND, Known
from vault_tool.mail.sending import (
    OPT_OUT_FIELD,
    OPT_OUT_TAG,
    SENT_MARK,
    Sending,
    deliver,
    plan_paths,
    sender,
)
from vault_tool.mail.templates import load_template, record_names, record_path, template_path
from vault_tool.mail.transport import MailSettings, connect, load_settings
from vault_tool.store.git import CommitResult, identity_hint
from vault_tool.store.mutations import Change, counted, mutate
from vault_tool.store.transaction import IDENTITY_MARKER, Transaction, transaction
from vault_tool.store.vault import read_file

if TYPE_CHECKING:
    from vault_tool.mail.sending import Recipient
    from vault_tool.store.vault import Vault

FOLDER = "sequences"
FIELD = "sequences"
ANY_STAGE = "any"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STOP_KEYS = ("reply", "stage", "tag", "do_not_email")


@dataclass(frozen=True)
class Step:
    template: str
    after: str  # a duration as written: 0d, 3d, 2w, 1m


@dataclass(frozen=True)
class Sequence:
    """A sequence as written in sequences/NAME.yaml."""

    name: str
    steps: tuple[Step, ...]
    reply: bool = True  # an email from the contact after enrolment stops it
    stages: tuple[str, ...] = ()  # reaching one of these stops it; `any`: any change from the enrolment stage
    tags: tuple[str, ...] = ()  # having one of these stops it


@dataclass
class Place:
    """Where a contact is in a sequence (its front matter's `sequences: {NAME: …}`)."""

    step: int
    since: str
    last: str = ""
    stopped: str = ""
    reason: str = ""
    stage: str | None = None  # the stage at enrolment, kept where the sequence stops on any stage change

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step, "since": self.since}
        for key in ("last", "stopped", "reason"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.stage is not None:
            out["stage"] = self.stage
        return out


def sequence_path(vault: Vault, name: str) -> Path:
    """The file of sequence ``name`` (`onboarding` or `onboarding.yaml`): `sequences/onboarding.yaml`."""
    return record_path(vault, FOLDER, ".yaml", "sequence", "onboarding", name)


def sequence_names(vault: Vault) -> list[str]:
    return record_names(vault, FOLDER, ".yaml")


def load_sequence(vault: Vault, name: str) -> Sequence:
    """Sequence ``name``, checked: every step's template exists, every delay is a duration, no unknown key."""
    path = sequence_path(vault, name)
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"), anchors=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(path, f"not readable as YAML ({exc})") from None
    if not isinstance(data, dict) or set(data) - {"steps", "stop"}:
        raise ParseError(path, "give a mapping with `steps:` (and optionally `stop:`), nothing else")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ParseError(path, "`steps:` must be a list of {template: NAME, after: 3d}")
    return _with_stop(Sequence(path.stem, tuple(_step(vault, path, item) for item in steps)), path,
                      data.get("stop") or {})


def _step(vault: Vault, path: Path, item: Any) -> Step:
    if not isinstance(item, dict) or "template" not in item or set(item) - {"template", "after"}:
        raise ParseError(path, f"step {item!r}: give {{template: NAME, after: 3d}}")
    after = str(item.get("after", "0d"))
    try:
        parse_duration(after)
        template_path(vault, str(item["template"]))
    except VaultError as exc:
        raise ParseError(path, str(exc)) from None
    return Step(str(item["template"]).removesuffix(".md"), after)


def _with_stop(sequence: Sequence, path: Path, stop: Any) -> Sequence:
    if not isinstance(stop, dict) or set(stop) - set(_STOP_KEYS):
        raise ParseError(path, f"`stop:` must be a mapping of {', '.join(_STOP_KEYS)}")
    if stop.get("do_not_email", True) is not True or not isinstance(stop.get("reply", True), bool):
        raise ParseError(path, "`stop: reply` is true or false; `do_not_email` always stops a sequence (true)")
    stages, tags = stop.get("stage") or [], stop.get("tag") or []
    return Sequence(sequence.name, sequence.steps, bool(stop.get("reply", True)),
                    tuple(str(s) for s in (stages if isinstance(stages, list) else [stages])),
                    tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])))


def place_of(contact: Contact, name: str) -> Place | None:
    """The contact's place in sequence ``name`` (None: not enrolled); ParseError if it is not as written here."""
    entry = (contact.meta.get(FIELD) or {}).get(name) if isinstance(contact.meta.get(FIELD), dict) else None
    if entry is None:
        return None
    path = contact.path or Path(contact.handle)
    if not isinstance(entry, dict) or not str(entry.get("step", "")).isdigit() or \
            not _DATE.match(str(entry.get("since", ""))):
        raise ParseError(path, f"{FIELD}.{name} must be {{step: N, since: YYYY-MM-DD}}")
    stage = entry.get("stage")
    return Place(int(entry["step"]), str(entry["since"]), str(entry.get("last") or ""),
                 str(entry.get("stopped") or ""), str(entry.get("reason") or ""),
                 None if stage is None else str(stage))


def opted_out(contact: Contact) -> bool:
    flag = contact.meta.get(OPT_OUT_FIELD)
    return flag is True or str(flag).strip().lower() in ("true", "yes", "on") or \
        OPT_OUT_TAG in (tag.lower() for tag in contact.tags)


def replied(contact: Contact, since: str) -> bool:
    """Whether the contact wrote (an `email` interaction with `From:`, not `To:`) on ``since`` or later."""
    for item in contact.interactions:
        if item.kind == KIND and item.date.isoformat() >= since:
            head = [line.strip().lower() for line in item.text.splitlines() if line.strip()][:2]
            if any(line.startswith("from:") for line in head) and not any(line.startswith("to:") for line in head):
                return True
    return False


def stop_reason(sequence: Sequence, contact: Contact, place: Place) -> str:
    """Why the contact's sequence stops now (`reply`, `stage customer`, `tag vip`, `do_not_email`), or ""."""
    if opted_out(contact):
        return "do_not_email"
    if sequence.reply and replied(contact, place.since):
        return "reply"
    stage = contact.meta.get("stage")
    if ANY_STAGE in sequence.stages and place.stage != (None if stage is None else str(stage)):
        return f"stage {stage or 'removed'}"
    if stage is not None and str(stage) in sequence.stages:
        return f"stage {stage}"
    tags = {tag.lower() for tag in contact.tags}
    return next((f"tag {tag}" for tag in sequence.tags if tag.lower() in tags), "")


def due_on(sequence: Sequence, place: Place) -> dt.date | None:
    """The day the contact's next step is due (None: no step left)."""
    if place.step >= len(sequence.steps):
        return None
    base = dt.date.fromisoformat(place.last if place.step and place.last else place.since)
    return base + parse_duration(sequence.steps[place.step].after)


def _flow(value: Any) -> str:
    """A value in a flow mapping: a date plain, a mapping or list in flow style, text quoted where it must be."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return yamlsafe.flow_list(value)
    if isinstance(value, str) and _DATE.match(value):
        return value
    text = yamlsafe.scalar(value)
    return yamlsafe.double_quoted(value) if isinstance(value, str) and re.search(r"[,\[\]{}?]|^:", text) \
        and not text.startswith(("'", '"')) else text


def with_places(contact: Contact, places: dict[str, Place], items: list[Interaction] | None = None) -> bytes:
    """The contact's file with ``places`` written into `sequences:` (that key's lines only) and ``items``
    (those it does not record yet) appended."""
    source = contact.source
    assert source is not None and contact.path is not None
    current = contact.meta.get(FIELD)
    value = dict(current) if isinstance(current, dict) else {}
    value.update({name: place.as_dict() for name, place in places.items()})
    nl, front = source.newline, source.front_matter
    block = f"{FIELD}:{nl}" + "".join(f"  {_flow(str(name))}: {_flow(entry)}{nl}" for name, entry in value.items())
    if front and not front.endswith("\n"):
        front += nl  # the last key's lines end like the others, so they can be replaced
    span = next(((start, end) for key, start, end in key_spans(front) if key == FIELD), None)
    new = front + block if span is None else front[:span[0]] + block + front[span[1]:]
    if (yamlsafe.load(new) or {}) != {**contact.meta, FIELD: value}:
        raise VaultError(f"{contact.path}: cannot write `{FIELD}:` without changing more; edit the file by hand")
    text = source.with_front_matter(new)
    have = {mid for item in contact.interactions for mid in marked_ids(item.text)}
    for item in sorted(items or [], key=lambda i: i.when):
        if not set(marked_ids(item.text)) <= have:
            text = append_section(text, render_interaction(item, nl), nl)
    return source.encode(text)


def _again(known: Known, places: dict[str, Place], items: list[Interaction]) -> Callable[[bytes], bytes | None]:
    """The same edit, as the transaction applies it to another version of the file (as committed, as staged)."""
    return lambda blob: with_places(parse(known.path, blob, known.handle), places, items)


def _finish(vault: Vault, tx: Transaction) -> tuple[CommitResult | None, str | None]:
    if not tx.result.sha:
        return None, None
    return tx.result, identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)


@dataclass
class Enrolment:
    """What `sequence enroll` did."""

    sequence: str
    enrolled: list[str] = field(default_factory=list)  # names
    already: list[str] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    message: str = ""
    commit: CommitResult | None = None
    hint: str | None = None


def enroll(vault: Vault, name: str, query: str) -> Enrolment:
    """Enrol every contact ``query`` picks in sequence ``name`` (step 0, since today), in one commit.

    A contact enrolled before (whatever its state) stays as it is; one who wants no email is left out.
    """
    from vault_tool.search.run import matching

    sequence = load_sequence(vault, name)
    paths, left_out = matching(vault, query)
    if not paths:
        raise NotFoundError(f"no contact matches '{query}'")
    result = Enrolment(sequence.name, skipped=list(left_out))
    with transaction(vault) as tx:
        edits: dict[Path, tuple[Callable[[bytes], bytes | None], bytes | None]] = {}
        for path in sorted(paths):
            planned = _enrol_one(vault, sequence, path, result)
            if planned is not None:
                edits[path] = planned
        result.message = f"Enroll {counted(len(edits))} in {sequence.name}"
        tx.message = result.message
        tx.edit_many(edits)
    result.commit, result.hint = _finish(vault, tx)
    return result


def _enrol_one(vault: Vault, sequence: Sequence, path: Path,
               result: Enrolment) -> tuple[Callable[[bytes], bytes | None], bytes | None] | None:
    try:
        contact = parse(path, read_file(path))
        if place_of(contact, sequence.name) is not None:
            result.already.append(contact.name)
            return None
        if opted_out(contact):
            result.opted_out.append(contact.name)
            return None
        stage = contact.meta.get("stage")
        place = Place(0, vault.today().isoformat(),
                      stage=(None if stage is None else str(stage)) if ANY_STAGE in sequence.stages else None)
        after = with_places(contact, {sequence.name: place})
    except VaultError as exc:
        result.skipped.append(exc if isinstance(exc, ParseError) else ParseError(path, str(exc)))
        return None
    result.enrolled.append(contact.name)
    known = Known(contact.handle, contact.name, path)

    def again(blob: bytes) -> bytes | None:
        version = parse(known.path, blob, known.handle)
        return None if place_of(version, sequence.name) is not None else with_places(version, {sequence.name: place})

    return again, after


def stop(vault: Vault, name: str, query: str) -> Change:
    """Mark the contact ``query`` names stopped in sequence ``name`` (`stopped: TODAY`); a mutations.Change."""
    sequence = load_sequence(vault, name)
    today = vault.today().isoformat()

    def make(contact: Contact) -> tuple[bytes | None, str]:
        place = place_of(contact, sequence.name)
        if place is None:
            raise InvalidValueError(f"{contact.name} is not enrolled in {sequence.name}: "
                                    f"`contacts sequence status {sequence.name}` lists who is")
        if place.stopped:
            return None, f"{contact.name}: {sequence.name} was stopped on {place.stopped} already"
        place.stopped, place.reason = today, ""
        return with_places(contact, {sequence.name: place}), f"Stop {sequence.name} for {contact.name}"

    return mutate(vault, query, make)


def state_of(sequence: Sequence, contact: Contact, place: Place, today: dt.date) -> tuple[str, str]:
    """(state, reason): `stopped`/`replied` (with why), `finished`, `due` or `waiting`."""
    reason = place.reason or ("" if place.stopped else stop_reason(sequence, contact, place))
    if place.stopped or reason:
        return ("replied" if reason == "reply" else "stopped"), reason or "by hand"
    due = due_on(sequence, place)
    if due is None:
        return "finished", ""
    return ("due" if due <= today else "waiting"), ""


def status(vault: Vault, name: str) -> tuple[list[dict[str, Any]], list[ParseError]]:
    """A row per contact enrolled in sequence ``name``, and the files that could not be read."""
    sequence = load_sequence(vault, name)
    loaded = vault.load()
    rows, problems, today = [], list(loaded.problems), vault.today()
    for contact in loaded.contacts:
        try:
            place = place_of(contact, sequence.name)
        except ParseError as exc:
            problems.append(exc)
            continue
        if place is None:
            continue
        state, reason = state_of(sequence, contact, place, today)
        due = due_on(sequence, place) if state in ("due", "waiting") else None
        rows.append({"handle": contact.handle, "name": contact.name, "step": f"{place.step}/{len(sequence.steps)}",
                     "state": state, "reason": reason, "since": place.since, "last": place.last,
                     "stopped": place.stopped, "next": due.isoformat() if due else "",
                     "template": sequence.steps[place.step].template if due else ""})
    return rows, problems


@dataclass
class Due:
    """A step to send (or a stop to record) for one contact."""

    sequence: str
    contact: str  # name
    handle: str
    step: int  # 0-based: the step to send
    template: str
    due: dt.date


@dataclass
class SequenceRun:
    """What `sequence run` found due, sent, stopped, and left out."""

    due: list[Due] = field(default_factory=list)
    stopped: list[tuple[str, str, str]] = field(default_factory=list)  # (sequence, name, reason)
    sendings: list[Sending] = field(default_factory=list)
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (sequence, name, template)
    skipped: list[ParseError] = field(default_factory=list)
    failure: str = ""
    message: str = ""
    commit: CommitResult | None = None
    hint: str | None = None

    @property
    def no_email(self) -> list[str]:
        return [name for sending in self.sendings for name in sending.no_email]


@dataclass
class _Work:
    places: dict[Path, dict[str, Place]] = field(default_factory=dict)
    known: dict[Path, Known] = field(default_factory=dict)
    groups: dict[tuple[str, int], list[tuple[Path, Place]]] = field(default_factory=dict)


def run_sequences(
    vault: Vault, names: list[str] | None = None, *, dry_run: bool = False, settings: MailSettings | None = None,
    confirm: Callable[[SequenceRun], None] | None = None, sent_one: Callable[[Recipient], None] | None = None,
) -> SequenceRun:
    """Send every step that is due today in sequences ``names`` (all of them by default), in one commit.

    ``confirm`` is called with the plan before anything is sent, and raises to send nothing.
    """
    sequences = [load_sequence(vault, name) for name in (names or sequence_names(vault))]
    if not sequences:
        raise NotFoundError(f"no sequence in the vault: write one as {FOLDER}/NAME.yaml (docs/mail.md)")
    result, work = SequenceRun(), _Work()
    with transaction(vault) as tx:
        _find(vault, sequences, result, work)
        _plan_messages(vault, sequences, result, work, settings)
        if dry_run:
            return result
        if result.due and confirm is not None:
            confirm(result)
        planned = _send(vault, result, work, settings, sent_one) if result.due else {}
        _write(tx, result, work, planned)
    result.commit, result.hint = _finish(vault, tx)
    return result


def _find(vault: Vault, sequences: list[Sequence], result: SequenceRun, work: _Work) -> None:
    """Every enrolled contact's due step (or its stop), from the contact files."""
    loaded = vault.load()
    result.skipped += loaded.problems
    today = vault.today()
    for contact in loaded.contacts:
        assert contact.path is not None
        for sequence in sequences:
            try:
                place = place_of(contact, sequence.name)
            except ParseError as exc:
                result.skipped.append(exc)
                continue
            if place is None or place.stopped:
                continue
            _one(sequence, contact, place, today, result, work)


def _one(sequence: Sequence, contact: Contact, place: Place, today: dt.date, result: SequenceRun,
         work: _Work) -> None:
    path = contact.path
    assert path is not None
    work.known[path] = Known(contact.handle, contact.name, path)
    reason = stop_reason(sequence, contact, place)
    if reason:
        place.stopped, place.reason = today.isoformat(), reason
        work.places.setdefault(path, {})[sequence.name] = place
        result.stopped.append((sequence.name, contact.name, reason))
        return
    due = due_on(sequence, place)
    if due is None or due > today:
        return
    template = sequence.steps[place.step].template
    earlier = [item.date for item in contact.interactions if item.kind == KIND and any(
        m.group("name").lower() == template.lower() for m in SENT_MARK.finditer(item.text))]
    if earlier:  # sent before (by `mail send`, or a run whose commit was lost): the step counts as sent then
        place.step, place.last = place.step + 1, max(earlier).isoformat()
        work.places.setdefault(path, {})[sequence.name] = place
        return
    result.due.append(Due(sequence.name, contact.name, contact.handle, place.step, template, due))
    work.groups.setdefault((sequence.name, place.step), []).append((path, place))


def _plan_messages(vault: Vault, sequences: list[Sequence], result: SequenceRun, work: _Work,
                   settings: MailSettings | None) -> None:
    """The messages of each due step, built by mail send's planning (placeholders checked before any is sent)."""
    by_name = {sequence.name: sequence for sequence in sequences}
    for (name, step), entries in sorted(work.groups.items()):
        template = load_template(vault, by_name[name].steps[step].template)
        from_address = sender(vault, template, settings if settings is not None else load_settings())
        result.sendings.append(plan_paths(template, [path for path, _ in entries], from_address))


def _send(vault: Vault, result: SequenceRun, work: _Work, settings: MailSettings | None,
          sent_one: Callable[[Recipient], None] | None) -> dict[Known, list[Interaction]]:
    """Send the planned messages; record each sent step; the interactions to log."""
    planned: dict[Known, list[Interaction]] = {}
    today = vault.today().isoformat()
    with connect(settings if settings is not None else load_settings()) as transport:
        for sending, ((name, _step), entries) in zip(result.sendings, sorted(work.groups.items()), strict=True):
            if not sending.ready:
                continue
            for known, items in deliver(vault, sending, transport, None, sent_one).items():
                planned.setdefault(known, []).extend(items)
            sent = {recipient.path for recipient in sending.sent}
            for path, place in entries:
                if path in sent:
                    place.step, place.last = place.step + 1, today
                    work.places.setdefault(path, {})[name] = place
                    result.sent.append((name, work.known[path].name, sending.template))
            if sending.failure:
                result.failure = sending.failure
                break
    return planned


def _write(tx: Transaction, result: SequenceRun, work: _Work, planned: dict[Known, list[Interaction]]) -> None:
    """Every step sent (its logged message and `step`, `last`) and every stop, in one commit."""
    items = {known.path: found for known, found in planned.items()}
    edits: dict[Path, tuple[Callable[[bytes], bytes | None], bytes | None]] = {}
    for path, places in sorted(work.places.items()):
        known = work.known[path]
        try:
            after = with_places(parse(path, read_file(path), known.handle), places, items.get(path, []))
        except VaultError as exc:
            result.skipped.append(exc if isinstance(exc, ParseError) else ParseError(path, str(exc)))
            continue
        edits[path] = (_again(known, places, items.get(path, [])), after)
    if edits:
        result.message = _message(result)
        tx.message = result.message
        tx.edit_many(edits)


def _message(result: SequenceRun) -> str:
    """`Send 3 sequence steps to 3 contacts (onboarding)`, `Stop onboarding for 1 contact`."""
    names = sorted({name for name, _, _ in result.sent + result.stopped})
    parts = []
    if result.sent:
        steps = len(result.sent)
        parts.append(f"Send {steps} sequence step{'' if steps == 1 else 's'} to "
                     f"{counted(len({who for _, who, _ in result.sent}))}")
    if result.stopped:
        parts.append(f"{'stop' if parts else 'Stop'} {counted(len(result.stopped))}")
    return ", ".join(parts) + f" ({', '.join(names)})" if parts else "Record sequence steps sent before"
