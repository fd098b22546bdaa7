"""`contacts merge-driver`: the `vault` merge driver git runs for contact and deal files."""
from __future__ import annotations

from pathlib import Path

import click

from vault_tool.output import plural

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command(name="merge-driver")
@click.argument("base", type=_FILE)
@click.argument("ours", type=_FILE)
@click.argument("theirs", type=_FILE)
@click.argument("marker_size", type=click.IntRange(min=3), default=7, required=False)
@click.argument("path", default="", required=False)
@click.pass_context
def merge_driver(ctx: click.Context, base: Path, ours: Path, theirs: Path, marker_size: int, path: str) -> None:
    """Git's merge driver for contact and deal files: git runs it, you do not need to.

    `contacts init` registers it in the repository (merge.vault.driver) and
    .gitattributes routes contact and deal files to it. It merges BASE, OURS and
    THEIRS (front matter field by field; notes and tasks by lines, keeping
    lines both sides added; interactions one by one, following an edit of
    the heading or the text), writes the result over OURS, and exits 1 when
    a conflict is left (marked with MARKER_SIZE-long markers) for git to
    report: the same field, task or line changed two ways, or an
    interaction removed on one side and edited on the other. PATH is the
    file's path in the repository.

    \b
    Example (what git runs; %O %A %B %L %P are git's placeholders):
      python -m vault_tool merge-driver %O %A %B %L %P
    """
    from vault_tool.store.gitconfig import driver_labels
    from vault_tool.team.mergedriver import Labels, merge_files

    mine, other = driver_labels(Path.cwd())
    conflicts = merge_files(base, ours, theirs, Labels(ours=mine, theirs=other, size=marker_size), path)
    if conflicts:
        where = path or str(ours)
        click.echo(f"contacts: {where}: {plural(conflicts, 'conflict')} left with markers", err=True)
    ctx.exit(1 if conflicts else 0)
