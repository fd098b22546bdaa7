"""Stage timelines from one pass over git history, and the cache that makes the next pass read only new commits."""
from __future__ import annotations

import datetime as dt
import marshal
import shutil
from pathlib import Path

import pytest
import report_book
from hypothesis import given
from hypothesis import strategies as st
from report_book import git

from vault_tool.format import yamlsafe
from vault_tool.reports.history import StageEvent, stage_of, stage_timelines


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(f"2026-{text}")


@pytest.fixture
def book(tmp_path: Path, invoke) -> Path:
    root = tmp_path / "vault"
    assert invoke("init", root).exit_code == 0
    return report_book.build(root)


def timelines(root: Path, cache: Path | None = None) -> dict[str, list[StageEvent]] | None:
    return stage_timelines(root, root / "contacts", cache)


def test_timelines_of_the_book(book: Path) -> None:
    found = timelines(book)
    assert found is not None
    assert sorted(found) == ["contacts/ann.md", "contacts/ben.md", "contacts/cat.md", "contacts/dan.md",
                             "contacts/eve.md", "contacts/fay.md", "contacts/gus-group.md"]  # hal was deleted
    assert found["contacts/ann.md"] == [StageEvent(d("08-01"), "lead"), StageEvent(d("09-11"), "prospect"),
                                        StageEvent(d("10-21"), "customer")]
    assert found["contacts/fay.md"][-1] == StageEvent(d("11-01"), "prospect")  # quoted, with a comment
    assert found["contacts/cat.md"] == [StageEvent(d("06-01"), "lead")]  # "stage: customer" in its notes
    # renamed: the history of gus.md goes on under the new name
    assert found["contacts/gus-group.md"] == [StageEvent(d("09-10"), ""), StageEvent(d("10-10"), "lead"),
                                              StageEvent(d("11-10"), "prospect")]


def test_outside_git_there_is_no_history(tmp_path: Path) -> None:
    (tmp_path / "contacts").mkdir()
    assert timelines(tmp_path) is None


def test_a_repository_without_commits_has_empty_history(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert timelines(tmp_path) == {}


def test_a_vault_in_a_folder_of_a_larger_repository(book: Path, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    shutil.copytree(book, outer / "crm" / "vault", ignore=shutil.ignore_patterns(".git"))
    (outer / "notes.md").write_text("---\nstage: lead\n---\n")  # outside contacts/: not a contact
    git(outer, "add", ".")
    git(outer, "commit", "-q", "-m", "all at once", day="2026-11-02")
    found = timelines(outer / "crm" / "vault")
    assert found is not None and len(found) == 8  # ivy is committed here too
    assert found["contacts/ann.md"] == [StageEvent(d("11-02"), "customer")]


def merge_a_side_branch(book: Path) -> None:
    """Cat becomes a prospect on a branch (11-12) that is merged on 11-15."""
    git(book, "checkout", "-q", "-b", "side")
    path = book / "contacts" / "cat.md"
    path.write_text(path.read_text().replace("stage: lead", "stage: prospect"))
    git(book, "commit", "-q", "-am", "cat prospect", day="2026-11-12")
    git(book, "checkout", "-q", "-")
    git(book, "merge", "-q", "--no-ff", "-m", "Merge side", "side", day="2026-11-15")


def test_a_change_merged_from_a_branch_counts_from_the_merge(book: Path) -> None:
    merge_a_side_branch(book)
    assert timelines(book)["contacts/cat.md"] == [StageEvent(d("06-01"), "lead"), StageEvent(d("11-15"), "prospect")]


def test_a_long_log_read_in_two_halves_is_the_same_log(book: Path) -> None:
    """Every split point gives the changes and commits of the one-process log, in the same order."""
    from vault_tool.reports.history import _log, _whole_log

    merge_a_side_branch(book)
    head = git(book, "rev-parse", "HEAD").strip()
    whole = _log(book, head, "contacts/")
    assert len(whole[1]) > 4
    for split_from in (1, 2, 3, len(whole[1])):
        assert _whole_log(book, head, "contacts/", split_from=split_from) == whole


# The cache: always equal to reading the whole history


def test_the_cache_is_used_and_grows_with_new_commits(book: Path) -> None:
    cache = book / ".vault" / "history"
    first = timelines(book, cache)
    head = git(book, "rev-parse", "HEAD").strip()
    assert first == timelines(book) and marshal.loads(cache.read_bytes())["head"] == head
    # the cache alone answers while HEAD has not moved
    data = marshal.loads(cache.read_bytes())
    ann = data["histories"][data["paths"]["contacts/ann.md"]]
    ann.append(["2026-11-22", "churned"])
    cache.write_bytes(marshal.dumps(data))
    assert timelines(book, cache)["contacts/ann.md"][-1] == StageEvent(d("11-22"), "churned")
    ann.pop()
    cache.write_bytes(marshal.dumps(data))
    # a new commit is read on top of what the cache knows
    path = book / "contacts" / "cat.md"
    path.write_text(path.read_text().replace("stage: lead", "stage: prospect"))
    git(book, "commit", "-q", "-am", "cat prospect", day="2026-11-20")
    git(book, "mv", "contacts/ann.md", "contacts/ann-archer.md")
    git(book, "commit", "-q", "-m", "Rename ann", day="2026-11-21")
    grown = timelines(book, cache)
    assert grown == timelines(book)
    assert grown["contacts/cat.md"][-1] == StageEvent(d("11-20"), "prospect")
    assert "contacts/ann.md" not in grown and len(grown["contacts/ann-archer.md"]) == 3


def test_the_cache_keeps_a_history_that_files_share_once(tmp_path: Path) -> None:
    """Files committed together at one stage and never changed share one history (most of an imported book)."""
    root = tmp_path / "crm"
    (root / "contacts").mkdir(parents=True)
    git(root, "init", "-q")
    for name in ("ann", "bob", "cat"):
        (root / "contacts" / f"{name}.md").write_text(f"---\nname: {name}\nstage: {'lead' if name != 'cat' else 'won'}\n---\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Import", day="2026-11-01")
    cache = root / ".vault" / "history"

    found = timelines(root, cache)

    data = marshal.loads(cache.read_bytes())
    assert data["histories"] == [[["2026-11-01", "lead"]], [["2026-11-01", "won"]]]
    assert data["paths"] == {"contacts/ann.md": 0, "contacts/bob.md": 0, "contacts/cat.md": 1}
    assert found == timelines(root) == timelines(root, cache)
    assert found["contacts/bob.md"] == [StageEvent(d("11-01"), "lead")]
    from vault_tool.reports.report import funnel
    from vault_tool.reports.tally import Tally

    counted = Tally(3, stages={"lead": 2, "won": 1}, paths={f"contacts/{name}.md" for name in ("ann", "bob", "cat")})
    [lead, _] = funnel(counted, ["lead", "won"], timelines(root, cache), d("10-01"), d("11-23"))
    assert (lead.now, lead.were_at, lead.moved_on) == (2, 2, 0)  # a shared history counts for each contact


def test_a_rewritten_history_is_read_again(book: Path) -> None:
    cache = book / ".vault" / "history"
    before = timelines(book, cache)
    git(book, "reset", "-q", "--hard", "HEAD~3")  # undo the last three commits
    after = timelines(book, cache)
    assert after == timelines(book) and after != before
    assert after["contacts/eve.md"] == [StageEvent(d("10-01"), "prospect")]
    git(book, "checkout", "-q", "-b", "other", "HEAD~5")  # another line of history
    path = book / "contacts" / "ben.md"
    path.write_text(path.read_text().replace("stage: customer", "stage: churned"))
    git(book, "commit", "-q", "-am", "ben churned", day="2026-11-22")
    assert timelines(book, cache) == timelines(book)


@pytest.mark.parametrize("junk", ["", "{", "[]", '{"version": 1}', '{"version": 1, "prefix": "contacts/", '
                                  '"head": "0000000000000000000000000000000000000000", "timelines": {}}'])
def test_a_broken_cache_is_read_again(book: Path, junk: str) -> None:
    cache = book / ".vault" / "history"
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(junk)
    assert timelines(book, cache) == timelines(book)


# Reading `stage:` from a version of a file


@given(st.text(min_size=1).filter(lambda s: s.strip() == s and "\n" not in s and "\r" not in s))
def test_any_stage_written_as_yaml_reads_back(stage: str) -> None:
    value = yamlsafe.scalar(stage)
    assert stage_of(f"---\nname: X\nstage: {value}\ntags: [a]\n---\nbody\n") == stage


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("---\r\nname: X\r\nstage: lead\r\n---\r\n", "lead"),
        ("\ufeff---\nstage: 'prospect'  # quoted\n---\n", "prospect"),
        ("---\nstage:   customer   \n---\n", "customer"),
        ("---\nstage:\n---\n", ""),
        ("---\nname: X\n---\nstage: lead\n", ""),  # a line of the body
        ("---\nname: X\n...\nstage: lead\n", ""),
        ("no front matter\nstage: lead\n", ""),
        ("---\nstage: [a, b]\n---\n", ""),
        ("---\nstage: \"unclosed\n---\n", ""),
    ],
)
def test_stage_of_a_file(text: str, stage: str) -> None:
    assert stage_of(text) == stage
