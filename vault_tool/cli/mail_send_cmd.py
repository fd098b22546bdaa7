"""`contacts mail send`: a template from the vault's templates/ sent to every contact a search picks."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import ask_on_terminal, open_vault, report_commit, show_sent, warn_problems

if TYPE_CHECKING:
    from vault_tool.mail.sending import Recipient, Sending

DEFAULT_OUT = "outbox"
SHOWN_NAMES = 5


@click.command("send")
@click.argument("template")
@click.argument("query", nargs=-1, required=True, metavar="QUERY|@SEGMENT")
@click.option("--dry-run", is_flag=True, help=f"Send nothing: write the messages as .eml files ({DEFAULT_OUT}/ "
                                              "unless --out says where).")
@click.option("--out", "out", metavar="DIR", help="Write the messages to DIR as HANDLE.eml instead of sending.")
@click.option("--yes", "-y", is_flag=True, help="Send without asking (for scripts).")
@click.option("--per-minute", type=click.IntRange(min=1), metavar="N", help="Send at most N messages a minute.")
@click.pass_context
def send(ctx: click.Context, template: str, query: tuple[str, ...], dry_run: bool, out: str | None, yes: bool,
         per_minute: int | None) -> None:
    """Send the template templates/TEMPLATE.md to every contact QUERY picks.

    One message per contact, to its first email address, with the
    template's placeholders ({{first_name}}, {{company|your team}} …) filled
    in: a plain-text part and an HTML part made from the Markdown. Contacts
    with do_not_email: true or the tag unsubscribed, with no email, or sent
    this template before are left out and named. It asks first (--yes does
    not); each message sent is logged as an email interaction, all in one
    commit. SMTP or a sendmail command is set in
    $XDG_CONFIG_HOME/contacts/mail.toml or CONTACTS_SMTP_* variables
    (docs/mail.md).

    \b
    Examples:
      contacts mail send welcome tag:customer --dry-run
      contacts mail send welcome @hot-leads --per-minute 20
      contacts mail send renewal 'stage:customer AND country:gb' --yes
    """
    from vault_tool.mail.sending import send_template

    vault = open_vault(ctx)
    folder = Path(out) if out else Path(DEFAULT_OUT) if dry_run else None
    result = send_template(vault, template, " ".join(query), out=folder, per_minute=per_minute,
                           confirm=None if yes else _confirm, sent_one=None if folder else _sent)
    _show(result, folder)
    ctx.exit(1 if result.failure or result.problems else 0)


def _confirm(result: Sending) -> None:
    """Show who is left out, then ask; with no terminal to ask on, refuse."""
    from vault_tool.store.mutations import counted

    _left_out(result)
    count = len(result.ready)
    ask_on_terminal(f"Send '{result.template}' to {counted(count)}?",
                    f"this would send {count} message{'s' if count > 1 else ''} and there is no terminal to ask on: "
                    "give --yes to send, or --dry-run to write them to files")


def _sent(recipient: Recipient) -> None:
    show_sent(recipient.name, recipient.email)


def _left_out(result: Sending) -> None:
    """The files skipped and the contacts left out, on standard error (once)."""
    from vault_tool.output import visible

    warn_problems(result.skipped)
    lists = ((result.opted_out, "wants", "want", " no email (do_not_email or unsubscribed)"),
             (result.no_email, "has", "have", " no email address"),
             (result.already, "was", "were", f" sent '{result.template}' before"))
    for names, one, many, why in lists:
        if names:
            verb = f"contact {one}" if len(names) == 1 else f"contacts {many}"
            click.echo(visible(f"left out: {len(names)} {verb}{why}: {_first(names)}"), err=True)
    result.skipped, result.opted_out, result.no_email, result.already = [], [], [], []


def _show(result: Sending, folder: Path | None) -> None:
    from vault_tool.output import visible

    _left_out(result)
    if folder is not None:
        for path in result.written:
            click.echo(visible(str(path)))
        count = len(result.written)
        click.echo(f"Wrote {count} message{'' if count == 1 else 's'} to {visible(str(folder))} (nothing sent)",
                   err=True)
        return
    if result.message:
        report_commit(result.message, result.commit, result.hint)
    elif not result.failure:
        click.echo(f"Nothing to send: no contact picked is still to be sent '{visible(result.template)}'", err=True)
    for problem in result.problems:
        click.echo(f"error: {visible(problem)}", err=True)
    if result.failure:
        rest = len(result.unsent)
        click.echo(visible(f"error: {result.failure}; {len(result.sent)} sent (logged), {rest} not sent: "
                           "run the same command again to send to them"), err=True)


def _first(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")
