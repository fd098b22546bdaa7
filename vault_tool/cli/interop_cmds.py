"""`contacts import` and `contacts export`."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import Progress, open_vault, report_commit, warn_problems
from vault_tool.cli.completion import complete_tag
from vault_tool.interop.export_formats import FORMATS  # standard library only: cheap to import
from vault_tool.output import visible

if TYPE_CHECKING:
    from vault_tool.interop.importing import ImportReport, Outcome

_PROGRESS_FROM = 200  # records: fewer than this import without a progress bar


def _columns(pairs: tuple[str, ...]) -> dict[str, str]:
    columns = {}
    for pair in pairs:
        column, sep, field_name = pair.partition("=")
        if not sep or not column.strip():
            raise click.BadParameter(f"'{pair}' is not COLUMN=field (COLUMN= leaves a column out)", param_hint="--map")
        columns[column.strip()] = field_name.strip()
    return columns


def _line(outcome: Outcome, dry_run: bool) -> str | None:
    verbs = {"added": "would add" if dry_run else "added", "merged": "would merge" if dry_run else "merged",
             "skipped": "skipped", "unchanged": "unchanged"}
    if outcome.action == "added" and not (dry_run or outcome.notes):
        return None
    target = {"added": f" as {outcome.handle}", "merged": f" into {outcome.handle}"}.get(outcome.action, "")
    why = f": {outcome.reason}" if outcome.reason else ""
    notes = "".join(f"; {n}" for n in outcome.notes)
    return f"{verbs[outcome.action]} {outcome.where} ({outcome.name}){target}{why}{notes}"


def _summary(report: ImportReport) -> str:
    parts = [f"{report.count('added')} added", f"{report.count('merged')} merged"]
    skipped = report.count("skipped") + report.count("unchanged")
    if skipped:
        parts.append(f"{skipped} skipped as duplicates")
    if report.problems:
        parts.append(f"{len(report.problems)} not readable")
    if report.doubtful:
        needs = "value needs" if report.doubtful == 1 else "values need"
        parts.append(f"{report.doubtful} {needs} a look: contacts check")
    head = "Dry run, nothing written: " if report.dry_run else ""
    return head + ", ".join(parts)


@click.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["vcard", "csv", "json", "markdown"]),
              help="Read every file as this format (default: by extension, else by content).")
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD",
              help="Put a CSV column into a field (repeat for more); COLUMN= leaves a column out.")
@click.option("--tag", "tags", multiple=True, help="Tag every imported contact (repeat for more).",
              shell_complete=complete_tag)
@click.option("--dry-run", is_flag=True, help="Print what would happen; write nothing.")
@click.option("--encoding", metavar="NAME",
              help="Read the files in this encoding (utf-8, cp1252, shift_jis, utf-16 …) instead of finding it; "
                   "a guessed encoding is named on standard error.")
@click.option("--on-duplicate", type=click.Choice(["skip", "merge", "new"]), default="skip", show_default=True,
              help="For a contact with the uid or an email of one in the vault (or, with neither, its name and "
                   "organisation and nothing different): leave it out, merge it into that one, or add it anyway.")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], fmt: str | None, pairs: tuple[str, ...],
            tags: tuple[str, ...], dry_run: bool, encoding: str | None, on_duplicate: str) -> None:
    """Import contacts from vCard (.vcf), CSV, JSON or Markdown (.md) files, or folders of them.

    vCard 2.1, 3.0 and 4.0; CSV exports of Google Contacts, Outlook and
    Thunderbird are recognised by their columns, any other CSV by column
    names, and columns that match no field become custom fields. A
    duplicate shares the uid or an email with a contact in the vault (or
    earlier in the files); a card with neither is a duplicate of the contact
    with its name and organisation when nothing (another email, phone
    number, birthday) tells them apart, so importing a file twice adds
    nothing. A shared phone number alone is no duplicate: colleagues share a
    switchboard. An email, phone number or link that is none (`+1-800-MYFAX`)
    is kept as written and counted: `contacts check` lists it as a warning. A Markdown note from another tool
    (Obsidian, Logseq, Hugo …) is one contact: its YAML, TOML or JSON front
    matter gives the fields, its body the notes and interactions. Everything
    is one commit. A row, card or note that cannot be read is named with its
    line and left out; the exit status is then 1. A vCard line that cannot be
    read costs no card: it is kept as it is (export writes it back) and named
    with its line in a warning; pictures, sounds and keys become files. The commit is made in bulk (git fast-import), which
    runs no git hooks: if the repository has commit hooks, a note says so.

    \b
    Examples:
      contacts import ~/Downloads/contacts.vcf --tag phone
      contacts import google.csv --on-duplicate merge --dry-run
      contacts import crm.csv --map "Client=name" --map "Account Manager=owner" --map "Internal ID="
      contacts import ~/.local/share/vdirsyncer/contacts/
      contacts import ~/Obsidian/People/ --tag obsidian
    """
    from vault_tool.interop.importing import ImportOptions, import_files

    vault = open_vault(ctx)
    options = ImportOptions(format=fmt, columns=_columns(pairs), tags=list(tags), on_duplicate=on_duplicate,
                            dry_run=dry_run, encoding=encoding)
    progress = Progress("Importing", at_least=_PROGRESS_FROM) if sys.stderr.isatty() else None
    try:
        report = import_files(vault, list(files), options, progress)
    finally:
        if progress is not None:
            progress.close()
    warn_problems(report.vault_problems)
    for path, guessed in report.guessed:
        click.echo(visible(f"read {path} as {guessed} (guessed; --encoding to choose)"), err=True)
    for outcome in report.outcomes:
        line = _line(outcome, dry_run)
        if line:
            click.echo(visible(line))
    for problem in report.problems:
        click.echo(f"not imported: {visible(str(problem))}", err=True)
    click.echo(_summary(report))
    change = report.change
    if change is not None:
        report_commit(change.message, change.commit, change.hint)
        if change.commit is not None and change.commit.skipped_hooks:
            hooks = ", ".join(change.commit.skipped_hooks)
            click.echo(f"note: the bulk import commit skips git hooks ({hooks})", err=True)
    if report.problems:
        ctx.exit(1)


def _is_folder(output: str | None) -> bool:
    return output is not None and (Path(output).is_dir() or output.endswith(("/", "\\")))


@click.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="vcard", show_default=True)
@click.option("-o", "--output", type=click.Path(),
              help="A file, or a folder (an existing one, or a path ending in /) for a .vcf file per contact.")
@click.option("--vcard-version", type=click.Choice(["3.0", "4.0"]), default="3.0", show_default=True)
@click.option("--csv-dialect", type=click.Choice(["vault", "google", "outlook"]), default="vault",
              show_default=True,
              help="The vault's own columns, Google Contacts' (numbered E-mail, Phone and Address groups with "
                   "their labels) or Outlook's (Business, Home and Other address, a column per kind of phone). "
                   "What a layout has no column for goes to a `Custom Field` or the `vcard` column, so "
                   "`contacts import` gives back the same contacts.")
@click.option("--raw-csv", is_flag=True,
              help="With --format csv, write cells exactly as stored. By default a cell a spreadsheet would run "
                   "as a formula (starting with = + - @, a tab or CR, other than a plain number) gets a leading ', "
                   "which `contacts import` takes off again.")
@click.pass_context
def export(ctx: click.Context, query: str | None, fmt: str, output: str | None, vcard_version: str,
           csv_dialect: str, raw_csv: bool) -> None:
    """Export contacts (all, or those QUERY matches) as vCard, CSV, JSON or JSON Lines.

    Without -o the export is printed. JSON has every field, the notes,
    interactions and tasks, and imports back as the same contacts.

    \b
    Examples:
      contacts export -o everyone.vcf
      contacts export -o ~/.local/share/vdirsyncer/contacts/ --vcard-version 4.0
      contacts export "tag:customer" --format csv --csv-dialect google -o customers.csv
      contacts export --format csv --csv-dialect outlook -o outlook.csv
      contacts export --format jsonl > backup.jsonl
    """
    from vault_tool.interop.export_formats import ExportOptions
    from vault_tool.interop.exporting import export as run_export

    vault = open_vault(ctx)
    options = ExportOptions(format=fmt, vcard_version=vcard_version, csv_dialect=csv_dialect, raw_csv=raw_csv,
                            today=vault.today())
    target = Path(output) if output else None
    result = run_export(vault, query, options, target, folder=_is_folder(output))
    warn_problems(result.problems)
    if result.data is not None:
        click.echo(result.data, nl=False)
        return
    one_file = len(result.written) == 1 and not _is_folder(output)
    where = str(output) if one_file else f"{len(result.written)} files in {output}"
    plural = "s" if result.contacts != 1 else ""
    click.echo(f"Exported {result.contacts} contact{plural} to {where}", err=True)
