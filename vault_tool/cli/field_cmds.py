"""`contacts set`, `unset`, `tag`: field changes with minimal diffs."""
from __future__ import annotations

import click

from vault_tool.cli.common import NEW_FIELD_HELP, DashValuesCommand, check_field, contact_argument, open_vault, report
from vault_tool.cli.completion import complete_field, complete_field_value, complete_signed_tag
from vault_tool.errors import NotFoundError
from vault_tool.store import mutations

_SIGNED_LISTS = ("tags", "emails")  # phones start with '+', so they take --add/--remove only


def _split_signed(values: tuple[str, ...]) -> tuple[list[str], list[str]]:
    add = [v[1:] for v in values if v.startswith("+")] + [v for v in values if v[:1] not in "+-"]
    remove = [v[1:] for v in values if v.startswith("-")]
    return add, remove


@click.command(name="set", cls=DashValuesCommand)
@contact_argument
@click.argument("field", shell_complete=complete_field)
@click.argument("values", nargs=-1, type=click.UNPROCESSED, shell_complete=complete_field_value)
@click.option("--add", "adding", multiple=True, help="Add an item to a list field (emails, phones, tags).")
@click.option("--remove", "removing", multiple=True, help="Remove an item from a list field.")
@click.option("--new-field", is_flag=True, help=NEW_FIELD_HELP)
@click.pass_context
def set_(
    ctx: click.Context, contact: str, field: str, values: tuple[str, ...],
    adding: tuple[str, ...], removing: tuple[str, ...], new_field: bool,
) -> None:
    """Set FIELD of a contact to VALUES; only that field's lines change.

    A scalar field takes the words as one value; a list field (emails, phones,
    tags) is set to exactly the values, or changed with --add/--remove, or for
    tags and emails with +VALUE/-VALUE. Known fields are checked: stage must be
    one of vault.yaml's stages, birthday a date, emails must look like emails,
    and custom fields follow vault.yaml's `fields:` schema: a field typed as a
    number or a date is written as one (`deal_value: 12000`, not `12000.0`).
    A phone number without a country code is read in the contact's country,
    else vault.yaml's default_region; one that is no valid number there is
    written with a warning.

    A FIELD one or two letters off a known or used field (`stgae`) is
    refused with "did you mean 'stage'?"; --new-field makes it a new custom
    field anyway. Values may start with '-' (-old@example.com); anything
    after `--` is a value even if it looks like an option.

    \b
    Examples:
      contacts set ada stage customer
      contacts set ada title Head of Research
      contacts set ada emails +ada@new.example -old@example.com
      contacts set ada phones --add "+44 20 7946 0000"
      contacts set ada links github=https://github.com/ada
    """
    vault = open_vault(ctx)
    check_field(vault, field, new_field)
    signed = field in _SIGNED_LISTS and values and all(v[:1] in "+-" for v in values)
    if adding or removing or signed:
        if values and not signed:
            raise click.UsageError("give either VALUES or --add/--remove, not both")
        add, remove = _split_signed(values) if signed else ([], [])
        change = mutations.change_list(vault, contact, field, add + list(adding), remove + list(removing))
    else:
        if not values:
            raise click.UsageError("give a value (or use 'contacts unset CONTACT FIELD')")
        change = mutations.set_field(vault, contact, field, list(values))
    report(vault, change)
    for warning in change.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command()
@contact_argument
@click.argument("field", shell_complete=complete_field)
@click.pass_context
def unset(ctx: click.Context, contact: str, field: str) -> None:
    """Remove FIELD from a contact.

    A FIELD the contact does not have, one or two letters off a known or
    used field, is refused with "did you mean …?".

    \b
    Example:
      contacts unset ada title
    """
    vault = open_vault(ctx)
    try:
        change = mutations.unset(vault, contact, field)
    except NotFoundError:
        check_field(vault, field, hint="")  # a slip says what was meant
        raise
    report(vault, change)


@click.command(cls=DashValuesCommand)
@contact_argument
@click.argument("changes", nargs=-1, required=True, type=click.UNPROCESSED, shell_complete=complete_signed_tag)
@click.pass_context
def tag(ctx: click.Context, contact: str, changes: tuple[str, ...]) -> None:
    """Add (+TAG or TAG) and remove (-TAG) tags.

    Only -h/--help and the global options (--no-commit, -C, --today) are
    options here; every other word is a change.

    \b
    Example:
      contacts tag ada +customer -lead vip
    """
    vault = open_vault(ctx)
    add, remove = _split_signed(changes)
    report(vault, mutations.change_list(vault, contact, "tags", add, remove))
