"""`contacts set`, `unset`, `tag`: field changes with minimal diffs."""
from __future__ import annotations

import click

from vault_tool.cli.common import contact_argument, open_vault, report
from vault_tool.store import mutations

_SIGNED_LISTS = ("tags", "emails")  # phones start with '+', so they take --add/--remove only
# `-tag` values are arguments, not options; `-h` is not help here, or `-mathematics` would show help.
_PASS_DASHES = {"ignore_unknown_options": True, "help_option_names": ["--help"]}


def _split_signed(values: tuple[str, ...]) -> tuple[list[str], list[str]]:
    add = [v[1:] for v in values if v.startswith("+")] + [v for v in values if v[:1] not in "+-"]
    remove = [v[1:] for v in values if v.startswith("-")]
    return add, remove


@click.command(name="set", context_settings=_PASS_DASHES)
@contact_argument
@click.argument("field")
@click.argument("values", nargs=-1, type=click.UNPROCESSED)
@click.option("--add", "adding", multiple=True, help="Add an item to a list field (emails, phones, tags).")
@click.option("--remove", "removing", multiple=True, help="Remove an item from a list field.")
@click.pass_context
def set_(
    ctx: click.Context, contact: str, field: str, values: tuple[str, ...],
    adding: tuple[str, ...], removing: tuple[str, ...],
) -> None:
    """Set FIELD of a contact to VALUES; only that field's lines change.

    A scalar field takes the words as one value; a list field (emails, phones,
    tags) is set to exactly the values, or changed with --add/--remove, or for
    tags and emails with +VALUE/-VALUE. Known fields are checked: stage must be
    one of vault.yaml's stages, birthday a date, emails must look like emails,
    and custom fields follow vault.yaml's `fields:` schema.

    \b
    Examples:
      contacts set ada stage customer
      contacts set ada title Head of Research
      contacts set ada emails +ada@new.example -old@example.com
      contacts set ada phones --add "+44 20 7946 0000"
      contacts set ada links github=https://github.com/ada
    """
    vault = open_vault(ctx)
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


@click.command()
@contact_argument
@click.argument("field")
@click.pass_context
def unset(ctx: click.Context, contact: str, field: str) -> None:
    """Remove FIELD from a contact.

    \b
    Example:
      contacts unset ada title
    """
    vault = open_vault(ctx)
    report(vault, mutations.unset(vault, contact, field))


@click.command(context_settings=_PASS_DASHES)
@contact_argument
@click.argument("changes", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def tag(ctx: click.Context, contact: str, changes: tuple[str, ...]) -> None:
    """Add (+TAG or TAG) and remove (-TAG) tags.

    \b
    Example:
      contacts tag ada +customer -lead vip
    """
    vault = open_vault(ctx)
    add, remove = _split_signed(changes)
    report(vault, mutations.change_list(vault, contact, "tags", add, remove))
