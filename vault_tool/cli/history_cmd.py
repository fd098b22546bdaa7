"""`contacts history`: who changed what in a contact (or a deal), and when."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from vault_tool.cli.common import check_field, contact_argument, open_vault
from vault_tool.cli.completion import complete_field
from vault_tool.output import visible_lines

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault
    from vault_tool.team.history import History, HistoryEntry


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(empty)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(empty)"
    return str(value)


def _check_field(vault: Vault, found: History, field_name: str) -> None:
    """No commit changed ``field_name``: refuse it if it is a slip ("did you mean …?") of a known or used one."""
    if found.record == "contact":
        check_field(vault, field_name, hint="")
        return
    from vault_tool.errors import InvalidValueError
    from vault_tool.format.deal import DEAL_KEYS
    from vault_tool.format.fieldnames import field_name_problem

    problem = field_name_problem(field_name, DEAL_KEYS, found.fields)
    if problem:
        raise InvalidValueError(problem)


@click.command()
@contact_argument
@click.option("--field", "field_name", metavar="FIELD", shell_complete=complete_field,
              help="Only the commits that changed FIELD.")
@click.option("--deal", "deal", is_flag=True, help="CONTACT names a deal (its handle or name), not a contact.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N commits.")
@click.pass_context
def history(ctx: click.Context, contact: str, field_name: str | None, deal: bool, fmt: str, limit: int | None) -> None:
    """Show a contact's or a deal's changes over time from git, newest first (following renames).

    Each commit: date, author, subject, the fields it changed from what to
    what, and the interactions it added (+) or removed (-). CONTACT may also
    be the handle of a removed contact. When no contact matches, CONTACT
    names a deal (deals/*.md: its handle or name, or the handle of a
    removed one); --deal looks among the deals only, for a deal whose name
    a contact's matches too (`contacts history brandt` is the company's
    history). A --field no commit changed that is one or two letters off a
    known or used field (of deals: amount, stage, close …) is refused with
    "did you mean …?".

    \b
    Examples:
      contacts history ada
      contacts history ada --field phones       # who changed her phone number, when
      contacts history ada --format json --limit 5
      contacts history "Brandt plant rollout" --field amount
      contacts history --deal brandt-maschinenbau-training --field stage
    """
    from vault_tool.team.history import history_of

    vault = open_vault(ctx)
    found = history_of(vault, contact, field_name, deal)
    entries = found.entries[:limit]
    if field_name and not entries:
        _check_field(vault, found, field_name)  # no commit changed it: a slip says what was meant
    if fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"no commits changed {field_name}" if field_name else "no history yet (not committed)", err=True)
    for entry in entries:
        click.echo("\n".join(visible_lines(_entry_lines(entry))))  # commits and values from others


def _entry_lines(entry: HistoryEntry) -> list[str]:
    """One commit as text: when, who and what, then what it changed."""
    when = entry.date[:16].replace("T", " ")
    lines = [f"{when}  {entry.author} <{entry.email}>  {entry.subject}  ({entry.commit[:7]})"]
    if entry.status in ("added", "removed", "renamed"):
        lines.append(f"    {entry.status} {entry.path}")
    for change in entry.changes:
        if entry.status == "added" and change.old is None:
            lines.append(f"    {change.field}: {_value(change.new)}")
        else:
            lines.append(f"    {change.field}: {_value(change.old)} → {_value(change.new)}")
    lines += [f"    + {heading}" for heading in entry.added] + [f"    - {heading}" for heading in entry.removed]
    if entry.problem:
        lines.append(f"    ! {entry.problem}")
    return lines
