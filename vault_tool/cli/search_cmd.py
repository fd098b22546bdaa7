"""`contacts search` and `contacts reindex`."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import Progress, hold, open_vault
from vault_tool.cli.completion import completer
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


def with_query_help(help_text: str | None) -> str:
    """A command's docstring (its body dedented, as click shows a docstring) followed by QUERY_HELP."""
    import textwrap

    first, _, rest = (help_text or "").partition("\n")
    return f"{first}\n{textwrap.dedent(rest).rstrip()}\n\n{QUERY_HELP}"


def filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """`--tag`, `--stage`, `--owner`: each may be given again for "any of these"; together, all must hold."""
    for name, what in (("owner", "this person owns"), ("stage", "at this stage"), ("tag", "with this tag")):
        command = click.option(f"--{name}", f"{name}s", multiple=True, metavar=name.upper(),
                               help=f"Only contacts {what} (repeat for any of several).",
                               shell_complete=completer(f"{name}s"))(command)
    return command


def filter_query(tags: Sequence[str], stages: Sequence[str], owners: Sequence[str]) -> str:
    """The query the filter options stand for: `(tag:"a" OR tag:"b") AND stage:"lead"`."""
    groups = []
    for field, values in (("tag", tags), ("stage", stages), ("owner", owners)):
        clauses = [f'{field}:"{value.replace(chr(34), "")}"' for value in values]
        if clauses:
            groups.append(clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})")
    return " AND ".join(groups)


def run_search(
    ctx: click.Context, query: str, limit: int | None, sort: str, fmt: str, raw_csv: bool = False,
    complete: bool = False, within: str = "",
) -> None:
    """Search, print the rows in ``fmt`` (shared by `search` and `list`); exit 1 when nothing matches.

    ``complete``: with a mail format, ``query`` is what was typed in the address field; ``within``:
    the filters' query (see search.run.search).
    """
    from vault_tool.search.scan import BackgroundScan

    vault = open_vault(ctx)
    # started by the `contacts` program if it could; else now, to stat the files while the index library loads
    scanning = vault.take_scan() or BackgroundScan(vault.contacts_dir)

    from vault_tool.output import MAIL_FORMATS, render_rows, visible
    from vault_tool.search.run import search

    complete = complete and fmt in MAIL_FORMATS
    result = search(vault, query, vault.today(), limit=limit, sort=sort, scanning=scanning, complete=complete,
                    within=within)
    hold(ctx, result)
    query = " AND ".join(part for part in (query.strip(), within) if part)  # what the messages quote
    for problem in result.problems:  # notices: as they come (open_vault)
        click.echo(f"warning: {visible(str(problem))} (left out of search until fixed)", err=True)
    if fmt in MAIL_FORMATS:
        _print_mail(ctx, result, fmt, query)
    elif not result.rows:
        if fmt in ("json", "csv"):
            click.echo(render_rows(result.rows, COLUMNS, fmt, raw_csv=raw_csv))  # `[]`, or the header
        elif fmt == "table":
            click.echo(f"no contacts match '{visible(query)}'" if query else "no contacts yet", err=True)
        ctx.exit(1 if query else 0)  # an empty vault listed whole is no failed search
    elif fmt != "table":
        click.echo(render_rows(result.rows, COLUMNS, fmt, raw_csv=raw_csv))
    else:
        _print_table(vault, result, COLUMNS + [("score", "SCORE")] if sort == "score" else COLUMNS)


def _print_mail(ctx: click.Context, result: Result, fmt: str, query: str) -> None:
    """mutt's or aerc's lines; with no address, mutt's one status line (aerc: nothing), and exit 1."""
    from vault_tool.output import mail_addresses, mail_lines, visible

    if mail_addresses(result.rows):
        click.echo(mail_lines(result.rows, fmt, query))
        return
    if fmt == "mutt":  # the first line is mutt's status line, and no other output: it would land on its screen
        click.echo(mail_lines([], fmt, query))
    else:
        click.echo(f"no contact with an email address matches '{visible(query)}'", err=True)
    ctx.exit(1)


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
@filter_options
@click.pass_context
def search(
    ctx: click.Context, query: tuple[str, ...], limit: int | None, sort: str, fmt: str, raw_csv: bool,
    tags: tuple[str, ...], stages: tuple[str, ...], owners: tuple[str, ...],
) -> None:
    """Find contacts. With --format table, shows the line of notes or interactions that matched.

    Exit status 1 when nothing matches (as grep), 2 for a query that does not read (the error
    says where). With --format mutt or aerc, plain words are what was typed in a mail client's
    address field: each one starts a word of a name or a part of an address (`ada love`,
    `zoe.mue`), accents and case aside; with mutt, no match prints one status line.

    \b
    Examples:
      contacts search renewal demo
      contacts search 'tag:customer AND last_contact:<-90days' --sort last
      contacts search --tag customer --tag lead --owner alice
      contacts search --format mutt ada        # mutt's query_command
    """
    run_search(ctx, " ".join(query), limit, sort, fmt, raw_csv, complete=True,
               within=filter_query(tags, stages, owners))


search.help = with_query_help(search.help)


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
    from vault_tool.output import plural, visible
    from vault_tool.search.run import reindex as rebuild

    vault = open_vault(ctx)
    result = rebuild(vault, vault.today(), Progress("Indexing", at_least=0) if sys.stderr.isatty() else None)
    for problem in result.problems:
        click.echo(f"warning: {visible(str(problem))} (left out of search until fixed)", err=True)
    broken = f" ({plural(len(result.problems), 'file')} did not parse)" if result.problems else ""
    click.echo(f"Indexed {plural(result.reread - len(result.problems), 'contact')} in {result.seconds:.1f} s{broken}")
