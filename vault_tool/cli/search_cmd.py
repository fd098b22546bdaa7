"""`contacts search` and `contacts reindex`."""
from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import Progress, open_vault
from vault_tool.format.fieldtable import query_help

if TYPE_CHECKING:
    from vault_tool.search.run import Result
    from vault_tool.store.vault import Vault

FORMATS = ("table", "json", "jsonl", "csv", "paths", "mutt", "aerc")
QUERY_HELP = """\
\b
Query language (Whoosh's, over named fields):
  ada lovelace             bare words: name, emails, company, title, notes, interactions
  tag:customer stage:lead  also owner: company: title: email: phone: city: country: kind:
  industry:retail          any custom field by its own name
  phone:7946 0958          digits of any number, however it was written
  last_contact:<-90days    dates: created:2026, created:[2026-01-01 to 2026-06-30]
  birthday:12              birthdays in December
  employees:>300           numbers compare as numbers
  score:>50                lead score from vault.yaml's scoring: rules (--sort score)
  ada*  lovlace~           prefix, fuzzy
  a AND (b OR NOT c)       boolean logic, "phrases"
  @hot-leads               a saved search from vault.yaml

\b
Fields a query may name (and custom fields by their own names):
""" + query_help() + "\n"


RAW_CSV_HELP = ("With --format csv, write cells exactly as stored. By default a cell a spreadsheet would run as "
                "a formula (starting with = + - @, a tab or CR, other than a plain number) gets a leading '.")


def run_search(ctx: click.Context, query: str, limit: int | None, sort: str, fmt: str, raw_csv: bool = False) -> None:
    """Search, print the rows in ``fmt`` (shared by `search` and `list QUERY`)."""
    from vault_tool.search.scan import BackgroundScan

    vault = open_vault(ctx)
    # started by the `contacts` program if it could; else now, to stat the files while the index library loads
    scanning = vault.take_scan() or BackgroundScan(vault.contacts_dir)

    from vault_tool.output import MAIL_FORMATS, mail_addresses, mail_lines, render_rows, visible
    from vault_tool.search.run import search

    result = search(vault, query, vault.today(), limit=limit, sort=sort, scanning=scanning)  # notices: as they come (open_vault)
    for problem in result.problems:
        click.echo(f"warning: {visible(str(problem))} (left out of search until fixed)", err=True)
    if fmt in MAIL_FORMATS:
        if not mail_addresses(result.rows):
            click.echo(f"no contact with an email address matches '{visible(query)}'", err=True)
            ctx.exit(1)
        click.echo(mail_lines(result.rows, fmt, query))
        return
    if fmt != "table":
        if result.rows or fmt in ("json", "csv"):
            click.echo(render_rows(result.rows, COLUMNS, fmt, raw_csv=raw_csv))
        return
    if not result.rows:
        click.echo(f"no contacts match '{visible(query)}'" if query.strip() else "no contacts yet", err=True)
        return
    _print_table(vault, result, COLUMNS + [("score", "SCORE")] if sort == "score" else COLUMNS)


COLUMNS = [
    ("name", "NAME"), ("company", "COMPANY"), ("email", "EMAIL"), ("tags", "TAGS"), ("last_contact", "LAST CONTACT"),
]


def _print_table(vault: Vault, result: Result, columns: list[tuple[str, str]]) -> None:
    from vault_tool.output import table
    from vault_tool.search.snippets import find

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if tty else None
    lines = table(result.rows, columns, width).split("\n")
    click.echo(lines[0])
    words = set(result.words)
    for row, line in zip(result.rows, lines[1:]):
        click.echo(line)
        found = find(vault.root / row["path"], words) if words else None
        if found is not None:
            click.echo("    " + _highlight(found.text, found.spans, tty))


def _highlight(text: str, spans: list[tuple[int, int]], colour: bool) -> str:
    from vault_tool.output import visible

    out, last = [], 0
    for start, end in spans:
        word = text[start:end]
        word = visible(word)
        out += [visible(text[last:start]), click.style(word, bold=True, fg="yellow") if colour else f"[{word}]"]
        last = end
    return "".join(out) + visible(text[last:])


@click.command()
@click.argument("query", nargs=-1)
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most N contacts.")
@click.option("--sort", type=click.Choice(["relevance", "name", "last", "created", "score"]), default="relevance",
              show_default=True,
              help="Best match first, by name, by last contact or creation (newest first), or by lead score.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for people; json, jsonl, csv, paths for scripts; mutt, aerc for mail clients.")
@click.option("--raw-csv", is_flag=True, help=RAW_CSV_HELP)
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], limit: int | None, sort: str, fmt: str, raw_csv: bool) -> None:
    """Find contacts. With --format table, shows the line of notes or interactions that matched.

    \b
    Examples:
      contacts search renewal demo
      contacts search 'tag:customer AND last_contact:<-90days' --sort last
      contacts search --format mutt ada        # mutt's query_command
    """
    run_search(ctx, " ".join(query), limit, sort, fmt, raw_csv)


search.help = f"{search.help}\n\n{QUERY_HELP}"


@click.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from every contact file, with a progress bar.

    Never needed for correctness (every command brings the index up to date by itself);
    use it after an upgrade, or to see how long a full build takes.

    \b
    Example:
      contacts reindex
    """
    from vault_tool.output import visible
    from vault_tool.search.run import reindex as rebuild

    vault = open_vault(ctx)
    result = rebuild(vault, vault.today(), Progress("Indexing", at_least=0) if sys.stderr.isatty() else None)
    for problem in result.problems:
        click.echo(f"warning: {visible(str(problem))} (left out of search until fixed)", err=True)
    click.echo(f"Indexed {result.reread - len(result.problems)} contacts in {result.seconds:.1f} s"
               + (f" ({len(result.problems)} files did not parse)" if result.problems else ""))
