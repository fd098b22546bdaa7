"""A report as text for a terminal: aligned tables and bar charts of plain Unicode blocks."""
from __future__ import annotations

from collections.abc import Sequence

from vault_tool.output import aligned
from vault_tool.reports.report import Activity, Breakdown, ColdContact, FunnelStep, Report

BAR_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"
TOP_VALUES = 20  # a breakdown by a field with many values (company) shows this many


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """``value`` as a bar of full and partial blocks; ``largest`` fills ``width`` columns."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / largest))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows of cells under ``headers``, left- or right-aligned per column, two spaces apart."""
    return aligned([headers, *rows], {at for at, align_right in enumerate(right) if align_right})


def _number(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:g}{suffix}"


def breakdown_lines(part: Breakdown) -> list[str]:
    shown = part.counts[:TOP_VALUES]
    largest = max((c.count for c in shown), default=0)
    rows = [[c.value, str(c.count), f"{c.percent:.1f}%", bar(c.count, largest)] for c in shown]
    lines = [f"By {part.by}"] + grid([part.by.upper(), "CONTACTS", "%", ""], rows, [False, True, True, False])
    if len(part.counts) > len(shown):
        rest = sum(c.count for c in part.counts[len(shown):])
        lines.append(f"  … {len(part.counts) - len(shown)} more values ({rest} contacts)")
    return lines


def funnel_lines(steps: list[FunnelStep], from_history: bool, since: str, today: str) -> list[str]:
    if not from_history:
        rows = [[s.stage, str(s.now)] for s in steps]
        return ["Funnel (now; the vault is not in git, so there is no history of stage changes)"] + grid(
            ["STAGE", "NOW"], rows, [False, True])
    rows = [
        [s.stage, str(s.now), str(s.were_at) if s.next_stage else "", str(s.moved_on) if s.next_stage else "",
         f"{s.next_stage}" if s.next_stage else "", _number(s.rate, "%"), _number(s.median_days)]
        for s in steps
    ]
    headers = ["STAGE", "NOW", "WERE AT IT", "MOVED ON", "TO", "RATE", "MEDIAN DAYS"]
    return [f"Funnel, {since} to {today} (stage changes from git history)"] + grid(
        headers, rows, [False, True, True, True, False, True, True])


def _series_lines(title: str, activity: Activity, series: dict[str, list[int]]) -> list[str]:
    totals = [sum(column) for column in zip(*series.values())] if series else [0] * len(activity.buckets)
    largest = max(totals, default=0)
    rows = [
        [start] + [str(values[i]) if values[i] else "·" for values in series.values()]
        + [str(totals[i]), bar(totals[i], largest)]
        for i, start in enumerate(activity.buckets)
    ]
    headers = [activity.per.upper()] + [name.upper() for name in series] + ["TOTAL", ""]
    right = [False] + [True] * (len(series) + 1) + [False]
    return [title] + grid(headers, rows, right)


def activity_lines(activity: Activity) -> list[str]:
    per = f"per {activity.per}"
    lines = _series_lines(f"Interactions {per}, by kind", activity, activity.by_kind)
    return lines + [""] + _series_lines(f"Interactions {per}, by owner", activity, activity.by_owner)


def cold_lines(cold: list[ColdContact], overdue: int) -> list[str]:
    title = f"Going cold: {overdue} contact{'' if overdue == 1 else 's'} overdue for their keep-in-touch"
    if not cold:
        return [title]
    rows = [
        [c.name, c.owner, c.stage, c.last_contact or f"never (added {c.silent_since})", f"{c.silence_days} d",
         c.cadence, f"{c.ratio:.2f}×"]
        for c in cold
    ]
    headers = ["NAME", "OWNER", "STAGE", "LAST CONTACT", "SILENT", "CADENCE", "SILENCE/CADENCE"]
    return [title] + grid(headers, rows, [False, False, False, False, True, True, True])


def report_text(report: Report) -> str:
    """The whole report, section by section."""
    scope = f"query {report.query!r}" if report.query else "all contacts"
    lines = [f"Report on {report.contacts} contact{'' if report.contacts == 1 else 's'} ({scope}), "
             f"{report.since} to {report.today}"]
    for part in report.breakdowns:
        lines += [""] + breakdown_lines(part)
    lines += [""] + funnel_lines(report.funnel, report.funnel_from_history, report.since, report.today)
    lines += [""] + activity_lines(report.activity)
    lines += [""] + cold_lines(report.going_cold, report.overdue)
    return "\n".join(lines)
