"""Helpers the commands share: opening the vault, reporting changes and warnings, completion."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

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
    scan, settings.launch.search_scan = settings.launch.search_scan, None  # one command, one vault
    if scan is not None and scan.contacts_dir == str(vault.contacts_dir):
        vault.hand_scan(scan)
    elif scan is not None:
        scan.discard()
    return vault


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


def warn_problems(problems: list[ParseError]) -> None:
    from vault_tool.output import visible

    for problem in problems:
        click.echo(f"warning: {visible(str(problem))} (skipped)", err=True)


def complete_contact(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for a CONTACT argument: the handles that start with what was typed."""
    try:
        vault = open_vault(ctx)
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []
    return sorted(p.stem for p in vault.files() if p.stem.startswith(incomplete))


contact_argument = click.argument("contact", shell_complete=complete_contact)
