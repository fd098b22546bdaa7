"""`contacts check`: validate the vault for people (text), scripts (json) and GitHub Actions (github)."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vault_tool.cli.common import early_scan, hold, open_vault, report_commit
from vault_tool.output import plural, visible_lines
from vault_tool.search.scan import BackgroundStats

if TYPE_CHECKING:
    from vault_tool.team.check.fix import FixResult
    from vault_tool.team.check.records import CheckReport, Problem


class _Relative:
    """Paths relative to ``base`` (as `os.path.relpath` gives them), each folder's worked out once: a check of
    a large vault can list tens of thousands of problems, and `relpath` of each took half a second."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._folders: dict[str, str] = {}

    def __call__(self, path: Path | str) -> str:
        folder, sep, name = os.fspath(path).rpartition(os.sep)  # os.path.split and join, for a path with a folder
        shown = self._folders.get(folder)
        if shown is None:
            shown = self._folders[folder] = os.path.relpath(folder or sep or os.curdir, self._base)
        return name if shown == os.curdir else shown + os.sep + name  # relpath ends in no separator


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_annotation(problem: Problem, shown: _Relative) -> str:
    """A GitHub Actions workflow command: `::error file=…,line=…,title=…::message` (``shown``: the file as
    GitHub's workspace names it)."""
    file = _github_escape(Path(shown(problem.where)).as_posix(), True)
    title = _github_escape(f"contacts check ({problem.check})", True)
    return f"::{problem.severity} file={file},line={problem.line},title={title}::{_github_escape(problem.message)}"


def _github_base(root: Path) -> Path:
    """Annotations name files relative to the repository (GitHub's workspace), else to here."""
    from vault_tool.store.commits import repo_root

    return repo_root(root) or Path.cwd()


def _summary(report: CheckReport) -> str:
    files = plural(report.files, "contact file") + (f" and {plural(report.deals, 'deal file')}" if report.deals else "")
    if not report.problems:
        return f"{files} checked: no problems"
    errors = f"{plural(report.errors, 'error')}"
    warnings = f"{plural(report.warnings, 'warning')}"
    return f"{files} checked: {errors}, {warnings}"


def _print_fixes(result: FixResult) -> None:
    shown = _Relative(Path.cwd())
    for fix in result.fixes:
        click.echo(f"fixed {shown(fix.path)}:{fix.line}: {fix.message}", err=True)
    if (result.commit is not None and result.commit.sha) or (result.paths and not result.left_uncommitted):
        report_commit(result.message, result.commit)
    for path in result.left_uncommitted:
        where = shown(path)
        click.echo(f"{where}: fixed but not committed: it has other changes you have not committed", err=True)
    if result.hint:
        click.echo(f"hint: {result.hint}", err=True)


def _print_report(report: CheckReport, fmt: str, root: Path, fixed: FixResult | None) -> None:
    shown = _Relative(Path.cwd())
    if fmt == "json":
        data = {
            "files": report.files, "errors": report.errors, "warnings": report.warnings,
            "problems": [p.to_dict(shown(p.where)) for p in report.problems],
            "fixed": [{"path": shown(f.path), "line": f.line, "message": f.message} for f in fixed.fixes]
            if fixed else [],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt == "github":
        on_github = _Relative(_github_base(root))
        lines = [github_annotation(problem, on_github) for problem in report.problems]
    else:
        lines = [f"{shown(p.where)}:{p.line}: {p.severity}: {p.message}" for p in report.problems]
    if lines:  # messages quote values from the files: control characters shown escaped
        click.echo("\n".join(visible_lines(lines)))
    click.echo(_summary(report), err=True)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text: path:line: error: message; json: for scripts; github: GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Count every warning as an error.")
@click.option("--fix", is_flag=True, help="Rewrite what is safely fixable (quote ambiguous values, phone_format), "
              "commit it, then check again.")
@click.pass_context
def check(ctx: click.Context, files: tuple[Path, ...], fmt: str, strict: bool, fix: bool) -> None:
    """Validate every contact and deal file and the vault as a whole; exit 1 on any error.

    Checks that each file parses and has a name; that known fields have
    their types (emails; phones, read in the contact's country, else
    default_region, and a warning for one that is no valid number there; dates, stage and
    interaction kinds from vault.yaml, custom fields from `fields:`); that
    interaction headings and task dates are well formed; that no email,
    phone, uid or handle is on two contacts; that no git conflict marker is
    left, and no path in the repository is unmerged (one line each, saying
    what kind of conflict: a file deleted on one side and changed on the
    other has no markers); that each `company` names an organisation (a
    warning; vault.yaml's `checks: {company_without_organisation: off}`
    turns it off); that no
    unquoted value reads as a number or boolean where text is meant (a
    warning). Deal files (deals/*.md) are checked too, each on its own: a
    stage of vault.yaml's pipeline, an ISO 4217 currency, an amount of 0 or
    more, a probability from 0 to 100, ISO dates, a closed date that goes
    with a won or lost stage (a warning), contacts that exist, and a
    company written like a handle that names an organisation (a warning).
    With FILES, only problems in those files are reported.

    \b
    Examples:
      contacts check
      contacts check --strict --format github      # in CI
      contacts check --fix                         # quote ambiguous values, then check again
      contacts check contacts/ada-lovelace.md --format json
      contacts check deals/acme-renewal.md
    """
    from vault_tool.store.vault import discover
    from vault_tool.team.check.run import run_checks

    settings = ctx.find_root().obj
    root = discover(settings.vault)
    scan = early_scan(ctx, root)
    today = settings.today or dt.date.today()
    only = [f.resolve() for f in files] if files else None
    fixed = None
    if fix:
        from vault_tool.team.check.fix import fix_vault

        if scan is not None:  # the files are about to change
            scan.discard()
            scan = None
        fixed = fix_vault(open_vault(ctx), only)
        _print_fixes(fixed)
    stats = scan.result() if isinstance(scan, BackgroundStats) else None
    report = run_checks(root, today, strict=strict, only=only, scanned=stats)
    hold(ctx, report)
    _print_report(report, fmt, root, fixed)
    ctx.exit(1 if report.errors else 0)
