"""A report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no network fetches.

The page's Content-Security-Policy forbids every fetch and every script, so a
browser opening it from a mail attachment or a shared folder loads nothing else.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from vault_tool.reports.report import Activity, Breakdown, ColdContact, FunnelStep, Report
from vault_tool.reports.svg import bar_chart, funnel_chart, stacked_columns
from vault_tool.reports.text import TOP_VALUES

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 960px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.scope { color: #555; } figure { margin: 1em 0; overflow-x: auto; } figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { padding: 2px 10px; text-align: left; }
th { border-bottom: 1px solid #bbb; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #f6f6f6; }
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool]) -> str:
    def cells(values: Sequence[object], tag: str) -> str:
        return "".join(f'<{tag}{" class=n" if n else ""}>{escape(str(v))}</{tag}>' for v, n in zip(values, numeric))

    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    return f"<table><thead><tr>{cells(headers, 'th')}</tr></thead><tbody>{body}</tbody></table>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def breakdown_html(part: Breakdown, contacts: int) -> str:
    shown = part.counts[:TOP_VALUES]
    title = f"Contacts by {part.by}"
    chart = bar_chart(title, [c.value for c in shown], [c.count for c in shown],
                      [f"{c.count} ({c.percent:.1f}%)" for c in shown])
    more = len(part.counts) - len(shown)
    caption = f"{contacts} contacts" + (f"; the {len(shown)} largest of {len(part.counts)} values" if more else "")
    rows = [(c.value, c.count, f"{c.percent:.1f}%") for c in part.counts]
    return (f"<section><h2>{escape(title)}</h2>{_figure(chart, caption)}"
            f"<details><summary>Table</summary>{_table([part.by, 'contacts', '%'], rows, [False, True, True])}"
            f"</details></section>")


def _step_note(step: FunnelStep) -> str:
    if step.next_stage is None or step.were_at is None:
        return ""
    note = f"{step.moved_on} of {step.were_at} moved on"
    if step.rate is not None:
        note += f" ({step.rate:g}%)"
    if step.median_days is not None:
        note += f", median {step.median_days:g} days"
    return note


def funnel_html(steps: list[FunnelStep], from_history: bool, since: str, today: str) -> str:
    chart = funnel_chart("Stage funnel", [s.stage for s in steps], [s.now for s in steps],
                         [_step_note(s) for s in steps])
    if not from_history:
        caption = "Contacts at each stage now. The vault is not in git, so there is no history of stage changes."
        return f"<section><h2>Stage funnel</h2>{_figure(chart, caption)}</section>"
    rows = [(s.stage, s.now, s.were_at if s.next_stage else "", s.moved_on if s.next_stage else "",
             s.next_stage or "", "" if s.rate is None else f"{s.rate:g}%",
             "" if s.median_days is None else f"{s.median_days:g}") for s in steps]
    headers = ["stage", "now", "were at it", "moved on", "to", "rate", "median days"]
    caption = (f"Bars: contacts at each stage now. Between them: of the contacts at a stage from {since} to "
               f"{today}, how many moved on to a later stage (from git history), and the median days they took.")
    return (f"<section><h2>Stage funnel</h2>{_figure(chart, caption)}"
            f"{_table(headers, rows, [False, True, True, True, False, True, True])}</section>")


def activity_html(activity: Activity) -> str:
    parts = [f"<section><h2>Interactions per {activity.per}</h2>"]
    for name, series in (("kind", activity.by_kind), ("owner", activity.by_owner)):
        title = f"Interactions per {activity.per}, by {name}"
        caption = f"{sum(activity.totals)} interactions; each column is a {activity.per} starting on the day shown."
        parts.append(f"<h3>By {name}</h3>" + _figure(stacked_columns(title, activity.buckets, series), caption))
    headers = [activity.per] + list(activity.by_kind) + ["total"]
    rows = [[start] + [values[i] for values in activity.by_kind.values()] + [activity.totals[i]]
            for i, start in enumerate(activity.buckets)]
    parts.append(f"<details><summary>Table</summary>{_table(headers, rows, [False] + [True] * (len(headers) - 1))}"
                 f"</details></section>")
    return "".join(parts)


def cold_html(cold: list[ColdContact], overdue: int) -> str:
    title = f"Going cold: {overdue} contact{'' if overdue == 1 else 's'} overdue for their keep-in-touch"
    rows = [(c.name, c.owner, c.stage, c.last_contact or f"never (added {c.silent_since})", c.silence_days,
             c.cadence, f"{c.ratio:.2f}×") for c in cold]
    headers = ["name", "owner", "stage", "last contact", "silent (days)", "cadence", "silence / cadence"]
    table = _table(headers, rows, [False, False, False, False, True, True, True]) if rows else ""
    return f"<section><h2>{escape(title)}</h2>{table}</section>"


def report_html(report: Report) -> str:
    """The whole report as a page."""
    scope = f"contacts matching {report.query}" if report.query else "all contacts"
    sections = [breakdown_html(part, report.contacts) for part in report.breakdowns]
    sections.append(funnel_html(report.funnel, report.funnel_from_history, report.since, report.today))
    sections.append(activity_html(report.activity))
    sections.append(cold_html(report.going_cold, report.overdue))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Contact report {escape(report.today)}</title><style>{STYLE}</style></head><body>"
        f"<h1>Contact report</h1><p class=\"scope\">{report.contacts} contacts ({escape(scope)}), "
        f"{escape(report.since)} to {escape(report.today)}</p>"
        + "".join(sections) + "</body></html>"
    )
