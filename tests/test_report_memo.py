"""`report` keeps what it counted of each segment of the index (reports/tally.py): what it prints from what was
kept is what it prints counted afresh, through edits, commits, new days and every option."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from followups import TODAY, edited, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_book import git

from vault_tool.reports import tally
from vault_tool.reports.report import build_report

KEPT = Path(".vault/rows/report")


@pytest.fixture
def report(invoke):
    def run(vault: Path, *args: str, today: str = TODAY):
        result = invoke("--today", today, "-C", vault, "report", *args)
        ok(result)
        return result

    return run


def afresh(report, vault: Path, *args: str, today: str = TODAY):
    """What `report` prints with nothing kept."""
    (vault / KEPT).unlink(missing_ok=True)
    return report(vault, *args, today=today)


@pytest.mark.parametrize("args", [
    (), ("--by", "owner", "--by", "tag", "--by", "kind", "--cold", "2"), ("--by", "company", "--cold", "0"),
    ("--since", "2026-06-01", "--per", "month", "--format", "json"), ("--format", "csv", "--cold", "50"),
])
def test_a_report_from_what_was_kept_is_the_report_counted_afresh(
        example_copy: Path, report, args: tuple[str, ...]) -> None:
    made = afresh(report, example_copy, *args)
    written = (example_copy / KEPT).stat().st_mtime_ns
    again = report(example_copy, *args)
    assert (again.stdout, again.stderr) == (made.stdout, made.stderr)
    assert (example_copy / KEPT).stat().st_mtime_ns == written  # read back: nothing counted or written

    ada = example_copy / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8").replace("stage: customer", "stage: lead")
                   + "\n## 2026-11-02 email — Sent the plans\n", encoding="utf-8")
    (example_copy / "contacts" / "camille-laurent.md").unlink()
    edited = report(example_copy, *args)
    assert edited.stdout == afresh(report, example_copy, *args).stdout != made.stdout
    tomorrow = report(example_copy, *args, today="2026-11-30")
    assert tomorrow.stdout == afresh(report, example_copy, *args, today="2026-11-30").stdout


def test_a_report_kept_by_another_version_or_unreadable_is_counted_again(example_copy: Path, report) -> None:
    made = afresh(report, example_copy).stdout
    (example_copy / KEPT).write_bytes(b"not a tally")
    assert report(example_copy).stdout == made
    assert report(example_copy).stdout == made


def test_a_report_on_a_query_is_counted_afresh_and_keeps_nothing(example_copy: Path, report) -> None:
    report(example_copy, "tag:customer")
    assert not (example_copy / KEPT).exists()


_EDIT = st.tuples(st.integers(0, 5), st.sampled_from(["call", "plan", "stage", "owner", "tag", "cadence", "blank",
                                                     "rename", "remove", "commit"]),
                  st.integers(-60, 20))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_EDIT, min_size=1, max_size=8), st.integers(0, 3), st.sampled_from([0, 1, 64]))
def test_a_kept_report_follows_any_edits_as_one_counted_afresh(
        tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, str, int]], cold: int, margin: int) -> None:
    """After each edit, the whole-vault report counted through what was kept equals the report on the query that
    matches every contact (counted afresh), however few candidates for going cold a segment keeps."""
    from vault_tool.store.vault import Vault

    root = tmp_path_factory.mktemp("v")
    (root / "contacts").mkdir()
    (root / "vault.yaml").write_text("version: 1\nkeep_in_touch: 30d\nstages: [lead, customer, lost]\n")
    today = dt.date.fromisoformat(TODAY)
    for n in range(6):
        calls = "".join(f"\n## 2026-{8 + (n + k) % 4:02d}-{1 + n + k:02d} call — Call {k}\n" for k in range(n % 3))
        (root / "contacts" / f"c{n}.md").write_text(
            f"---\nname: Person {n}\nowner: {'alice' if n % 2 else 'bob'}\nstage: lead\ntags: [t{n % 2}]\n---\n{calls}",
            encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Start", day="2026-09-01")
    vault = Vault.open(root, today=today)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tally, "MARGIN", margin)
        for n, kind, offset in edits:
            _edit(root, n, kind, (today + dt.timedelta(days=offset)).isoformat())
            for by in (("stage",), ("owner", "tag", "kind")):
                kept = build_report(vault, None, by, cold=cold, today=today)
                counted = build_report(vault, "", by, cold=cold, today=today)
                assert dataclasses.replace(kept.report, query="") == counted.report
                assert [str(p) for p in kept.problems] == [str(p) for p in counted.problems]


def _edit(root: Path, n: int, kind: str, day: str) -> None:
    path = root / "contacts" / f"c{n}.md"
    if kind == "commit":
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "Edits", day=min(day, TODAY))
        return
    if not path.exists():
        path.write_text(f"---\nname: Back {n}\nstage: lead\n---\n", encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    if kind in ("call", "plan"):
        text += f"\n## {day} {'call' if kind == 'call' else 'meeting'} — About {day}\n"
    elif kind == "stage":
        text = text.replace("stage: lead", "stage: customer") if "stage: lead" in text else \
            text.replace("stage: customer", "stage: lost")
    elif kind == "owner":
        text = text.replace("owner: alice", "owner: carol")
    elif kind == "tag":
        text = text.replace("tags: [", "tags: [vip, ") if "tags: [" in text else \
            text.replace("---\n", "---\ntags: [vip]\n", 1)
    elif kind == "cadence":
        text = text.replace("---\n", f"---\nkeep_in_touch: {1 + int(day[-2:]) % 3}w\n", 1)
    elif kind == "blank":
        text = "---\nname: [broken\n---\n"
    edited(path, kind, text)


def test_a_segment_whose_coldest_were_edited_is_counted_again(
        empty_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment keeps only the coldest few: when fewer than the report lists are left of them, the next coldest
    are found by counting it again."""
    from vault_tool.store.vault import Vault

    monkeypatch.setattr(tally, "MARGIN", 0)
    for n, day in enumerate(("2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01")):
        (empty_vault / "contacts" / f"c{n}.md").write_text(f"---\nname: Person {n}\n---\n\n## {day} call — Hello\n",
                                                            encoding="utf-8")
    today = dt.date.fromisoformat(TODAY)
    vault = Vault.open(empty_vault, today=today)
    assert [c.name for c in build_report(vault, None, cold=1, today=today).report.going_cold] == ["Person 0"]
    coldest = empty_vault / "contacts" / "c0.md"
    coldest.write_text(coldest.read_text(encoding="utf-8") + "\n## 2026-11-20 call — Caught up\n", encoding="utf-8")

    assert [c.name for c in build_report(vault, None, cold=1, today=today).report.going_cold] == ["Person 1"]
