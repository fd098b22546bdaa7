"""`contacts owners`: who owns which contacts; `--codeowners` writes the CODEOWNERS rules."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import open_vault, report_commit, warn_problems
from vault_tool.output import plural

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault
    from vault_tool.team.owners import Owners


def _warn_unknown(found: Owners, vault: Vault) -> None:
    for path, owner in found.unknown:
        where = os.path.relpath(path, Path.cwd())
        click.echo(f"warning: {where}: owner '{owner}' has no host handle in vault.yaml owners: (no rule)", err=True)


@click.command()
@click.option("--codeowners", "write", is_flag=True, help="Write the owners' rules into the repository's CODEOWNERS.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The CODEOWNERS file (default: the one the repository has, else .github/CODEOWNERS).")
@click.option("--check", "check_only", is_flag=True, help="With --codeowners: change nothing, exit 1 if it is out of date.")
@click.pass_context
def owners(ctx: click.Context, write: bool, output: Path | None, check_only: bool) -> None:
    """List contact owners, or write CODEOWNERS so each owner reviews changes to their contacts.

    Owners are the `owner:` fields; vault.yaml's `owners:` maps them to
    git-host handles (alice: "@alice-k"). The rules go between two marker
    lines in CODEOWNERS; the rest of the file is left as it is. With branch
    protection requiring code-owner review, a pull request that changes a
    contact then asks its owner.

    \b
    Examples:
      contacts owners
      contacts owners --codeowners
      contacts owners --codeowners --check      # in CI: is CODEOWNERS up to date?
    """
    from vault_tool.team.owners import owners as find_owners
    from vault_tool.team.owners import write_codeowners

    vault = open_vault(ctx)
    if not write:
        if check_only or output:
            raise click.UsageError("--check and --output go with --codeowners")
        found = find_owners(vault)
        warn_problems(found.problems)
        for name, count in sorted(found.counts.items()):
            handle = vault.config.owners.get(name, "(not in vault.yaml owners)")
            click.echo(f"{name:<12} {handle:<28} {plural(count, 'contact')}")
        if found.unowned:
            click.echo(f"{'(no owner)':<12} {'':<28} {plural(found.unowned, 'contact')}")
        return
    result = write_codeowners(vault, output, check_only)
    warn_problems(result.owners.problems)
    _warn_unknown(result.owners, vault)
    where = os.path.relpath(result.path, Path.cwd())
    if check_only:
        click.echo(f"{where} is {'out of date: run contacts owners --codeowners' if result.changed else 'up to date'}",
                   err=True)
        ctx.exit(1 if result.changed else 0)
    if not result.changed:
        click.echo(f"{where} is up to date ({len(result.owners.rules)} contacts)", err=True)
        return
    report_commit(f"Wrote {len(result.owners.rules)} owner rules to {where}", result.commit, result.hint)
