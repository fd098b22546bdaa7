"""`contacts set`, `unset`, `tag`: field changes with minimal diffs, to one contact or to every contact a
query matches (the bulk options and their report, shared with `task` and `log`)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vault_tool.cli.common import (
    NEW_FIELD_HELP,
    DashValuesCommand,
    ask_on_terminal,
    check_field,
    open_vault,
    report,
    report_commit,
    warn_problems,
)
from vault_tool.cli.completion import (
    complete_contact,
    complete_field,
    complete_field_value,
    complete_signed_tag,
)
from vault_tool.errors import InvalidValueError, NotFoundError
from vault_tool.store import mutations

if TYPE_CHECKING:
    from vault_tool.store.bulk import BulkChange
    from vault_tool.store.mutations import Edit
    from vault_tool.store.vault import Vault

_SIGNED_LISTS = ("tags", "emails")  # phones start with '+', so they take --add/--remove only
ASK_ABOVE = 20  # a change to more contacts than this asks first (--yes does not)
_ONE_OF = "give either CONTACT or --query QUERY, not both"
F = TypeVar("F", bound=Callable[..., Any])


def bulk_options(command: F) -> F:
    """--query, --yes and --dry-run: the options of every command that changes one contact or many.

    Long names only: in `tag` and `set` every word that is no option of the command is a value, and `-y`
    or `-q` would take the tag `y` or `q` away from those words."""
    for option in reversed((
        click.option("--query", metavar="QUERY",
                     help="Change every contact QUERY matches (search's query language, @segment) instead of "
                          "one CONTACT: one commit."),
        click.option("--yes", is_flag=True,
                     help=f"With --query: do not ask, however many contacts change (more than {ASK_ABOVE} ask)."),
        click.option("--dry-run", is_flag=True, help="With --query: list the contacts that would change; write nothing."),
    )):
        command = option(command)
    return command


def one_or_many(contact: str | None, query: str | None, yes: bool, dry_run: bool) -> None:
    """A usage error unless exactly one of CONTACT and --query is given (and --yes, --dry-run only with --query)."""
    if query is None and contact is None:
        raise click.UsageError("give a CONTACT, or --query QUERY for every contact a search matches")
    if query is not None and contact is not None:
        raise click.UsageError(_ONE_OF)
    if query is None and (yes or dry_run):
        raise click.UsageError(f"{'--yes' if yes else '--dry-run'} goes with --query QUERY")
    if query is not None and not query.strip():
        raise click.UsageError("give --query a query (a search such as 'tag:newsletter' or @segment)")


def change_many(vault: Vault, query: str, edit: Edit, yes: bool, dry_run: bool) -> None:
    """``edit`` made to every contact ``query`` matches, asking first above ASK_ABOVE; then the report."""
    from vault_tool.search.run import matching
    from vault_tool.store.bulk import change_many as change

    result = change(vault, query, matching, edit, dry_run=dry_run, confirm=None if yes else _confirm)
    report_many(result)


def _confirm(result: BulkChange) -> None:
    """Ask before changing more than ASK_ABOVE contacts; with no terminal to ask on, refuse."""
    count = len(result.changed)
    if count <= ASK_ABOVE:
        return
    refusal = (f"this would change {count} contacts (more than {ASK_ABOVE}) and there is no terminal to ask on: "
               "give --yes to go ahead, or --dry-run to list them")
    if sys.stdin.isatty():
        warn_problems(result.skipped)
    ask_on_terminal(f"{result.message}?", refusal)
    result.skipped = []  # shown already


def report_many(result: BulkChange) -> None:
    """What a change to many contacts did: the files skipped, the commit, the doubtful values; a dry run's list."""
    from vault_tool.output import visible

    warn_problems(result.skipped)
    for target in result.changed if result.dry_run else []:
        click.echo(f"{visible(target.handle)}\t{visible(target.name)}")
    same = len(result.unchanged)
    if not result.changed:
        click.echo(f"Nothing to change: {'the' if same == 1 else 'all'} {mutations.counted(same)} that "
                   f"'{visible(result.query)}' matches {'is' if same == 1 else 'are'} already as asked", err=True)
        return
    if result.dry_run:
        click.echo(f"{visible(result.message)} (dry run: nothing written)", err=True)
    else:
        report_commit(result.message, result.commit, result.hint)
    if result.commit is not None and result.commit.skipped_hooks:
        click.echo(f"note: a commit of this many files skips git hooks ({', '.join(result.commit.skipped_hooks)})",
                   err=True)
    if same:
        click.echo(f"{same} more {'contact matches and is' if same == 1 else 'contacts match and are'} "
                   f"already as asked", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)


def complete_contact_or_field(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The first word of `set` and `unset`: a CONTACT, or with --query the FIELD."""
    return (complete_field if ctx.params.get("query") else complete_contact)(ctx, param, incomplete)


def complete_value_or_field(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The second word of `set`: FIELD, or with --query the first value (the first word is FIELD then)."""
    if not ctx.params.get("query"):
        return complete_field(ctx, param, incomplete)
    ctx.params["field"] = ctx.params.get("contact")
    return complete_field_value(ctx, param, incomplete)


def _names_contact(vault: Vault, word: str) -> bool:
    """Whether the first word of `tag --query` is a CONTACT rather than a tag to add: no sign, no tag in
    use, and it names a contact (or several)."""
    from vault_tool.errors import AmbiguousError, VaultError
    from vault_tool.search.vocabulary import words

    if word[:1] in "+-" or word in words(vault, "tags"):
        return False
    try:
        vault.get(word)
    except AmbiguousError:
        return True
    except VaultError:
        return False
    return True


def _split_signed(values: tuple[str, ...]) -> tuple[list[str], list[str]]:
    add = [v[1:] for v in values if v.startswith("+")] + [v for v in values if v[:1] not in "+-"]
    remove = [v[1:] for v in values if v.startswith("-")]
    return add, remove


def _query_field(vault: Vault, field: str, new_field: bool) -> str:
    """FIELD of a change to many contacts: a field the format, vault.yaml or some contact knows (else --new-field).

    A word that is no field is more likely a CONTACT given with --query than a new field for all of them.
    """
    from vault_tool.format.fieldnames import known_fields

    if field in ("name", "uid"):
        raise InvalidValueError(f"every contact has its own {field}: change it one contact at a time")
    check_field(vault, field, new_field)
    if new_field or field in known_fields(vault.config):
        return field
    from vault_tool.search.vocabulary import used_fields

    if field.lower() not in used_fields(vault):
        raise click.UsageError(f"'{field}' is no field a contact has: {_ONE_OF}; or give --new-field to add a "
                               f"new field to every contact the query matches")
    return field


@click.command(name="set", cls=DashValuesCommand)
@click.argument("contact", required=False, metavar="CONTACT", shell_complete=complete_contact_or_field)
@click.argument("field", required=False, metavar="FIELD", shell_complete=complete_value_or_field)
@click.argument("values", nargs=-1, type=click.UNPROCESSED, shell_complete=complete_field_value)
@click.option("--add", "adding", multiple=True, help="Add an item to a list field (emails, phones, tags).")
@click.option("--remove", "removing", multiple=True, help="Remove an item from a list field.")
@click.option("--new-field", is_flag=True, help=NEW_FIELD_HELP)
@bulk_options
@click.pass_context
def set_(
    ctx: click.Context, contact: str | None, field: str | None, values: tuple[str, ...],
    adding: tuple[str, ...], removing: tuple[str, ...], new_field: bool, query: str | None, yes: bool, dry_run: bool,
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

    With --query QUERY instead of CONTACT (`contacts set --query QUERY FIELD
    VALUES`), every contact the query matches gets the same change, in one
    commit; removing an item a contact does not have leaves it as it is. More
    than 20 contacts ask first (--yes does not; with no terminal it is an
    error); --dry-run lists them and writes nothing. There FIELD must be a
    field some contact has already, or --new-field.

    \b
    Examples:
      contacts set ada stage customer
      contacts set ada title Head of Research
      contacts set ada emails +ada@new.example -old@example.com
      contacts set ada phones --add "+44 20 7946 0000"
      contacts set ada links github=https://github.com/ada
      contacts set --query @hot-leads owner bob
    """
    vault = open_vault(ctx)
    if query is not None and contact is not None:
        values = (field, *values) if field is not None else values
        field = _query_field(vault, contact, new_field)
        contact = None
    one_or_many(contact, query, yes, dry_run)
    if field is None:
        raise click.UsageError("give the FIELD to set and its VALUES")
    if query is None:
        check_field(vault, field, new_field)
    edit = _set_edit(vault, field, values, adding, removing, strict=query is None)
    if query is not None:
        change_many(vault, query, edit, yes, dry_run)
        return
    assert contact is not None
    change = mutations.apply_edit(vault, contact, edit)
    report(vault, change)
    for warning in change.warnings:
        click.echo(f"warning: {warning}", err=True)


def _set_edit(vault: Vault, field: str, values: tuple[str, ...], adding: tuple[str, ...],
              removing: tuple[str, ...], strict: bool) -> Edit:
    signed = field in _SIGNED_LISTS and values and all(v[:1] in "+-" for v in values)
    if adding or removing or signed:
        if values and not signed:
            raise click.UsageError("give either VALUES or --add/--remove, not both")
        add, remove = _split_signed(values) if signed else ([], [])
        return mutations.list_edit(vault, field, add + list(adding), remove + list(removing), strict)
    if not values:
        raise click.UsageError("give a value (or use 'contacts unset CONTACT FIELD')")
    return mutations.set_edit(vault, field, list(values))


@click.command()
@click.argument("contact", required=False, metavar="CONTACT", shell_complete=complete_contact_or_field)
@click.argument("field", required=False, metavar="FIELD", shell_complete=complete_field)
@bulk_options
@click.pass_context
def unset(ctx: click.Context, contact: str | None, field: str | None, query: str | None, yes: bool,
          dry_run: bool) -> None:
    """Remove FIELD from a contact.

    A FIELD the contact does not have, one or two letters off a known or
    used field, is refused with "did you mean …?".

    With --query QUERY instead of CONTACT (`contacts unset --query QUERY
    FIELD`), FIELD goes from every contact the query matches that has it, in
    one commit (more than 20 ask first; --yes, --dry-run as for `set`).

    \b
    Examples:
      contacts unset ada title
      contacts unset --query 'tag:alumni' title --dry-run
    """
    vault = open_vault(ctx)
    if query is not None and contact is not None:
        if field is not None:
            raise click.UsageError(_ONE_OF)
        field = _query_field(vault, contact, False)
        contact = None
    one_or_many(contact, query, yes, dry_run)
    if field is None:
        raise click.UsageError("give the FIELD to remove")
    if query is not None:
        change_many(vault, query, mutations.unset_edit(field, strict=False), yes, dry_run)
        return
    assert contact is not None
    try:
        change = mutations.unset(vault, contact, field)
    except NotFoundError:
        check_field(vault, field, hint="")  # a slip says what was meant
        raise
    report(vault, change)


@click.command(cls=DashValuesCommand)
@click.argument("contact", required=False, metavar="CONTACT", shell_complete=complete_contact)
@click.argument("changes", nargs=-1, metavar="CHANGES...", type=click.UNPROCESSED, shell_complete=complete_signed_tag)
@bulk_options
@click.pass_context
def tag(ctx: click.Context, contact: str | None, changes: tuple[str, ...], query: str | None, yes: bool,
        dry_run: bool) -> None:
    """Add (+TAG or TAG) and remove (-TAG) tags.

    Only -h/--help, the options below and the global options (--no-commit,
    -C, --today) are options here; every other word is a change.

    With --query QUERY instead of CONTACT, every word is a change, made to
    every contact the query matches in one commit (`Tag 412 contacts
    +gdpr-2026`); a contact without a tag to remove keeps what it has. More
    than 20 contacts ask first (--yes does not; with no terminal it is an
    error); --dry-run lists them and writes nothing.

    \b
    Examples:
      contacts tag ada +customer -lead vip
      contacts tag --query 'tag:newsletter' +gdpr-2026
    """
    vault = open_vault(ctx)
    if query is not None and contact is not None:
        if _names_contact(vault, contact):
            raise click.UsageError(_ONE_OF)
        changes = (contact, *changes)
        contact = None
    one_or_many(contact, query, yes, dry_run)
    if not changes:
        raise click.UsageError("give the tags to add (+TAG) and remove (-TAG)")
    add, remove = _split_signed(changes)
    edit = mutations.list_edit(vault, "tags", add, remove, strict=query is None)
    if query is not None:
        change_many(vault, query, edit, yes, dry_run)
        return
    assert contact is not None
    report(vault, mutations.apply_edit(vault, contact, edit))
