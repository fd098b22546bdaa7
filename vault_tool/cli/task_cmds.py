"""`contacts task`, `done`, `meet`: follow-ups and appointments, written into the contact's file."""
from __future__ import annotations

import sys

import click

from vault_tool.cli.common import contact_argument, open_vault, report
from vault_tool.cli.completion import complete_contact
from vault_tool.cli.field_cmds import bulk_options, change_many, one_or_many


@click.command()
@click.argument("contact", required=False, metavar="CONTACT", shell_complete=complete_contact)
@click.argument("text", required=False, metavar="TEXT")
@click.option("--due", metavar="DATE", help="Due date: YYYY-MM-DD, today, tomorrow, +3d, +2w, next monday …")
@bulk_options
@click.pass_context
def task(ctx: click.Context, contact: str | None, text: str | None, due: str | None, query: str | None, yes: bool,
         dry_run: bool) -> None:
    """Add an open task for a contact: `- [ ] TEXT due:DATE` in its notes.

    The task goes after the contact's other tasks (or at the end of its
    notes); nothing else in the file changes.

    With --query QUERY instead of CONTACT (`contacts task --query QUERY
    TEXT`), every contact the query matches gets the task, in one commit.
    More than 20 contacts ask first (--yes does not; with no terminal it is
    an error); --dry-run lists them and writes nothing.

    \b
    Examples:
      contacts task ada "Send the proposal" --due friday
      contacts task ada "Book the demo room" --due +3d
      contacts task zoe "Ask about the budget"
      contacts task --query @hot-leads "Send the Q1 price list" --due +1w
    """
    from vault_tool.followups.edits import task_edit
    from vault_tool.format.dates import parse_date
    from vault_tool.store.mutations import apply_edit

    vault = open_vault(ctx)
    if query is not None and contact is not None:
        if text is not None:
            raise click.UsageError("give either CONTACT or --query QUERY, not both")
        contact, text = None, contact
    one_or_many(contact, query, yes, dry_run)
    if text is None:
        raise click.UsageError("give the task's TEXT")
    day = parse_date(due, vault.today()) if due is not None else None
    edit = task_edit(text, day)
    if query is not None:
        change_many(vault, query, edit, yes, dry_run)
        return
    assert contact is not None
    report(vault, apply_edit(vault, contact, edit))


@click.command()
@contact_argument
@click.argument("which", required=False, metavar="[N|TEXT]")
@click.option("--date", "day", default="today", show_default=True, help="The day it was done.")
@click.pass_context
def done(ctx: click.Context, contact: str, which: str | None, day: str) -> None:
    """Tick off an open task of a contact and stamp it done:DATE.

    N is the task's number among the contact's open tasks, in file order
    (as `contacts tasks` shows it in the # column); TEXT is a part of its
    text. A contact with one open task needs neither.

    \b
    Examples:
      contacts done zoe
      contacts done ada 2
      contacts done ada "bernoulli" --date yesterday
    """
    from vault_tool.followups.edits import complete_task
    from vault_tool.format.dates import parse_date

    vault = open_vault(ctx)
    report(vault, complete_task(vault, contact, which, parse_date(day, vault.today())))


@click.command()
@contact_argument
@click.argument("words", nargs=-1, metavar="[KIND] [SUMMARY]")
@click.option("--date", "day", required=True, help="YYYY-MM-DD, today, tomorrow, +3d, next tuesday …")
@click.option("--time", "at", metavar="HH:MM", help="24-hour start time (none: an all-day appointment).")
@click.option("-m", "--message", metavar="TEXT", help="Notes for the appointment; '-' reads them from standard input.")
@click.pass_context
def meet(
    ctx: click.Context, contact: str, words: tuple[str, ...], day: str, at: str | None, message: str | None,
) -> None:
    """Schedule an appointment: a section dated later (or today, at a time still ahead or all day) in the contact's file.

    KIND is one of vault.yaml's interaction kinds (default: meeting). The
    appointment shows in `contacts agenda`, `remind` and the calendar feed;
    when the day has passed it reads as an ordinary interaction. To record
    something that happened, use `contacts log`.

    \b
    Examples:
      contacts meet ada --date 2026-12-05 --time 14:00 "Demo at their office"
      contacts meet zoe call --date "next tuesday" --time 09:30 "Pilot check-in"
      contacts meet ada --date +2w -m "Bring the Q1 numbers."
    """
    from vault_tool.followups.edits import schedule
    from vault_tool.format.body import Interaction
    from vault_tool.format.dates import parse_date, parse_time

    vault = open_vault(ctx)
    kinds = vault.config.interaction_kinds
    kind, rest = "meeting", list(words)
    if words and words[0] in kinds:
        kind, rest = words[0], list(words[1:])
    elif len(words) > 1 and " " not in words[0]:
        raise click.UsageError(f"'{words[0]}' is not an interaction kind ({', '.join(kinds)})")
    text = sys.stdin.read() if message == "-" else (message or "")
    item = Interaction(
        date=parse_date(day, vault.today()), kind=kind, summary=" ".join(rest),
        text=text, time=parse_time(at) if at else None,
    )
    report(vault, schedule(vault, contact, item))
