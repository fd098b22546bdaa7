"""`contacts log`: append an interaction."""
from __future__ import annotations

import sys

import click

from vault_tool.cli.common import open_vault, report
from vault_tool.cli.completion import complete_contact
from vault_tool.cli.field_cmds import bulk_options, change_many, one_or_many
from vault_tool.format.body import Interaction
from vault_tool.store import mutations


def _text(message: str | None, name: str) -> str:
    if message == "-":
        return sys.stdin.read()
    if message is not None:
        return message
    if sys.stdin.isatty() and sys.stdout.isatty():
        return click.edit(f"\n\n<!-- What happened with {name}? This line is removed. -->\n") or ""
    return ""


@click.command()
@click.argument("contact", required=False, metavar="CONTACT", shell_complete=complete_contact)
@click.argument("words", nargs=-1, metavar="[KIND] [SUMMARY]")
@click.option("-m", "--message", metavar="TEXT", help="The text; '-' reads it from standard input.")
@click.option("--date", "day", default="today", show_default=True, help="YYYY-MM-DD, today, yesterday, -3d …")
@click.option("--time", "at", metavar="HH:MM", help="24-hour time.")
@bulk_options
@click.pass_context
def log(
    ctx: click.Context, contact: str | None, words: tuple[str, ...], message: str | None, day: str, at: str | None,
    query: str | None, yes: bool, dry_run: bool,
) -> None:
    """Log an interaction: append a dated section to the contact's file.

    KIND is one of vault.yaml's interaction kinds (call, email, meeting,
    message, note); without one the interaction is a note. With no -m on a
    terminal, your editor opens for the text.

    A logged interaction happened: it is never an appointment. One dated
    today ends its heading with ✓ to say so; a date after today is refused
    (schedule it with `contacts meet`).

    With --query QUERY instead of CONTACT (`contacts log --query QUERY
    [KIND] [SUMMARY]`), the same interaction is logged with every contact
    the query matches, in one commit (`Log email with 120 contacts`). More
    than 20 contacts ask first (--yes does not; with no terminal it is an
    error); --dry-run lists them and writes nothing.

    \b
    Examples:
      contacts log ada call "Renewal" -m "Wants a demo first."
      contacts log ada meeting --date yesterday --time 14:30 -m - < minutes.md
      contacts log ada "Sent the brochure"
      contacts log --query 'tag:newsletter' email "Sent the November newsletter" -m ""
    """
    from vault_tool.format.dates import parse_date, parse_time
    from vault_tool.store.transaction import refuse_unsafe

    vault = open_vault(ctx)
    if query is not None and contact is not None:
        words, contact = (contact, *words), None
    one_or_many(contact, query, yes, dry_run)
    kind, summary = kind_and_summary(vault.config.interaction_kinds, words)
    if message is None and not dry_run:
        refuse_unsafe(vault)  # before the editor opens: a rebase or a detached HEAD would refuse the log anyway
    found = vault.get(contact) if contact is not None else None
    about = found.name if found is not None else f"the contacts '{query}' matches"
    text = (message or "") if dry_run else _text(message, about)
    text = "\n".join(ln for ln in text.split("\n") if not ln.startswith("<!-- What happened with "))
    item = Interaction(
        date=parse_date(day, vault.today()), kind=kind, summary=summary,
        text=text, time=parse_time(at) if at else None,
    )
    edit = mutations.log_edit(vault, item)
    if query is not None:
        change_many(vault, query, edit, yes, dry_run)
        return
    assert found is not None
    report(vault, mutations.apply_edit(vault, found.handle, edit))


def kind_and_summary(kinds: list[str], words: tuple[str, ...]) -> tuple[str, str]:
    """KIND (a note when the first word is none) and SUMMARY from the words after CONTACT."""
    if words and words[0] in kinds:
        return words[0], " ".join(words[1:])
    if len(words) > 1 and " " not in words[0]:
        raise click.UsageError(f"'{words[0]}' is not an interaction kind ({', '.join(kinds)})")
    return "note", " ".join(words)
