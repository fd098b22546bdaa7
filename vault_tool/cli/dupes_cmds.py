"""`contacts dupes` and `contacts merge`."""
from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import hold, open_vault, report, warn_problems
from vault_tool.cli.completion import complete_contact
from vault_tool.output import visible, visible_lines

if TYPE_CHECKING:
    from vault_tool.interop.duplicates import DupeGroup
    from vault_tool.interop.merging import Conflict


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def dupes(ctx: click.Context, fmt: str) -> None:
    """List groups of contacts that are probably one person, with the reasons.

    Contacts sharing an email or a phone number (compared in E.164), and
    contacts with closely matching names at the same company or email
    domain. Each group ends with the command that merges it into the
    contact with the most interactions and fields, which is listed first.

    \b
    Examples:
      contacts dupes
      contacts dupes --format json
    """
    from vault_tool.interop.dupegroups import find_dupes

    result = find_dupes(open_vault(ctx))
    hold(ctx, result)
    warn_problems(result.problems)
    if fmt == "json":
        data = [{"handles": g.handles, "names": g.names, "reasons": g.reasons} for g in result.groups]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not result.groups:
        click.echo("No likely duplicates.")
        return
    for number, group in enumerate(result.groups):  # a group at a time: one text of them all took 20 MB more
        click.echo(("\n" if number else "") + _group_text(group))


def _group_text(group: DupeGroup) -> str:
    """A group as three lines: the contacts, the reasons, the merge command (what comes from the files, names,
    values and file names, with control characters shown escaped)."""
    lines = [", ".join(f"{h} ({n})" for h, n in zip(group.handles, group.names)), f"  {'; '.join(group.reasons)}",
             f"  contacts merge {' '.join(group.handles)}"]
    return "\n".join(visible_lines(lines))


def _can_ask() -> bool:
    return sys.stdin.isatty()


def _ask(conflict: Conflict) -> object:
    click.echo(visible(f"{conflict.field} differs:"), err=True)
    for number, (handle, value) in enumerate(conflict.values, start=1):
        click.echo(visible(f"  {number}) {value}  ({handle})"), err=True)
    choice = click.prompt("Keep which", type=click.IntRange(1, len(conflict.values)), default=1, err=True)
    return conflict.values[choice - 1][1]


@click.command()
@click.argument("keep", shell_complete=complete_contact)
@click.argument("others", nargs=-1, required=True, metavar="OTHER...", shell_complete=complete_contact)
@click.option("--prefer", type=click.Choice(["keep", "other"]),
              help="For a field with different values: KEEP's, or the first OTHER's (default: ask).")
@click.pass_context
def merge(ctx: click.Context, keep: str, others: tuple[str, ...], prefer: str | None) -> None:
    """Merge OTHER contacts into KEEP and remove them: one commit.

    Emails, phones, tags and other lists are joined; a field only an OTHER
    has is taken; for a field with different values you are asked (or
    --prefer decides). The OTHERs' notes and interactions are added to
    KEEP's file. `git revert` of the commit undoes the merge.

    \b
    Examples:
      contacts merge ada-lovelace ada-king
      contacts merge ada-lovelace ada-king a-lovelace --prefer keep
    """
    from vault_tool.interop.merging import MergeConflictError, merge_contacts

    vault = open_vault(ctx)
    choices: dict[str, object] = {}
    while True:
        try:
            change = merge_contacts(vault, keep, list(others), prefer, choices)
            break
        except MergeConflictError as exc:
            if not _can_ask() or all(c.field in choices for c in exc.conflicts):
                raise
            for conflict in exc.conflicts:
                choices[conflict.field] = _ask(conflict)
    report(vault, change)
