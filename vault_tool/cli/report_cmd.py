"""`contacts report`."""
from __future__ import annotations

import datetime as dt

import click

from vault_tool.cli.common import open_vault, warn_problems

FORMATS = ("text", "json", "csv", "html")


@click.command()
@click.argument("query", required=False)
@click.option("--by", "by", multiple=True, metavar="FIELD",
              help="Count contacts by stage, tag, owner, company, kind or any field (repeat for more; default stage).")
@click.option("--since", metavar="DATE",
              help="Start of the period for the funnel and activity (default: 3 months ago).")
@click.option("--per", type=click.Choice(["week", "month"]), help="Activity per week or month (default: week for "
              "up to 26 weeks).")
@click.option("--cold", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the contacts going cold to list.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of "
              "printing.")
@click.pass_context
def report(ctx: click.Context, query: str | None, by: tuple[str, ...], since: str | None, per: str | None,
           cold: int, fmt: str, output: str | None) -> None:
    """How the book is doing: counts, the stage funnel, activity, who is going cold.

    QUERY (a search, or @segment) limits the report to the contacts it matches.
    The funnel's conversion rates come from the stage changes in git history:
    of the contacts at a stage in the period, how many moved on to a later
    stage, and the median days they took. --format html writes one
    self-contained page with charts.

    \b
    Examples:
      contacts report
      contacts report --by owner --by tag --since 2026-01-01 --per month
      contacts report @hot-leads --format csv > hot-leads.csv
      contacts report --format html -o report.html
    """
    from vault_tool.format.dates import parse_date
    from vault_tool.reports.formats import render_report
    from vault_tool.reports.report import build_report

    vault = open_vault(ctx)
    start: dt.date | None = parse_date(since, vault.today()) if since else None
    result = build_report(vault, query, by or ("stage",), start, per, cold)
    warn_problems(result.problems)
    text = render_report(result.report, fmt)
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text + "\n")
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text)
