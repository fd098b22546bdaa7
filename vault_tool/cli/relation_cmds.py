"""`contacts link`, `unlink` and `graph`: how contacts relate."""
from __future__ import annotations

import click

from vault_tool.cli.common import contact_argument, open_vault, report, warn_problems
from vault_tool.cli.completion import complete_contact


@click.command()
@contact_argument
@click.argument("relation", metavar="TYPE")
@click.argument("other", metavar="OTHER", shell_complete=complete_contact)
@click.pass_context
def link(ctx: click.Context, contact: str, relation: str, other: str) -> None:
    """Say that CONTACT is TYPE of OTHER, under `relations:` in CONTACT's file; one commit.

    Only one side is written; the other is derived (`link ada reports_to
    charles` also means Charles manages Ada). Giving the inverse (`link charles
    manages ada`) writes `manages:` in Charles's file. A relation either side
    holds already is not written again. TYPE is one of vault.yaml's
    `relations:` or their inverses (by default reports_to/manages, spouse,
    introduced_by/introduced, assistant_of/has_assistant, colleague, friend,
    parent_of/child_of).

    \b
    Examples:
      contacts link ada reports_to charles
      contacts link lukasz introduced_by ada
    """
    from vault_tool.store.relating import link as link_contacts

    vault = open_vault(ctx)
    report(vault, link_contacts(vault, contact, relation, other))


@click.command()
@contact_argument
@click.argument("relation", metavar="TYPE")
@click.argument("other", metavar="OTHER", shell_complete=complete_contact)
@click.pass_context
def unlink(ctx: click.Context, contact: str, relation: str, other: str) -> None:
    """Remove that CONTACT is TYPE of OTHER, from whichever file holds it; one commit.

    OTHER may be a handle that no contact has any more.

    \b
    Examples:
      contacts unlink ada reports_to charles
      contacts unlink charles manages ada
    """
    from vault_tool.store.relating import unlink as unlink_contacts

    vault = open_vault(ctx)
    report(vault, unlink_contacts(vault, contact, relation, other))


@click.command()
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "json"]), default="dot", show_default=True,
              help="dot for Graphviz, mermaid for a Markdown page, json for scripts.")
@click.pass_context
def graph(ctx: click.Context, query: str | None, fmt: str) -> None:
    """Print who knows whom: the people QUERY matches (all without one), their
    organisations (their `company`) and the relations between them.

    A relation is drawn once, in the direction vault.yaml names first
    (reports_to, not manages); a person's organisation is a dashed `works at` edge.

    \b
    Examples:
      contacts graph | dot -Tsvg > contacts.svg
      contacts graph 'company:"Analytical Engines"' --format mermaid
      contacts graph tag:customer --format json
    """
    from vault_tool.reports.graph import graph as build
    from vault_tool.reports.graph import render

    vault = open_vault(ctx)
    found = build(vault, query)
    warn_problems(found.problems)
    click.echo(render(found, fmt), nl=False)
