"""`contacts attach`, `detach` and `files`: the documents that go with a contact."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vault_tool.cli.common import contact_argument, open_vault, report

if TYPE_CHECKING:
    from vault_tool.store.attachments import Listed
    from vault_tool.store.vault import Vault


@click.command()
@contact_argument
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--as", "name", metavar="NAME", help="Store it under this name (default: the file's own name).")
@click.pass_context
def attach(ctx: click.Context, contact: str, file: Path, name: str | None) -> None:
    """Store FILE with a contact, list it under `files:` in its front matter; one commit.

    The file is copied to files/<handle>/ in the vault. Its name is cleaned (no
    '/', '..', leading dot or control character); a name the contact has already
    gets -2. A file over vault.yaml's max_file_size (default 25 MB) is refused.

    \b
    Examples:
      contacts attach ada contract.pdf
      contacts attach ada scan-0042.pdf --as signed-contract.pdf
    """
    from vault_tool.store.attachments import attach as attach_file

    vault = open_vault(ctx)
    report(vault, attach_file(vault, contact, file, name))


@click.command()
@contact_argument
@click.argument("name")
@click.pass_context
def detach(ctx: click.Context, contact: str, name: str) -> None:
    """Remove the document NAME from a contact: its file and the line that lists it; one commit.

    NAME is as `contacts files` lists it; a photo imported from a vCard is one too.

    \b
    Example:
      contacts detach ada contract.pdf
    """
    from vault_tool.store.attachments import detach as detach_file

    vault = open_vault(ctx)
    report(vault, detach_file(vault, contact, name))


@click.command()
@contact_argument
@click.option("--format", "fmt", type=click.Choice(["table", "json", "paths"]), default="table", show_default=True,
              help="table for people; json or paths (relative to the vault) for scripts.")
@click.pass_context
def files(ctx: click.Context, contact: str, fmt: str) -> None:
    """List a contact's documents: name, size and the day it was last committed.

    A document its file lists but that is missing is shown as missing (and `contacts
    check` reports it). Exit status 1 when the contact has none.

    \b
    Examples:
      contacts files ada
      contacts files ada --format paths | xargs -I{} cp {} /tmp/
    """
    from vault_tool.output import render_rows, visible
    from vault_tool.store.attachments import listing

    vault = open_vault(ctx)
    found, docs = listing(vault, contact)
    rows = [_row(vault, doc) for doc in docs]
    if not rows:
        click.echo(f"{visible(found.name)} has no documents", err=True)
        ctx.exit(1)
    columns = [("name", "NAME"), ("size", "SIZE"), ("date", "DATE"), ("field", "FIELD")]
    if fmt == "table":
        rows = [{**row, "size": _size_text(row["size"])} for row in rows]
        columns = columns if any(row["field"] != "files" for row in rows) else columns[:3]
    elif fmt == "paths":
        rows = [row for row in rows if row["path"] is not None]  # a missing document has no path to give
    if rows:
        click.echo(render_rows(rows, columns, fmt))


def _row(vault: Vault, doc: Listed) -> dict[str, Any]:
    path = doc.path.relative_to(vault.root).as_posix() if doc.path is not None else None
    return {"name": doc.name, "size": doc.size if path else None, "date": doc.date.isoformat() if doc.date else None,
            "field": doc.key, "path": path}


def _size_text(size: int | None) -> str:
    from vault_tool.format.documents import shown_size

    return "missing" if size is None else shown_size(size)
