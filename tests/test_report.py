"""`contacts report`: every figure checked against the hand-built vault in report_book.py."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import report_book
from browser import chromium_or_skip, measure_charts, run_chromium
from report_book import SINCE, TODAY

from vault_tool.reports.text import bar

WEEKS = ["2026-09-01", "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12",
         "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]


def weekly(**counts: int) -> list[int]:
    """A 13-week series from {week index: count}, written w0=…, w11=…."""
    values = [0] * len(WEEKS)
    for key, count in counts.items():
        values[int(key[1:])] = count
    return values


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from vault_tool.cli.main import cli

    root = tmp_path_factory.mktemp("book") / "vault"
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    return report_book.build(root)


@pytest.fixture
def report(book: Path, invoke):
    """`contacts report … --format json` on the book, as data."""

    def run(*args: str) -> dict:
        result = invoke("-C", book, "--today", TODAY, "report", "--since", SINCE, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def test_counts_by_stage_and_the_scope(report) -> None:
    data = report()
    assert (data["contacts"], data["since"], data["today"], data["query"]) == (8, SINCE, TODAY, None)
    assert data["breakdowns"] == [{"by": "stage", "counts": [
        {"value": "lead", "count": 2, "percent": 25.0},
        {"value": "prospect", "count": 2, "percent": 25.0},
        {"value": "customer", "count": 3, "percent": 37.5},
        {"value": "churned", "count": 1, "percent": 12.5},
    ]}]


def test_counts_by_tag_owner_kind_and_a_custom_field(report) -> None:
    parts = {p["by"]: [(c["value"], c["count"], c["percent"]) for c in p["counts"]]
             for p in report("--by", "tag", "--by", "owner", "--by", "kind", "--by", "industry")["breakdowns"]}
    # a contact counts once for each of its tags, so the percentages add up to more than 100
    assert parts["tag"] == [("emea", 4, 50.0), ("apac", 2, 25.0), ("vip", 2, 25.0), (None, 2, 25.0)]  # no tag: null
    assert parts["owner"] == [("alice", 4, 50.0), ("bob", 2, 25.0), ("chen", 1, 12.5), (None, 1, 12.5)]
    assert parts["kind"] == [("person", 7, 87.5), ("organization", 1, 12.5)]
    assert parts["industry"] == [("retail", 2, 25.0), ("finance", 1, 12.5), (None, 5, 62.5)]


def test_the_funnel_from_git_history(report) -> None:
    data = report()
    assert data["funnel_from_history"] is True
    assert data["funnel"] == [
        {"stage": "lead", "next_stage": "prospect", "now": 2, "were_at": 5, "moved_on": 4, "rate": 80.0,
         "median_days": 36.0},
        {"stage": "prospect", "next_stage": "customer", "now": 2, "were_at": 4, "moved_on": 1, "rate": 25.0,
         "median_days": 40.0},
        {"stage": "customer", "next_stage": None, "now": 3, "were_at": None, "moved_on": None, "rate": None,
         "median_days": None},
    ]


def test_the_funnel_depends_on_the_period(report) -> None:
    # From 2026-10-15 only ann (prospect → customer on 10-21, 40 days after 09-11), fay (lead → prospect
    # on 11-01, 42 days) and gus (lead → prospect on 11-10, 31 days) move on.
    lead, prospect, _ = report("--since", "2026-10-15")["funnel"]
    assert (lead["were_at"], lead["moved_on"], lead["median_days"]) == (3, 2, 36.5)  # cat, fay, gus
    # ann, eve, and fay and gus who reached prospect in the period
    assert (prospect["were_at"], prospect["moved_on"], prospect["median_days"]) == (4, 1, 40.0)


def test_a_move_after_today_counts_once_today_has_passed(book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", "2026-12-01", "report", "--since", SINCE, "--format", "json")
    prospect = json.loads(result.stdout)["funnel"][1]
    assert (prospect["were_at"], prospect["moved_on"], prospect["median_days"]) == (4, 2, 50.0)  # eve: 60 days


def test_without_a_funnel_setting_the_funnel_is_the_stages_but_churned(book: Path, tmp_path: Path, invoke) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(book, copy)
    config = copy / "vault.yaml"
    config.write_text(config.read_text().replace("funnel: [lead, prospect, customer]\n", ""))
    result = invoke("-C", copy, "--today", TODAY, "report", "--since", SINCE, "--format", "json")
    steps = json.loads(result.stdout)["funnel"]
    # dan went from customer to churned on 10-01: leaving is not moving on
    assert [(s["stage"], s["next_stage"], s["were_at"], s["moved_on"]) for s in steps] == [
        ("lead", "prospect", 5, 4), ("prospect", "customer", 4, 1), ("customer", None, None, None),
    ]
    text = invoke("-C", copy, "--today", TODAY, "report", "--since", SINCE).stdout
    assert "churned" not in text.split("Funnel")[1].split("\n\n")[0]


def test_without_a_funnel_setting_stages_that_are_no_leaving_all_count(book: Path, tmp_path: Path, invoke) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(book, copy)
    config = copy / "vault.yaml"
    text = config.read_text().replace("funnel: [lead, prospect, customer]\n", "")
    config.write_text(text.replace("stages: [lead, prospect, customer, churned]", "stages: [lead, prospect, customer, won]"))
    result = invoke("-C", copy, "--today", TODAY, "report", "--since", SINCE, "--format", "json")
    assert [s["stage"] for s in json.loads(result.stdout)["funnel"]] == ["lead", "prospect", "customer", "won"]


def test_activity_per_week_by_kind_and_owner(report) -> None:
    activity = report()["activity"]
    assert activity["per"] == "week" and activity["buckets"] == WEEKS
    assert activity["by_kind"] == {
        "call": weekly(w0=1, w2=1, w11=1), "email": weekly(w0=1, w5=1), "meeting": weekly(w2=1, w12=1),
        "message": weekly(w11=1), "note": weekly(w6=1),
    }
    assert activity["by_owner"] == {
        "alice": weekly(w0=2, w5=1, w11=1, w12=1), "bob": weekly(w2=2), "chen": weekly(w6=1),
        "(none)": weekly(w11=1),
    }
    assert activity["totals"] == weekly(w0=2, w2=2, w5=1, w6=1, w11=2, w12=1)


def test_activity_per_month(report) -> None:
    activity = report("--per", "month")["activity"]
    assert activity["buckets"] == ["2026-09", "2026-10", "2026-11"]
    assert activity["by_kind"] == {"call": [2, 0, 1], "email": [1, 1, 0], "meeting": [1, 0, 1], "message": [0, 0, 1],
                                   "note": [0, 1, 0]}


def test_going_cold(report) -> None:
    data = report()
    cold = [(c["handle"], c["last_contact"], c["silent_since"], c["silence_days"], c["cadence"], c["cadence_days"],
             c["ratio"]) for c in data["going_cold"]]
    assert cold == [
        ("dan", "2026-05-01", "2026-05-01", 206, "90d", 90, 2.29),
        ("ben", "2026-09-20", "2026-09-20", 64, "30d", 30, 2.13),
        ("cat", None, "2026-06-01", 175, "90d", 90, 1.94),  # never contacted: silent since it was committed
        ("gus-group", "2026-10-12", "2026-10-12", 42, "3m", 92, 0.46),  # 2026-10-12 + 3 months is 92 days on
        ("fay", "2026-11-16", "2026-11-16", 7, "90d", 90, 0.08),
        ("ivy", "2026-11-20", "2026-11-20", 3, "90d", 90, 0.03),
    ]  # eve has a meeting on 11-30 and ann one today: their next contact is planned, as in the agenda
    assert data["overdue"] == 3
    assert [c["handle"] for c in report("--cold", "2")["going_cold"]] == ["dan", "ben"]
    shown_none = report("--cold", "0")  # the ten coldest are kept while ranked; all of them are counted
    assert (shown_none["going_cold"], shown_none["overdue"]) == ([], 3)


def test_overdue_is_the_day_the_cadence_has_passed(book: Path, invoke) -> None:
    # ben: last contact 2026-09-20, keep_in_touch 30d: due on 2026-10-20
    for today, overdue in (("2026-10-19", False), ("2026-10-20", True)):
        result = invoke("-C", book, "--today", today, "report", "--format", "json")
        ben = next(c for c in json.loads(result.stdout)["going_cold"] if c["handle"] == "ben")
        assert (ben["silence_days"] >= ben["cadence_days"]) is overdue


def test_the_report_as_text(book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--since", SINCE, "--by", "owner")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Report on 8 contacts (all contacts), 2026-09-01 to 2026-11-23\n")
    assert "By owner\n" \
           "  OWNER   CONTACTS      %\n" \
           f"  alice          4  50.0%  {bar(4, 4)}\n" \
           f"  bob            2  25.0%  {bar(2, 4)}\n" in out
    assert "Funnel, 2026-09-01 to 2026-11-23 (stage changes from git history)\n" \
           "  STAGE     NOW  WERE AT IT  MOVED ON  TO        RATE  MEDIAN DAYS\n" \
           "  lead        2           5         4  prospect   80%           36\n" \
           "  prospect    2           4         1  customer   25%           40\n" \
           "  customer    3\n" in out
    assert "  WEEK        CALL  EMAIL  MEETING  MESSAGE  NOTE  TOTAL\n" \
           f"  2026-09-01     1      1        ·        ·     ·      2  {bar(2, 2)}\n" \
           "  2026-09-07     ·      ·        ·        ·     ·      0\n" in out
    assert "  WEEK        ALICE  BOB  CHEN  (NONE)  TOTAL\n" in out
    assert "Going cold: 3 contacts overdue for their keep-in-touch\n" in out
    assert "  NAME       OWNER  STAGE     LAST CONTACT              SILENT  CADENCE  SILENCE/CADENCE\n" \
           "  Dan Dunn   bob    churned   2026-05-01                 206 d      90d            2.29×\n" \
           "  Ben Baker  bob    customer  2026-09-20                  64 d      30d            2.13×\n" \
           "  Cat Cole   alice  lead      never (added 2026-06-01)   175 d      90d            1.94×\n" in out
    assert "  Fay Fox           prospect  2026-11-16                   7 d      90d            0.08×\n" in out


def test_bars_are_unicode_blocks_in_proportion() -> None:
    assert bar(4, 4, width=10) == "█" * 10
    assert bar(1, 4, width=10) == "██▌"  # 2.5 columns
    assert bar(1, 80, width=10) == "▏"  # the smallest bar is still seen
    assert bar(0, 4) == ""


def test_the_report_as_csv(report, book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--since", SINCE, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["section", "item", "measure", "value"]
    figures = {(s, i, m): v for s, i, m, v in rows[1:]}
    assert figures[("contacts", "", "count")] == "8"
    assert figures[("by stage", "customer", "percent")] == "37.5"
    assert figures[("funnel", "lead", "rate")] == "80.0"
    assert figures[("funnel", "prospect", "median_days")] == "40.0"
    assert figures[("activity by kind", "2026-09-14", "meeting")] == "1"
    assert figures[("activity by owner", "2026-11-23", "alice")] == "1"
    assert figures[("going cold", "dan", "ratio")] == "2.29"
    assert len(rows) == 1 + 1 + 8 + (3 + 4 * 2) + 13 * 5 + 13 * 4 + 6 * 3


def test_a_vault_outside_git_has_no_funnel_history(book: Path, tmp_path: Path, invoke) -> None:
    copy = tmp_path / "plain"
    shutil.copytree(book, copy, ignore=shutil.ignore_patterns(".git"))
    result = invoke("-C", copy, "--today", TODAY, "report", "--since", SINCE, "--format", "json")
    data = json.loads(result.stdout)
    assert data["funnel_from_history"] is False
    assert [(s["stage"], s["now"], s["were_at"]) for s in data["funnel"]] == [
        ("lead", 2, None), ("prospect", 2, None), ("customer", 3, None)]
    assert [c["handle"] for c in data["going_cold"]][:2] == ["dan", "ben"]
    assert "cat" not in [c["handle"] for c in data["going_cold"]]  # never contacted, and no history to date it
    text = invoke("-C", copy, "--today", TODAY, "report").stdout
    assert "Funnel (now; the vault is not in git, so there is no history of stage changes)" in text


def test_a_file_that_does_not_parse_is_named_and_skipped(book: Path, tmp_path: Path, invoke) -> None:
    copy = tmp_path / "broken"
    shutil.copytree(book, copy)
    (copy / "contacts" / "bad.md").write_text("no front matter\n")
    result = invoke("-C", copy, "--today", TODAY, "report", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["contacts"] == 8
    assert "bad.md:1: no front matter" in result.stderr and "(skipped)" in result.stderr


def test_bad_input_is_a_one_line_error(book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--since", "2027-01-01")
    assert result.exit_code == 2 and "is after today" in result.output and "Traceback" not in result.output
    result = invoke("-C", book, "report", "--since", "someday")
    assert result.exit_code == 2 and "'someday' is not a date" in result.output
    config = book / "vault.yaml"
    original = config.read_text()
    try:
        config.write_text(original.replace("funnel: [lead, prospect, customer]", "funnel: [lead, won]"))
        result = invoke("-C", book, "report")
        assert result.exit_code == 1
        assert "vault.yaml: funnel names 'won', which is not one of the stages" in result.output
    finally:
        config.write_text(original)


def test_counting_by_a_field_no_contact_has_is_a_typo(book: Path, invoke) -> None:
    result = invoke("-C", book, "report", "--by", "industy")
    assert result.exit_code == 2
    assert "no contact has a field 'industy': count --by stage, tag, owner, company, kind or a field the " \
           "contacts have (industry)" in result.output
    result = invoke("-C", book, "--today", TODAY, "report", "--by", "birthday", "--format", "json")
    assert json.loads(result.stdout)["breakdowns"][0]["counts"] == [{"value": None, "count": 8, "percent": 100.0}]


def test_output_to_a_file(book: Path, tmp_path: Path, invoke) -> None:
    target = tmp_path / "report.json"
    result = invoke("-C", book, "--today", TODAY, "report", "--format", "json", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["contacts"] == 8


# The HTML report, rendered by a real browser


def test_the_html_report_is_self_contained(book: Path, invoke) -> None:
    html = invoke("-C", book, "--today", TODAY, "report", "--since", SINCE, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html  # the browser may fetch nothing
    for outside in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert outside not in html
    assert html.count('<svg class="chart"') == 4  # by stage, funnel, activity by kind and by owner


def test_a_browser_draws_every_chart(book: Path, tmp_path: Path, invoke) -> None:
    browser = chromium_or_skip()
    html = invoke("-C", book, "--today", TODAY, "report", "--since", SINCE, "--by", "tag", "--format", "html").stdout
    charts = {c["title"]: c for c in measure_charts(browser, html, tmp_path)}
    assert set(charts) == {"Contacts by tag", "Stage funnel", "Interactions per week, by kind",
                           "Interactions per week, by owner"}
    for chart in charts.values():
        width, height = chart["size"]
        assert width > 200 and height > 50, chart
        assert all(w > 0 and h > 0 for w, h in (b["size"] for b in chart["bars"])), chart
    tips = lambda title: [b["tip"] for b in charts[title]["bars"]]  # noqa: E731
    assert tips("Contacts by tag") == ["emea: 4", "apac: 2", "vip: 2", "(none): 2"]
    assert tips("Stage funnel") == ["lead: 2 now", "prospect: 2 now", "customer: 3 now"]
    # a bar for every (week, kind) with interactions: 9 interactions in 8 such pairs
    assert sorted(tips("Interactions per week, by kind")) == sorted([
        "2026-09-01: 1 call", "2026-09-01: 1 email", "2026-09-14: 1 call", "2026-09-14: 1 meeting",
        "2026-10-05: 1 email", "2026-10-12: 1 note", "2026-11-16: 1 call", "2026-11-16: 1 message",
        "2026-11-23: 1 meeting",
    ])
    assert sorted(tips("Interactions per week, by owner")) == sorted([
        "2026-09-01: 2 alice", "2026-09-14: 2 bob", "2026-10-05: 1 alice", "2026-10-12: 1 chen",
        "2026-11-16: 1 alice", "2026-11-16: 1 (none)", "2026-11-23: 1 alice",
    ])
    # bars scale with their counts: emea's bar is twice as long as apac's
    by_tag = charts["Contacts by tag"]["bars"]
    assert abs(by_tag[0]["size"][0] - 2 * by_tag[1]["size"][0]) <= 1


def test_a_browser_renders_the_report_as_it_is(book: Path, tmp_path: Path, invoke) -> None:
    """The real file, with its policy, renders to a page with the charts in it."""
    browser = chromium_or_skip()
    page = tmp_path / "report.html"
    result = invoke("-C", book, "--today", TODAY, "report", "--format", "html", "-o", page)
    assert result.exit_code == 0
    dom = run_chromium(browser, page, "--dump-dom")
    assert dom.count("<svg") == 4 and "Going cold: 3 contacts" in dom
    screenshot = tmp_path / "shot.png"
    run_chromium(browser, page, f"--screenshot={screenshot}", "--window-size=1000,2400")
    assert screenshot.stat().st_size > 10_000  # a page with charts, not a blank one


def test_a_query_limits_the_report(report) -> None:
    data = report("tag:emea")  # ann, ben, fay, ivy
    assert (data["query"], data["contacts"]) == ("tag:emea", 4)
    assert [(c["value"], c["count"]) for c in data["breakdowns"][0]["counts"]] == [
        ("lead", 1), ("prospect", 1), ("customer", 2)]
    lead, prospect, _ = data["funnel"]
    assert (lead["were_at"], lead["moved_on"], lead["rate"], lead["median_days"]) == (3, 3, 100.0, 41.0)
    assert (prospect["were_at"], prospect["moved_on"], prospect["rate"]) == (2, 1, 50.0)
    assert data["activity"]["totals"] == weekly(w0=2, w2=2, w11=2, w12=1)
    assert [c["handle"] for c in data["going_cold"]] == ["ben", "fay", "ivy"]
    assert report("stage:churned OR owner:chen")["contacts"] == 2


def test_a_segment_is_a_query(book: Path, tmp_path: Path, invoke) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(book, copy)
    assert invoke("-C", copy, "segment", "save", "europe", "tag:emea").exit_code == 0
    result = invoke("-C", copy, "--today", TODAY, "report", "@europe", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["contacts"] == 4
    result = invoke("-C", copy, "report", "@nowhere")
    assert result.exit_code == 2 and "no segment '@nowhere' in vault.yaml" in result.output


def test_the_installed_command_end_to_end(book: Path, tmp_path: Path) -> None:
    from test_cli import installed_contacts, run

    contacts = installed_contacts()
    env_today = ("--today", TODAY)
    book = shutil.copytree(book, tmp_path / "copy")  # this test commits
    done = run(contacts, *env_today, "segment", "save", "europe", "tag:emea", cwd=book)
    assert done.returncode == 0 and done.stdout == "@europe: 4 contacts\n", done.stderr
    done = run(contacts, *env_today, "segments", cwd=book / "contacts")
    assert done.returncode == 0 and done.stdout == "NAME    CONTACTS  QUERY\neurope  4         tag:emea\n"
    page = tmp_path / "europe.html"
    done = run(contacts, "-C", book, *env_today, "report", "@europe", "--since", SINCE, "--format", "html",
               "-o", page, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"Wrote {page}\n" and "4 contacts (contacts matching @europe)" in page.read_text()
    git_log = report_book.git(book, "log", "-1", "--format=%s")
    assert git_log.strip() == "Save segment europe"


_SUMMARY = st.tuples(
    st.sampled_from(["Ada", "ada", "Bo", "Cy"]), st.sampled_from([None, "30d", "2w", "0d", "soon"]),
    st.lists(st.dates(dt.date(2026, 5, 1), dt.date(2026, 12, 31)), max_size=3),
)


@settings(max_examples=200)
@given(st.lists(_SUMMARY, max_size=12), st.one_of(st.none(), st.integers(0, 5)))
def test_the_coldest_are_those_of_every_contact_ranked_by_ratio_silence_and_name(
    contacts: list[tuple[str, str | None, list[dt.date]]], limit: int | None,
) -> None:
    """Going cold ranks by silence alone first and by name only among the contacts that can make the list:
    the same list, ties in the same order, and the same count of overdue, as ranking every contact by all three."""
    from vault_tool.reports.report import coldest
    from vault_tool.reports.tally import Scope, cadence_of, tally_of
    from vault_tool.reports.summaries import Summary

    today = dt.date(2026, 11, 23)
    items = [Summary(f"contacts/c{at:02}.md", "person", "lead", "", {"name": name, **({"keep_in_touch": own} if own
                     else {})}, sorted(day.isoformat() for day in days), ["call"] * len(days))
             for at, (name, own, days) in enumerate(contacts)]
    expected, overdue = [], 0
    for item in items:
        if not item.interactions or item.interactions[-1] >= today.isoformat():
            continue
        start = dt.date.fromisoformat(item.interactions[-1])
        cadence_days = ((start + cadence_of(item.fields.get("keep_in_touch"), "90d", {})[1]) - start).days
        if cadence_days > 0:
            silence = (today - start).days
            overdue += silence >= cadence_days
            expected.append((-round(silence / cadence_days, 2), -silence, item.name.casefold(), item.handle))
    expected.sort(key=lambda found: found[:3])  # stable: in the contacts' order where all three are equal
    scope = Scope((), today, today, "week", (today - dt.timedelta(days=today.weekday()),), "90d")
    found, found_overdue = coldest(tally_of(items, scope, limit), scope, None, limit)
    assert [c.handle for c in found] == [handle for *_, handle in expected[:limit]]
    assert found_overdue == overdue
