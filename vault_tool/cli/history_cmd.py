"""`contacts history`: who changed what in a contact, and when."""
from __future__ import annotations

import json
from typing import Any

import click

from vault_tool.cli.common import check_field, contact_argument, open_vault
from vault_tool.cli.completion import complete_field


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(empty)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(empty)"
    return str(value)


@click.command()
@contact_argument
@click.option("--field", "field_name", metavar="FIELD", shell_complete=complete_field,
              help="Only the commits that changed FIELD.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N commits.")
@click.pass_context
def history(ctx: click.Context, contact: str, field_name: str | None, fmt: str, limit: int | None) -> None:
    """Show a contact's changes over time from git, newest first (following renames).

    Each commit: date, author, subject, the fields it changed from what to
    what, and the interactions it added (+) or removed (-). CONTACT may also
    be the handle of a removed contact. A --field no commit changed that is
    one or two letters off a known or used field is refused with "did you
    mean …?".

    \b
    Examples:
      contacts history ada
      contacts history ada --field phones       # who changed her phone number, when
      contacts history ada --format json --limit 5
    """
    from vault_tool.team.history import history as contact_history

    vault = open_vault(ctx)
    entries = contact_history(vault, contact, field_name)[:limit]
    if field_name and not entries:
        check_field(vault, field_name, hint="")  # no commit changed it: a slip says what was meant
    if fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"no commits changed {field_name}" if field_name else "no history yet (not committed)", err=True)
    for entry in entries:
        when = entry.date[:16].replace("T", " ")
        click.echo(f"{when}  {entry.author} <{entry.email}>  {entry.subject}  ({entry.commit[:7]})")
        if entry.status in ("added", "removed", "renamed"):
            click.echo(f"    {entry.status} {entry.path}")
        for change in entry.changes:
            if entry.status == "added" and change.old is None:
                click.echo(f"    {change.field}: {_value(change.new)}")
            else:
                click.echo(f"    {change.field}: {_value(change.old)} → {_value(change.new)}")
        for heading in entry.added:
            click.echo(f"    + {heading}")
        for heading in entry.removed:
            click.echo(f"    - {heading}")
        if entry.problem:
            click.echo(f"    ! {entry.problem}")
