"""`contacts list`: every contact, or those a query matches, sorted by name."""
from __future__ import annotations

import click

from vault_tool.cli.search_cmd import FORMATS, QUERY_HELP, RAW_CSV_HELP, run_search


def _clause(field: str, value: str | None) -> list[str]:
    if value is None:
        return []
    return [f'{field}:"{value.replace(chr(34), "")}"']


@click.command(name="list")
@click.argument("query", nargs=-1)
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--stage", help="Only contacts at this stage.")
@click.option("--owner", help="Only contacts this person owns.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most N contacts.")
@click.option("--sort", type=click.Choice(["name", "last", "created", "relevance", "score"]), default="name",
              show_default=True, help="By name, by last contact or creation (newest first), best match, or lead score.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@click.pass_context
def list_(
    ctx: click.Context, query: tuple[str, ...], tag: str | None, stage: str | None, owner: str | None,
    limit: int | None, sort: str, fmt: str, raw_csv: bool,
) -> None:
    """List contacts, a row each: name, company, email, tags, last contact.

    QUERY narrows the list exactly as `contacts search` does.

    \b
    Examples:
      contacts list --stage lead --sort last
      contacts list tag:customer country:uk --format csv > uk-customers.csv
    """
    words = " ".join(query).strip()
    clauses = [f"({words})"] if words else []
    clauses += _clause("tag", tag) + _clause("stage", stage) + _clause("owner", owner)
    run_search(ctx, " AND ".join(clauses), limit, sort, fmt, raw_csv)


list_.help = f"{list_.help}\n\n{QUERY_HELP}"
