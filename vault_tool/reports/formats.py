"""A report as JSON, CSV, text or HTML."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from vault_tool.errors import InvalidValueError
from vault_tool.output import spreadsheet_row
from vault_tool.reports.report import Report
from vault_tool.reports.tally import NONE


def report_json(report: Report) -> str:
    """The report as JSON: a missing value (no stage, no owner) is null, never a word or an empty string.

    Activity by owner keeps the key `(none)` for contacts without one: a JSON key cannot be null.
    """
    data = asdict(report)
    data["activity"]["totals"] = report.activity.totals
    for part in data["breakdowns"]:
        for count in part["counts"]:
            count["value"] = None if count["value"] == NONE else count["value"]
    for cold in data["going_cold"]:
        cold.update({key: cold[key] or None for key in ("owner", "stage", "last_contact")})
    return json.dumps(data, ensure_ascii=False, indent=2)


def _csv_rows(report: Report) -> list[list[object]]:
    """Every figure as one row: section, item, measure, value (a shape spreadsheets pivot)."""
    rows: list[list[object]] = [["contacts", "", "count", report.contacts]]
    for part in report.breakdowns:
        for c in part.counts:
            rows += [[f"by {part.by}", c.value, "contacts", c.count], [f"by {part.by}", c.value, "percent", c.percent]]
    for step in report.funnel:
        rows.append(["funnel", step.stage, "now", step.now])
        if report.funnel_from_history and step.next_stage:
            rows += [["funnel", step.stage, "were_at", step.were_at], ["funnel", step.stage, "moved_on", step.moved_on],
                     ["funnel", step.stage, "rate", "" if step.rate is None else step.rate],
                     ["funnel", step.stage, "median_days", "" if step.median_days is None else step.median_days]]
    for title, series in (("kind", report.activity.by_kind), ("owner", report.activity.by_owner)):
        for name, values in series.items():
            rows += [[f"activity by {title}", start, name, v] for start, v in zip(report.activity.buckets, values)]
    for cold in report.going_cold:
        rows += [["going cold", cold.handle, "silence_days", cold.silence_days],
                 ["going cold", cold.handle, "cadence_days", cold.cadence_days],
                 ["going cold", cold.handle, "ratio", cold.ratio]]
    return rows


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "item", "measure", "value"])
    writer.writerows(spreadsheet_row([str(cell) for cell in row]) for row in _csv_rows(report))
    return buffer.getvalue().rstrip("\n")


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report_json(report)
    if fmt == "csv":
        return report_csv(report)
    if fmt == "html":
        from vault_tool.reports.html import report_html

        return report_html(report)
    if fmt == "text":
        from vault_tool.reports.text import report_text

        return report_text(report)
    raise InvalidValueError(f"format must be text, json, csv or html, not '{fmt}'")
