"""The search package's entry point for the `contacts` program: a search's file scan, started first.

On a large vault the scan of the contact files is what a search waits for, and loading click
and the commands takes a tenth of a second. So when the arguments are plainly a search, the
scan is started first thing, in a forked child (see `scan.BackgroundScan`), and handed to the
command; for `check`, the stats it starts from (`scan.BackgroundStats`), while the checks load.
Anything this does not recognise (another command, options it does not know, a vault found only
through the user's config file) is left to the command line to start as usual.
"""
from __future__ import annotations

import os

from vault_tool.format.layout import (
    CONTACTS,
    ENV_VAR,
    enclosing_vault,
    is_vault,
    named_folder,
)

TYPE_CHECKING = False  # as typing's, without importing typing
if TYPE_CHECKING:
    from collections.abc import Mapping

    from vault_tool.search.scan import BackgroundScan, BackgroundStats

VALUE_OPTIONS = frozenset({"--vault", "-C", "--today"})  # the group's options that take a value
FLAGS = frozenset({"--no-commit"})
# The commands that read the index first thing (each brings it up to date with a scan of the files).
READING = frozenset({"search", "list", "agenda", "remind", "tasks", "stale", "report", "segments", "dupes"})  # and those that do not (a test ties both to the command line's)
CHECKING = "check"  # starts from the stats of the contact files too


def search_scan(args: list[str], environ: Mapping[str, str]) -> BackgroundScan | BackgroundStats | None:
    """The scan a reading command (or `check`) with these arguments will want, started now; None if it is not
    plainly one."""
    command, vault = early_command(args)
    root = _root(vault, environ) if command else None
    if root is None:
        return None
    from vault_tool.search.scan import BackgroundScan, BackgroundStats

    contacts = os.path.join(root, CONTACTS)
    return BackgroundStats(contacts) if command == CHECKING else BackgroundScan(contacts)


def reading_command(args: list[str]) -> tuple[str | None, str | None]:
    """The READING command these arguments plainly run (None if they run another, or are not plain), and the
    vault they name (`-C`, `--vault`; None when none)."""
    command, vault = early_command(args)
    return (command, vault) if command in READING else (None, None)


def early_command(args: list[str]) -> tuple[str | None, str | None]:
    """The READING command, or `check`, these arguments plainly run (None if they run another, or are not
    plain), and the vault they name (`-C`, `--vault`; None when none)."""
    vault = None
    at = 0
    while at < len(args):
        arg = args[at]
        if arg in READING or arg == CHECKING:
            return arg, vault
        name, has_value, value = arg.partition("=")
        if name in VALUE_OPTIONS and (has_value or at + 1 < len(args)):
            value = value if has_value else args[at + 1]
            vault = value if name in ("--vault", "-C") else vault
            at += 1 if has_value else 2
        elif arg in FLAGS:
            at += 1
        else:
            return None, None
    return None, None


def _root(explicit: str | None, environ: Mapping[str, str]) -> str | None:
    """The vault's folder as `vault.discover` finds it, if it is found without reading a config file."""
    named = explicit or environ.get(ENV_VAR)
    if named:
        folder = named_folder(named)
        return folder if is_vault(folder) else None
    try:
        return enclosing_vault(os.getcwd())
    except OSError:  # the current folder is gone: the command line says so
        return None
