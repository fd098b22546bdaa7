"""Deals where contacts are: `show` lists a contact's deals, the agenda and `remind` name deals closing or
overdue, `mv`/`merge` rewrite the deals that name a contact (same commit), `rm` asks about open deals, and
queries, segments and lead scores know deals (`deal_stage:`, `has_open_deal:`, the deal scoring rules).

Real vaults in git repositories under tmp_path, real Whoosh indexes; "today" is always pinned.
"""
from __future__ import annotations

import json
from pathlib import Path

from conftest import commit_count, git, head_files, head_message, ok, on_a_terminal

TODAY = "2026-11-23"
PLANT = "deals/brandt-maschinenbau-plant-rollout.md"
TRAINING = "deals/brandt-maschinenbau-training.md"
RENEWAL = "deals/analytical-engines-renewal-2027.md"
NEGOTIATING = {"brandt-maschinenbau", "dieter-brandt", "emily-carter", "marcus-webb", "potomac-capital", "zoe-muller"}


def run(invoke, vault: Path, *args: str, today: str = TODAY, input: str | None = None):
    return invoke("--today", today, "-C", vault, *args, input=input)


def handles(invoke, vault: Path, query: str, today: str = TODAY) -> set[str]:
    result = run(invoke, vault, "search", "--format", "json", query, today=today)
    assert result.exit_code in (0, 1), result.output
    return {row["handle"] for row in json.loads(result.stdout)}


def one_line_error(result, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def commit_all(vault: Path, message: str) -> None:
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", message)


def add_rules(vault: Path, rules: str) -> None:
    """Append ``rules`` (YAML list items) to vault.yaml's `scoring:` and commit."""
    config = vault / "vault.yaml"
    text = config.read_text(encoding="utf-8")
    anchor = "  - {overdue_task: true, points: -10}\n"
    assert anchor in text
    config.write_text(text.replace(anchor, anchor + rules), encoding="utf-8")
    commit_all(vault, "Deal rules")


# contacts show


def test_show_lists_a_persons_deals_with_stage_amount_close_and_last_interaction(vault: Path, invoke) -> None:
    result = run(invoke, vault, "show", "zoe")

    ok(result)
    assert (
        "\nDeals (2)\n"
        "  Brandt plant rollout      negotiation  48,000 EUR  close 2026-11-15 (overdue)  last 2026-11-04\n"
        "  Brandt operator training  qualified     6,000 EUR  close 2027-03-31\n"
    ) in result.stdout
    assert "Interactions (6, 1 on a deal)" in result.stdout
    assert ("  2026-11-04 meeting — Procurement review  (deal: Brandt plant rollout)\n"
            "      Legal is reading the SLA; decision expected mid-November.\n") in result.stdout


def test_show_of_an_organisation_lists_the_deals_of_its_company_won_ones_last(vault: Path, invoke) -> None:
    text = run(invoke, vault, "show", "analytical-engines").stdout

    assert (
        "Deals (2)\n"
        "  Analytical Engines renewal 2027  proposal  12,000.10 GBP  close 2027-01-31   last 2026-11-20\n"
        "  Difference Engine pilot          won           4,500 GBP  closed 2026-09-24  last 2026-09-24\n"
    ) in text
    assert "2026-09-24 email — Signed order form  (deal: Difference Engine pilot)" in text
    assert "Deals" not in run(invoke, vault, "show", "jose").stdout  # no deal names him: no section


def test_a_deal_logged_shows_on_its_contacts_and_an_organisation_named_by_name_counts(vault: Path, invoke) -> None:
    ok(run(invoke, vault, "deal", "log", "renewal", "call", "Second seat", "-m", "Agreed on the second seat."))
    (vault / "deals" / "lens-upgrade.md").write_text(
        "---\nname: Lens upgrade\ncompany: Analytical Engines\namount: 900\nstage: qualified\n"
        "close: 2026-12-01\n---\n", encoding="utf-8")

    ada = run(invoke, vault, "show", "ada", "--limit", "3").stdout
    org = run(invoke, vault, "show", "analytical-engines").stdout

    assert ada.endswith(
        "Interactions (6, 2 on deals), newest 3\n"
        "  2026-12-09 meeting — Demo at their office  (upcoming)\n"
        "      Demo of the new research tier for Ada and two of her team.\n"
        "  2026-11-23 call — Second seat ✓  (deal: Analytical Engines renewal 2027)\n"
        "      Agreed on the second seat.\n"
        "  2026-11-20 call — Renewal\n"
        "      Talked about the Q1 renewal; she wants a demo first.\n"
    )
    assert "last 2026-11-23" in ada and "Lens upgrade" not in ada
    assert "  Lens upgrade                     qualified        900 EUR  close 2026-12-01\n" in org


def test_show_as_json_gives_the_deals_and_their_interactions(vault: Path, invoke) -> None:
    data = json.loads(run(invoke, vault, "show", "zoe", "--format", "json").stdout)

    assert [d["handle"] for d in data["deals"]] == ["brandt-maschinenbau-plant-rollout", "brandt-maschinenbau-training"]
    plant = data["deals"][0]
    assert (plant["stage"], plant["amount"], plant["currency"], plant["close"]) == ("negotiation", "48000", "EUR",
                                                                                    "2026-11-15")
    assert (plant["overdue"], plant["last_interaction"]) == (True, "2026-11-04")
    assert data["deals"][1]["overdue"] is False and data["deals"][1]["last_interaction"] is None
    assert data["deal_interactions"] == [{
        "deal": "brandt-maschinenbau-plant-rollout", "deal_name": "Brandt plant rollout", "date": "2026-11-04",
        "time": None, "kind": "meeting", "summary": "Procurement review",
        "text": "Legal is reading the SLA; decision expected mid-November.",
    }]
    assert len(data["interactions"]) == 5  # its own, as before
    jose = json.loads(run(invoke, vault, "show", "jose", "--format", "json").stdout)
    assert jose["deals"] == [] and jose["deal_interactions"] == []


# contacts agenda and remind


def test_agenda_lists_overdue_deals_and_deals_closing_in_its_days(vault: Path, invoke) -> None:
    text = run(invoke, vault, "agenda", "--days", "30").stdout

    assert text.endswith(
        "\nOverdue deals (1)\n"
        "  2026-11-15  8 days overdue  Brandt plant rollout  negotiation  48,000 EUR\n"
        "\nDeals closing (1)\n"
        "  2026-12-18  in 25 days  Nordlys fleet tracking  proposal  310,000 NOK\n"
    )
    assert "Deals closing" not in run(invoke, vault, "agenda").stdout  # 18 December is after 14 days
    assert "deals" not in run(invoke, vault, "agenda", "--days", "30", "--owner", "alice").stdout.lower()
    data = json.loads(run(invoke, vault, "agenda", "--days", "30", "--format", "json", "--owner", "chen").stdout)
    assert data["overdue_deals"] == []
    assert [(d["handle"], d["when"], d["overdue"]) for d in data["deals_closing"]] == [
        ("nordlys-fisk-fleet-tracking", "in 25 days", False)]


def test_a_deal_won_or_lost_is_off_the_agenda(vault: Path, invoke) -> None:
    ok(run(invoke, vault, "deal", "won", "plant"))
    ok(run(invoke, vault, "deal", "lost", "nordlys-fisk-fleet-tracking", "--reason", "budget"))

    assert "deals" not in run(invoke, vault, "agenda", "--days", "30").stdout.lower()
    assert "Deal" not in run(invoke, vault, "remind", "--days", "30").stdout


def test_remind_names_deals_and_they_count_for_its_exit_code(empty_vault: Path, invoke) -> None:
    ok(run(invoke, empty_vault, "deal", "add", "Acme pilot", "--amount", "5000", "--close", "tomorrow",
           "--owner", "alice"))
    ok(run(invoke, empty_vault, "deal", "add", "Old offer", "--close", "2026-11-01", "--stage", "proposal"))

    result = run(invoke, empty_vault, "remind", "--exit-code")

    assert result.exit_code == 1
    assert result.stdout == ("Deal overdue since 2026-11-01: Old offer (proposal)\n"
                             "Deal closes tomorrow: Acme pilot (qualified, 5,000 EUR)\n")
    assert run(invoke, empty_vault, "remind", "--owner", "alice").stdout == \
        "Deal closes tomorrow: Acme pilot (qualified, 5,000 EUR)\n"
    assert run(invoke, empty_vault, "remind", "--days", "0", "--owner", "alice", "--exit-code").exit_code == 0
    ok(run(invoke, empty_vault, "deal", "won", "acme"))
    ok(run(invoke, empty_vault, "deal", "set", "old", "close", "+1w"))
    quiet = run(invoke, empty_vault, "remind", "--exit-code")
    assert (quiet.exit_code, quiet.stdout) == (0, "")


# contacts mv, merge and rm


def test_mv_of_a_person_rewrites_the_deals_that_name_it_in_the_same_commit(vault: Path, invoke) -> None:
    before = (vault / PLANT).read_text(encoding="utf-8")

    ok(run(invoke, vault, "mv", "zoe", "Zoe Mueller"))

    assert head_message(vault) == "Rename Zoë Müller to Zoe Mueller"
    stat = git(vault, "show", "--stat", "--format=", "HEAD")
    assert PLANT in stat and TRAINING in stat and "3 files changed" in stat
    after = (vault / PLANT).read_text(encoding="utf-8")
    assert after == before.replace("contacts: [dieter-brandt, zoe-muller]", "contacts: [dieter-brandt, zoe-mueller]")
    assert "contacts: [zoe-mueller]" in (vault / TRAINING).read_text(encoding="utf-8")
    assert git(vault, "status", "--porcelain") == ""
    assert "Brandt plant rollout" in run(invoke, vault, "show", "zoe-mueller").stdout


def test_mv_of_an_organisation_rewrites_company_by_handle_and_by_name(vault: Path, invoke) -> None:
    (vault / "deals" / "by-name.md").write_text(
        "---\nname: By name\ncompany: Brandt Maschinenbau\nstage: qualified\n---\n", encoding="utf-8")
    commit_all(vault, "A deal naming its company by name")

    ok(run(invoke, vault, "mv", "brandt-maschinenbau", "Brandt Maschinenbau GmbH"))

    assert {PLANT, TRAINING, "deals/by-name.md"} <= set(head_files(vault))
    assert "company: brandt-maschinenbau-gmbh\n" in (vault / PLANT).read_text(encoding="utf-8")
    assert "company: Brandt Maschinenbau GmbH\n" in (vault / "deals" / "by-name.md").read_text(encoding="utf-8")
    assert "By name" in run(invoke, vault, "show", "brandt-maschinenbau-gmbh").stdout


def test_merge_rewrites_the_deals_of_the_merged_contacts_once_each(vault: Path, invoke) -> None:
    commits = commit_count(vault)

    ok(run(invoke, vault, "merge", "ada", "charles", "--prefer", "keep"))

    assert commit_count(vault) == commits + 1
    assert RENEWAL in head_files(vault)
    assert "contacts: [ada-lovelace]\n" in (vault / RENEWAL).read_text(encoding="utf-8")
    assert "amount: 12000.10\n" in (vault / RENEWAL).read_text(encoding="utf-8")  # the rest as it was


def test_rm_of_a_contact_with_open_deals_names_them_in_the_question(vault: Path, invoke) -> None:
    commits = commit_count(vault)

    result = run(invoke, vault, "rm", "zoe", input="n\n")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("Remove Zoë Müller (zoe-muller)? It has 2 open deals: Brandt plant rollout, Brandt operator training. "
            "[y/N]") in result.stderr
    assert (vault / "contacts" / "zoe-muller.md").exists() and commit_count(vault) == commits
    ok(run(invoke, vault, "rm", "zoe", "--yes"))
    assert not (vault / "contacts" / "zoe-muller.md").exists()
    assert (vault / PLANT).exists()  # the deals stay


def test_rm_of_an_organisation_counts_the_deals_of_its_company(vault: Path, invoke) -> None:
    result = run(invoke, vault, "rm", "brandt-maschinenbau", input="n\n")
    assert "It has 2 open deals: Brandt plant rollout, Brandt operator training." in result.stderr
    nordlys = run(invoke, vault, "rm", "nordlys-fisk", input="n\n").stderr
    assert "It has 1 open deal: Nordlys fleet tracking." in nordlys  # the other is won
    # Priya's only deal is won: the question is the usual one, answered on standard input
    priya = run(invoke, vault, "rm", "priya", input="y\n")
    ok(priya)
    assert "Remove Priya Raman (priya-raman)? [y/N]" in priya.stderr
    assert head_message(vault) == "Remove Priya Raman"


def test_rm_on_a_terminal_asks_naming_the_open_deals(vault: Path) -> None:
    status, output = on_a_terminal(vault, "n", "--today", TODAY, "rm", "dieter")

    assert status == 1
    assert "Remove Dieter Brandt (dieter-brandt)? It has 1 open deal: Brandt plant rollout. [y/N]" in output
    assert (vault / "contacts" / "dieter-brandt.md").exists()
    status, output = on_a_terminal(vault, "y", "--today", TODAY, "rm", "dieter")
    assert status == 0, output
    assert head_message(vault) == "Remove Dieter Brandt"


# Queries, segments and scores


def test_deal_stage_finds_the_contacts_and_organisations_its_deals_name(vault: Path, invoke) -> None:
    assert handles(invoke, vault, "deal_stage:negotiation") == NEGOTIATING
    assert handles(invoke, vault, "deal_stage:Negotiation kind:person") == NEGOTIATING - {
        "brandt-maschinenbau", "potomac-capital"}
    assert handles(invoke, vault, "deal_stage:lost") == {
        "camille-laurent", "francois-dupont", "lumiere-medias", "ciaran-byrne", "liffey-learning", "rachel-okafor",
        "potomac-capital"}
    # a deal's stage moves: the next query sees it, though no contact file changed
    ok(run(invoke, vault, "deal", "move", "training", "negotiation"))
    ok(run(invoke, vault, "deal", "won", "plant"))
    assert handles(invoke, vault, "deal_stage:negotiation") == NEGOTIATING - {"dieter-brandt"}


def test_has_open_deal_yes_and_no_split_the_vault(vault: Path, invoke) -> None:
    everyone = handles(invoke, vault, "*")
    with_one = handles(invoke, vault, "has_open_deal:yes")

    assert {"ada-lovelace", "analytical-engines", "zoe-muller", "ingrid-halvorsen"} <= with_one
    assert not {"priya-raman", "liffey-learning", "jose-alvarez"} & with_one  # won, lost, none
    assert handles(invoke, vault, "has_open_deal:no") == everyone - with_one
    assert handles(invoke, vault, "has_open_deal:false kind:organization") == {"liffey-learning", "lumiere-medias"}
    assert handles(invoke, vault, "has_open_deal:true AND tag:vip") == with_one & handles(invoke, vault, "tag:vip")


def test_deal_clauses_that_do_not_read_are_one_line_errors(vault: Path, invoke) -> None:
    one_line_error(run(invoke, vault, "search", "deal_stage:closing"),
                   "deal_stage: wants a stage of vault.yaml's pipeline (qualified, proposal, negotiation, won, lost)")
    one_line_error(run(invoke, vault, "search", "has_open_deal:maybe"), "has_open_deal: wants yes or no")
    one_line_error(run(invoke, vault, "list", "deal_stage:(won OR lost)"), "takes one value per clause")
    assert "deal_stage:" in run(invoke, vault, "search", "--help").stdout


def test_a_segment_and_a_bulk_query_use_the_deal_clauses(vault: Path, invoke) -> None:
    ok(run(invoke, vault, "segment", "save", "negotiating", "deal_stage:negotiation AND has_open_deal:yes"))

    listed = run(invoke, vault, "list", "@negotiating", "--format", "paths")
    ok(listed)
    assert {Path(p).stem for p in listed.stdout.split()} == NEGOTIATING
    ok(run(invoke, vault, "tag", "--query", "@negotiating", "+closing"))
    assert handles(invoke, vault, "tag:closing") == NEGOTIATING
    one_line_error(run(invoke, vault, "segment", "save", "bad", "deal_stage:nope"), "deal_stage:")


def test_deal_scoring_rules_are_explained_and_searched(vault: Path, invoke) -> None:
    add_rules(vault, "  - {deal_stage: negotiation, points: 20}\n  - {open_deal: true, points: 7}\n")

    dieter = run(invoke, vault, "show", "dieter").stdout
    org = run(invoke, vault, "show", "brandt-maschinenbau", "--format", "json").stdout

    assert "  +20  deal stage negotiation (Brandt plant rollout)\n" in dieter
    assert "   +7  an open deal (Brandt plant rollout)\n" in dieter
    reasons = [line["reason"] for line in json.loads(org)["score"]["lines"]]
    assert "deal stage negotiation (Brandt plant rollout)" in reasons
    assert "2 open deals (Brandt plant rollout, Brandt operator training)" in reasons
    rows = json.loads(run(invoke, vault, "search", "--format", "json", "--sort", "score", "tag:vip").stdout)
    scores = {row["handle"]: row["score"] for row in rows}
    total = json.loads(run(invoke, vault, "show", "dieter", "--format", "json").stdout)["score"]["total"]
    assert scores["dieter-brandt"] == total
    assert "dieter-brandt" in handles(invoke, vault, f"score:>={total}")
    assert "dieter-brandt" not in handles(invoke, vault, f"score:>{total}")
    ok(run(invoke, vault, "deal", "won", "plant"))  # no longer at negotiation, no longer open
    assert "dieter-brandt" not in handles(invoke, vault, f"score:>={total - 26}")


def test_a_deal_rule_naming_no_stage_of_the_pipeline_is_an_error_naming_the_rule(vault: Path, invoke) -> None:
    add_rules(vault, "  - {deal_stage: closing, points: 5}\n")

    result = run(invoke, vault, "search", "score:>10")

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "scoring rule 9" in result.stderr and "'closing' is not one of the deal stages of the pipeline" \
        in result.stderr
    shown = run(invoke, vault, "show", "ada")
    ok(shown)
    assert "warning: vault.yaml: scoring rule 9" in shown.stderr and "Score" not in shown.stdout
