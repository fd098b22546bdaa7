"""Deals: the file, the pipeline in vault.yaml, `contacts deal …` and `contacts deals`, exact amounts."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import commit_count, git, head_files, head_message, no_traceback, ok
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_tool.format import yamledit, yamlsafe
from vault_tool.format.config import parse_config
from vault_tool.format.deal import DEFAULT_PIPELINE, DealStage, parse_deal, win_probability
from vault_tool.deals.money import Sums, money

TODAY = "2026-11-23"
ACME = "deals/acme-renewal-2027.md"


@pytest.fixture
def deal_vault(vault: Path, invoke) -> Path:
    """The example vault (with its twelve deals) and one more deal, added by the command."""
    result = invoke("-C", vault, "--today", TODAY, "deal", "add", "Acme renewal 2027", "--contact", "ada",
                    "--company", "analytical-engines", "--amount", "12000.10", "--currency", "EUR",
                    "--stage", "proposal", "--close", "2027-01-31", "--owner", "alice")
    ok(result)
    assert result.stdout == "acme-renewal-2027\n"
    return vault


def deals_json(invoke, root: Path, *query: str) -> list[dict]:
    result = invoke("-C", root, "--today", TODAY, "deals", *query, "--format", "json")
    no_traceback(result)
    return json.loads(result.stdout) if result.exit_code == 0 else []


def test_deal_add_writes_a_file_a_person_can_read_and_commits_it(deal_vault: Path) -> None:
    text = (deal_vault / ACME).read_text()
    assert text.startswith("---\nname: Acme renewal 2027\ncontacts: [ada-lovelace]\ncompany: analytical-engines\n"
                           "amount: 12000.10\ncurrency: EUR\nstage: proposal\nclose: '2027-01-31'\nowner: alice\n"
                           "created: '2026-11-23'\nuid: ")
    assert head_message(deal_vault) == "Add deal Acme renewal 2027"
    assert head_files(deal_vault) == [ACME]


def test_every_change_is_one_commit_with_a_message_a_person_would_write(deal_vault: Path, invoke) -> None:
    steps = [
        (["deal", "move", "acme", "negotiation"], "Move Acme renewal 2027 to negotiation"),
        (["deal", "set", "acme", "amount", "15000.50"], "Set amount of Acme renewal 2027 to 15000.50"),
        (["deal", "log", "acme", "call", "Pricing", "-m", "They want 10% off."], "Log call with Acme renewal 2027"),
        (["deal", "task", "acme", "Send the quote", "--due", "2026-11-30"],
         "Add task for Acme renewal 2027: Send the quote"),
        (["deal", "lost", "acme", "--reason", "price"], "Lose Acme renewal 2027: price"),
        (["deal", "move", "acme", "proposal"], "Move Acme renewal 2027 to proposal"),
        (["deal", "won", "acme"], "Win Acme renewal 2027"),
    ]
    for argv, message in steps:
        before = commit_count(deal_vault)
        ok(invoke("-C", deal_vault, "--today", TODAY, *argv))
        assert (commit_count(deal_vault), head_message(deal_vault)) == (before + 1, message)
        assert head_files(deal_vault) == [ACME]
    deal = parse_deal(deal_vault / ACME, (deal_vault / ACME).read_bytes())
    assert (deal.stage, deal.amount, str(deal.date("closed")), deal.lost_reason) == (
        "won", Decimal("15000.50"), TODAY, "")
    assert [t.text for t in deal.record.tasks] == ["Send the quote due:2026-11-30"]
    assert [(i.kind, i.summary) for i in deal.record.interactions] == [("call", "Pricing")]


def test_a_set_changes_one_line_of_the_file(deal_vault: Path, invoke) -> None:
    ok(invoke("-C", deal_vault, "--today", TODAY, "deal", "set", "acme", "close", "2027-02-28"))
    diff = git(deal_vault, "show", "--format=", "-U0", "HEAD")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-close: '2027-01-31'", "+close: '2027-02-28'"]


def test_deals_answers_the_query_language_of_search(deal_vault: Path, invoke) -> None:
    def handles(*query: str) -> list[str]:
        return sorted(row["handle"] for row in deals_json(invoke, deal_vault, *query))

    assert handles("stage:proposal amount:>10000") == [
        "acme-renewal-2027", "analytical-engines-renewal-2027", "nordlys-fisk-fleet-tracking"]
    assert handles("close:<+30days status:open") == ["brandt-maschinenbau-plant-rollout", "nordlys-fisk-fleet-tracking"]
    assert handles("owner:alice company:analytical") == [
        "acme-renewal-2027", "analytical-engines-difference-engine-pilot", "analytical-engines-renewal-2027"]
    assert handles("contact:ada-lovelace") == ["acme-renewal-2027", "analytical-engines-renewal-2027"]
    assert handles("status:lost price") == ["lumiere-medias-archive"]


def test_deals_sort_and_exit_status(deal_vault: Path, invoke) -> None:
    rows = deals_json(invoke, deal_vault, "status:open", "--sort", "close")
    assert [r["close"] for r in rows] == sorted(r["close"] for r in rows)
    weighted = deals_json(invoke, deal_vault, "status:open", "--sort", "weighted")
    # in the vault's currency: 45,000 USD × 0.94 = 42,300 EUR, then 28,800 EUR, then 93,000 NOK × 0.085 = 7,905 EUR
    assert [r["handle"] for r in weighted[:3]] == [
        "potomac-capital-analytics", "brandt-maschinenbau-plant-rollout", "nordlys-fisk-fleet-tracking"]
    none = invoke("-C", deal_vault, "deals", "stage:won amount:>1000000")
    assert (none.exit_code, none.stdout) == (1, "")


def test_a_query_that_does_not_read_is_a_one_line_error(deal_vault: Path, invoke) -> None:
    result = invoke("-C", deal_vault, "deals", "colour:red")
    no_traceback(result)
    assert result.exit_code == 2
    assert "no field 'colour'" in result.output and "amount" in result.output


def test_the_table_marks_overdue_deals_and_shows_amounts_exactly(deal_vault: Path, invoke) -> None:
    result = invoke("-C", deal_vault, "--today", TODAY, "deals", "company:brandt", "--sort", "amount")
    ok(result)
    assert result.stdout.splitlines()[1].split() == [
        "Brandt", "plant", "rollout", "negotiation", "48,000", "EUR", "28,800", "EUR", "2026-11-15", "overdue", "bob",
        "brandt-maschinenbau"]
    acme = invoke("-C", deal_vault, "--today", TODAY, "deals", "handle:acme-renewal-2027")
    assert "12,000.10 EUR" in acme.stdout and "3,600.03 EUR" in acme.stdout


def test_the_board_has_a_column_per_stage_with_counts_and_totals(deal_vault: Path, invoke) -> None:
    result = invoke("-C", deal_vault, "--today", TODAY, "deal", "board", "--format", "json")
    ok(result)
    columns = {c["stage"]: c for c in json.loads(result.stdout)}
    assert list(columns) == ["qualified", "proposal", "negotiation", "won", "lost"]
    proposal = columns["proposal"]
    assert proposal["count"] == 3
    # 12000.10 EUR + 12000.10 GBP × 1.16 + 310000 NOK × 0.085, converted with the example vault's rates
    assert Decimal(proposal["total"]["EUR"]) == Decimal("52270.216")
    assert Decimal(proposal["weighted"]["EUR"]) == Decimal("52270.216") * 30 / 100
    text = invoke("-C", deal_vault, "--today", TODAY, "deal", "board", "--width", "80")
    ok(text)
    assert all(len(line) <= 80 for line in text.stdout.splitlines())
    assert "NEGOTIATION 60%" in text.stdout and "48,000 EUR !" in text.stdout


def test_show_explains_the_weighted_amount_and_an_overdue_close(deal_vault: Path, invoke) -> None:
    result = invoke("-C", deal_vault, "--today", TODAY, "deal", "show", "brandt plant")
    ok(result)
    assert "weighted: 28,800 EUR (60%)" in result.stdout
    assert "overdue: the close date 2026-11-15 has passed" in result.stdout
    assert "Procurement review" in result.stdout


@pytest.mark.parametrize("argv, message", [
    (["deal", "add", "X", "--amount", "12k"], "'12k' is not an amount"),
    (["deal", "add", "X", "--currency", "EURO"], "'EURO' is not an ISO 4217 currency code"),
    (["deal", "add", "X", "--stage", "closing"], "'closing' is not a deal stage in vault.yaml's pipeline"),
    (["deal", "add", "X", "--contact", "nobody-at-all"], "no contact matches 'nobody-at-all'"),
    (["deal", "add", "X", "--close", "someday"], "'someday' is not a date"),
    (["deal", "move", "acme", "closing"], "'closing' is not a deal stage"),
    (["deal", "show", "zzz"], "no deal matches 'zzz'"),
    (["deal", "show", "brandt"], "'brandt' matches 2 deals"),
    (["deal", "set", "acme", "name", "Y"], "use 'contacts deal mv DEAL NEW-NAME'"),
])
def test_bad_values_are_one_line_errors_and_change_nothing(deal_vault: Path, invoke, argv, message) -> None:
    before = commit_count(deal_vault)
    result = invoke("-C", deal_vault, *argv)
    no_traceback(result)
    assert result.exit_code != 0 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert commit_count(deal_vault) == before and git(deal_vault, "status", "--porcelain") == ""


def test_mv_renames_the_file_and_rm_removes_it(deal_vault: Path, invoke) -> None:
    result = invoke("-C", deal_vault, "deal", "mv", "acme", "Acme renewal 2028")
    ok(result)
    assert result.stdout == "acme-renewal-2028\n"
    assert head_message(deal_vault) == "Rename deal Acme renewal 2027 to Acme renewal 2028"
    status, old, new = git(deal_vault, "show", "--format=", "--name-status", "HEAD").split()
    assert (status[0], old, new) == ("R", ACME, "deals/acme-renewal-2028.md")
    assert "name: Acme renewal 2028\n" in (deal_vault / "deals/acme-renewal-2028.md").read_text()
    ok(invoke("-C", deal_vault, "deal", "rm", "acme-renewal-2028", "--yes"))
    assert head_message(deal_vault) == "Remove deal Acme renewal 2028"
    assert not (deal_vault / "deals/acme-renewal-2028.md").exists()


def test_a_deal_written_by_hand_works_and_a_broken_one_hides_no_other(deal_vault: Path, invoke) -> None:
    (deal_vault / "deals/hand-made.md").write_text(
        "---\nname: Hand made\namount: 999.99\nstage: negotiation\n---\n## 2026-11-01 call — Hello\nHi.\n")
    (deal_vault / "deals/broken.md").write_text("---\nname: [unclosed\n---\n")
    result = invoke("-C", deal_vault, "--today", TODAY, "deals", "--format", "json")
    ok(result)
    rows = {row["handle"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 14 and "broken" not in rows
    assert (rows["hand-made"]["amount"], rows["hand-made"]["currency"], rows["hand-made"]["weighted"]) == (
        "999.99", "EUR", "599.994")
    assert "deals/broken.md:3: invalid YAML" in result.stderr and "(skipped)" in result.stderr


def test_an_edit_by_hand_is_seen_at_once(deal_vault: Path, invoke) -> None:
    assert deals_json(invoke, deal_vault, "amount:>20000 company:analytical") == []
    path = deal_vault / ACME
    path.write_text(path.read_text().replace("amount: 12000.10", "amount: 25000"))
    assert [r["amount"] for r in deals_json(invoke, deal_vault, "amount:>20000 company:analytical")] == ["25000"]


def test_sums_are_exact_decimals() -> None:
    sums = Sums()
    for amount in ("12000.10", "0.20", "0.10"):
        sums.add(Decimal(amount), "EUR")
    assert sums.to_data() == {"EUR": "12000.40"}
    assert money(Decimal("12000.40"), "EUR") == "12,000.40 EUR"
    assert money(Decimal("1234567"), "NOK") == "1,234,567 NOK"


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_an_amount_written_is_read_back_exactly(amount: Decimal) -> None:
    front = yamledit.edit_mapping("name: Deal\n", {"amount": amount})
    assert yamlsafe.load(front, decimals=True)["amount"] == amount
    deal = parse_deal(Path("d.md"), f"---\n{front}---\n".encode())
    assert deal.amount == amount


def test_the_pipeline_in_vault_yaml() -> None:
    default = parse_config(Path("vault.yaml"), "version: 1\n")
    assert default.pipeline == list(DEFAULT_PIPELINE) and default.currency == "EUR"
    own = parse_config(Path("vault.yaml"), "pipeline:\n  - {stage: lead, probability: 5%}\n"
                       "  - {stage: signed, probability: 100, outcome: won}\ncurrency: GBP\nrates: {EUR: 0.86}\n")
    assert own.pipeline == [DealStage("lead", 5), DealStage("signed", 100, "won")]
    assert (own.currency, own.rates) == ("GBP", {"EUR": Decimal("0.86")})


@pytest.mark.parametrize("text, message", [
    ("pipeline: [{stage: a, probability: 130}]", "probability must be a whole percent from 0 to 100"),
    ("pipeline: [{stage: a, probability: 10}, {stage: a, probability: 20}]", "the stage 'a' is listed twice"),
    ("pipeline: [{stage: a, probability: 10, outcome: maybe}]", "outcome must be won or lost"),
    ("currency: EURO", "'EURO' is not an ISO 4217 currency code"),
    ("rates: {USD: -1}", "rates: USD: -1 is not a currency code with a rate above 0"),
])
def test_a_bad_pipeline_is_a_one_line_error(text: str, message: str) -> None:
    from vault_tool.errors import ParseError

    with pytest.raises(ParseError, match=message):
        parse_config(Path("vault.yaml"), text)


def test_settings_read_from_the_cache_keep_their_currencies_and_an_edit_is_checked_again(vault: Path, invoke) -> None:
    """Settings come from .vault/config.json while vault.yaml is unchanged (its currency codes were checked when
    it was written); an edited vault.yaml is read and checked again."""
    import os
    import re
    import time

    from vault_tool.format.config import CACHE_NAME, load_config

    config = vault / "vault.yaml"
    text = re.sub(r"(?m)^rates:.*$", "rates: {EUR: 0.86}", config.read_text())
    config.write_text(re.sub(r"(?m)^currency:.*$", "currency: GBP", text))
    stamp = time.time() - 60
    os.utime(config, (stamp, stamp))
    (vault / ".vault").mkdir(exist_ok=True)  # as any command that reads the index makes it
    first = load_config(vault)
    assert (vault / CACHE_NAME).is_file()
    assert (first.currency, first.rates) == (load_config(vault).currency, load_config(vault).rates) == (
        "GBP", {"EUR": Decimal("0.86")})
    config.write_text(config.read_text().replace("currency: GBP", "currency: EURO"))
    os.utime(config, (stamp + 1, stamp + 1))
    result = invoke("-C", vault, "deals")
    assert result.exit_code != 0 and "'EURO' is not an ISO 4217 currency code" in result.output
    no_traceback(result)


def test_a_deals_own_probability_overrides_its_stage_but_not_a_closed_one() -> None:
    def deal(stage: str, probability: str = "") -> int:
        extra = f"probability: {probability}\n" if probability else ""
        parsed = parse_deal(Path("d.md"), f"---\nname: D\nstage: {stage}\n{extra}---\n".encode())
        return win_probability(parsed, list(DEFAULT_PIPELINE))

    assert (deal("proposal"), deal("proposal", "45"), deal("won", "45"), deal("unknown")) == (30, 45, 100, 0)


def test_amount_ranges_are_exact_at_their_bounds_and_skip_deals_without_one(deal_vault: Path, invoke) -> None:
    (deal_vault / "deals/no-amount.md").write_text("---\nname: No amount yet\nstage: qualified\n---\n")

    def handles(query: str) -> list[str]:
        return sorted(row["handle"] for row in deals_json(invoke, deal_vault, query))

    both = ["acme-renewal-2027", "analytical-engines-renewal-2027"]
    assert handles("amount:12000.10") == both
    assert handles("amount:>12000.10 amount:<12000.11") == []
    assert handles("amount:>=12000.10 amount:<=12000.10") == both
    assert handles("amount:[12000.09 to 12000.11]") == both
    assert "no-amount" not in handles("amount:<100000") and handles("NOT amount:>0") == ["no-amount"]
    assert handles("probability:>=60 status:open") == ["brandt-maschinenbau-plant-rollout", "potomac-capital-analytics"]


def test_json_says_null_for_what_a_deal_does_not_have(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "--today", TODAY, "deal", "add", "Bare deal"))
    bare = next(deal for deal in deals_json(invoke, vault) if deal["handle"] == "bare-deal")
    for key in ("owner", "company", "lost_reason", "amount", "weighted", "amount_shown", "weighted_shown", "close"):
        assert bare[key] is None, key
    agenda = json.loads(invoke("-C", vault, "--today", TODAY, "agenda", "--format", "json").stdout)
    deals = [deal for key, rows in agenda.items() if "deal" in key for deal in rows]
    assert deals and all(deal["lost_reason"] is None for deal in deals)
