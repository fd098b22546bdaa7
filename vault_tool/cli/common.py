"""Helpers the commands share: opening the vault, reporting changes and warnings, the CONTACT argument."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.completion import complete_contact
from vault_tool.format.layout import CONTACTS
from vault_tool.search.scan import BackgroundScan, BackgroundStats

if TYPE_CHECKING:
    from vault_tool.errors import ParseError
    from vault_tool.store.git import CommitResult
    from vault_tool.store.mutations import Change
    from vault_tool.store.vault import Vault


def open_vault(ctx: click.Context) -> Vault:
    """The vault the global options name, opened for this command."""
    from vault_tool.store.vault import Vault

    settings = ctx.find_root().obj
    vault = Vault.open(settings.vault, auto_commit=None if settings.commit else False, today=settings.today)
    vault.progress = Progress("Indexing") if sys.stderr.isatty() else None
    vault.on_notice = _show_notice
    from vault_tool.search.selection import directory

    vault.directory = directory  # a contact named by name or email is found in the index
    scan = early_scan(ctx, vault.root)
    if scan is not None and not isinstance(scan, BackgroundStats):
        vault.hand_scan(scan)
    elif scan is not None:
        scan.discard()
    return vault


def hold(ctx: click.Context, *values: object) -> None:
    """Keep ``values`` (a command's rows, and what they were made from) until the process ends.

    The `contacts` program leaves with `os._exit` (cli/entry.py), so what is still held then is
    never freed one object at a time. Freeing the rows of `tasks` and the contacts they came
    from as the command returned took a tenth of its time on 100,000 contacts. Under a test's
    CliRunner they are let go with the command's context, as anything else.
    """
    ctx.find_root().obj.launch.held.append(values)


def early_scan(ctx: click.Context, root: Path) -> BackgroundScan | BackgroundStats | None:
    """The scan the `contacts` program started for this command (search/launch.py), if it is of vault ``root``'s
    contacts; taken once (one command, one vault)."""
    settings = ctx.find_root().obj
    scan: BackgroundScan | BackgroundStats | None = settings.launch.search_scan
    settings.launch.search_scan = None
    if scan is not None and scan.contacts_dir != str(root / CONTACTS):
        scan.discard()
        return None
    return scan


def _show_notice(notice: str) -> None:
    """What the index did while the command read it (a rebuild, and why)."""
    from vault_tool.output import visible

    click.echo(f"notice: {visible(notice)}", err=True)


class Progress:
    """A progress bar on stderr, shown once a rebuild turns out to be long enough to want one."""

    def __init__(self, label: str, at_least: int = 200) -> None:
        self.label, self.at_least, self.done = label, at_least, 0
        self.bar: click._termui_impl.ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < self.at_least:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done
        if done == total:
            self.close()

    def close(self) -> None:
        """End the bar (if one was shown): the work stopped early, or is done."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def report(vault: Vault, change: Change) -> None:
    """One line on what changed and whether it was committed; the identity hint once."""
    from vault_tool.output import visible

    message = visible(change.message)
    if not change.changed:
        click.echo(message, err=True)
        return
    report_commit(change.message, change.commit, change.hint, os.path.relpath(change.path, Path.cwd()))


def report_commit(message: str, commit: CommitResult | None, hint: str | None = None, where: str | None = None) -> None:
    """`message (where, commit abc1234)`, or `not committed`, on standard error; then git's identity hint."""
    from vault_tool.output import visible

    state = f"commit {commit.sha[:7]}" if commit is not None and commit.sha else "not committed"
    click.echo(f"{visible(message)} ({visible(where) + ', ' if where else ''}{state})", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)


def ask_on_terminal(question: str, refusal: str) -> None:
    """Ask ``question`` (yes or abort) on the terminal; with no terminal to ask on, stop with ``refusal``:
    `this would … and there is no terminal to ask on: give --yes …`."""
    if not sys.stdin.isatty():
        raise click.ClickException(refusal)
    click.confirm(question, abort=True, err=True)


def show_sent(name: str, email: str) -> None:
    """`sent to NAME <EMAIL>` on standard error, as each message goes out."""
    from vault_tool.output import visible

    click.echo(f"sent to {visible(name)} <{visible(email)}>", err=True)


def warn_problems(problems: list[ParseError]) -> None:
    from vault_tool.output import visible

    for problem in problems:
        click.echo(f"warning: {visible(str(problem))} (skipped)", err=True)


contact_argument = click.argument("contact", shell_complete=complete_contact)
NEW_FIELD_HELP = "FIELD is a new custom field, even if its name is close to a known one (see 'did you mean')."


NEW_FIELD_HINT = "or give --new-field to add a field of that name"


def check_field(vault: Vault, name: str, new_field: bool = False, hint: str = NEW_FIELD_HINT) -> None:
    """Refuse a field name that is a slip of a known or used one ("did you mean 'stage'?"), unless ``new_field``."""
    from vault_tool.format.fieldnames import known_fields

    if new_field or name in known_fields(vault.config):
        return  # without loading the index (and Whoosh)
    from vault_tool.search.vocabulary import check_field_name

    check_field_name(vault, name, hint)


class NearChoice(click.Choice[str]):
    """A choice of names that says which one a near miss meant: `--sort nmae` -> did you mean 'name'?"""

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return str(super().convert(value, param, ctx))
        except click.BadParameter as exc:
            from vault_tool.format.fieldnames import near_miss

            suggestion = near_miss(str(value), [str(c) for c in self.choices])
            if suggestion is None:
                raise
            self.fail(f"{exc.message.rstrip('.')}: did you mean '{suggestion}'?", param, ctx)


class DashValuesCommand(click.Command):
    """A command whose free values may start with '-' (`contacts tag ada -lead`): only its own options are options.

    Every other word, wherever it stands, is a value, so `-h` is still help and `--add X` still an option.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, values_last(option_arity(self, ctx), args))


def option_arity(command: click.Command, ctx: click.Context) -> dict[str, int]:
    """Each option name of ``command`` (and of its subcommands) and how many values follow it."""
    arity = {name: 0 if p.is_flag or p.count else p.nargs for p in command.get_params(ctx)
             if isinstance(p, click.Option) for name in (*p.opts, *p.secondary_opts)}
    for sub in getattr(command, "commands", {}).values():
        arity = {**option_arity(sub, ctx), **arity}
    return arity


def values_last(arity: dict[str, int], args: list[str]) -> list[str]:
    """``args`` with the options in ``arity`` (and their values) first, then `--` and every other word."""
    options, values, after = split_options(args, arity, lambda name: name in arity)
    values += after or []
    return options + (["--", *values] if values else [])


def split_options(
    words: list[str], arity: dict[str, int], take: Callable[[str], bool],
) -> tuple[list[str], list[str], list[str] | None]:
    """The options of ``words`` that ``take`` accepts (each with the values ``arity`` gives it), the other
    words in order, and the words after `--` (None when there is no `--`: after it nothing is an option).

    `--name=value` carries its value; an option whose values are missing at the end is not taken (so it
    cannot take the next word, such as the command name, as its value).
    """
    taken: list[str] = []
    other: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        if word == "--":
            return taken, other, words[at + 1:]
        name, equals, _ = word.partition("=") if word.startswith("--") else (word, "", "")
        span = 1 if equals or name not in arity else 1 + arity[name]
        chosen = take(name) and at + span <= len(words)
        (taken if chosen else other).extend(words[at:at + span])
        at += span
    return taken, other, None
