"""`contacts init`."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", is_flag=True, help="Fill the new vault with the example contacts.")
@click.option("--region", metavar="CODE",
              help="Country whose phone numbers need no country code (vault.yaml's default_region; default GB).")
@click.pass_context
def init(ctx: click.Context, directory: Path, example: bool, region: str | None) -> None:
    """Create a vault in DIRECTORY (default: here, or the folder -C names), or set up a cloned one.

    Writes vault.yaml, contacts/, .gitignore and .gitattributes, runs
    `git init` if the folder is not in a repository, and commits. In an
    existing vault (a fresh clone) it only does the local set-up: it
    registers the `vault` merge driver in the clone's git config.

    --region sets vault.yaml's default_region: a phone number written without
    a country code is read there, unless its contact's country or address
    says another (DE, US, or a name such as Germany).

    \b
    Examples:
      contacts init ~/contacts
      contacts init demo --example
      contacts init ~/kontakte --region DE
      contacts -C ~/work/crm init     (like git -C: DIRECTORY is read from there)
    """
    from vault_tool.store.create import init_vault

    settings = ctx.find_root().obj
    base = Path(settings.vault).expanduser() if settings.vault else Path.cwd()
    result = init_vault(base / directory, example=example, commit=settings.commit, region=region)
    if not result.created:
        driver = ": registered the vault merge driver in this clone" if result.merge_driver else ": local set-up done"
        if result.files:  # a vault from before deals: .gitattributes routes deal files to the driver too
            click.echo(f"{result.root} is already a vault{driver}; .gitattributes now routes deal files to the "
                       "merge driver too: commit it (git commit .gitattributes)")
            return
        click.echo(f"{result.root} is already a vault{driver}, nothing else changed")
        return
    extra = f" with {result.examples} example contacts" if result.examples else ""
    git = " (new git repository)" if result.git_initialised else ""
    committed = "" if result.committed else ", not committed"
    click.echo(f"Created a contact vault in {result.root}{extra}{git}{committed}")
    if result.hint:
        click.echo(f"hint: {result.hint}", err=True)
