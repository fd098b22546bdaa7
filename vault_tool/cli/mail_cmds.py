"""`contacts mail`: mail in and out: `mail log` logs the messages of mail files as interactions, `mail send`
sends a template to many contacts (mail_send_cmd)."""
from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import Progress, open_vault, report_commit

if TYPE_CHECKING:
    from vault_tool.mail.logbook import MailLog

# name -> "module:function" (a module of vault_tool.cli), loaded when the subcommand runs or for --help.
MAIL_COMMANDS = {
    "log": "mail_cmds:log",
    "send": "mail_send_cmd:send",
}
SHOWN_ADDRESSES = 5


class MailGroup(click.Group):
    """The `mail` subcommands, each loaded from its module when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(MAIL_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = MAIL_COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(f"{__package__}.{module_name}"), attr)
        return command


@click.group(cls=MailGroup)
def mail() -> None:
    """Email in and out: log the mail you send and receive, send a template to many contacts.

    \b
    Examples:
      contacts mail send welcome tag:customer --dry-run
      contacts mail log ~/Mail/inbox.mbox
      contacts mail log ~/Maildir/INBOX --since 2026-01-01
      contacts mail log - < message.eml
    """


@click.command("log")
@click.argument("paths", nargs=-1, metavar="[PATH…|-]")
@click.option("--since", metavar="DATE", help="Only messages of DATE or later (YYYY-MM-DD, -30d, …).")
@click.option("--create", is_flag=True, help="Add correspondents who are no contact yet (tagged from-mail).")
@click.option("--include-lists", is_flag=True,
              help="Log mailing-list and automatic mail too (List-Id, Precedence: bulk, no-reply senders …).")
@click.pass_context
def log(ctx: click.Context, paths: tuple[str, ...], since: str | None, create: bool, include_lists: bool) -> None:
    """Log the messages of mail files as email interactions with your contacts.

    PATH is an .eml file, an mbox file or a Maildir folder (cur/ and new/);
    - (or nothing, when standard input is no terminal) reads one message from
    standard input, as a mail client pipes it. Every address in From, To and
    Cc that belongs to a contact gets an interaction `## DATE TIME email —
    Subject` (in vault.yaml's timezone) whose text records the Message-ID,
    who wrote or was written to, a few lines of the message and its
    attachments. Your own addresses (vault.yaml `me:`) say whether you sent
    it; a message already logged with a contact is not logged again. All in
    one commit. A message that cannot be read is named and the rest logged
    (exit 1).

    \b
    Examples:
      contacts mail log ~/Mail/sent.mbox ~/Mail/inbox.mbox
      contacts mail log ~/Maildir/INBOX --since -30d --create
      macro index,pager L "<pipe-message>contacts mail log -<enter>"   # mutt
    """
    from vault_tool.format.dates import parse_date
    from vault_tool.mail.logbook import log_mail

    if not paths and sys.stdin.isatty():
        raise click.UsageError("give an .eml file, an mbox, a Maildir, or - to read a message from standard input")
    names = list(paths) or ["-"]
    vault = open_vault(ctx)
    stdin = sys.stdin.buffer.read() if "-" in names else None
    progress = Progress("Logging mail") if sys.stderr.isatty() else None
    try:
        result = log_mail(vault, names, stdin, since=parse_date(since, vault.today()) if since else None,
                          create=create, include_lists=include_lists, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    _show(result, create, include_lists)
    ctx.exit(1 if result.problems else 0)


def _show(result: MailLog, create: bool, include_lists: bool) -> None:
    from vault_tool.output import visible

    for warning in result.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)
    for problem in result.problems:
        click.echo(f"error: {visible(problem)}", err=True)
    if result.message:
        report_commit(result.message, result.commit, result.hint)
    click.echo(visible(_counts(result, include_lists)))
    if result.created:
        click.echo(visible(f"Added {len(result.created)} contact{'s' if len(result.created) > 1 else ''} "
                           f"tagged from-mail: {_first(result.created)}"))
    if result.unmatched and not create:
        many = len(result.unmatched)
        click.echo(visible(f"{many} address{'es' if many > 1 else ''} matched no contact (--create adds them): "
                           f"{_first(result.unmatched)}"))


def _counts(result: MailLog, include_lists: bool) -> str:
    """`12 messages read: 3 logged with 2 contacts, 5 logged before, 4 list messages left out`."""
    read = f"{result.read} message{'' if result.read == 1 else 's'} read"
    parts = [f"{result.logged} logged with {len(result.contacts)} contact{'' if len(result.contacts) == 1 else 's'}"]
    if result.already:
        parts.append(f"{result.already} logged before")
    if result.lists and not include_lists:
        parts.append(f"{result.lists} list or automatic message{'s' if result.lists > 1 else ''} left out "
                     "(--include-lists logs them)")
    if result.older:
        parts.append(f"{result.older} before --since")
    return f"{read}: {', '.join(parts)}"


def _first(values: list[str]) -> str:
    shown = ", ".join(values[:SHOWN_ADDRESSES])
    return shown + (f" and {len(values) - SHOWN_ADDRESSES} more" if len(values) > SHOWN_ADDRESSES else "")
