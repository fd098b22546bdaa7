"""`contacts undo`."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import open_vault, report_commit
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.store.undo import ToolChange


@click.command()
@click.argument("sha", required=False)
@click.option("--list", "list_", is_flag=True, help="Show the tool's recent changes, newest first, instead.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="With --list: how many changes to show.")
@click.pass_context
def undo(ctx: click.Context, sha: str | None, list_: bool, limit: int) -> None:
    """Take back the tool's last change (or the change SHA) with a new commit that reverts it.

    History is never rewritten, so an undo is safe after a push, and is itself
    a change that `contacts undo` takes back. Only the tool's own commits are
    taken back (not a merge, not a commit made by hand), and only while the
    files they touched are as they left them: not changed by a later commit,
    no changes you have not committed. `--list` shows the tool's recent
    changes, a line each: short sha, date, author, message, and why one
    cannot be taken back now.

    \b
    Examples:
      contacts undo
      contacts undo --list
      contacts undo 3af58f7
    """
    from vault_tool.store import undo as undoing

    if list_ and sha:
        raise click.UsageError("give SHA or --list, not both")
    vault = open_vault(ctx)
    if list_:
        _show(undoing.recent_changes(vault, limit))
        return
    done = undoing.undo(vault, sha)
    report_commit(done.message, done.commit, done.hint)
    if done.commit is not None and done.commit.skipped_hooks:
        hooks = ", ".join(done.commit.skipped_hooks)
        click.echo(f"note: a commit of this many files skips git hooks ({hooks})", err=True)


def _show(changes: list[ToolChange]) -> None:
    if not changes:
        click.echo("no changes made by contacts to take back", err=True)
        return
    width = max(len(change.author) for change in changes)
    for change in changes:
        why = f"  (cannot undo: {change.blocked})" if change.blocked else ""
        click.echo(visible(f"{change.sha[:7]}  {change.date}  {change.author:<{width}}  {change.subject}{why}"))
