"""`contacts report`."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import open_vault, warn_problems
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

FORMATS = ("text", "json", "csv", "html")


@click.command()
@click.argument("query", required=False)
@click.option("--by", "by", multiple=True, metavar="FIELD",
              help="Count contacts by stage, tag, owner, company, kind or any field (repeat for more; default stage); "
              "with --pipeline, owner.")
@click.option("--since", metavar="DATE",
              help="Start of the period for the funnel and activity (default: 3 months ago).")
@click.option("--per", type=click.Choice(["week", "month"]), help="Activity per week or month (default: week for "
              "up to 26 weeks).")
@click.option("--cold", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the contacts going cold to list.")
@click.option("--pipeline", is_flag=True, help="Report on the deals instead: open pipeline by stage, forecast by "
              "month, win rate, deal size, sales cycle, stage conversion (--by owner: each owner's too).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of "
              "printing.")
@click.pass_context
def report(ctx: click.Context, query: str | None, by: tuple[str, ...], since: str | None, per: str | None,
           cold: int, pipeline: bool, fmt: str, output: str | None) -> None:
    """How the book is doing: counts, the stage funnel, activity, who is going cold.

    QUERY (a search, or @segment) limits the report to the contacts it matches.
    The funnel's conversion rates come from the stage changes in git history:
    of the contacts at a stage in the period, how many moved on to a later
    stage, and the median days they took. --format html writes one
    self-contained page with charts.

    --pipeline reports on the deals (QUERY: a search of the deals, as in
    `contacts deals`): the open deals by stage, the weighted forecast by month
    of expected close, win rate, average deal won and sales cycle of the deals
    closed in the period, and stage conversion from git history. Amounts are
    converted into vault.yaml's currency when its rates cover every currency,
    else summed per currency.

    \b
    Examples:
      contacts report
      contacts report --by owner --by tag --since 2026-01-01 --per month
      contacts report @hot-leads --format csv > hot-leads.csv
      contacts report --format html -o report.html
      contacts report --pipeline --by owner --since 2026-01-01
    """
    from vault_tool.format.dates import parse_date
    from vault_tool.reports.formats import render_report
    from vault_tool.reports.report import build_report

    vault = open_vault(ctx)
    start: dt.date | None = parse_date(since, vault.today()) if since else None
    if pipeline:
        text = _pipeline(ctx, vault, query, by, start, per, fmt)
    else:
        result = build_report(vault, query, by or ("stage",), start, per, cold)
        warn_problems(result.problems)
        text = render_report(result.report, fmt)
    if fmt == "text":  # values from the files (a stage, an owner, a name) with control characters shown escaped
        text = visible(text, newlines=True)
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text + "\n")
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text)


def _pipeline(ctx: click.Context, vault: Vault, query: str | None, by: tuple[str, ...], start: dt.date | None,
              per: str | None, fmt: str) -> str:
    """`report --pipeline`: the deals' report, as ``fmt``."""
    from click.core import ParameterSource

    from vault_tool.errors import InvalidValueError
    from vault_tool.reports.pipeline import pipeline_report
    from vault_tool.reports.pipeline_formats import render_pipeline

    if per is not None or ctx.get_parameter_source("cold") is ParameterSource.COMMANDLINE:
        raise InvalidValueError("--per and --cold are for the contacts' report: --pipeline's forecast is per month")
    wrong = [name for name in by if name != "owner"]
    if wrong:
        raise InvalidValueError(f"--pipeline groups deals --by owner only, not by '{wrong[0]}'")
    result = pipeline_report(vault, query, start, "owner" if by else None)
    warn_problems(result.problems)
    return render_pipeline(result.report, fmt)
