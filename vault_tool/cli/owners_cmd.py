"""`contacts owners`: who owns which contacts; `--codeowners` writes the CODEOWNERS rules."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import open_vault, report_commit, warn_problems
from vault_tool.output import plural, visible

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault
    from vault_tool.team.owners import Owners


def _owned(contacts: int, deals: int) -> str:
    """`7 contacts`, `7 contacts, 4 deals`, `2 deals`."""
    parts = [plural(contacts, "contact")] * bool(contacts or not deals) + [plural(deals, "deal")] * bool(deals)
    return ", ".join(parts)


def _list(found: Owners, vault: Vault) -> None:
    for name in sorted(set(found.counts) | set(found.deal_counts)):
        handle = vault.config.owners.get(name, "(not in vault.yaml owners)")
        click.echo(visible(f"{name:<12} {handle:<28} {_owned(found.counts[name], found.deal_counts[name])}"))
    if found.unowned or found.unowned_deals:
        click.echo(f"{'(no owner)':<12} {'':<28} {_owned(found.unowned, found.unowned_deals)}")


def _warn_unknown(found: Owners, vault: Vault) -> None:
    for path, owner in found.unknown:
        where = os.path.relpath(path, Path.cwd())
        click.echo(visible(f"warning: {where}: owner '{owner}' has no host handle in vault.yaml owners: (no rule)"),
                   err=True)


@click.command()
@click.option("--codeowners", "write", is_flag=True, help="Write the owners' rules into the repository's CODEOWNERS.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The CODEOWNERS file (default: the one the repository has, else .github/CODEOWNERS).")
@click.option("--check", "check_only", is_flag=True, help="With --codeowners: change nothing, exit 1 if it is out of date.")
@click.pass_context
def owners(ctx: click.Context, write: bool, output: Path | None, check_only: bool) -> None:
    """List contact and deal owners, or write CODEOWNERS so each owner reviews changes to their contacts and deals.

    Owners are the `owner:` fields of contacts and of deals (deals/*.md);
    vault.yaml's `owners:` maps them to git-host handles (alice:
    "@alice-k"). The rules go between two marker lines in CODEOWNERS, one
    per owned contact file, then one per owned deal file; the rest of the
    file is left as it is. With branch protection requiring code-owner
    review, a pull request that changes a contact or a deal then asks its
    owner.

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
        _list(found, vault)
        return
    result = write_codeowners(vault, output, check_only)
    warn_problems(result.owners.problems)
    _warn_unknown(result.owners, vault)
    where = os.path.relpath(result.path, Path.cwd())
    if check_only:
        click.echo(f"{where} is {'out of date: run contacts owners --codeowners' if result.changed else 'up to date'}",
                   err=True)
        ctx.exit(1 if result.changed else 0)
    rules = result.owners
    if not result.changed:
        deals = f", {plural(len(rules.deal_rules), 'deal')}" if rules.deal_rules else ""
        click.echo(f"{where} is up to date ({plural(len(rules.rules), 'contact')}{deals})", err=True)
        return
    report_commit(f"Wrote {plural(rules.all_rules, 'owner rule')} to {where}", result.commit, result.hint)
