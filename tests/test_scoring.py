"""Lead scoring: vault.yaml's `scoring:` rules, the facts a score needs, and `show` explaining it."""
from __future__ import annotations

import datetime as dt
import json
import marshal
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault_tool.errors import ParseError, VaultError
from vault_tool.format.config import parse_config
from vault_tool.format.contact import parse
from vault_tool.search.scoring import Facts, facts_of, rules_from_config, score

TODAY = dt.date(2026, 11, 23)


def contact(text: str):
    return parse(Path("contacts/x.md"), textwrap.dedent(text).encode())


def rules(yaml_text: str):
    return rules_from_config(parse_config(Path("vault.yaml"), textwrap.dedent(yaml_text)))


GRACE = contact("""\
    ---
    name: Grace Hopper
    kind: person
    tags: [vip, navy]
    stage: prospect
    owner: alice
    employees: 1200
    industry: Computing
    active: true
    country: NO
    emails: [grace@navy.example]
    links: {github: https://github.com/grace}
    ---
    Notes.

    - [ ] Send the COBOL spec due:2026-11-20
    - [ ] Book a visit due:2026-10-01
    - [ ] Undated follow-up
    - [x] Old thing due:2026-01-01 done:2026-01-02

    ## 2026-07-01 call — Old
    ## 2026-10-30 email — Within 30 days
    ## 2026-11-22 call — Yesterday
    ## 2026-12-01 meeting — Upcoming visit
    """)


def test_facts_of_a_contact() -> None:
    facts = facts_of(GRACE)
    assert facts.tags == ["vip", "navy"]
    assert (facts.stage, facts.owner, facts.kind) == ("prospect", "alice", "person")
    # every scalar front-matter field, as text; lists and mappings are left out
    assert facts.fields == {
        "name": "Grace Hopper", "kind": "person", "stage": "prospect", "owner": "alice",
        "employees": "1200", "industry": "Computing", "active": "true", "country": "NO",
    }
    assert facts.interactions == ["2026-07-01", "2026-10-30", "2026-11-22", "2026-12-01"]
    assert facts.open_task_dues == ["2026-10-01", "2026-11-20"]  # open tasks with a due date only


def test_facts_round_trip_through_the_index_column() -> None:
    facts = facts_of(GRACE)
    data = marshal.dumps(facts.to_data())
    assert marshal.loads(data)["fields"]["country"] == "NO"
    assert Facts.from_data(marshal.loads(data)) == facts


@given(
    st.builds(
        Facts,
        tags=st.lists(st.text()), stage=st.text(), owner=st.text(), kind=st.sampled_from(["person", "organization"]),
        fields=st.dictionaries(st.text(), st.text()),
        interactions=st.lists(st.dates().map(dt.date.isoformat)),
        open_task_dues=st.lists(st.dates().map(dt.date.isoformat)),
    )
)
def test_any_facts_round_trip_through_the_index_column(facts: Facts) -> None:
    assert Facts.from_data(marshal.loads(marshal.dumps(facts.to_data()))) == facts


EVERY_RULE = """\
    scoring:
      - {tag: vip, points: 20}
      - {tag: [press, NAVY], points: 3}
      - {tag: press, points: 100}
      - {stage: prospect, points: 15}
      - {stage: [lead, customer], points: 100}
      - {owner: alice, points: 1}
      - {kind: organization, points: 100}
      - {field: industry, value: computing, points: 7}
      - {field: industry, value: [retail, finance], points: 100}
      - {field: employees, min: 1000, points: 10}
      - {field: employees, min: 100, max: 500, points: 100}
      - {field: country, points: 2, label: Has a country}
      - {field: shoe_size, points: 100}
      - {interactions: 30d, points: 5}
      - {interactions: 30d, at_least: 3, points: 100}
      - {interactions: 6m, at_least: 3, points: 4}
      - {silent: 90d, points: 100}
      - {silent: 2w, points: 100}
      - {appointment: 14d, points: 6}
      - {appointment: 3d, points: 100}
      - {overdue_task: true, points: -10}
    """


def test_every_kind_of_rule_on_a_known_contact() -> None:
    result = score(facts_of(GRACE), rules(EVERY_RULE), TODAY)
    assert result.lines == [
        (20, "tag vip"),
        (3, "tag navy"),
        (15, "stage prospect"),
        (1, "owner alice"),
        (7, "industry: Computing"),
        (10, "employees 1200 (≥ 1000)"),
        (2, "Has a country (country is set)"),
        (5, "2 interactions in the last 30 days"),
        (4, "3 interactions in the last 6 months"),
        (6, "appointment on 2026-12-01 (within 14 days)"),
        (-10, "2 overdue tasks (due 2026-10-01)"),
    ]
    assert result.total == 20 + 3 + 15 + 1 + 7 + 10 + 2 + 5 + 4 + 6 - 10


def test_windows_include_their_first_day_and_today() -> None:
    facts = Facts(interactions=["2026-10-24", "2026-11-23"])
    ruleset = rules("scoring: [{interactions: 30d, at_least: 2, points: 1}, {silent: 30d, points: 5}]")
    assert score(facts, ruleset, TODAY).lines == [(1, "2 interactions in the last 30 days")]
    # a day later the first one has left the window; the second keeps the contact from going silent
    assert score(facts, ruleset, TODAY + dt.timedelta(days=1)).total == 0
    assert score(facts, ruleset, TODAY + dt.timedelta(days=31)).lines == [
        (5, "no interaction in the last 30 days (last 2026-11-23)")
    ]


def test_silence_counts_past_interactions_only() -> None:
    ruleset = rules("scoring: [{silent: 90d, points: -20}]")
    assert score(Facts(interactions=["2026-12-24"]), ruleset, TODAY).lines == [
        (-20, "no interaction in the last 90 days (never)")
    ]
    assert score(Facts(), ruleset, TODAY).total == -20


def test_an_appointment_is_after_today_and_a_task_is_overdue_the_day_after_it_was_due() -> None:
    ruleset = rules("scoring: [{appointment: 7d, points: 10}, {overdue_task: true, points: -5}]")
    today_only = Facts(interactions=[TODAY.isoformat()], open_task_dues=[TODAY.isoformat()])
    assert score(today_only, ruleset, TODAY).lines == []
    assert score(Facts(interactions=["2026-11-30"], open_task_dues=["2026-11-22"]), ruleset, TODAY).lines == [
        (10, "appointment on 2026-11-30 (within 7 days)"), (-5, "an overdue task (due 2026-11-22)"),
    ]


def test_no_rules_no_points() -> None:
    assert rules("version: 1\n") == []
    assert score(facts_of(GRACE), [], TODAY).total == 0


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{tag: vip}", "'points' must be a whole number"),
        ("{tag: vip, points: lots}", "'points' must be a whole number"),
        ("{tag: vip, points: 2.5}", "'points' must be a whole number"),
        ("{points: 5}", "name exactly one condition"),
        ("{tag: vip, stage: lead, points: 5}", "name exactly one condition"),
        ("{tag: vip, points: 5, colour: red}", "unknown key colour"),
        ("{stage: won, points: 5}", "'won' is not one of the stages (lead, prospect, customer, churned)"),
        ("{kind: robot, points: 5}", "'kind' must be person or organization"),
        ("{tag: [], points: 5}", "'tag' must be a name or a list of names"),
        ("{field: employees, min: many, points: 5}", "'min' and 'max' must be numbers"),
        ("{field: employees, value: 5, min: 1, points: 5}", "give 'value' or 'min'/'max', not both"),
        ("{interactions: soon, points: 5}", "'interactions' must be a duration like 30d"),
        ("{interactions: 30d, at_least: 0, points: 5}", "'at_least' must be a whole number of 1 or more"),
        ("{overdue_task: yes, points: 5}", "write overdue_task: true"),
        ("just words", "a rule is a mapping"),
    ],
)
def test_a_wrong_rule_is_a_clear_error_naming_vault_yaml_and_the_rule(rule: str, message: str) -> None:
    with pytest.raises(VaultError) as caught:
        rules(f"scoring:\n  - {{tag: ok, points: 1}}\n  - {rule}\n")
    assert str(caught.value).startswith("vault.yaml: scoring rule 2 ")
    assert message in str(caught.value)


def test_scoring_that_is_not_a_list_does_not_load() -> None:
    with pytest.raises(ParseError, match="'scoring' must be a list of rules"):
        parse_config(Path("vault.yaml"), "scoring: {tag: vip}\n")


# `contacts show` explains the score


SCORED_VAULT = """\
scoring:
  - {tag: vip, points: 20}
  - {interactions: 30d, points: 15}
  - {overdue_task: true, points: -10, label: Dropped ball}
"""


@pytest.fixture
def scored_vault(empty_vault: Path, invoke) -> Path:
    with (empty_vault / "vault.yaml").open("a", encoding="utf-8") as handle:
        handle.write(SCORED_VAULT)
    assert invoke("-C", empty_vault, "add", "Ada Lovelace", "--tag", "vip").exit_code == 0
    path = empty_vault / "contacts" / "ada-lovelace.md"
    path.write_text(path.read_text() + "\n- [ ] Notes due:2026-11-01\n\n## 2026-11-20 call — Renewal\n")
    return empty_vault


def test_show_explains_the_score_line_by_line(scored_vault: Path, invoke) -> None:
    result = invoke("-C", scored_vault, "--today", "2026-11-23", "show", "ada")
    assert result.exit_code == 0, result.output
    assert "\nScore 25\n  +20  tag vip\n  +15  an interaction in the last 30 days\n" \
           "  -10  Dropped ball (an overdue task (due 2026-11-01))\n" in result.output


def test_show_json_has_the_score(scored_vault: Path, invoke) -> None:
    result = invoke("-C", scored_vault, "--today", "2026-12-30", "show", "ada", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == {
        "total": 10, "lines": [
            {"points": 20, "reason": "tag vip"},
            {"points": -10, "reason": "Dropped ball (an overdue task (due 2026-11-01))"},
        ],
    }


def test_show_has_no_score_without_rules(empty_vault: Path, invoke) -> None:
    assert invoke("-C", empty_vault, "add", "Ada Lovelace", "--tag", "vip").exit_code == 0
    result = invoke("-C", empty_vault, "show", "ada")
    assert result.exit_code == 0 and "Score" not in result.output
    assert "score" not in json.loads(invoke("-C", empty_vault, "show", "ada", "--format", "json").stdout)


def test_show_still_shows_the_contact_when_a_rule_is_wrong(scored_vault: Path, invoke) -> None:
    with (scored_vault / "vault.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - {tag: vip}\n")
    result = invoke("-C", scored_vault, "show", "ada")
    assert result.exit_code == 0
    assert "Ada Lovelace  (ada-lovelace)" in result.stdout and "Score" not in result.stdout
    assert "warning: vault.yaml: scoring rule 4 " in result.stderr
    assert "'points' must be a whole number" in result.stderr
