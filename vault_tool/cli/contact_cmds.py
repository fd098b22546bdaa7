"""`contacts add`, `show`, `edit`, `rm`, `mv`."""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vault_tool.cli.common import check_field, contact_argument, open_vault, report
from vault_tool.cli.completion import complete_field_pair, complete_owner, complete_stage, complete_tag
from vault_tool.errors import ParseError
from vault_tool.output import visible
from vault_tool.store import mutations

if TYPE_CHECKING:
    from vault_tool.format.body import Interaction
    from vault_tool.format.contact import Contact
    from vault_tool.format.documents import Document
    from vault_tool.reports.graph import Around
    from vault_tool.search.deals import DealView
    from vault_tool.search.scoring import Score
    from vault_tool.store.vault import Vault


def _field_pairs(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE", param_hint="--field")
        fields.setdefault(key.strip(), []).append(value)
    return fields


@click.command()
@click.argument("name")
@click.option("--email", "emails", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", "phones", multiple=True, help="A phone number (repeat for more).")
@click.option("--company", help="Company or organisation.")
@click.option("--title", help="Job title.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for more).", shell_complete=complete_tag)
@click.option("--stage", help="Pipeline stage, one of vault.yaml's stages.", shell_complete=complete_stage)
@click.option("--owner", help="Who on the team owns this contact.", shell_complete=complete_owner)
@click.option("--kind", type=click.Choice(["person", "organization"]), help="Person (default) or organization.")
@click.option("--birthday", metavar="DATE", help="Birthday: YYYY-MM-DD, or --MM-DD without the year.")
@click.option("--address", metavar="TEXT", help="Postal address, its country last (phones are read there).")
@click.option("--keep-in-touch", "keep_in_touch", metavar="DURATION", help="How often to be in touch: 14d, 6w, 3m, 1y.")
@click.option("--field", "pairs", multiple=True, metavar="KEY=VALUE", shell_complete=complete_field_pair,
              help="Any other field (repeat for more); a KEY that looks like a slip of a known one is refused.")
@click.option("--new-field", is_flag=True, help="Take each --field KEY as written, even if it is close to a known field.")
@click.option("--note", default="", help="Notes to start the file with.")
@click.option("--edit", "open_editor", is_flag=True, help="Open the new file in $VISUAL/$EDITOR.")
@click.pass_context
def add(
    ctx: click.Context, name: str, emails: tuple[str, ...], phones: tuple[str, ...], company: str | None,
    title: str | None, tags: tuple[str, ...], stage: str | None, owner: str | None, kind: str | None,
    birthday: str | None, address: str | None, keep_in_touch: str | None, pairs: tuple[str, ...], note: str, open_editor: bool, new_field: bool,
) -> None:
    """Add a contact called NAME and print its handle.

    Values are checked as `contacts set` checks them; a field that vault.yaml
    types as a number or a date is written as one (`employees: 12`,
    `birthday: 1975-03-14`). A phone number without a country code is read in
    the contact's country (the end of --address, or a country field), else in
    vault.yaml's default_region; one that is no valid number there is written
    with a warning.

    \b
    Example:
      contacts add "Ada Lovelace" --email ada@example.com --phone "+44 20 7946 0958" \\
          --company "Analytical Engines" --tag customer --stage lead --field industry=computing \\
          --birthday 1815-12-10 --address "12 St James's Square, London, United Kingdom" --keep-in-touch 30d
    """
    fields = _field_pairs(pairs)
    given = {"kind": kind, "company": company, "title": title, "stage": stage, "owner": owner,
             "birthday": birthday, "address": address, "keep_in_touch": keep_in_touch}
    fields.update({k: [v] for k, v in given.items() if v is not None})
    fields.update({k: list(v) for k, v in (("emails", emails), ("phones", phones), ("tags", tags)) if v})
    vault = open_vault(ctx)
    for key in _field_pairs(pairs):
        check_field(vault, key, new_field)
    change = mutations.add(vault, name, fields or {}, note)
    report(vault, change)
    for warning in change.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)
    click.echo(change.handle)
    if open_editor:
        _edit_until_valid(ctx, change.handle)


@click.command()
@contact_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Show only the newest N interactions.")
@click.pass_context
def show(ctx: click.Context, contact: str, fmt: str, limit: int | None) -> None:
    """Show a contact: fields, relations, documents, deals, its score, notes, open tasks, interactions newest first.

    CONTACT is a handle, a name, an email, or a part of a name that matches one contact.
    Relations are listed both ways (those other contacts write too: `manages Ada
    Lovelace`); an organisation lists its people (whose `company` names it) with
    their titles. Deals are those whose `contacts:` name it (an organisation: also
    those whose `company` is its handle or name), with stage, amount, close date
    (overdue marked) and last interaction; their interactions are listed among
    its own, marked with the deal. The score, when vault.yaml has `scoring:`
    rules, is explained rule by rule.

    \b
    Examples:
      contacts show ada
      contacts show ada@analytical.example --format json
    """
    from vault_tool.cli.showtext import show_text
    from vault_tool.format.documents import documents_of

    vault = open_vault(ctx)
    broken: list[ParseError] = []
    found = vault.get(contact, also=broken)
    for problem in broken:
        click.echo(f"warning: {visible(str(problem))} (this file matches '{visible(contact)}' too but does not "
                   "parse: fix it)", err=True)
    today = vault.today()
    deals = _deals(vault, found) if fmt != "markdown" else None
    deal_items = _deal_interactions(vault, deals or [])
    scored = _score(vault, found, deals)
    around = _around(vault, found) if fmt != "markdown" else None
    docs = documents_of(vault.root, found.handle, found.meta, found.path)
    if fmt == "json":
        data = _show_data(vault, found, around, docs)
        if deals is not None:
            data["deals"] = [deal.to_dict() | {"overdue": deal.overdue(today),
                                               "last_interaction": _iso(deal.last(today))} for deal in deals]
            data["deal_interactions"] = _deal_items_data(deal_items, limit)
        if limit:
            data["interactions"] = sorted(data["interactions"], key=lambda i: (i["date"], i["time"] or ""))[-limit:]
        if scored is not None:
            data["score"] = {"total": scored.total, "lines": [{"points": p, "reason": r} for p, r in scored.lines]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        assert found.source is not None
        click.echo(found.source.text, nl=False)
    else:
        items = [(deal.name, item) for deal, item in deal_items]
        click.echo(show_text(found, today, limit, scored, around, docs, deals=deals, deal_items=items))


def _show_data(vault: Vault, found: Contact, around: Around | None, docs: list[Document]) -> dict[str, Any]:
    """`show --format json`: the contact, its documents, its relations both ways and an organisation's people."""
    data = found.to_dict()
    if docs:
        data["documents"] = [{"name": d.name, "field": d.key, "size": d.size if d.path else None,
                              "path": d.path.relative_to(vault.root).as_posix() if d.path else None} for d in docs]
    if around is not None:
        data["related"] = [{"type": r.type, "handle": r.handle, "name": r.node.name if r.node else None}
                           for r in around.relations]
        if found.kind == "organization":
            data["people"] = [{"handle": p.handle, "name": p.name, "title": p.title or None} for p in around.people]
    return data


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _score(vault: Vault, found: Contact, deals: list[DealView] | None) -> Score | None:
    """The contact's score (its ``deals`` for the deal rules); None, with a warning, for a wrong scoring rule:
    it must not hide the contact."""
    from vault_tool.errors import VaultError
    from vault_tool.search.scoring import DealFact, contact_score

    try:
        return contact_score(found, vault.config, vault.today(), [DealFact.of(deal) for deal in deals or []])
    except VaultError as exc:
        click.echo(f"warning: {visible(str(exc))}", err=True)
        return None


def _deals(vault: Vault, found: Contact) -> list[DealView] | None:
    """The deals that name the contact (an organisation: also as their company, by handle or name), open ones
    first by close date, then the closed ones, the latest first; None (with a warning) if the index cannot say."""
    from vault_tool.errors import VaultError
    from vault_tool.search.deals import deals_of

    try:
        deals = deals_of(vault, found.handle, found.kind, found.name)
    except VaultError as exc:
        click.echo(f"warning: deals: {visible(str(exc))}", err=True)
        return None
    opened = sorted((d for d in deals if d.status == "open"), key=lambda d: (d.close or dt.date.max, d.name))
    closed = sorted((d for d in deals if d.status != "open"), key=lambda d: (d.closed or dt.date.min, d.name))
    return opened + closed[::-1]


def _deal_interactions(vault: Vault, deals: list[DealView]) -> list[tuple[DealView, Interaction]]:
    """The interactions of ``deals``, read from their files (those the index picked, no other); a file that no
    longer reads is a warning."""
    from vault_tool.format.deal import parse_deal
    from vault_tool.store.vault import read_file

    found = []
    for deal in deals:
        if not deal.dates:
            continue
        path = vault.root / deal.path
        try:
            record = parse_deal(path, read_file(path), deal.handle).record
        except (ParseError, OSError) as exc:
            click.echo(f"warning: {visible(str(exc))}", err=True)
            continue
        found += [(deal, item) for item in record.interactions]
    return found


def _deal_items_data(items: list[tuple[DealView, Interaction]], limit: int | None) -> list[dict[str, Any]]:
    """The deals' interactions as JSON-ready data, oldest first (the newest ``limit``), each with its deal."""
    rows = [{"deal": deal.handle, "deal_name": deal.name, "date": item.date.isoformat(), "time": item.time,
             "kind": item.kind, "summary": item.summary or None, "text": item.text}
            for deal, item in sorted(items, key=lambda pair: pair[1].when)]
    return rows[-limit:] if limit else rows


def _around(vault: Vault, found: Contact) -> Around | None:
    """The contact's relations both ways and an organisation's people, from the index; None (with a warning)
    if the index cannot say."""
    from vault_tool.errors import VaultError
    from vault_tool.reports.graph import around

    try:
        return around(vault, found)
    except VaultError as exc:
        click.echo(f"warning: relations: {visible(str(exc))}", err=True)
        return None


def _edit_until_valid(ctx: click.Context, query: str) -> None:
    """Open the editor on a contact's file (see `edit_until_valid`)."""
    vault = open_vault(ctx)
    # A handle opens its file even when it does not parse: the editor is how a person fixes it.
    path = vault.path_for(query) or vault.get(query).path
    assert path is not None
    edit_until_valid(vault, path, vault.read)


def edit_until_valid(vault: Vault, path: Path, read: Callable[[Path], Contact]) -> None:
    """Open the editor on ``path``; re-open it while the file does not parse (``read``), unless the user keeps
    it; commit what was saved."""
    from vault_tool.errors import ParseError

    before = path.read_bytes()
    while True:
        click.edit(filename=str(path))
        try:
            edited = read(path)
            break
        except ParseError as exc:
            click.echo(f"Error: {visible(str(exc))}", err=True)
            if not sys.stdin.isatty() or not click.confirm("Re-open the editor?", default=True, err=True):
                raise click.ClickException(f"{path} kept as it is (it does not parse); nothing committed")
    report(vault, mutations.commit_edit(vault, edited, before))


@click.command()
@contact_argument
@click.pass_context
def edit(ctx: click.Context, contact: str) -> None:
    """Open a contact's file in $VISUAL/$EDITOR, check it on close, commit it.

    If the file no longer parses you can re-open it or keep it as it is
    (then nothing is committed).

    \b
    Example:
      EDITOR=vim contacts edit ada
    """
    _edit_until_valid(ctx, contact)


@click.command()
@contact_argument
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.pass_context
def rm(ctx: click.Context, contact: str, yes: bool) -> None:
    """Remove a contact (its file and its documents; git keeps the history).

    Asks first, unless --yes is given. A contact with open deals (deals whose
    `contacts:` name it; an organisation: also those whose `company` does) is
    named with them in the question. The deals stay as they are.

    \b
    Example:
      contacts rm "Charles Babbage" --yes
    """
    from vault_tool.output import plural

    vault = open_vault(ctx)
    found = vault.get(contact)
    if not yes:
        opened = [deal.name for deal in _deals(vault, found) or [] if deal.status == "open"]
        deals = f" It has {plural(len(opened), 'open deal')}: {', '.join(opened)}." if opened else ""
        click.confirm(visible(f"Remove {found.name} ({found.handle})?{deals}"), abort=True, err=True)
    report(vault, mutations.remove(vault, found.handle))


@click.command()
@contact_argument
@click.argument("new_name")
@click.pass_context
def mv(ctx: click.Context, contact: str, new_name: str) -> None:
    """Rename a contact: set its name and move its file (and its documents) to the new handle.

    \b
    Example:
      contacts mv ada "Ada King"
    """
    vault = open_vault(ctx)
    change = mutations.rename(vault, contact, new_name)
    report(vault, change)
    click.echo(change.handle)
