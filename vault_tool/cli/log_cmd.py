"""`contacts log`: append an interaction."""
from __future__ import annotations

import sys

import click

from vault_tool.cli.common import contact_argument, open_vault, report
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
@contact_argument
@click.argument("words", nargs=-1, metavar="[KIND] [SUMMARY]")
@click.option("-m", "--message", metavar="TEXT", help="The text; '-' reads it from standard input.")
@click.option("--date", "day", default="today", show_default=True, help="YYYY-MM-DD, today, yesterday, -3d …")
@click.option("--time", "at", metavar="HH:MM", help="24-hour time.")
@click.pass_context
def log(ctx: click.Context, contact: str, words: tuple[str, ...], message: str | None, day: str, at: str | None) -> None:
    """Log an interaction: append a dated section to the contact's file.

    KIND is one of vault.yaml's interaction kinds (call, email, meeting,
    message, note); without one the interaction is a note. With no -m on a
    terminal, your editor opens for the text.

    A logged interaction happened: it is never an appointment. One dated
    today ends its heading with ✓ to say so; a date after today is refused
    (schedule it with `contacts meet`).

    \b
    Examples:
      contacts log ada call "Renewal" -m "Wants a demo first."
      contacts log ada meeting --date yesterday --time 14:30 -m - < minutes.md
      contacts log ada "Sent the brochure"
    """
    from vault_tool.format.body import Interaction
    from vault_tool.format.dates import parse_date, parse_time
    from vault_tool.store.transaction import refuse_unsafe

    vault = open_vault(ctx)
    kinds = vault.config.interaction_kinds
    kind, rest = ("note", list(words))
    if words and words[0] in kinds:
        kind, rest = words[0], list(words[1:])
    elif len(words) > 1 and " " not in words[0]:
        raise click.UsageError(f"'{words[0]}' is not an interaction kind ({', '.join(kinds)})")
    if message is None:
        refuse_unsafe(vault)  # before the editor opens: a rebase or a detached HEAD would refuse the log anyway
    found = vault.get(contact)
    text = _text(message, found.name)
    text = "\n".join(ln for ln in text.split("\n") if not ln.startswith("<!-- What happened with "))
    item = Interaction(
        date=parse_date(day, vault.today()), kind=kind, summary=" ".join(rest),
        text=text, time=parse_time(at) if at else None,
    )
    report(vault, mutations.log(vault, found.handle, item))
