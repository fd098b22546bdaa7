"""The `contacts` group: global options, lazy loading of commands, library errors as one-line errors."""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from vault_tool.errors import InvalidValueError, VaultError

if TYPE_CHECKING:
    from vault_tool.search.scan import BackgroundScan, BackgroundStats

# name -> "module:function"; a command's module is imported only when it runs (or for --help).
COMMANDS = {
    "init": "setup_cmds:init",
    "add": "contact_cmds:add",
    "show": "contact_cmds:show",
    "edit": "contact_cmds:edit",
    "rm": "contact_cmds:rm",
    "mv": "contact_cmds:mv",
    "set": "field_cmds:set_",
    "unset": "field_cmds:unset",
    "tag": "field_cmds:tag",
    "log": "log_cmd:log",
    "list": "list_cmd:list_",
    "task": "task_cmds:task",
    "done": "task_cmds:done",
    "meet": "task_cmds:meet",
    "tasks": "agenda_cmds:tasks",
    "agenda": "agenda_cmds:agenda",
    "remind": "agenda_cmds:remind",
    "stale": "agenda_cmds:stale",
    "search": "search_cmd:search",
    "reindex": "search_cmd:reindex",
    "check": "check_cmd:check",
    "merge-driver": "merge_cmd:merge_driver",
    "sync": "sync_cmd:sync",
    "history": "history_cmd:history",
    "owners": "owners_cmd:owners",
    "report": "report_cmd:report",
    "segments": "segment_cmds:segments",
    "segment": "segment_cmds:segment",
    "import": "interop_cmds:import_",
    "export": "interop_cmds:export",
    "link": "relation_cmds:link",
    "unlink": "relation_cmds:unlink",
    "graph": "relation_cmds:graph",
    "dupes": "dupes_cmds:dupes",
    "merge": "dupes_cmds:merge",
    "undo": "undo_cmd:undo",
    "attach": "document_cmds:attach",
    "detach": "document_cmds:detach",
    "files": "document_cmds:files",
    "mail": "mail_cmds:mail",
    "sequence": "sequence_cmds:sequence",
    "deal": "deal_cmds:deal",
    "deals": "deal_cmds:deals",
}


@dataclass
class Launch:
    """What the `contacts` program started before its command line was loaded (see `search/launch.py`)."""

    search_scan: BackgroundScan | BackgroundStats | None = None
    held: list[object] = field(default_factory=list)  # kept until the process ends (cli/common.py `hold`)


@dataclass
class Settings:
    """What the global options say, passed to every command through click's context."""

    vault: str | None
    commit: bool
    today: dt.date | None = None
    launch: Launch = field(default_factory=Launch)


# The group's options that may also come after the command name (`contacts agenda --today 2026-12-01`).
GLOBAL_OPTIONS = {"-C": 1, "--vault": 1, "--today": 1, "--no-commit": 0}  # name -> how many values follow


class LazyGroup(click.Group):
    """Commands loaded when they run; a mistyped one gets "did you mean"; global options anywhere before `--`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str],
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            raise click.exceptions.NoSuchCommand(name, possibilities=list(COMMANDS), ctx=ctx)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.globals_first(ctx, args))

    def globals_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``args`` with the global options written after the command name moved before it.

        Not a command's own option of the same name, not an option's value, nothing after `--`.
        """
        at = command_at(args)
        command = self.get_command(ctx, args[at]) if at is not None else None
        if at is None or command is None:
            return args
        from vault_tool.cli.common import option_arity

        moved, rest = hoist(args[at + 1:], option_arity(command, ctx))
        return [*args[:at], *moved, args[at], *rest]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"{__package__}.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VaultError as exc:
            from vault_tool.output import visible  # only when there is an error to print

            click.echo(f"Error: {visible(str(exc))}", err=True)  # as click shows its own errors
            ctx.exit(2 if isinstance(exc, InvalidValueError) else exc.exit_code)


def command_at(args: list[str]) -> int | None:
    """Where the command name is in the group's ``args`` (after the global options and their values)."""
    at = 0
    while at < len(args):
        word = args[at]
        if word == "--":
            return None
        if not word.startswith("-"):
            return at
        at += 1 + GLOBAL_OPTIONS.get(word, 0)
    return None


def hoist(words: list[str], own: dict[str, int]) -> tuple[list[str], list[str]]:
    """The global options in a command's ``words`` (with their values), and the other words.

    ``own``: the command's options and how many values each takes; its own option of a global's
    name stays the command's. Nothing after `--` is an option.
    """
    from vault_tool.cli.common import split_options

    spans = {**GLOBAL_OPTIONS, **own}
    moved, rest, after = split_options(words, spans, lambda name: name not in own and name in GLOBAL_OPTIONS)
    return moved, rest + (["--", *after] if after is not None else [])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--vault", "-C", "vault", metavar="DIR", envvar="CONTACTS_VAULT",
    help="The vault to use (else $CONTACTS_VAULT, else the nearest folder upward with a vault.yaml).",
)
@click.option("--no-commit", is_flag=True, help="Change files but commit nothing.")
@click.option(
    "--today", "today", metavar="DATE", envvar="CONTACTS_TODAY", type=click.DateTime(["%Y-%m-%d"]),
    help="Answer as if today were DATE (YYYY-MM-DD; also $CONTACTS_TODAY), for scripts and reproducible reports.",
)
@click.version_option(package_name="vault_tool", prog_name="contacts")
@click.pass_context
def cli(ctx: click.Context, vault: str | None, no_commit: bool, today: dt.datetime | None) -> None:
    """A plain-text, git-backed contact vault.

    Every contact is a Markdown file with YAML front matter in contacts/;
    interactions are dated sections appended to it; every change is a git commit.
    The options below may also follow the command name (before any `--`).

    \b
    Examples:
      contacts init my-vault --example
      contacts add "Ada Lovelace" --email ada@example.com --tag customer
      contacts log ada call "Renewal" -m "Wants a demo first."
      contacts list --stage lead
      eval "$(_CONTACTS_COMPLETE=bash_source contacts)"   # shell completion (zsh_source, fish_source)
    """
    # A value click read from $CONTACTS_VAULT is left to the library, so its errors name the variable.
    from_env = ctx.get_parameter_source("vault") is click.core.ParameterSource.ENVIRONMENT
    launch = ctx.obj if isinstance(ctx.obj, Launch) else Launch()
    ctx.obj = Settings(vault=None if from_env else vault, commit=not no_commit, today=today.date() if today else None,
                       launch=launch)
