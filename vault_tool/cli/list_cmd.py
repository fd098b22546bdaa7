"""`contacts list`."""
from __future__ import annotations

import shutil
import sys

import click

from .common import open_vault, warn_problems


@click.command(name="list")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--stage", help="Only contacts at this stage.")
@click.option("--owner", help="Only contacts this person owns.")
@click.option("--sort", type=click.Choice(["name", "last", "created"]), default="name", show_default=True,
              help="By name, by last contact (newest first) or by creation (newest first).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "paths"]), default="table",
              show_default=True)
@click.pass_context
def list_(ctx: click.Context, tag: str | None, stage: str | None, owner: str | None, sort: str, fmt: str) -> None:
    """List contacts, a row each: name, company, email, tags, last contact.

    \b
    Examples:
      contacts list --stage lead --sort last
      contacts list --tag customer --format csv > customers.csv
    """
    from ..listing import COLUMNS, list_contacts
    from ..output import render_rows

    vault = open_vault(ctx)
    listing = list_contacts(vault, tag=tag, stage=stage, owner=owner, sort=sort)
    warn_problems(listing.problems)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    if listing.rows or fmt in ("json", "csv"):
        click.echo(render_rows(listing.rows, COLUMNS, fmt, width))
