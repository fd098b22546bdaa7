"""`contacts segments`, `contacts segment save`, `contacts segment rm`."""
from __future__ import annotations

import click

from vault_tool.cli.common import open_vault, report

COLUMNS = [("name", "NAME"), ("count", "CONTACTS"), ("query", "QUERY")]


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def segments(ctx: click.Context, fmt: str) -> None:
    """List the saved searches in vault.yaml, with how many contacts each matches.

    Use a segment in any query as @NAME.

    \b
    Examples:
      contacts segments
      contacts search @hot-leads
      contacts report @customers-emea
    """
    from vault_tool.output import render_rows
    from vault_tool.reports.segments import list_segments

    found = list_segments(open_vault(ctx))
    rows: list[dict[str, str | int | None]] = [
        {"name": s.name, "count": "error" if s.count is None else s.count, "query": s.query} for s in found
    ]
    if fmt != "table":
        for row, segment in zip(rows, found):
            row["count"], row["error"] = segment.count, segment.error
    if rows or fmt != "table":
        click.echo(render_rows(rows, COLUMNS + ([("error", "ERROR")] if fmt == "csv" else []), fmt))
    else:
        click.echo("No segments yet: save one with contacts segment save NAME QUERY", err=True)
    for segment in found:
        if segment.error and fmt == "table":
            click.echo(f"warning: segment {segment.name}: {segment.error}", err=True)


@click.group()
def segment() -> None:
    """Save or remove a segment (a named search in vault.yaml).

    \b
    Examples:
      contacts segment save hot-leads "stage:lead AND last_contact:>-30days"
      contacts segment rm hot-leads
    """


@segment.command()
@click.argument("name")
@click.argument("query")
@click.option("--replace", is_flag=True, help="Change the query of a segment that exists.")
@click.pass_context
def save(ctx: click.Context, name: str, query: str, replace: bool) -> None:
    """Save QUERY as segment NAME (one new line in vault.yaml, committed).

    The query must run; it is saved as written, so relative dates
    (last_contact:>-30days) stay relative.

    \b
    Examples:
      contacts segment save hot-leads "stage:lead AND last_contact:>-30days"
      contacts segment save hot-leads "stage:lead AND last_contact:>-14days" --replace
    """
    from vault_tool.reports.segment_edits import save_segment

    vault = open_vault(ctx)
    change, matches = save_segment(vault, name, query, replace)
    report(vault, change)
    click.echo(f"@{name}: {matches} contact{'' if matches == 1 else 's'}")


@segment.command(name="rm")
@click.argument("name")
@click.pass_context
def rm(ctx: click.Context, name: str) -> None:
    """Remove segment NAME from vault.yaml (committed).

    \b
    Example:
      contacts segment rm hot-leads
    """
    from vault_tool.reports.segment_edits import remove_segment

    vault = open_vault(ctx)
    report(vault, remove_segment(vault, name))
