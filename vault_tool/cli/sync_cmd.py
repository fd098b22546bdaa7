"""`contacts sync`: pull with rebase, push, and say what came in."""
from __future__ import annotations

import click

from vault_tool.cli.common import open_vault, report_commit
from vault_tool.output import plural


@click.command()
@click.option("--commit", is_flag=True, help="Commit uncommitted contact files first (else sync refuses).")
@click.pass_context
def sync(ctx: click.Context, commit: bool) -> None:
    """Pull from the tracked remote (rebasing, with the merge driver), push, and report what came in.

    Uncommitted changes to contact files stop the sync, unless --commit
    commits them first. Other uncommitted work is stashed and put back. A
    conflict (the same field set to two values) stops the sync with nothing
    changed: the rebase is undone, your commits are kept, and the error says
    how to settle it with git pull --rebase. The vault is locked for the
    whole sync, so other contacts commands wait for it.

    A branch with no upstream (a new repository with one remote) is pushed
    with -u, which makes the remote's branch of the same name its upstream;
    with several remotes, sync says how to choose one.

    \b
    Examples:
      contacts sync
      contacts sync --commit
    """
    from vault_tool.team.sync import sync as run_sync

    vault = open_vault(ctx)
    result = run_sync(vault, commit=commit)
    if result.committed is not None and result.committed.sha:
        report_commit(result.committed_message, result.committed)
    if result.hint:
        click.echo(f"hint: {result.hint}", err=True)
    if result.pulled:
        click.echo(f"Pulled {plural(result.pulled, 'commit')} from {result.upstream}")
        width = max((len(c.status) for c in result.incoming), default=0)
        for change in result.incoming:
            click.echo(f"  {change.status:<{width}}  {change.name} ({change.path}) by {', '.join(change.authors)}")
    branch = result.upstream.partition("/")[2]
    tracking = f" and set it as the upstream of {branch} (git push -u)" if result.upstream_set else ""
    if result.pushed:
        click.echo(f"Pushed {plural(result.pushed, 'commit')} to {result.upstream}{tracking}")
    elif result.created:
        click.echo(f"Created {result.upstream} (it has every commit of {branch} already){tracking}")
    elif result.upstream_set:
        click.echo(f"Set {result.upstream} as the upstream of {branch}")
    if not result.pulled and not result.pushed and not result.upstream_set:
        click.echo(f"Up to date with {result.upstream}")
