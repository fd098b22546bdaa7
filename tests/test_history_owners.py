"""`contacts history` (a contact's changes from git) and `contacts owners` (CODEOWNERS from vault.yaml owners:)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import git

from vault_tool.team.owners import BEGIN, END


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def as_person(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    email = f"{name.lower()}@team.example"
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", name)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email)


# history


def test_history_lists_each_change_newest_first(vault: Path, invoke, monkeypatch) -> None:
    as_person(monkeypatch, "Alice")
    ok(invoke("-C", vault, "set", "ada", "stage", "churned"))
    as_person(monkeypatch, "Bob")
    ok(invoke("-C", vault, "log", "ada", "call", "Renewal", "-m", "Wants a demo.", "--date", "2026-11-20"))
    ok(invoke("-C", vault, "tag", "ada", "+vip2", "-vip"))

    result = invoke("-C", vault, "history", "ada")

    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].endswith("Bob <bob@team.example>  Tag Ada Lovelace +vip2 -vip  (%s)"
                             % git(vault, "rev-parse", "--short", "HEAD").strip())
    assert lines[1] == "    tags: customer, mathematics, vip → customer, mathematics, vip2"
    assert lines[2].endswith("Bob <bob@team.example>  Log call with Ada Lovelace  (%s)"
                             % git(vault, "rev-parse", "--short", "HEAD~1").strip())
    assert lines[3] == "    + 2026-11-20 call — Renewal"
    assert lines[4].endswith("Alice <alice@team.example>  Set stage of Ada Lovelace to churned  (%s)"
                             % git(vault, "rev-parse", "--short", "HEAD~2").strip())
    assert lines[5] == "    stage: customer → churned"
    assert "Create contact vault" in lines[6]
    assert lines[7] == "    added contacts/ada-lovelace.md"
    assert lines[8] == "    name: Ada Lovelace"


def test_history_of_one_field(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "phones", "+44 20 7946 0000"))
    ok(invoke("-C", vault, "set", "ada", "stage", "churned"))
    ok(invoke("-C", vault, "set", "ada", "phones", "--add", "+44 7700 900461"))

    result = invoke("-C", vault, "history", "ada", "--field", "phones")

    ok(result)
    changes = [line.strip() for line in result.stdout.splitlines() if line.startswith("    ")]
    assert changes == [
        "phones: +44 20 7946 0000 → +44 20 7946 0000, +44 7700 900461",
        "phones: +44 20 7946 0958 → +44 20 7946 0000",
        "added contacts/ada-lovelace.md",
        "phones: +44 20 7946 0958",
    ]
    none = invoke("-C", vault, "history", "ada", "--field", "shoe_size")
    ok(none)
    assert none.stdout == "" and none.stderr == "no commits changed shoe_size\n"


def test_history_follows_a_rename(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "stage", "churned"))
    ok(invoke("-C", vault, "mv", "ada", "Ada King"))
    result = invoke("-C", vault, "history", "ada-king", "--format", "json")
    ok(result)
    entries = json.loads(result.stdout)
    assert [e["subject"] for e in entries] == [
        "Rename Ada Lovelace to Ada King", "Set stage of Ada Lovelace to churned", "Create contact vault",
    ]
    assert entries[0]["status"] == "renamed" and entries[0]["path"] == "contacts/ada-king.md"
    assert entries[0]["changes"] == [{"field": "name", "old": "Ada Lovelace", "new": "Ada King"}]
    assert entries[1]["path"] == "contacts/ada-lovelace.md"
    assert entries[1]["changes"] == [{"field": "stage", "old": "customer", "new": "churned"}]


def test_history_of_a_removed_contact_by_its_handle(vault: Path, invoke, monkeypatch) -> None:
    as_person(monkeypatch, "Carol")
    ok(invoke("-C", vault, "rm", "wang", "--yes"))
    result = invoke("-C", vault, "history", "wang-fang", "--limit", "1")
    ok(result)
    assert result.stdout.splitlines()[0].endswith("Carol <carol@team.example>  Remove Wang Fang  (%s)"
                                                  % git(vault, "rev-parse", "--short", "HEAD").strip())
    assert result.stdout.splitlines()[1] == "    removed contacts/wang-fang.md"


def test_history_json_names_interactions_and_edits(vault: Path, invoke) -> None:
    ada = vault / "contacts/ada-lovelace.md"
    ada.write_text(ada.read_text().replace("she wants a demo first.", "she wants a demo first, then a trial."))
    git(vault, "commit", "-q", "-am", "Correct the renewal call")
    entry = json.loads(invoke("-C", vault, "history", "ada", "--format", "json", "--limit", "1").stdout)[0]
    assert entry["changes"] == []
    assert entry["interactions_added"] == ["2026-11-20 call — Renewal"]
    assert entry["interactions_removed"] == ["2026-11-20 call — Renewal"]


def test_history_names_a_commit_where_the_file_did_not_parse(vault: Path, invoke) -> None:
    ada = vault / "contacts/ada-lovelace.md"
    good = ada.read_text()
    ada.write_text(good.replace("stage: customer", "stage: [customer"))
    git(vault, "commit", "-q", "-am", "Break it")
    ada.write_text(good)
    git(vault, "commit", "-q", "-am", "Mend it")
    result = invoke("-C", vault, "history", "ada", "--limit", "2")
    ok(result)
    assert "    ! contacts/ada-lovelace.md did not parse at this commit: invalid YAML" in result.stdout


def test_history_outside_git_is_a_one_line_error(example_copy: Path, invoke) -> None:
    result = invoke("-C", example_copy, "history", "ada")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {example_copy}: not in a git repository, so there is no history\n"


def test_history_of_an_uncommitted_contact(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "--no-commit", "add", "Grace Hopper"))
    result = invoke("-C", vault, "history", "grace")
    ok(result)
    assert result.stderr == "no history yet (not committed)\n"


# owners


def test_owners_lists_owners_and_their_handles(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "owners")
    ok(result)
    assert result.stdout == (
        "alice        @alice-k                     7 contacts, 4 deals\n"
        "bob          @bobby-tables                8 contacts, 3 deals\n"
        "chen         @chen-wei                    10 contacts, 5 deals\n"
    )


def test_codeowners_is_written_and_committed(vault: Path, invoke, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    result = invoke("owners", "--codeowners")
    ok(result)
    assert result.stderr == "Wrote 37 owner rules to .github/CODEOWNERS (commit %s)\n" % git(
        vault, "rev-parse", "--short", "HEAD").strip()
    lines = (vault / ".github/CODEOWNERS").read_text().splitlines()
    assert lines[0] == BEGIN and lines[-1] == END
    assert "/contacts/ada-lovelace.md              @alice-k" in lines
    assert "/contacts/zoe-muller.md                @bobby-tables" in lines
    assert git(vault, "log", "-1", "--format=%s").strip() == "Update CODEOWNERS from contact owners"
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == [".github/CODEOWNERS"]

    again = invoke("owners", "--codeowners")
    ok(again)
    assert again.stderr == ".github/CODEOWNERS is up to date (25 contacts, 12 deals)\n"


def test_codeowners_keeps_the_teams_own_rules(vault: Path, invoke) -> None:
    own = vault / "CODEOWNERS"
    own.write_text("# our rules\n*            @team-leads\nvault.yaml   @admins\n")
    ok(invoke("-C", vault, "owners", "--codeowners"))
    text = own.read_text()
    assert text.startswith("# our rules\n*            @team-leads\nvault.yaml   @admins\n\n" + BEGIN + "\n")
    assert not (vault / ".github").exists()
    ok(invoke("-C", vault, "set", "ada", "owner", "bob"))
    ok(invoke("-C", vault, "owners", "--codeowners"))
    updated = own.read_text()
    assert updated.count(BEGIN) == 1 and updated.startswith("# our rules\n")
    assert "/contacts/ada-lovelace.md              @bobby-tables\n" in updated


def test_codeowners_check_for_ci(vault: Path, invoke) -> None:
    stale = invoke("-C", vault, "owners", "--codeowners", "--check")
    assert stale.exit_code == 1
    assert "out of date: run contacts owners --codeowners" in stale.stderr
    assert not (vault / ".github/CODEOWNERS").exists()
    ok(invoke("-C", vault, "owners", "--codeowners"))
    ok(invoke("-C", vault, "owners", "--codeowners", "--check"))


def test_codeowners_for_a_vault_in_a_subfolder_with_odd_paths(tmp_path: Path, invoke) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    ok(invoke("init", project / "crm"))
    (project / "crm/vault.yaml").write_text((project / "crm/vault.yaml").read_text().replace(
        "owners: {}", 'owners: {dora: "dora-x", eve: "@acme/sales"}'))
    (project / "crm/contacts/team a").mkdir()
    (project / "crm/contacts/team a/dora.md").write_text("---\nname: Dora\nowner: dora\n---\n")
    (project / "crm/contacts/eve.md").write_text("---\nname: Eve\nowner: eve\n---\n")
    (project / "crm/contacts/frank.md").write_text("---\nname: Frank\nowner: frank\n---\n")
    result = invoke("-C", project / "crm", "owners", "--codeowners")
    ok(result)
    assert "warning: " in result.stderr and "frank.md: owner 'frank' has no host handle" in result.stderr
    assert (project / ".github/CODEOWNERS").read_text() == (
        f"{BEGIN}\n"
        "/crm/contacts/eve.md          @acme/sales\n"
        "/crm/contacts/team\\ a/dora.md @dora-x\n"
        f"{END}\n"
    )


def test_owners_options_that_need_codeowners(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "owners", "--check")
    assert result.exit_code == 2
    assert "--check and --output go with --codeowners" in result.stderr


# The installed entry point and the driver as git runs it


def test_check_through_the_installed_command(vault: Path) -> None:
    from test_git import installed_contacts

    (vault / "contacts/dora.md").write_text("---\nname: Dora\nstage: hot\n---\n")
    done = subprocess.run(
        [installed_contacts(), "check", "--format", "github"], cwd=vault, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "::error file=contacts/dora.md,line=3,title=contacts check (fields)::"
        "stage 'hot' is not one of vault.yaml's stages (lead, prospect, customer, churned)"
    )


def test_the_driver_as_git_runs_it(tmp_path: Path) -> None:
    import sys

    files = {}
    base = "---\nname: Ada\nstage: lead\n---\n"
    for name, text in (("base", base), ("ours", base.replace("lead", "customer")), ("theirs", base.replace("lead", "churned"))):
        files[name] = tmp_path / name
        files[name].write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "vault_tool", "merge-driver", files["base"], files["ours"], files["theirs"], "7",
         "contacts/ada.md"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == "contacts: contacts/ada.md: 1 conflict left with markers\n"
    assert files["ours"].read_text() == (
        "---\nname: Ada\n<<<<<<< yours\nstage: customer\n=======\nstage: churned\n>>>>>>> theirs\n---\n"
    )
