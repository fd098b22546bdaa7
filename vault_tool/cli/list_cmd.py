"""`contacts list`: every contact, or those a query matches, sorted by name."""
from __future__ import annotations

import click

from vault_tool.cli.common import NearChoice
from vault_tool.cli.search_cmd import (
    FORMATS,
    RAW_CSV_HELP,
    filter_options,
    filter_query,
    run_search,
    with_query_help,
)


@click.command(name="list")
@click.argument("query", nargs=-1)
@filter_options
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most N contacts.")
@click.option("--sort", type=NearChoice(["name", "last", "created", "relevance", "score"]), default="name",
              show_default=True, help="By name, by last contact or creation (newest first), best match, or lead score.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@click.pass_context
def list_(
    ctx: click.Context, query: tuple[str, ...], tags: tuple[str, ...], stages: tuple[str, ...],
    owners: tuple[str, ...], limit: int | None, sort: str, fmt: str, raw_csv: bool,
) -> None:
    """List contacts, a row each: name, company, email, tags, last contact.

    QUERY narrows the list exactly as `contacts search` does. A filter given
    twice means either (--stage lead --stage prospect); different filters
    must all hold. Exit status 1 when nothing matches (as grep), 2 for a query
    that does not read.

    \b
    Examples:
      contacts list --stage lead --sort last
      contacts list --tag client --tag friend --owner alice
      contacts list tag:customer country:uk --format csv > uk-customers.csv
    """
    run_search(ctx, " ".join(query).strip(), limit, sort, fmt, raw_csv, within=filter_query(tags, stages, owners))


list_.help = with_query_help(list_.help)
