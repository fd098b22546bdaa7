"""`contacts report --pipeline`: every figure checked against a hand-built vault of deals with a git history.

Today is 2026-11-23; the period starts on 2026-09-01. The pipeline is vault.yaml's default:
qualified 10 %, proposal 30 %, negotiation 60 %, won 100 %, lost 0 %; the currency EUR, no rates.

    deal   owner  amount        now          close       created     closed      history (one commit each)
    alpha  alice  12000.10 EUR  negotiation  2026-12-15  2026-08-01              08-01 q, 08-11 p, 09-10 n
    beta   alice      0.20 EUR  qualified    2026-12-31  2026-09-01              09-01 q
    gamma  bob     5000 USD     proposal     2026-10-31  2026-08-20              08-20 q, 09-20 p, 10-10 q, 10-20 p
    delta  bob     3000 EUR     won          2026-09-30  2026-07-01  2026-09-15  07-01 q, 07-11 p, 08-10 n, 09-15 won
    eps    alice   2000 USD     lost         2026-09-30  2026-06-01  2026-09-05  06-01 p, 09-05 lost
    zeta   -       1000.50 EUR  won          2026-10-31  2026-09-21  (none)      10-01 n, 10-21 won
    eta    bob      700 EUR     won          2026-08-31  2026-05-01  2026-08-15  05-01 q, 08-15 won
    theta  alice    500 EUR     proposal     (none)      2026-11-01              11-01 p
    kappa  bob      100 EUR     proposal     2027-01-15  2026-11-10              11-10 q, 11-30 p (after today)
    lam    alice   4000 USD     won          2026-11-15  2026-10-03  2026-11-02  11-02 won

Open (per currency): qualified beta 0.20 (weighted 0.02); proposal gamma, theta, kappa: 600 EUR + 5000 USD
(weighted 180 EUR + 1500 USD); negotiation alpha 12000.10 (weighted 7200.06). All open: 5 deals,
12600.30 EUR + 5000 USD, weighted 7380.08 EUR + 1500 USD.
Forecast: overdue gamma; 2026-11 none; 2026-12 alpha + beta = 12000.30 EUR (weighted 7200.08);
2027-01 kappa; no close date theta.
Closed from 09-01 to 11-23: won delta (76 days), zeta (closed: none, so the day history shows it won,
10-21: 30 days), lam (30 days); lost eps; eta closed before the period. Win rate 3/4 = 75 %;
won 4000.50 EUR + 4000 USD; average 2000.25 EUR and 4000 USD; cycle (76 + 30 + 30) / 3 = 45.3 days.
Conversion up to 11-23 (kappa's move on 11-30 not yet):
    qualified:   reached alpha beta gamma delta eta kappa = 6, moved on alpha gamma delta eta = 4 (66.7 %);
                 stays that ended: alpha 10, gamma 31 and 10, delta 10, eta 106 -> median 10 of 5
    proposal:    reached alpha gamma delta eps theta = 5, moved on alpha delta = 2 (40 %);
                 stays: alpha 30, gamma 20, delta 30, eps 96 -> median 30 of 4
    negotiation: reached alpha delta zeta = 3, moved on (won) delta zeta = 2 (66.7 %); stays delta 36,
                 zeta 20 -> median 28 of 2
"""
from __future__ import annotations

import csv
import io
import json
import marshal
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import GIT_TEST_ENV, no_traceback, ok

TODAY, SINCE = "2026-11-23", "2026-09-01"
DEALS = {  # handle -> (front matter after the name, [(day, stage), …])
    "alpha": ("owner: alice\namount: 12000.10\nclose: 2026-12-15\ncreated: 2026-08-01",
              [("2026-08-01", "qualified"), ("2026-08-11", "proposal"), ("2026-09-10", "negotiation")]),
    "beta": ("owner: alice\namount: 0.20\nclose: 2026-12-31\ncreated: 2026-09-01", [("2026-09-01", "qualified")]),
    "gamma": ("owner: bob\namount: 5000\ncurrency: USD\nclose: 2026-10-31\ncreated: 2026-08-20",
              [("2026-08-20", "qualified"), ("2026-09-20", "proposal"), ("2026-10-10", "qualified"),
               ("2026-10-20", "proposal")]),
    "delta": ("owner: bob\namount: 3000\nclose: 2026-09-30\ncreated: 2026-07-01\nclosed: 2026-09-15",
              [("2026-07-01", "qualified"), ("2026-07-11", "proposal"), ("2026-08-10", "negotiation"),
               ("2026-09-15", "won")]),
    "eps": ("owner: alice\namount: 2000\ncurrency: USD\nclose: 2026-09-30\ncreated: 2026-06-01\nclosed: 2026-09-05",
            [("2026-06-01", "proposal"), ("2026-09-05", "lost")]),
    "zeta": ("amount: 1000.50\nclose: 2026-10-31\ncreated: 2026-09-21",
             [("2026-10-01", "negotiation"), ("2026-10-21", "won")]),
    "eta": ("owner: bob\namount: 700\nclose: 2026-08-31\ncreated: 2026-05-01\nclosed: 2026-08-15",
            [("2026-05-01", "qualified"), ("2026-08-15", "won")]),
    "theta": ("owner: alice\namount: 500\ncreated: 2026-11-01", [("2026-11-01", "proposal")]),
    "kappa": ("owner: bob\namount: 100\nclose: 2027-01-15\ncreated: 2026-11-10",
              [("2026-11-10", "qualified"), ("2026-11-30", "proposal")]),
    "lam": ("owner: alice\namount: 4000\ncurrency: USD\nclose: 2026-11-15\ncreated: 2026-10-03\nclosed: 2026-11-02",
            [("2026-11-02", "won")]),
}


def _git(root: Path, *args: str, day: str | None = None) -> None:
    env = {**os.environ, **GIT_TEST_ENV}  # a module-scoped fixture runs before the autouse identity
    if day:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def deal_file(handle: str, stage: str) -> str:
    return f"---\nname: Deal {handle.title()}\nstage: {stage}\n{DEALS[handle][0]}\n---\n"


def build(root: Path) -> Path:
    """Each stage change of DEALS as a commit on its day, oldest first."""
    (root / "deals").mkdir()
    moves = sorted((day, handle, stage) for handle, (_, steps) in DEALS.items() for day, stage in steps)
    for day, handle, stage in moves:
        (root / "deals" / f"{handle}.md").write_text(deal_file(handle, stage), encoding="utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"{handle} {stage}", day=day)
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from vault_tool.cli.main import cli

    root = tmp_path_factory.mktemp("deals") / "vault"
    result = CliRunner().invoke(cli, ["init", str(root)], env=GIT_TEST_ENV)
    assert result.exit_code == 0, result.output
    return build(root)


@pytest.fixture
def copy(book: Path, tmp_path: Path) -> Path:
    """A copy of the book (git history and all) to change vault.yaml in."""
    target = tmp_path / "copy"
    shutil.copytree(book, target)
    return target


def with_rates(root: Path, rates: str) -> Path:
    config = root / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"rates: {rates}\n", encoding="utf-8")
    return root


def pipeline(invoke, root: Path, *args: str, today: str = TODAY) -> dict:
    result = invoke("-C", root, "--today", today, "report", "--pipeline", "--since", SINCE, *args, "--format", "json")
    ok(result)
    return json.loads(result.stdout)


def money(data: dict[str, str]) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in data.items()}


def totals(part: dict) -> tuple[int, dict[str, Decimal], dict[str, Decimal]]:
    return part["count"], money(part["total"]), money(part["weighted"])


# Open deals and the forecast


def test_open_deals_by_stage_are_summed_per_currency_without_rates(book: Path, invoke) -> None:
    data = pipeline(invoke, book)
    assert (data["today"], data["since"], data["currency"], data["converted"]) == (TODAY, SINCE, "EUR", False)
    assert (data["currencies"], data["missing_rates"], data["from_history"]) == (["EUR", "USD"], ["USD"], True)
    assert data["all"]["deals"] == 10
    stages = {row["stage"]: (row["probability"], *totals(row)) for row in data["all"]["stages"]}
    assert stages == {
        "qualified": (10, 1, {"EUR": Decimal("0.20")}, {"EUR": Decimal("0.02")}),
        "proposal": (30, 3, {"EUR": Decimal(600), "USD": Decimal(5000)}, {"EUR": Decimal(180), "USD": Decimal(1500)}),
        "negotiation": (60, 1, {"EUR": Decimal("12000.10")}, {"EUR": Decimal("7200.06")}),
    }
    assert totals(data["all"]["open"]) == (5, {"EUR": Decimal("12600.30"), "USD": Decimal(5000)},
                                           {"EUR": Decimal("7380.08"), "USD": Decimal(1500)})


def test_amounts_are_exact_decimals(book: Path, invoke) -> None:
    data = pipeline(invoke, book)
    december = next(row for row in data["all"]["forecast"] if row["month"] == "2026-12")
    assert december["total"] == {"EUR": "12000.30"}  # 12000.10 + 0.20, written exactly, never a float's digits
    assert december["count"] == 2
    assert Decimal(december["weighted"]["EUR"]) == Decimal("7200.08")  # 12000.10 × 60 % + 0.20 × 10 %
    text = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--since", SINCE).stdout
    assert re.search(r"^  2026-12 +2 +12,000.30 EUR +7,200.08 EUR$", text, re.M), text


def test_the_forecast_by_month_of_close(book: Path, invoke) -> None:
    forecast = [(row["month"], *totals(row)) for row in pipeline(invoke, book)["all"]["forecast"]]
    assert forecast == [
        ("overdue", 1, {"USD": Decimal(5000)}, {"USD": Decimal(1500)}),  # gamma: 2026-10-31 has passed
        ("2026-11", 0, {}, {}),  # this month: nothing left to close in it
        ("2026-12", 2, {"EUR": Decimal("12000.30")}, {"EUR": Decimal("7200.08")}),
        ("2027-01", 1, {"EUR": Decimal(100)}, {"EUR": Decimal(30)}),
        ("none", 1, {"EUR": Decimal(500)}, {"EUR": Decimal(150)}),  # theta has no close date
    ]


# Won and lost in the period


def test_win_rate_deal_size_and_sales_cycle_in_the_period(book: Path, invoke) -> None:
    closed = pipeline(invoke, book)["all"]["closed"]
    assert (closed["won"], closed["lost"], closed["win_rate"]) == (3, 1, 75.0)
    assert money(closed["won_total"]) == {"EUR": Decimal("4000.50"), "USD": Decimal(4000)}
    assert money(closed["average_won"]) == {"EUR": Decimal("2000.25"), "USD": Decimal(4000)}
    assert (closed["average_cycle_days"], closed["cycle_deals"]) == (45.3, 3)


def test_the_period_decides_which_closed_deals_count(book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--since", "2026-08-01", "--format", "json")
    closed = json.loads(result.stdout)["all"]["closed"]  # eta (won 08-15) counts too: 4 won, 1 lost
    assert (closed["won"], closed["lost"], closed["win_rate"]) == (4, 1, 80.0)
    assert money(closed["won_total"]) == {"EUR": Decimal("4700.50"), "USD": Decimal(4000)}
    # EUR: (3000 + 1000.50 + 700) / 3 = 1566.8333…, to the cent
    assert money(closed["average_won"]) == {"EUR": Decimal("1566.83"), "USD": Decimal(4000)}
    assert closed["average_cycle_days"] == 60.5  # (76 + 30 + 30 + 106) / 4


# Rates


def test_rates_for_every_currency_convert_every_sum(copy: Path, invoke) -> None:
    data = pipeline(invoke, with_rates(copy, "{USD: 0.9}"))
    assert (data["converted"], data["missing_rates"]) == (True, [])
    assert totals(data["all"]["open"]) == (5, {"EUR": Decimal("17100.30")}, {"EUR": Decimal("8730.08")})
    proposal = data["all"]["stages"][1]
    assert totals(proposal) == (3, {"EUR": Decimal(5100)}, {"EUR": Decimal(1530)})
    closed = data["all"]["closed"]
    assert money(closed["won_total"]) == {"EUR": Decimal("7600.50")}
    assert money(closed["average_won"]) == {"EUR": Decimal("2533.50")}  # 7600.50 / 3
    assert data["all"]["forecast"][0]["weighted"] == {"EUR": "1350.0"}  # 1500 USD × 0.9
    text = invoke("-C", copy, "--today", TODAY, "report", "--pipeline", "--since", SINCE).stdout
    assert "Amounts in EUR; USD converted with vault.yaml's rates" in text
    assert re.search(r"^  all open +5 +17,100.30 EUR +8,730.08 EUR$", text, re.M), text
    assert "█" in text  # one currency: the weighted amounts are drawn as bars


def test_a_rate_missing_for_one_currency_keeps_every_sum_per_currency(copy: Path, invoke) -> None:
    data = pipeline(invoke, with_rates(copy, "{GBP: 1.15}"))
    assert (data["converted"], data["missing_rates"]) == (False, ["USD"])
    assert money(data["all"]["stages"][2]["total"]) == {"EUR": Decimal("12000.10")}  # not converted alone
    text = invoke("-C", copy, "--today", TODAY, "report", "--pipeline", "--since", SINCE).stdout
    assert "Amounts per currency: vault.yaml's rates give no rate into EUR for USD" in text
    assert "600 EUR + 5,000 USD" in text
    assert "█" not in text  # amounts in two currencies are not compared by bars


# Conversion from git history


def test_conversion_and_days_at_each_stage_from_git_history(book: Path, invoke) -> None:
    steps = [(s["stage"], s["next_stage"], s["reached"], s["moved_on"], s["rate"], s["median_days"], s["stays"])
             for s in pipeline(invoke, book)["all"]["conversion"]]
    assert steps == [
        ("qualified", "proposal", 6, 4, 66.7, 10.0, 5),
        ("proposal", "negotiation", 5, 2, 40.0, 30.0, 4),
        ("negotiation", "won", 3, 2, 66.7, 28.0, 2),
    ]


def test_history_after_today_counts_once_today_has_passed(book: Path, invoke) -> None:
    qualified, proposal, _ = pipeline(invoke, book, today="2026-12-01")["all"]["conversion"]
    # kappa moved to proposal on 11-30 after 20 days: stays 10, 10, 10, 20, 31, 106
    assert (qualified["reached"], qualified["moved_on"], qualified["median_days"]) == (6, 5, 15.0)
    assert (proposal["reached"], proposal["moved_on"], proposal["rate"]) == (6, 2, 33.3)


def test_the_history_is_kept_in_a_cache_of_its_own(book: Path, invoke) -> None:
    pipeline(invoke, book)
    cache = marshal.loads((book / ".vault" / "deal-history").read_bytes())
    assert cache["prefix"] == "deals/" and sorted(cache["paths"]) == sorted(f"deals/{h}.md" for h in DEALS)
    assert pipeline(invoke, book)["all"]["conversion"][0]["reached"] == 6  # the same from the cache


# Per owner, a query


def test_by_owner_each_owner_has_every_figure(book: Path, invoke) -> None:
    data = pipeline(invoke, book, "--by", "owner")
    assert data["all"]["deals"] == 10 and "owner" not in data["all"]
    owners = {group["owner"]: group for group in data["by_owner"]}
    assert list(owners) == ["alice", "bob", None]  # zeta has no owner: null, last
    alice, bob, nobody = owners["alice"], owners["bob"], owners[None]
    assert (alice["deals"], bob["deals"], nobody["deals"]) == (5, 4, 1)
    assert totals(alice["open"]) == (3, {"EUR": Decimal("12500.30")}, {"EUR": Decimal("7350.08")})
    assert (alice["closed"]["won"], alice["closed"]["lost"], alice["closed"]["win_rate"]) == (1, 1, 50.0)
    assert (bob["closed"]["won"], bob["closed"]["win_rate"], bob["closed"]["average_cycle_days"]) == (1, 100.0, 76.0)
    assert [(s["reached"], s["moved_on"]) for s in bob["conversion"]] == [(4, 3), (2, 1), (1, 1)]
    assert (nobody["closed"]["won"], nobody["closed"]["average_cycle_days"]) == (1, 30.0)
    text = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--by", "owner").stdout
    assert [line for line in text.splitlines() if line.startswith("Owner ")] == [
        "Owner alice: 5 deals", "Owner bob: 4 deals", "Owner (none): 1 deal"]


def test_a_query_selects_the_deals(book: Path, invoke) -> None:
    data = pipeline(invoke, book, "owner:bob AND currency:EUR")
    assert (data["query"], data["all"]["deals"], data["currencies"], data["converted"]) == (
        "owner:bob AND currency:EUR", 3, ["EUR"], True)  # delta, eta, kappa: one currency needs no rate


# Formats


def test_text_report(book: Path, invoke) -> None:
    text = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--since", SINCE).stdout
    assert text.split("\n\n")[:2] == [
        "Pipeline of 10 deals (all deals), 2026-09-01 to 2026-11-23\n"
        "Amounts per currency: vault.yaml's rates give no rate into EUR for USD",
        "Open deals by stage\n"
        "  STAGE        PROBABILITY  DEALS                      TOTAL                  WEIGHTED\n"
        "  qualified            10%      1                   0.20 EUR                  0.02 EUR\n"
        "  proposal             30%      3        600 EUR + 5,000 USD       180 EUR + 1,500 USD\n"
        "  negotiation          60%      1              12,000.10 EUR              7,200.06 EUR\n"
        "  all open                      5  12,600.30 EUR + 5,000 USD  7,380.08 EUR + 1,500 USD",
    ]
    assert ("Forecast by month of expected close (open deals; overdue: the close date has passed)\n"
            "  MONTH          DEALS          TOTAL      WEIGHTED\n"
            "  overdue            1      5,000 USD     1,500 USD\n"
            "  2026-11            ·              ·             ·\n"
            "  2026-12            2  12,000.30 EUR  7,200.08 EUR\n"
            "  2027-01            1        100 EUR        30 EUR\n"
            "  no close date      1        500 EUR       150 EUR\n") in text
    assert ("Won and lost, 2026-09-01 to 2026-11-23 (by the day each closed)\n"
            "  won               3 deals, 4,000.50 EUR + 4,000 USD\n"
            "  lost              1 deal\n"
            "  win rate          75%\n"
            "  average deal won  2,000.25 EUR + 4,000 USD\n"
            "  sales cycle       45.3 days (created to closed, 3 deals won)\n") in text
    assert ("Stage conversion up to 2026-11-23 (stage changes from git history)\n"
            "  STAGE        REACHED  MOVED ON  TO            RATE  MEDIAN DAYS  STAYS\n"
            "  qualified          6         4  proposal     66.7%           10      5\n"
            "  proposal           5         2  negotiation    40%           30      4\n"
            "  negotiation        3         2  won          66.7%           28      2") in text


def test_csv_has_a_row_per_figure(book: Path, invoke) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--since", SINCE, "--by", "owner",
                    "--format", "csv")
    ok(result)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["owner", "section", "item", "measure", "currency", "value"]
    assert ["(all)", "forecast", "2026-12", "total", "EUR", "12000.30"] in rows
    assert ["(all)", "closed", "", "win_rate", "", "75.0"] in rows
    assert ["(all)", "conversion", "qualified", "median_days", "", "10.0"] in rows
    assert ["bob", "closed", "", "average_cycle_days", "", "76.0"] in rows
    assert ["(none)", "deals", "", "deals", "", "1"] in rows


def test_html_is_one_self_contained_page_with_charts(book: Path, invoke, tmp_path: Path) -> None:
    page = tmp_path / "pipeline.html"
    result = invoke("-C", book, "--today", TODAY, "report", "--pipeline", "--since", SINCE, "--format", "html",
                    "-o", page)
    ok(result)
    html = page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    titles = re.findall(r'<svg class="chart"[^>]*><title>([^<]*)</title>', html)
    assert titles == [  # per currency: a chart each
        "Weighted open deals by stage (EUR)", "Weighted open deals by stage (USD)",
        "Weighted forecast by month of expected close (EUR)", "Weighted forecast by month of expected close (USD)",
        "Deals won and lost", "Deals that reached each stage",
    ]
    assert "<title>negotiation: 7,200.06 EUR</title>" in html  # a bar's tooltip: the exact amount
    assert "12,000.30 EUR" in html


# Without history, bad input


def test_a_vault_outside_git_has_no_conversion(example_copy: Path, invoke) -> None:
    data = pipeline(invoke, example_copy)
    assert data["from_history"] is False
    text = invoke("-C", example_copy, "--today", TODAY, "report", "--pipeline").stdout
    assert text.rstrip().endswith("Stage conversion: the vault is not in git, so there is no history of stage "
                                  "changes")


@pytest.mark.parametrize("args,message", [
    (["--by", "stage"], "--pipeline groups deals --by owner only, not by 'stage'"),
    (["--per", "week"], "--per and --cold are for the contacts' report"),
    (["--cold", "3"], "--per and --cold are for the contacts' report"),
    (["--since", "2026-12-01"], "--since 2026-12-01 is after today (2026-11-23)"),
    (["stage:(proposal"], "this '(' is never closed"),
])
def test_bad_input_is_one_line(book: Path, invoke, args: list[str], message: str) -> None:
    result = invoke("-C", book, "--today", TODAY, "report", "--pipeline", *args)
    no_traceback(result)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


# The example vault


def test_the_example_vault(example_copy: Path, invoke) -> None:
    """Twelve deals in EUR, GBP, NOK and USD, all converted with its rates (GBP 1.16, USD 0.94, NOK 0.085)."""
    data = pipeline(invoke, example_copy, today="2026-11-23")
    assert data["all"]["deals"] == 12 and data["converted"] is True
    assert data["currencies"] == ["EUR", "GBP", "NOK", "USD"]
    stages = [(row["stage"], *totals(row)) for row in data["all"]["stages"]]
    assert stages == [
        ("qualified", 2, {"EUR": Decimal(21000)}, {"EUR": Decimal(2100)}),  # 15,000 + 6,000
        # 12,000.10 GBP × 1.16 + 310,000 NOK × 0.085 = 13,920.116 + 26,350
        ("proposal", 2, {"EUR": Decimal("40270.116")}, {"EUR": Decimal("12081.0348")}),
        ("negotiation", 2, {"EUR": Decimal(118500)}, {"EUR": Decimal(71100)}),  # 48,000 + 75,000 USD × 0.94
    ]
    assert [(row["month"], row["count"]) for row in data["all"]["forecast"]] == [
        ("overdue", 1), ("2026-11", 0), ("2026-12", 2), ("2027-01", 1), ("2027-02", 1), ("2027-03", 1)]
    result = invoke("-C", example_copy, "--today", "2026-11-23", "report", "--pipeline", "--since", "2026-01-01",
                    "--format", "json")
    closed = json.loads(result.stdout)["all"]["closed"]
    assert (closed["won"], closed["lost"], closed["win_rate"]) == (3, 3, 50.0)
    # 4,500 GBP × 1.16 + 18,500 + 45,000 NOK × 0.085 = 5,220 + 18,500 + 3,825
    assert money(closed["won_total"]) == {"EUR": Decimal(27545)}
    assert money(closed["average_won"]) == {"EUR": Decimal("9181.67")}
    assert closed["average_cycle_days"] == 77.0  # (72 + 101 + 58) / 3
