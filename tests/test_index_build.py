"""Building the search index: in parts by forked processes, with a faster word indexer and run pool.

Each speed-up is checked against what Whoosh itself produces, so the index reads the same.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from vault_tool import forked
from vault_tool.search import freshness
from vault_tool.search import index as ix_mod
from vault_tool.search.documents import document
from vault_tool.store.vault import Vault

sys.path.insert(0, str(ROOT / "bench"))
from gen_vault import generate  # noqa: E402

TODAY = dt.date(2026, 11, 23)
needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="no fork on this system")


def everything_in(ix) -> dict[tuple[str, bytes], list[tuple[str, float, bytes]]]:
    """Every (field, term) of the index with its postings: (document path, weight, encoded value)."""
    found = {}
    with ix.searcher() as searcher:
        paths = {docnum: fields["path"] for docnum, fields in searcher.iter_docs()}
        for field, term in searcher.reader().all_terms():
            found[(field, term)] = _postings(searcher, paths, field, term)
    return found


def _postings(searcher, paths: dict[int, str], field: str, term: bytes) -> list[tuple[str, float, bytes]]:
    matcher = searcher.postings(field, term)
    rows = []
    while matcher.is_active():
        rows.append((paths[matcher.id()], matcher.weight(), matcher.value() or b""))
        matcher.next()
    return sorted(rows)


@needs_fork
def test_an_index_built_in_parts_holds_what_one_process_writes(tmp_path: Path) -> None:
    generate(tmp_path / "v", 80, seed=3, today=TODAY)
    vault = Vault.open(tmp_path / "v", today=TODAY)
    docs = [document(c, f"contacts/{c.path.name}", "GB", TODAY, None) for c in vault.load().contacts]

    single = ix_mod.create(tmp_path / "single")
    with ix_mod.Writer(single, fresh=True) as writer:
        for doc in docs:
            writer.put(doc)

    in_parts = ix_mod.create(tmp_path / "parts")
    with ix_mod.Parts(in_parts, 2) as parts:
        def write(share: list[dict], advance: forked.Advance) -> object:
            part = parts.part()
            for doc in share:
                part.put(doc)
                advance(1)
            return part.finish()

        done: list[int] = []
        segments = forked.run_all([lambda advance, s=docs[i::2]: write(s, advance) for i in range(2)], done.append)
        parts.commit(segments)
    assert done[-1] == len(docs)

    single, in_parts = ix_mod.open_index(tmp_path / "single"), ix_mod.open_index(tmp_path / "parts")
    assert len(in_parts._segments()) == 2 and in_parts.doc_count() == len(docs)
    assert everything_in(in_parts) == everything_in(single)
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path / "parts"))


words = st.text(st.sampled_from("aZ zoë ZOË İstanbul straße d'Arc o’neil e.g. 3.14 _x -- \n\t ß ǅ ﬁ"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(value=words, boost=st.sampled_from([1.0, 2.0]), phrase=st.booleans())
def test_words_are_indexed_as_whoosh_s_analyzer_indexes_them(value: str, boost: float, phrase: bool) -> None:
    from whoosh import fields

    ours = ix_mod.Words(analyzer=ix_mod._analyzers()["words"], phrase=phrase, field_boost=boost)
    whoosh_s = fields.TEXT(analyzer=ix_mod._analyzers()["words"], phrase=phrase, field_boost=boost)
    assert sorted(ours.index(value)) == sorted(whoosh_s.index(value))


@pytest.fixture(scope="module")
def empty_index(tmp_path_factory: pytest.TempPathFactory):
    return ix_mod.create(tmp_path_factory.mktemp("pool") / "index")


posting = st.tuples(st.sampled_from(["name", "text"]), st.binary(max_size=6), st.integers(0, 5000),
                    st.floats(0, 10), st.one_of(st.none(), st.binary(max_size=4)))


@settings(max_examples=50, deadline=None)
@given(postings=st.lists(posting, max_size=300, unique_by=lambda p: p[:3]))  # a term is once in a document
def test_the_posting_pool_sorts_through_runs_on_disk(empty_index, postings: list) -> None:
    writer = ix_mod._segment_writer(empty_index, lock=False)
    pool = ix_mod._Pool(writer._tempstorage, writer.newsegment, 1)
    pool._most = 7  # a run on disk every 7 postings
    for item in postings:
        pool.add(item)
    assert list(pool.items()) == sorted(postings)
    assert pool.fieldnames == {p[0] for p in postings}
    assert not list(Path(writer._tempstorage.folder).glob("*.run"))  # each run removed once read
    writer.cancel()


@needs_fork
def test_forked_jobs_answer_in_order_and_report_progress() -> None:
    def job(number: int):
        def run(advance: forked.Advance) -> dict:
            for _ in range(number):
                advance(1)
            return {"pid": os.getpid(), "number": number}
        return run

    seen: list[int] = []
    answers = forked.run_all([job(3), job(5), job(0)], seen.append)
    assert [a["number"] for a in answers] == [3, 5, 0]
    assert len({a["pid"] for a in answers} | {os.getpid()}) == 4
    assert seen and seen[-1] == 8 and seen == sorted(seen)


@needs_fork
def test_a_failing_forked_job_is_reported_with_its_error() -> None:
    def fails(advance: forked.Advance) -> None:
        raise OSError(28, "No space left on device")

    def dies(advance: forked.Advance) -> None:
        os._exit(3)

    with pytest.raises(forked.ForkedJobFailed, match="No space left on device"):
        forked.run_all([lambda advance: 1, fails])
    with pytest.raises(forked.ForkedJobFailed, match="ended with status"):
        forked.run_all([dies])


@needs_fork
def test_a_large_vault_is_indexed_in_parts_from_the_command_line(tmp_path: Path, invoke) -> None:
    planted = generate(tmp_path / "v", ix_mod.PARALLEL_FROM, seed=5, today=TODAY)
    broken = tmp_path / "v" / "contacts" / "broken.md"
    broken.write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    os.utime(broken, (1e9, 1e9))  # old enough to trust: a young file is looked at again by the next command

    result = invoke("-C", tmp_path / "v", "--today", "2026-11-23", "reindex")
    assert result.exit_code == 0, result.output
    assert f"Indexed {ix_mod.PARALLEL_FROM} contacts" in result.output
    assert "contacts/broken.md" in result.output
    vault = Vault.open(tmp_path / "v", today=TODAY)
    index = ix_mod.open_index(vault.state_dir / "index")
    assert len(index._segments()) == ix_mod.Parts.how_many(ix_mod.PARALLEL_FROM)
    rare = planted["rare_word"]
    result = invoke("-C", tmp_path / "v", "--today", "2026-11-23", "search", "--format", "paths", rare["note_word"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"contacts/{rare['handle']}.md"  # after the broken file's warning
    assert freshness.refresh(vault, TODAY).reread == 0


def test_adding_or_removing_one_file_changes_a_few_manifest_parts_not_all(tmp_path: Path) -> None:
    """The scan's parts are keyed by path: the manifest rewrites and re-reads only those that changed."""
    from vault_tool.search.scan import scan_with_digest

    contacts = tmp_path / "contacts"
    contacts.mkdir()
    for n in range(400):
        (contacts / f"c{n:03d}.md").write_text(f"---\nname: C {n}\n---\n")
        os.utime(contacts / f"c{n:03d}.md", (1_000_000_000, 1_000_000_000))

    def digests() -> list[str]:
        return [part.digest for part in scan_with_digest(contacts, split_from=100).parts]

    before = digests()
    (contacts / "b-new.md").write_text("---\nname: New\n---\n")
    os.utime(contacts / "b-new.md", (1_000_000_000, 1_000_000_000))
    added = digests()
    (contacts / "c200.md").unlink()
    removed = digests()
    assert len(before) == len(added) == 16
    assert 1 <= sum(a != b for a, b in zip(before, added)) <= 3
    assert 1 <= sum(a != b for a, b in zip(added, removed)) <= 3


def _indexed(tmp_path: Path, count: int) -> tuple[Path, Vault]:
    """A vault of ``count`` contacts, indexed."""
    root = tmp_path / "v"
    (root / "contacts").mkdir(parents=True)
    (root / "vault.yaml").write_text("version: 1\n")
    for number in range(count):
        (root / "contacts" / f"c{number}.md").write_text(f"---\nname: Person {number}\n---\n", encoding="utf-8")
    vault = Vault.open(root, today=TODAY)
    freshness.rebuild(vault, TODAY)
    return root, vault


def _edit(root: Path, number: int, name: str, old: float) -> None:
    path = root / "contacts" / f"c{number}.md"
    path.write_text(f"---\nname: {name}\n---\n", encoding="utf-8")
    os.utime(path, (old, old))  # old enough to trust: the next refresh indexes it


def _small_sizes(index: Any) -> list[int]:
    return sorted(size for s in index._segments() if (size := s.doc_count_all()) <= ix_mod.SMALL_SEGMENT)


def test_edits_by_hand_leave_a_few_small_segments_not_one_each(tmp_path: Path) -> None:
    """Each update writes a segment of its own; small ones are merged into later ones as their sizes grow
    geometrically, so forty edits leave a handful of small segments (every read opens every segment's files),
    with every edit found."""
    root, vault = _indexed(tmp_path, 400)
    old = os.stat(root / "contacts" / "c0.md").st_mtime - 10
    for edit in range(40):
        _edit(root, edit * 7, f"Edited {edit}", old)
        index = freshness.refresh(vault, TODAY).index
        assert len(_small_sizes(index)) <= 4, _small_sizes(index)
    with index.searcher() as searcher:
        assert searcher.doc_count() == 400
        assert {f"Edited {edit}" for edit in range(40)} <= {fields["row"]["name"] for fields in searcher.all_stored_fields()}


def test_an_edit_after_a_bulk_change_does_not_merge_its_segment_again(tmp_path: Path) -> None:
    """Merging a segment re-reads all its terms: after a change to 60 contacts, the next edits merge among
    themselves and leave the 60-document segment alone, until they hold half as many documents."""
    root, vault = _indexed(tmp_path, 400)
    old = os.stat(root / "contacts" / "c0.md").st_mtime - 10
    for number in range(60):
        _edit(root, number, f"Bulk {number}", old)
    assert _small_sizes(freshness.refresh(vault, TODAY).index) == [60]
    for edit in range(3):
        _edit(root, 100 + edit, f"Edited {edit}", old)
        assert 60 in _small_sizes(freshness.refresh(vault, TODAY).index)
    for edit in range(3, 40):
        _edit(root, 100 + edit, f"Edited {edit}", old)
        index = freshness.refresh(vault, TODAY).index
    assert 60 not in _small_sizes(index)
    with index.searcher() as searcher:
        assert searcher.doc_count() == 400


def test_updates_larger_than_small_ones_are_merged_once_there_are_too_many(tmp_path: Path, monkeypatch) -> None:
    """A day's turn re-indexes hundreds of contacts, more than a small segment holds: the smallest of such
    segments are merged once more than KEPT_SEGMENTS would be left, so they never pile up until a rebuild."""
    monkeypatch.setattr(ix_mod, "SMALL_SEGMENT", 1)
    monkeypatch.setattr(ix_mod, "KEPT_SEGMENTS", 3)
    root, vault = _indexed(tmp_path, 40)
    old = os.stat(root / "contacts" / "c0.md").st_mtime - 10
    for update in range(7):
        for number in (update * 5, update * 5 + 1, update * 5 + 2):  # three documents a segment
            path = root / "contacts" / f"c{number}.md"
            path.write_text(f"---\nname: Edited {number}\n---\n", encoding="utf-8")
            os.utime(path, (old, old))
        index = freshness.refresh(vault, TODAY).index
        assert len(index._segments()) <= 3 + 1
    with index.searcher() as searcher:
        assert searcher.doc_count() == 40
        names = {fields["row"]["name"] for fields in searcher.all_stored_fields()}
    assert {f"Edited {update * 5 + k}" for update in range(7) for k in range(3)} <= names
