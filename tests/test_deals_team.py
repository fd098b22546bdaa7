"""The team side of deals: `check` of deal files, the merge driver and `sync` on them, CODEOWNERS and history.

Deal files are written by hand beside the example's good ones (as a person in an editor would),
and merged through real git: two clones of a bare remote, each with its own identity. Nothing
is mocked.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git
from teamclones import TODAY, Clone, alice, bob, elsewhere, remote  # noqa: F401 - fixtures

from vault_tool.format.deal import parse_deal
from vault_tool.team.mergedriver import CONTACT, DEAL, merge_contact, shape_of
from vault_tool.team.owners import BEGIN, END

RENEWAL = "deals/analytical-engines-renewal-2027.md"
ROLLOUT = "deals/brandt-maschinenbau-plant-rollout.md"


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def deal_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("deals/")]


def values(clone: Clone, rel: str) -> dict[str, object]:
    """A deal's front matter as `contacts deal` reads it (a date is text, however it is quoted)."""
    return parse_deal(clone.root / rel, (clone.root / rel).read_bytes()).record.meta


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def here(vault: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example vault (committed), as the working folder: check prints paths relative to it."""
    monkeypatch.chdir(vault)
    return vault


BAD_VALUES = """\
---
name: Bad values
contacts: [priya-raman, nobody-here]
company: analytical-engine
amount: 12k
currency: eur
stage: pitching
close: 31/01/2027
created: 2026-02-30
probability: 150
owner: dave
tags: [big deal]
---
Hand-written.

## 2026-13-01 call — Kick-off
"""


# contacts check


def test_check_reports_each_bad_value_of_a_deal_with_its_line(here: Path, invoke) -> None:
    write(here, "deals/bad-values.md", BAD_VALUES)

    result = invoke("check")

    assert result.exit_code == 1
    assert deal_lines(result.stdout) == [
        "deals/bad-values.md:3: error: contact 'nobody-here' is no contact's handle: correct it (contacts list "
        "shows the handles) or remove it from contacts:",
        "deals/bad-values.md:4: warning: company 'analytical-engine' is written like a handle, but no organisation "
        "has it: write an organisation's handle (contacts list shows them), or the company's name as it is spelt",
        "deals/bad-values.md:5: error: amount must be a number such as 12000 or 12000.50, not '12k'",
        "deals/bad-values.md:6: error: currency 'eur' is not an ISO 4217 currency code: write EUR",
        "deals/bad-values.md:7: error: stage 'pitching' is not in vault.yaml's pipeline (qualified, proposal, "
        "negotiation, won, lost)",
        "deals/bad-values.md:8: error: close must be a date YYYY-MM-DD, not '31/01/2027'",
        "deals/bad-values.md:9: error: created: '2026-02-30' is not a date (month 01–12, a day that exists)",
        "deals/bad-values.md:10: error: probability must be a whole percent from 0 to 100, not '150'",
        "deals/bad-values.md:11: warning: owner 'dave' is not in vault.yaml's owners (alice, bob, chen): "
        "CODEOWNERS cannot name them",
        "deals/bad-values.md:12: warning: tag 'big deal' has a space or comma: use one word, e.g. 'big-deal'",
        "deals/bad-values.md:16: error: '2026-13-01' is not a date (month 01–12, a day that exists)",
    ]
    assert result.stderr == "25 contact files and 13 deal files checked: 8 errors, 5 warnings\n"  # the contacts' 2 warnings too


def test_a_deal_that_does_not_parse_is_one_error_and_the_others_are_still_checked(here: Path, invoke) -> None:
    write(here, "deals/broken-yaml.md", "---\nname: Broken\namount: [1\nstage: won\n---\n")
    write(here, "deals/no-name.md", "---\nstage: proposal\namount: 100\n---\nNotes.\n")
    write(here, "deals/no-front-matter.md", "Just text, no front matter.\n")
    (here / "deals/latin1.md").write_bytes("---\nname: Caf\xe9\n---\n".encode("latin-1"))
    write(here, "deals/negative.md", "---\nname: Negative\nstage: proposal\namount: -5\n---\n")

    result = invoke("check")

    assert result.exit_code == 1
    lines = deal_lines(result.stdout)
    assert [line.split(": error: ")[0] for line in lines] == [
        "deals/broken-yaml.md:4", "deals/latin1.md:2", "deals/negative.md:4", "deals/no-front-matter.md:1",
        "deals/no-name.md:2",
    ]
    assert lines[0].startswith("deals/broken-yaml.md:4: error: invalid YAML")
    assert lines[1] == "deals/latin1.md:2: error: not valid UTF-8 (byte 0xe9): save the file as UTF-8"
    assert lines[2] == "deals/negative.md:4: error: amount -5 is negative: an amount is 0 or more"
    assert lines[4] == "deals/no-name.md:2: error: 'name' is missing: every deal needs a name"
    assert all(line.count("\n") == 0 and "Traceback" not in line for line in lines)
    assert "Traceback" not in result.output


def test_the_example_deals_have_no_problems(example_copy: Path, invoke) -> None:
    result = invoke("-C", example_copy, "check")
    ok(result)
    assert "deals/" not in result.stdout


def test_a_closed_date_goes_with_a_won_or_lost_stage(here: Path, invoke) -> None:
    write(here, "deals/closed-but-open.md",
          "---\nname: Closed but open\nstage: proposal\nclosed: 2026-10-01\n---\n")
    write(here, "deals/won-without-date.md", "---\nname: Won without date\nstage: won\nclose: 2207-01-31\n---\n")
    write(here, "deals/no-stage.md", "---\nname: No stage\namount: 10\n---\n")

    result = invoke("check")

    ok(result)  # warnings only: exit 0
    assert deal_lines(result.stdout) == [
        "deals/closed-but-open.md:4: warning: closed 2026-10-01 on the open stage 'proposal': move the deal to a won "
        "or lost stage (contacts deal won/lost), or remove closed",
        "deals/no-stage.md:2: warning: the deal has no stage: add one of vault.yaml's pipeline (qualified, "
        "proposal, negotiation, won, lost)",
        "deals/won-without-date.md:3: warning: stage 'won' closes the deal as won, but it has no closed date: add "
        "closed: YYYY-MM-DD",
        "deals/won-without-date.md:4: warning: close 2207-01-31 is more than 10 years ahead: a typo?",
    ]
    strict = invoke("check", "--strict", "deals/won-without-date.md")
    assert strict.exit_code == 1
    assert strict.stdout.count(": error: ") == 2 and "contacts/" not in strict.stdout


def test_a_stage_written_as_a_number_or_a_list_is_an_error(here: Path, invoke) -> None:
    write(here, "deals/number.md", "---\nname: Number\nstage: 3\n---\n")
    write(here, "deals/listed.md", "---\nname: Listed\nstage: [won]\ncurrency: [EUR]\n---\n")
    result = invoke("check", "deals/number.md", "deals/listed.md")
    assert result.exit_code == 1
    assert result.stdout == (
        "deals/listed.md:3: error: stage must be text, not a list\n"
        "deals/listed.md:4: error: currency must be text, not a list\n"
        "deals/number.md:3: error: stage '3' is not in vault.yaml's pipeline (qualified, proposal, negotiation, "
        "won, lost)\n"
    )


def test_contacts_and_company_of_a_deal_are_checked_against_the_vault(here: Path, invoke) -> None:
    write(here, "deals/people.md", "---\nname: People\nstage: proposal\ncompany: ada-lovelace\n"
          "contacts:\n  - ada-lovelace\n  - Ada Lovelace\n---\n")
    write(here, "deals/plain-company.md", "---\nname: Plain\nstage: proposal\ncompany: Some Firm Ltd\n"
          "contacts: charles-babbage\n---\n")
    write(here, "deals/lower-name.md", "---\nname: Lower\nstage: proposal\ncompany: ibm\n---\n")

    result = invoke("check")

    assert result.exit_code == 1
    assert deal_lines(result.stdout) == [
        "deals/people.md:4: warning: company 'ada-lovelace' is the handle of a person, not an organisation: write "
        "the organisation's handle, or the company's name",
        "deals/people.md:7: error: contact 'Ada Lovelace' is no contact's handle: correct it (contacts list shows "
        "the handles) or remove it from contacts:",
    ]


def test_a_contact_removed_by_hand_leaves_an_error_in_its_deals(here: Path, invoke) -> None:
    ok(invoke("check"))
    git(here, "rm", "-q", "contacts/priya-raman.md")
    git(here, "commit", "-q", "-m", "Remove Priya by hand")

    result = invoke("check")

    assert result.exit_code == 1
    assert deal_lines(result.stdout) == [
        "deals/analytical-engines-difference-engine-pilot.md:3: error: contact 'priya-raman' is no contact's "
        "handle: correct it (contacts list shows the handles) or remove it from contacts:",
    ]


def test_deal_problems_are_found_when_the_contacts_are_unchanged(here: Path, invoke) -> None:
    """The contacts' results are kept between checks (kept.py); a deal file that changed is read again."""
    assert deal_lines(invoke("check").stdout) == []
    assert deal_lines(invoke("check").stdout) == []  # the contacts from the summary of the last check
    rollout = here / ROLLOUT
    rollout.write_text(rollout.read_text().replace("amount: 48000", "amount: 48.000,00"))

    result = invoke("check")

    assert result.exit_code == 1
    assert deal_lines(result.stdout) == [
        f"{ROLLOUT}:5: error: amount must be a number such as 12000 or 12000.50, not '48.000,00'",
    ]
    assert result.stderr == "25 contact files and 12 deal files checked: 1 error, 2 warnings\n"


def aged(root: Path) -> None:
    """Every contact and deal file an hour old: old enough to trust its stat (kept.py)."""
    hour_ago = os.path.getmtime(root / "vault.yaml") - 3600
    for path in [*root.glob("contacts/*.md"), *root.glob("deals/*.md")]:
        os.utime(path, (hour_ago, hour_ago))


def test_an_unchanged_deals_check_reads_no_deal_file(here: Path, invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    aged(here)
    first = invoke("check")
    from vault_tool.team.check import deals

    def unread(path: Path) -> None:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(deals, "read_deal_record", unread)
    again = invoke("check")
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert "12 deal files checked" in again.stderr


def test_a_deals_check_is_made_again_when_what_it_read_changes(here: Path, invoke) -> None:
    aged(here)
    assert deal_lines(invoke("check").stdout) == []
    company = here / "contacts" / "analytical-engines.md"
    company.write_text(company.read_text().replace("kind: organization", "kind: person"))
    result = invoke("check")
    assert f"{RENEWAL}:4: warning: company 'analytical-engines' is the handle of a person" in result.stdout
    company.write_text(company.read_text().replace("kind: person", "kind: organization"))
    aged(here)
    assert deal_lines(invoke("check").stdout) == []
    git(here, "rm", "-q", "contacts/priya-raman.md")
    assert "contact 'priya-raman' is no contact's handle" in invoke("check").stdout


def test_conflict_markers_in_a_deal_are_reported_for_themselves(here: Path, invoke) -> None:
    renewal = here / RENEWAL
    renewal.write_text(renewal.read_text().replace(
        "amount: 12000.10\n", "<<<<<<< yours\namount: 12500\n=======\namount: 13000\n>>>>>>> theirs\n"))

    result = invoke("check", RENEWAL)

    assert result.exit_code == 1
    assert result.stdout == (
        f"{RENEWAL}:5: error: unresolved git conflict (marker '<<<<<<<'): keep the right lines, delete the "
        "markers, then 'git add' the file\n"
    )


def test_json_and_github_formats_name_the_deal_file_and_line(here: Path, invoke) -> None:
    write(here, "deals/bad-values.md", BAD_VALUES)

    data = json.loads(invoke("check", "--format", "json", "deals/bad-values.md").stdout)
    github = invoke("check", "--format", "github", "deals/bad-values.md").stdout.splitlines()

    assert data["errors"] == 8 and data["warnings"] == 3
    assert data["problems"][2] == {
        "path": "deals/bad-values.md", "line": 5, "severity": "error", "check": "fields", "fixable": False,
        "message": "amount must be a number such as 12000 or 12000.50, not '12k'",
    }
    assert github[0].startswith("::error file=deals/bad-values.md,line=3,title=contacts check (deal-contacts)::")
    assert len(github) == 11


def test_two_deal_files_with_one_handle_or_one_uid(here: Path, invoke) -> None:
    renewal = (here / RENEWAL).read_text()
    write(here, "deals/2027/analytical-engines-renewal-2027.md", renewal.replace("uid: 01JDM9S346Q3D25VT4F5V37E3S",
                                                                                 "uid: 01JDM9S346Q3D25VT4F5V37E3T"))
    write(here, "deals/copy.md", renewal.replace("name: Analytical Engines renewal 2027", "name: Copy"))

    lines = deal_lines(invoke("check").stdout)

    assert lines == [
        "deals/2027/analytical-engines-renewal-2027.md:1: error: the deal handle 'analytical-engines-renewal-2027' "
        "is also deals/analytical-engines-renewal-2027.md: rename one (contacts deal mv)",
        "deals/analytical-engines-renewal-2027.md:1: error: the deal handle 'analytical-engines-renewal-2027' "
        "is also deals/2027/analytical-engines-renewal-2027.md: rename one (contacts deal mv)",
        "deals/analytical-engines-renewal-2027.md:12: error: the uid 01JDM9S346Q3D25VT4F5V37E3S is also on "
        "deals/copy.md: a copied file? give one of them a new uid",
        "deals/copy.md:12: error: the uid 01JDM9S346Q3D25VT4F5V37E3S is also on "
        "deals/analytical-engines-renewal-2027.md: a copied file? give one of them a new uid",
    ]


def test_a_symbolic_link_in_deals_is_an_error(here: Path, invoke) -> None:
    os.symlink(here / RENEWAL, here / "deals/linked.md")
    result = invoke("check")
    assert result.exit_code == 1
    assert deal_lines(result.stdout) == [
        "deals/linked.md:1: error: a symbolic link, not followed: keep the file or folder itself in deals/ instead",
    ]


def test_a_vault_without_deals_checks_as_before(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "check")
    ok(result)
    assert result.stdout == "" and result.stderr == "0 contact files checked: no problems\n"


# The merge driver


def test_a_new_vault_routes_deal_files_to_the_merge_driver(here: Path) -> None:
    assert (here / ".gitattributes").read_text() == "contacts/**/*.md merge=vault\ndeals/**/*.md merge=vault\n"
    assert git(here, "check-attr", "merge", "--", RENEWAL).strip() == f"{RENEWAL}: merge: vault"
    assert git(here, "check-attr", "merge", "--", "deals/2027/x.md").strip() == "deals/2027/x.md: merge: vault"


def test_init_in_a_vault_from_before_deals_adds_their_line(tmp_path: Path, remote: Path, alice: Clone) -> None:
    alice.git("rm", "-q", "--cached", ".gitattributes")
    (alice.root / ".gitattributes").write_text("contacts/**/*.md merge=vault\n")
    alice.git("add", ".gitattributes")
    alice.git("commit", "-q", "-m", "A vault from before deals")
    alice.git("push", "-q")
    carol = Clone(tmp_path / "carol", "Carol")
    subprocess.run(["git", "clone", "-q", str(remote), str(carol.root)], check=True)

    result = carol.ok("init", carol.root)

    assert result.stdout == (
        f"{carol.root} is already a vault: registered the vault merge driver in this clone; .gitattributes now "
        "routes deal files to the merge driver too: commit it (git commit .gitattributes)\n"
    )
    assert carol.text(".gitattributes") == "contacts/**/*.md merge=vault\ndeals/**/*.md merge=vault\n"
    assert carol.out("status", "--porcelain") == " M .gitattributes\n"
    assert carol.out("check-attr", "merge", "--", RENEWAL).strip() == f"{RENEWAL}: merge: vault"
    again = carol.ok("init", carol.root)
    assert again.stdout.endswith("local set-up done, nothing else changed\n")


def test_a_vault_whose_gitattributes_is_its_own_is_left_alone(tmp_path: Path, alice: Clone) -> None:
    (alice.root / ".gitattributes").write_text("*.md text\n")
    alice.git("commit", "-q", "-am", "Our own attributes")
    result = alice.ok("init", alice.root)
    assert result.stdout.endswith(", nothing else changed\n")
    assert alice.text(".gitattributes") == "*.md text\n"


def test_two_people_change_one_deal_then_sync(alice: Clone, bob: Clone) -> None:
    alice.ok("deal", "set", "renewal-2027", "amount", "12500")
    alice.ok("deal", "log", "renewal-2027", "call", "Pricing", "-m", "Alice agreed the price.", "--date", TODAY)
    bob.ok("deal", "set", "renewal-2027", "close", "2027-02-28")
    bob.ok("deal", "set", "renewal-2027", "contacts", "ada", "charles", "priya")
    bob.ok("deal", "log", "renewal-2027", "meeting", "Demo", "-m", "Bob ran the demo.", "--date", TODAY)
    bob.ok("deal", "task", "renewal-2027", "Send the contract", "--due", "2026-12-01")

    alice.ok("sync")
    second = bob.ok("sync")
    alice.ok("sync")

    assert second.stdout == (
        "Pulled 2 commits from origin/main\n"
        f"  changed  Analytical Engines renewal 2027 ({RENEWAL}) by Alice\n"
        "Pushed 4 commits to origin/main\n"
    )
    assert alice.text(RENEWAL) == bob.text(RENEWAL)
    text = alice.text(RENEWAL)
    merged = values(alice, RENEWAL)
    assert (merged["amount"], merged["close"]) == (12500, "2027-02-28")
    assert "contacts: [ada-lovelace, charles-babbage, priya-raman]\n" in text
    assert "Alice agreed the price." in text and "Bob ran the demo." in text
    assert "- [ ] Send the contract due:2026-12-01" in text
    assert "<<<<<<<" not in text
    assert alice.out("rev-parse", "HEAD") == bob.out("rev-parse", "HEAD")
    check = alice.contacts("check")
    assert check.exit_code == 0 and "deals/" not in check.stdout


def test_sync_names_the_deals_that_came_in(alice: Clone, bob: Clone) -> None:
    alice.ok("deal", "add", "Engines training", "--contact", "ada", "--company", "analytical-engines",
             "--amount", "2500", "--owner", "alice")
    alice.ok("deal", "rm", "brandt-maschinenbau-training", "--yes")
    alice.ok("sync")

    result = bob.ok("sync")

    assert result.stdout == (
        "Pulled 2 commits from origin/main\n"
        "  added    Engines training (deals/engines-training.md) by Alice\n"
        "  removed  brandt-maschinenbau-training (deals/brandt-maschinenbau-training.md) by Alice\n"
    )
    assert values(bob, "deals/engines-training.md")["amount"] == 2500


def test_one_amount_set_two_ways_is_a_conflict_check_points_at(alice: Clone, bob: Clone) -> None:
    alice.ok("deal", "set", "renewal-2027", "amount", "12500")
    alice.ok("sync")
    bob.ok("deal", "set", "renewal-2027", "amount", "13000")
    bob.ok("deal", "log", "renewal-2027", "note", "Afterwards", "-m", "Bob's note survives.", "--date", TODAY)

    result = bob.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: conflict in {RENEWAL}: both sides changed the same field")
    assert "amount: 13000\n" in bob.text(RENEWAL) and bob.out("status", "--porcelain") == ""

    bob.git("pull", "--rebase", check=False)
    text = bob.text(RENEWAL)
    assert "<<<<<<< upstream\namount: 12500\n=======\namount: 13000\n>>>>>>> yours\n" in text
    assert "Bob's note survives." not in text  # the second commit waits for the rebase to go on
    check = bob.contacts("check", bob.root / RENEWAL)
    assert check.exit_code == 1
    assert check.stdout == (
        f"bob/{RENEWAL}:1: error: git has not merged this file: changed on both sides; keep the right lines "
        "between the conflict markers, then git add it\n"
        f"bob/{RENEWAL}:5: error: unresolved git conflict (marker '<<<<<<<'): keep the right lines, delete the "
        "markers, then 'git add' the file\n"
    )


def test_git_merge_of_deal_tasks_and_a_stage_through_the_driver(alice: Clone, bob: Clone) -> None:
    alice.hand_edit("- [ ] Answer procurement's questions on the SLA due:2026-11-20",
                    "- [x] Answer procurement's questions on the SLA due:2026-11-20 done:2026-11-21",
                    "Tick the SLA task", rel=ROLLOUT)
    alice.git("push", "-q")
    bob.ok("deal", "task", "rollout", "Book the Linz visit", "--due", "2026-12-10")
    bob.ok("deal", "won", "rollout")

    done = bob.git("pull", "-q", "--no-rebase", "--no-edit", check=False)

    assert done.returncode == 0, done.stderr
    text = bob.text(ROLLOUT)
    assert "- [x] Answer procurement's questions on the SLA due:2026-11-20 done:2026-11-21\n" in text
    assert "- [ ] Book the Linz visit due:2026-12-10" in text
    assert (values(bob, ROLLOUT)["stage"], values(bob, ROLLOUT)["closed"]) == ("won", TODAY)


def test_the_driver_reads_deal_amounts_exactly() -> None:
    """Two amounts a float cannot tell apart are two values in a deal: one side's change is not lost."""
    base = "---\nname: Big\namount: 12345678901234567.10\nstage: proposal\n---\n"
    theirs = base.replace(".10", ".11")
    ours = base.replace("stage: proposal", "stage: negotiation")

    merged = merge_contact(base.encode(), ours.encode(), theirs.encode(), path=Path("deals/big.md")).data.decode()

    assert merged == "---\nname: Big\namount: 12345678901234567.11\nstage: negotiation\n---\n"


def test_a_deals_contacts_merge_as_a_list() -> None:
    base = "---\nname: D\ncontacts: ada-lovelace\n---\n"
    ours = "---\nname: D\ncontacts: [ada-lovelace, charles-babbage]\n---\n"
    theirs = "---\nname: D\ncontacts: priya-raman\n---\n"
    result = merge_contact(base.encode(), ours.encode(), theirs.encode(), path=Path("deals/d.md"))
    assert result.conflicts == 0
    assert result.data.decode() == "---\nname: D\ncontacts: [charles-babbage, priya-raman]\n---\n"


def test_which_files_are_deals(tmp_path: Path) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm/vault.yaml").write_text("version: 1\n")
    assert shape_of(Path("crm/deals/x.md"), tmp_path) == DEAL
    assert shape_of(Path("crm/deals/2027/x.md"), tmp_path) == DEAL
    assert shape_of(Path("crm/contacts/deals/x.md"), tmp_path) == CONTACT  # a contact in a folder named deals
    assert shape_of(Path("contacts/deals/x.md"), tmp_path) == CONTACT  # no vault.yaml: the first folder
    assert shape_of(Path("deals/x.md")) == DEAL and shape_of(Path("contacts/x.md")) == CONTACT


# contacts owners --codeowners


def test_codeowners_has_a_rule_for_each_owned_deal(here: Path, invoke) -> None:
    write(here, "deals/unowned.md", "---\nname: Unowned\nstage: proposal\n---\n")
    write(here, "deals/odd-owner.md", "---\nname: Odd owner\nstage: proposal\nowner: dave\n---\n")
    write(here, "deals/broken.md", "---\nname: [Broken\n---\n")
    git(here, "add", "deals")
    git(here, "commit", "-q", "-m", "Three more deals")

    listed = invoke("owners")
    written = invoke("owners", "--codeowners")

    ok(listed)
    assert listed.stdout == (
        "alice        @alice-k                     7 contacts, 4 deals\n"
        "bob          @bobby-tables                8 contacts, 3 deals\n"
        "chen         @chen-wei                    10 contacts, 5 deals\n"
        "dave         (not in vault.yaml owners)   1 deal\n"
        "(no owner)                                1 deal\n"
    )
    ok(written)
    assert "deals/broken.md" in written.stderr and "(skipped)" in written.stderr
    assert "warning: deals/odd-owner.md: owner 'dave' has no host handle in vault.yaml owners: (no rule)" in (
        written.stderr)
    head = git(here, "rev-parse", "--short", "HEAD").strip()
    assert written.stderr.endswith(f"Wrote 37 owner rules to .github/CODEOWNERS (commit {head})\n")
    lines = (here / ".github/CODEOWNERS").read_text().splitlines()
    assert lines[0] == BEGIN and lines[-1] == END and len(lines) == 39
    assert "/contacts/ada-lovelace.md              @alice-k" in lines  # as before deals: aligned on its own
    assert lines[26:28] == [
        "/deals/analytical-engines-difference-engine-pilot.md @alice-k",
        "/deals/analytical-engines-renewal-2027.md            @alice-k",
    ]
    assert "/deals/vistula-health-clinic-pilot.md                @chen-wei" in lines
    up_to_date = invoke("owners", "--codeowners", "--check")
    ok(up_to_date)
    assert up_to_date.stderr.endswith(".github/CODEOWNERS is up to date\n")


def test_a_deal_that_changes_owner_makes_codeowners_out_of_date(here: Path, invoke) -> None:
    ok(invoke("owners", "--codeowners"))
    ok(invoke("deal", "set", "rollout", "owner", "alice"))
    stale = invoke("owners", "--codeowners", "--check")
    assert stale.exit_code == 1 and "out of date" in stale.stderr
    ok(invoke("owners", "--codeowners"))
    assert "/deals/brandt-maschinenbau-plant-rollout.md          @alice-k" in (
        here / ".github/CODEOWNERS").read_text().splitlines()


# contacts history


def test_history_of_a_deals_amount(here: Path, invoke) -> None:
    ok(invoke("deal", "set", "renewal-2027", "amount", "12500"))
    ok(invoke("deal", "set", "renewal-2027", "close", "2027-02-28"))
    ok(invoke("deal", "set", "renewal-2027", "amount", "13000.50"))

    result = invoke("history", "Analytical Engines renewal 2027", "--field", "amount")
    data = json.loads(invoke("history", "renewal-2027", "--field", "amount", "--format", "json").stdout)

    ok(result)
    changes = [line.strip() for line in result.stdout.splitlines() if line.startswith("    ")]
    assert changes == [
        "amount: 12500 → 13000.50", "amount: 12000.10 → 12500", f"added {RENEWAL}", "amount: 12000.10",
    ]
    assert [entry["changes"] for entry in data][:2] == [
        [{"field": "amount", "old": "12500", "new": "13000.50"}],
        [{"field": "amount", "old": "12000.10", "new": "12500"}],
    ]
    assert data[0]["subject"] == "Set amount of Analytical Engines renewal 2027 to 13000.50"


def test_history_prefers_a_contact_and_deal_looks_at_deals_only(here: Path, invoke) -> None:
    ok(invoke("deal", "move", "renewal-2027", "negotiation"))

    company = invoke("history", "Analytical Engines")
    deal = invoke("history", "--deal", "Analytical Engines", "--field", "stage", "--limit", "1")
    ambiguous = invoke("history", "--deal", "brandt")
    missing = invoke("history", "no-such-thing")
    missing_deal = invoke("history", "--deal", "ada")

    ok(company)
    assert "added contacts/analytical-engines.md" in company.stdout and "deals/" not in company.stdout
    assert ambiguous.exit_code != 0
    assert "'brandt' matches 2 deals: brandt-maschinenbau-plant-rollout, brandt-maschinenbau-training" in (
        ambiguous.stderr)
    ok(deal)
    assert deal.stdout.splitlines()[1] == "    stage: proposal → negotiation"
    assert missing.exit_code == 1
    assert missing.stderr == "Error: no contact or deal matches 'no-such-thing': see 'contacts list' and 'contacts deals'\n"
    assert missing_deal.exit_code == 1 and missing_deal.stderr == "Error: no deal matches 'ada': see 'contacts deals'\n"


def test_history_follows_a_deal_through_a_rename_and_its_removal(here: Path, invoke) -> None:
    ok(invoke("deal", "set", "training", "amount", "6500"))
    ok(invoke("deal", "mv", "training", "Brandt operator training 2027"))
    ok(invoke("deal", "rm", "brandt-operator-training-2027", "--yes"))

    result = invoke("history", "brandt-operator-training-2027", "--format", "json")

    ok(result)
    entries = json.loads(result.stdout)
    assert [(e["status"], e["path"]) for e in entries] == [
        ("removed", "deals/brandt-operator-training-2027.md"),
        ("renamed", "deals/brandt-operator-training-2027.md"),
        ("changed", "deals/brandt-maschinenbau-training.md"),
        ("added", "deals/brandt-maschinenbau-training.md"),
    ]
    assert entries[2]["changes"] == [{"field": "amount", "old": "6000", "new": "6500"}]


def test_history_refuses_a_slip_of_a_deal_field(here: Path, invoke) -> None:
    slip = invoke("history", "renewal-2027", "--field", "amout")
    assert slip.exit_code != 0
    assert slip.stderr == "Error: 'amout' is not a field: did you mean 'amount'?\n"
    none = invoke("history", "renewal-2027", "--field", "lost_reason")
    ok(none)
    assert none.stderr == "no commits changed lost_reason\n"
