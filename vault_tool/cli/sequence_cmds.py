"""`contacts sequence`: drip sequences (sequences/NAME.yaml): enrol contacts, send the steps that are due."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import ask_on_terminal, open_vault, report, report_commit, show_sent, warn_problems

if TYPE_CHECKING:
    from vault_tool.mail.sending import Recipient
    from vault_tool.mail.sequences import SequenceRun

SHOWN_NAMES = 5
COLUMNS = [("handle", "HANDLE"), ("name", "NAME"), ("step", "STEP"), ("state", "STATE"), ("reason", "WHY"),
           ("since", "SINCE"), ("last", "LAST"), ("next", "NEXT"), ("template", "TEMPLATE")]


@click.group()
def sequence() -> None:
    """Drip sequences: templates sent one after another (sequences/NAME.yaml).

    \b
    Examples:
      contacts sequence enroll onboarding tag:customer
      contacts sequence run --dry-run
      contacts sequence run --yes          # from cron, once a day
      contacts sequence status onboarding
      contacts sequence stop onboarding ada
    """


@sequence.command("enroll")
@click.argument("name")
@click.argument("query", nargs=-1, required=True, metavar="QUERY|@SEGMENT")
@click.pass_context
def enroll(ctx: click.Context, name: str, query: tuple[str, ...]) -> None:
    """Enrol every contact QUERY picks in sequence NAME, from today.

    Writes sequences: {NAME: {step: 0, since: DATE}} into each contact's
    front matter, in one commit. A contact enrolled before is left as it
    is; one with do_not_email: true or the tag unsubscribed is left out.
    """
    from vault_tool.mail.sequences import enroll as enroll_contacts
    from vault_tool.output import visible

    result = enroll_contacts(open_vault(ctx), name, " ".join(query))
    warn_problems(result.skipped)
    for names, why in ((result.already, f"enrolled in {name} before"), (result.opted_out, "want no email")):
        if names:
            click.echo(visible(f"left out: {len(names)} ({why}): {_first(names)}"), err=True)
    if result.enrolled:
        report_commit(result.message, result.commit, result.hint)
    else:
        click.echo(f"Nothing to enroll in {visible(result.sequence)}", err=True)


@sequence.command("run")
@click.argument("names", nargs=-1, metavar="[NAME…]")
@click.option("--dry-run", is_flag=True, help="Send nothing: show the steps that are due, and the stops.")
@click.option("--yes", "-y", is_flag=True, help="Send without asking (for cron).")
@click.pass_context
def run(ctx: click.Context, names: tuple[str, ...], dry_run: bool, yes: bool) -> None:
    """Send every sequence step that is due today (all sequences, or NAME…).

    Each contact gets at most one step of a sequence per run, and never the
    same step twice, however often it runs: the step sent is written into
    its front matter (step, last) in the commit that logs the message. A
    contact who replied (an email from them logged after enrolment), or
    reached a stop of the sequence, is marked stopped instead. It asks
    first (--yes does not).
    """
    from vault_tool.mail.sequences import run_sequences

    result = run_sequences(open_vault(ctx), list(names), dry_run=dry_run, confirm=None if yes else _confirm,
                           sent_one=None if dry_run else _sent)
    _show(result, dry_run, asked=not (yes or dry_run) and bool(result.due))
    ctx.exit(1 if result.failure else 0)


def _due_lines(result: SequenceRun, dry_run: bool) -> None:
    from vault_tool.output import visible

    warn_problems(result.skipped)
    result.skipped = []
    verb = "would stop" if dry_run else "stop"
    for name, who, why in result.stopped:
        click.echo(visible(f"{verb}: {who} in {name} ({why})"), err=True)
    for due in result.due:
        click.echo(visible(f"due: {due.contact}: {due.sequence} step {due.step + 1} '{due.template}' "
                           f"(due {due.due.isoformat()})"))
    if result.no_email:
        click.echo(visible(f"left out: {len(result.no_email)} with no email address: {_first(result.no_email)}"),
                   err=True)


def _confirm(result: SequenceRun) -> None:
    _due_lines(result, False)
    count = len(result.due)
    messages = f"{count} message{'s' if count > 1 else ''}"
    ask_on_terminal(f"Send {messages}?", f"this would send {messages} and there is no terminal to ask on: "
                                         "give --yes to send, or --dry-run to see what is due")


def _sent(recipient: Recipient) -> None:
    show_sent(recipient.name, recipient.email)


def _show(result: SequenceRun, dry_run: bool, asked: bool) -> None:
    from vault_tool.output import visible

    if not asked:
        _due_lines(result, dry_run)
    if dry_run:
        click.echo(f"{len(result.due)} step{'' if len(result.due) == 1 else 's'} due, {len(result.stopped)} to "
                   "stop (nothing sent)", err=True)
        return
    if result.message:
        report_commit(result.message, result.commit, result.hint)
    elif not result.failure:
        click.echo("Nothing due", err=True)
    if result.failure:
        click.echo(visible(f"error: {result.failure}; {len(result.sent)} sent (recorded): run again to send "
                           "the rest"), err=True)


@sequence.command("status")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def status(ctx: click.Context, name: str, fmt: str) -> None:
    """Who is enrolled in sequence NAME: at which step, due when, who replied, finished or stopped."""
    from vault_tool.mail.sequences import status as sequence_status
    from vault_tool.output import render_rows

    rows, problems = sequence_status(open_vault(ctx), name)
    warn_problems(problems)
    if rows or fmt == "json":
        click.echo(render_rows(rows, COLUMNS, fmt))
    else:
        click.echo(f"No contact is enrolled in {name}", err=True)


@sequence.command("stop")
@click.argument("name")
@click.argument("contact", nargs=-1, required=True)
@click.pass_context
def stop(ctx: click.Context, name: str, contact: tuple[str, ...]) -> None:
    """Stop sequence NAME for CONTACT (writes stopped: DATE; no step is sent to them after)."""
    from vault_tool.mail.sequences import stop as stop_contact

    vault = open_vault(ctx)
    report(vault, stop_contact(vault, name, " ".join(contact)))


def _first(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")
