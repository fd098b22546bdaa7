"""`contacts deal …` (a deal: add, show, edit, set, unset, log, task, move, won, lost, rm, mv, board) and
`contacts deals` (a table of the deals a query picks)."""
from __future__ import annotations

import json
import shutil
import sys
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import open_vault, report
from vault_tool.cli.completion import complete_contact, complete_deal, complete_deal_stage, complete_owner, complete_tag
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.search.deals import DealView
    from vault_tool.store.vault import Vault

deal_argument = click.argument("deal", metavar="DEAL", shell_complete=complete_deal)


@click.group()
def deal() -> None:
    """Deals: opportunities with an amount, a stage of the pipeline and a close date, one file each in deals/.

    Every change is one commit. DEAL is a deal's handle (its file name),
    its name, or the start of a word of it. The stages, their win
    probabilities and which close a deal are vault.yaml's `pipeline:`.

    \b
    Examples:
      contacts deal add "Acme renewal 2027" --contact ada --company analytical-engines \\
          --amount 12000 --currency EUR --stage proposal --close 2027-01-31 --owner alice
      contacts deal move acme-renewal-2027 negotiation
      contacts deal won acme-renewal-2027
      contacts deal board
    """


@deal.command("add")
@click.argument("name")
@click.option("--contact", "contacts", multiple=True, metavar="CONTACT", shell_complete=complete_contact,
              help="A contact of the deal (repeat for several).")
@click.option("--company", metavar="ORG", help="The organisation: a handle or a name.")
@click.option("--amount", metavar="AMOUNT", help="A decimal number: 12000, 12000.50.")
@click.option("--currency", metavar="CODE", help="ISO 4217 (default: vault.yaml's currency).")
@click.option("--stage", metavar="STAGE", shell_complete=complete_deal_stage,
              help="A stage of the pipeline (default: its first).")
@click.option("--close", metavar="DATE", help="Expected close date: YYYY-MM-DD, +30d, next friday …")
@click.option("--owner", metavar="NAME", shell_complete=complete_owner, help="Who works the deal.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", shell_complete=complete_tag,
              help="A tag (repeat for several).")
@click.option("--probability", metavar="PERCENT", help="Its own win probability (else its stage's).")
@click.option("-m", "--message", "note", default="", metavar="TEXT", help="Notes to start the file with.")
@click.pass_context
def add(
    ctx: click.Context, name: str, contacts: tuple[str, ...], company: str | None, amount: str | None,
    currency: str | None, stage: str | None, close: str | None, owner: str | None, tags: tuple[str, ...],
    probability: str | None, note: str,
) -> None:
    """Add a deal: a new file deals/HANDLE.md (HANDLE made from NAME); prints its handle.

    \b
    Example:
      contacts deal add "Acme renewal 2027" --contact ada --company analytical-engines \\
          --amount 12000 --currency EUR --stage proposal --close 2027-01-31 --owner alice
    """
    from vault_tool.deals.changes import NewDeal, add_deal

    vault = open_vault(ctx)
    given: dict[str, list[str | None]] = {"contacts": list(contacts), "company": [company], "amount": [amount], "currency": [currency],
             "stage": [stage], "close": [close], "owner": [owner], "tags": list(tags), "probability": [probability]}
    values = {key: [v for v in words if v is not None] for key, words in given.items()}
    change = add_deal(vault, NewDeal(name, {key: words for key, words in values.items() if words}, note))
    report(vault, change)
    click.echo(change.handle)


@deal.command("show")
@deal_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.pass_context
def show(ctx: click.Context, deal: str, fmt: str) -> None:
    """Show a deal: its fields, weighted amount, notes, open tasks and interactions (newest first)."""
    from vault_tool.cli.showtext import show_text
    from vault_tool.deals.changes import find_deal
    from vault_tool.deals.money import money
    from vault_tool.format.deal import win_probability

    vault = open_vault(ctx)
    found = find_deal(vault, deal)
    record, today = found.record, vault.today()
    probability = win_probability(found, vault.config.pipeline)
    if fmt == "json":
        data = record.to_dict() | {"probability": probability}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    elif fmt == "markdown":
        assert record.source is not None
        click.echo(record.source.text, nl=False)
    else:
        extra = []
        amount, currency = found.amount, found.currency(vault.config.currency)
        if amount is not None:
            extra.append(f"  weighted: {money(amount * probability / 100, currency)} ({probability}%)")
        close = found.date("close")
        if close is not None and close < today and not found.date("closed"):
            extra.append(f"  overdue: the close date {close.isoformat()} has passed")
        click.echo(show_text(record, today, extra=extra))


@deal.command("edit")
@deal_argument
@click.pass_context
def edit(ctx: click.Context, deal: str) -> None:
    """Open a deal's file in $VISUAL/$EDITOR, check it on close, commit it."""
    from vault_tool.cli.contact_cmds import edit_until_valid
    from vault_tool.deals.changes import deal_file, find_deal, read_deal

    vault = open_vault(ctx)
    path = deal_file(vault, deal) or find_deal(vault, deal).path  # a handle opens a file that does not parse
    assert path is not None
    edit_until_valid(vault, path, lambda p: read_deal(p).record)


@deal.command("set")
@deal_argument
@click.argument("key")
@click.argument("values", nargs=-1, required=True)
@click.pass_context
def set_(ctx: click.Context, deal: str, key: str, values: tuple[str, ...]) -> None:
    """Set KEY of a deal: amount, currency, stage, close, owner, company, contacts, tags, probability, or a
    field of your own. Lists (contacts, tags) take every value given (or comma-separated).

    \b
    Examples:
      contacts deal set acme-renewal-2027 amount 15000
      contacts deal set acme-renewal-2027 close 2027-02-28
      contacts deal set acme-renewal-2027 contacts ada charles
    """
    from vault_tool.deals.changes import set_value

    vault = open_vault(ctx)
    report(vault, set_value(vault, deal, key, list(values)))


@deal.command("unset")
@deal_argument
@click.argument("key")
@click.pass_context
def unset(ctx: click.Context, deal: str, key: str) -> None:
    """Remove KEY from a deal's file."""
    from vault_tool.deals.changes import unset_value

    vault = open_vault(ctx)
    report(vault, unset_value(vault, deal, key))


@deal.command("log")
@deal_argument
@click.argument("words", nargs=-1, metavar="[KIND] [SUMMARY]")
@click.option("-m", "--message", metavar="TEXT", default="", help="The text; '-' reads it from standard input.")
@click.option("--date", "day", default="today", show_default=True, help="YYYY-MM-DD, today, yesterday, -3d …")
@click.option("--time", "at", metavar="HH:MM", help="24-hour time.")
@click.pass_context
def log(ctx: click.Context, deal: str, words: tuple[str, ...], message: str, day: str, at: str | None) -> None:
    """Log an interaction on a deal (`show` of its contacts lists it with the deal).

    \b
    Example:
      contacts deal log acme-renewal-2027 call "Pricing" -m "They want 10% off."
    """
    from vault_tool.cli.log_cmd import kind_and_summary
    from vault_tool.deals.changes import change
    from vault_tool.format.body import Interaction
    from vault_tool.format.dates import parse_date, parse_time
    from vault_tool.store.mutations import log_edit

    vault = open_vault(ctx)
    kind, summary = kind_and_summary(vault.config.interaction_kinds, words)
    text = sys.stdin.read() if message == "-" else message
    item = Interaction(date=parse_date(day, vault.today()), kind=kind, summary=summary, text=text,
                       time=parse_time(at) if at else None)
    report(vault, change(vault, deal, log_edit(vault, item)))


@deal.command("task")
@deal_argument
@click.argument("text")
@click.option("--due", metavar="DATE", help="Due date: YYYY-MM-DD, today, tomorrow, +3d, +2w, next monday …")
@click.pass_context
def task(ctx: click.Context, deal: str, text: str, due: str | None) -> None:
    """Add an open task to a deal (`contacts tasks` lists it with the others).

    \b
    Example:
      contacts deal task acme-renewal-2027 "Send the revised quote" --due +3d
    """
    from vault_tool.deals.changes import change
    from vault_tool.followups.edits import task_edit
    from vault_tool.format.dates import parse_date

    vault = open_vault(ctx)
    report(vault, change(vault, deal, task_edit(text, parse_date(due, vault.today()) if due else None)))


@deal.command("move")
@deal_argument
@click.argument("stage", shell_complete=complete_deal_stage)
@click.pass_context
def move(ctx: click.Context, deal: str, stage: str) -> None:
    """Move a deal to STAGE of the pipeline (a won or lost stage closes it today; an open one reopens it).

    \b
    Example:
      contacts deal move acme-renewal-2027 negotiation
    """
    from vault_tool.deals.changes import move as move_deal

    vault = open_vault(ctx)
    report(vault, move_deal(vault, deal, stage))


@deal.command("won")
@deal_argument
@click.option("--date", "day", default="today", show_default=True, help="The day it was won.")
@click.pass_context
def won(ctx: click.Context, deal: str, day: str) -> None:
    """Mark a deal won: the pipeline's won stage, closed on the day."""
    from vault_tool.deals.changes import close_deal
    from vault_tool.format.dates import parse_date
    from vault_tool.format.deal import WON

    vault = open_vault(ctx)
    report(vault, close_deal(vault, deal, WON, parse_date(day, vault.today())))


@deal.command("lost")
@deal_argument
@click.option("--reason", default="", help="Why it was lost (lost_reason:).")
@click.option("--date", "day", default="today", show_default=True, help="The day it was lost.")
@click.pass_context
def lost(ctx: click.Context, deal: str, reason: str, day: str) -> None:
    """Mark a deal lost: the pipeline's lost stage, closed on the day, with the reason.

    \b
    Example:
      contacts deal lost acme-renewal-2027 --reason price
    """
    from vault_tool.deals.changes import close_deal
    from vault_tool.format.dates import parse_date
    from vault_tool.format.deal import LOST

    vault = open_vault(ctx)
    report(vault, close_deal(vault, deal, LOST, parse_date(day, vault.today()), reason))


@deal.command("rm")
@deal_argument
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.pass_context
def rm(ctx: click.Context, deal: str, yes: bool) -> None:
    """Remove a deal's file (git keeps its history)."""
    from vault_tool.deals.changes import find_deal, remove_deal

    vault = open_vault(ctx)
    found = find_deal(vault, deal)
    if not yes:
        click.confirm(f"Remove the deal {visible(found.name)} ({found.handle})?", abort=True, err=True)
    report(vault, remove_deal(vault, found.handle))


@deal.command("mv")
@deal_argument
@click.argument("new_name")
@click.pass_context
def mv(ctx: click.Context, deal: str, new_name: str) -> None:
    """Rename a deal: its name, and its file to the handle made from it; prints the new handle."""
    from vault_tool.deals.changes import rename_deal

    vault = open_vault(ctx)
    change = rename_deal(vault, deal, new_name)
    report(vault, change)
    click.echo(change.handle)


@deal.command("board")
@click.argument("query", nargs=-1)
@click.option("--open", "open_only", is_flag=True, help="Only the open stages.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--width", type=click.IntRange(min=20), help="Columns of text (default: the terminal's).")
@click.pass_context
def board(ctx: click.Context, query: tuple[str, ...], open_only: bool, fmt: str, width: int | None) -> None:
    """A board of the deals QUERY picks (all without one): a column per stage with its deals (largest
    first), their count, total and weighted total. `!` marks an open deal whose close date has passed.

    \b
    Examples:
      contacts deal board
      contacts deal board owner:alice --open
    """
    from vault_tool.deals import board as boards

    vault = open_vault(ctx)
    found = _found(vault, " ".join(query))
    stages = [s.name for s in vault.config.pipeline if s.open] if open_only else None
    columns = boards.board(found, vault.config, stages)
    if fmt == "json":
        click.echo(json.dumps([column.to_data() for column in columns], ensure_ascii=False, indent=2))
        return
    click.echo(boards.draw(columns, width or shutil.get_terminal_size((120, 24)).columns, vault.today()))


def _found(vault: Vault, query: str) -> list[DealView]:
    """The deals ``query`` picks, warning of each deal file left out (it does not parse)."""
    from vault_tool.cli.common import warn_problems
    from vault_tool.search.deals import find_deals

    result = find_deals(vault, query)
    warn_problems(result.left_out)
    return result.deals


DEALS_FORMATS = ("table", "json", "jsonl", "csv", "paths")


@click.command()
@click.argument("query", nargs=-1)
@click.option("--sort", type=click.Choice(["name", "amount", "close", "stage", "weighted"]), default="name",
              show_default=True, help="Amounts largest first, close dates soonest first, stages in pipeline order.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most N deals.")
@click.option("--format", "fmt", type=click.Choice(DEALS_FORMATS), default="table", show_default=True)
@click.option("--raw-csv", is_flag=True, help="With --format csv, cells exactly as stored (no formula guard).")
@click.pass_context
def deals(ctx: click.Context, query: tuple[str, ...], sort: str, limit: int | None, fmt: str, raw_csv: bool) -> None:
    """List the deals QUERY picks (all without one), in the query language of `search`.

    Exit status 1 when none matches (as grep). Amounts are exact (json and
    csv give every digit); `weighted` is the amount times the win probability.

    \b
    Examples:
      contacts deals
      contacts deals 'stage:proposal amount:>10000 close:<+30days owner:alice'
      contacts deals status:open --sort weighted
      contacts deals company:acme --format json
    """
    from vault_tool.deals import board as boards
    from vault_tool.output import render_rows

    vault = open_vault(ctx)
    today = vault.today()
    picked = boards.sorted_deals(_found(vault, " ".join(query)), sort, vault.config)[:limit]
    if fmt in ("table",):
        rows = [boards.table_row(d, today) for d in picked]
        width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else None
        if rows:
            click.echo(render_rows(rows, boards.COLUMNS, fmt, width))
    else:
        rows = [boards.row(d, today) for d in picked]
        columns = [(key, key) for key in ("handle", "name", "stage", "status", "amount", "currency", "probability",
                                          "weighted", "close", "closed", "owner", "company", "contacts", "tags",
                                          "path")]
        click.echo(render_rows(rows, columns, fmt, raw_csv=raw_csv))
    if not picked:
        ctx.exit(1)


def _deals_help() -> str:
    from vault_tool.format.fieldtable import DEAL_FIELDS, query_help

    return "\n\n\b\nFields a query may name:\n" + query_help(DEAL_FIELDS)


deals.help = (deals.help or "") + _deals_help()
