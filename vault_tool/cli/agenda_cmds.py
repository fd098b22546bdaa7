"""`contacts tasks`, `agenda`, `remind`, `stale`: what needs attention, read from the files."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

import click

from vault_tool.cli.common import hold, open_vault, warn_problems
from vault_tool.cli.completion import complete_owner
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.errors import ParseError
    from vault_tool.followups.agenda import Agenda
    from vault_tool.followups.rows import AgendaRows
    from vault_tool.search.deals import DealView

_ROW_FORMATS = ["table", "json", "jsonl", "csv"]


def _warn(skipped: list[ParseError], problems: list[ParseError]) -> None:
    """Files that did not parse are skipped; a bad value in a file that did is named and read around."""
    warn_problems(skipped)
    for problem in problems:
        click.echo(f"warning: {visible(str(problem))}", err=True)


def _width() -> int | None:
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


@click.command()
@click.argument("query", required=False)
@click.option("--overdue", is_flag=True, help="Only tasks past their due date.")
@click.option("--due-before", metavar="DATE", help="Only tasks due on or before DATE (2026-12-01, friday, +7d …).")
@click.option("--owner", multiple=True, shell_complete=complete_owner,
              help="Only tasks of contacts this person owns (repeat for any of several).")
@click.option("--format", "fmt", type=click.Choice(_ROW_FORMATS), default="table", show_default=True)
@click.pass_context
def tasks(ctx: click.Context, query: str | None, overdue: bool, due_before: str | None, owner: tuple[str, ...],
          fmt: str) -> None:
    """List open tasks across the vault, soonest first, overdue ones marked.

    Tasks are task-list items anywhere in a contact's file (`- [ ] text
    due:DATE`, or Obsidian's `📅 DATE`). QUERY selects contacts like search
    does. The # column is the task's number for `contacts done CONTACT N`.

    \b
    Examples:
      contacts tasks
      contacts tasks --overdue --owner alice
      contacts tasks tag:customer --due-before +7d --format csv
    """
    from vault_tool.followups.rows import task_rows
    from vault_tool.followups.text import TASK_COLUMNS
    from vault_tool.format.dates import parse_date
    from vault_tool.output import render_rows

    vault = open_vault(ctx)
    today = vault.today()
    before = parse_date(due_before, today) if due_before is not None else None
    result = task_rows(vault, query, overdue=overdue, due_before=before, owner=owner, today=today,
                       table=fmt == "table")
    _warn(result.skipped, result.problems)
    hold(ctx, result)
    if result.rows or fmt in ("json", "csv"):
        click.echo(render_rows(result.rows, TASK_COLUMNS, fmt, _width()))


@click.command()
@click.option("--days", type=click.IntRange(min=0), default=14, show_default=True,
              help="How far ahead to look: today through today + DAYS.")
@click.option("--owner", multiple=True, shell_complete=complete_owner,
              help="Only contacts (and deals) this person owns (repeat for any of several).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def agenda(ctx: click.Context, days: int, owner: tuple[str, ...], fmt: str) -> None:
    """Show what needs attention: tasks, appointments, keep-in-touch, birthdays, deals.

    \b
    - overdue tasks, and tasks due in the next DAYS days;
    - appointments (interactions dated today or later) in that time;
    - contacts due for contact: their last interaction plus their
      keep_in_touch cadence (or vault.yaml's default) is today or earlier,
      and nothing is scheduled with them;
    - birthdays in that time, with or without a year (`--12-01`);
    - open deals whose close date has passed, and those closing in that time.

    \b
    Examples:
      contacts agenda
      contacts agenda --days 7 --owner alice
      contacts agenda --format json
    """
    from vault_tool.followups.agenda import agenda as build
    from vault_tool.followups.rows import agenda_rows
    from vault_tool.followups.text import agenda_data, sections_text

    vault = open_vault(ctx)
    if fmt == "json":
        result = build(vault, days=days, owner=owner)
        hold(ctx, result)
        _warn(result.skipped, result.problems)
        data = agenda_data(result, vault.root)
        data["overdue_deals"] = [_deal_row(deal, result.today) for deal in result.overdue_deals]
        data["deals_closing"] = [_deal_row(deal, result.today) for deal in result.closing_deals]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = agenda_rows(vault, days=days, owner=owner)
    hold(ctx, rows)
    _warn(rows.skipped, rows.problems)
    deals = bool(rows.overdue_deals or rows.closing_deals)
    click.echo("\n".join([sections_text(rows.today, rows.until, rows.sections, deals), *_deal_sections(rows)]))


def _deal_when(deal: DealView, today: dt.date) -> str:
    """`8 days overdue`, `in 25 days`, `today`: its close date from ``today``."""
    from vault_tool.followups.text import relative
    from vault_tool.output import plural

    assert deal.close is not None
    return f"{plural((today - deal.close).days, 'day')} overdue" if deal.overdue(today) else relative(deal.close, today)


def _deal_row(deal: DealView, today: dt.date) -> dict[str, Any]:
    """A deal on the agenda as JSON-ready data: the deal (as `deals --format json`), when it closes, overdue."""
    return {**deal.to_dict(), "when": _deal_when(deal, today), "overdue": deal.overdue(today)}


def _deal_sections(result: Agenda | AgendaRows) -> list[str]:
    """The agenda's deals as text: `Overdue deals (1)` and `Deals closing (2)`, a line each (close date, when,
    name, stage, amount), aligned; none when there are none."""
    from vault_tool.deals.money import money
    from vault_tool.output import aligned

    lines = []
    for title, deals in (("Overdue deals", result.overdue_deals), ("Deals closing", result.closing_deals)):
        rows = [[deal.close.isoformat() if deal.close else "", _deal_when(deal, result.today), deal.name,
                 deal.stage, money(deal.amount, deal.currency) if deal.amount is not None else ""]
                for deal in deals]
        lines += ["", f"{title} ({len(rows)})", *aligned(rows, right={4})] if rows else []
    return lines


@click.command()
@click.option("--days", type=click.IntRange(min=0), default=1, show_default=True,
              help="How far ahead to look: today through today + DAYS.")
@click.option("--owner", multiple=True, shell_complete=complete_owner,
              help="Only contacts (and deals) this person owns (repeat for any of several).")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit with status 1 when something is due (like `git diff --exit-code`).")
@click.pass_context
def remind(ctx: click.Context, days: int, owner: tuple[str, ...], exit_code: bool) -> None:
    """Print what is due, a line each; print nothing when nothing is.

    The agenda, short: overdue tasks, tasks and appointments due today or
    tomorrow (--days), contacts due for contact, birthdays, open deals whose
    close date has passed or comes in that time. Made for cron,
    which mails a job's output only when there is some, and for a desktop
    notifier. Exit status 0, also when something is due, unless
    --exit-code is given.

    \b
    Examples:
      contacts remind
      contacts remind --days 3 --owner alice
      # in `crontab -e`: weekdays at 8:30, mailed only when something is due
      30 8 * * 1-5  contacts -C ~/crm remind
      contacts remind --exit-code > due.txt || notify-send "Contacts" "$(cat due.txt)"
    """
    from vault_tool.followups.rows import agenda_rows

    vault = open_vault(ctx)
    result = agenda_rows(vault, days=days, owner=owner, lines=True)
    hold(ctx, result)
    _warn(result.skipped, result.problems)
    lines = [line for section in result.sections for line in section] + _deal_reminders(result)
    if lines:
        click.echo("\n".join(lines))
    if lines and exit_code:
        ctx.exit(1)


def _deal_reminders(result: Agenda | AgendaRows) -> list[str]:
    """A line per deal on the agenda: `Deal overdue since 2026-11-15: Brandt plant rollout (negotiation, 48,000 EUR)`,
    `Deal closes tomorrow: …`."""
    from vault_tool.deals.money import money
    from vault_tool.followups.text import relative

    def about(deal: DealView) -> str:
        amount = f", {money(deal.amount, deal.currency)}" if deal.amount is not None else ""
        return f"{deal.name} ({deal.stage}{amount})"

    lines = [f"Deal overdue since {deal.close.isoformat()}: {about(deal)}"
             for deal in result.overdue_deals if deal.close]
    lines += [f"Deal closes {relative(deal.close, result.today)}: {about(deal)}"
              for deal in result.closing_deals if deal.close]
    return [visible(line) for line in lines]


@click.command()
@click.option("--days", type=click.IntRange(min=0), help="No interaction for this many days (default: vault.yaml's keep_in_touch).")
@click.option("--owner", multiple=True, shell_complete=complete_owner,
              help="Only contacts this person owns (repeat for any of several).")
@click.option("--format", "fmt", type=click.Choice([*_ROW_FORMATS, "paths"]), default="table", show_default=True)
@click.pass_context
def stale(ctx: click.Context, days: int | None, owner: tuple[str, ...], fmt: str) -> None:
    """List contacts with no interaction for DAYS days, the longest silent first.

    Contacts never in touch come first.

    \b
    Examples:
      contacts stale
      contacts stale --days 180 --owner bob
      contacts stale --days 365 --format paths
    """
    from vault_tool.followups.rows import stale_rows
    from vault_tool.followups.text import STALE_COLUMNS
    from vault_tool.output import render_rows

    vault = open_vault(ctx)
    result = stale_rows(vault, days, owner, vault.today(), table=fmt == "table")
    _warn(result.skipped, [])
    hold(ctx, result)
    if result.rows or fmt in ("json", "csv"):
        click.echo(render_rows(result.rows, STALE_COLUMNS, fmt, _width()))
