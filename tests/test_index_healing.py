"""The index heals itself: damage, a search during `reindex`, a read-only .vault, keys the tool computes."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, commit_count, git

from vault_tool.search import columns, freshness
from vault_tool.search import index as ix_mod
from vault_tool.format.fieldtable import COMPUTED_FIELDS, INDEX_FIELDS, QUERY_FIELDS

sys.path.insert(0, str(ROOT / "bench"))
from gen_vault import generate  # noqa: E402

ADA = "contacts/ada-lovelace.md"
GERMANY = ["brandt-maschinenbau", "dieter-brandt", "zoe-muller"]


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def handles(result) -> list[str]:
    rows = json.loads(result.stdout)
    assert result.exit_code == (0 if rows else 1), result.output  # as grep: 1 when nothing matches
    assert "Traceback" not in result.output
    return sorted(row["handle"] for row in rows)


def backdate(root: Path, seconds: int = 120) -> None:
    """Make every contact file (and document) older than the "racy" window, so that a search trusts the stamp."""
    then = time.time() - seconds
    for path in [*(root / "contacts").rglob("*.md"), *(root / "files").rglob("*")]:
        os.utime(path, (then, then))


def indexed(invoke, root: Path) -> None:
    """An index that is up to date and whose stamp an unchanged search trusts (no lock, no update)."""
    backdate(root)
    ok(invoke("-C", root, "search", "lovelace"))
    ok(invoke("-C", root, "search", "lovelace"))


def index_file(root: Path, ending: str) -> Path:
    return next(p for p in sorted((root / ".vault" / "index").iterdir()) if p.name.endswith(ending))


def notices(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("notice:")]


# --- 1. Damage is noticed by a stat of the index files, and healed ---------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _index_is_a_file(root: Path) -> None:
    folder = root / ".vault" / "index"
    shutil.rmtree(folder)
    folder.write_text("not an index\n")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated-toc": lambda root: _truncate(index_file(root, ".toc")),
    "truncated-terms": lambda root: _truncate(index_file(root, ".trm")),
    "truncated-postings": lambda root: _truncate(index_file(root, ".pst")),
    "truncated-stored": lambda root: _truncate(index_file(root, "_stored.col")),
    "garbage-terms": lambda root: _garbage(index_file(root, ".trm")),
    "garbage-postings": lambda root: _garbage(index_file(root, ".pst")),
    "garbage-stored": lambda root: _garbage(index_file(root, "_stored.col")),
    "deleted-terms": lambda root: index_file(root, ".trm").unlink(),
    "deleted-postings": lambda root: index_file(root, ".pst").unlink(),
    "deleted-stored": lambda root: index_file(root, "_stored.col").unlink(),
    "deleted-column": lambda root: index_file(root, ".sort_name.col").unlink(),
    "index-is-a-file": _index_is_a_file,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damage_is_noticed_and_the_index_rebuilt_with_one_notice(vault: Path, invoke, damage: str) -> None:
    indexed(invoke, vault)
    DAMAGE[damage](vault)
    result = invoke("-C", vault, "search", "--format", "json", "country:germany")
    assert handles(result) == GERMANY
    assert len(notices(result)) == 1 and "damaged" in notices(result)[0] and "rebuilding" in notices(result)[0]
    listed = invoke("-C", vault, "list", "--format", "json", "--sort", "name")
    assert len(handles(listed)) == len(list((vault / "contacts").glob("*.md")))
    assert notices(listed) == []  # healed: the next command has nothing to say
    assert (vault / ".vault" / "index").is_dir()


def _sneaky_garbage(path: Path) -> None:
    """Garbage of the same size, with the old mtime put back: no stat can tell; reading it fails.

    Every byte is 0xFF, so every length, offset and count the file holds is out of range. (Random bytes
    can read as a well-formed column of wrong values: a damage nothing short of a checksum of every
    index file at every read could notice.)
    """
    info = path.stat()
    path.write_bytes(b"\xff" * info.st_size)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.mark.parametrize("ending", [".toc", ".trm", ".pst", "_stored.col", ".sort_name.col", ".path.col"])
def test_damage_a_stat_cannot_see_is_healed_when_reading_fails(vault: Path, invoke, ending: str) -> None:
    indexed(invoke, vault)
    query = ("-C", vault, "list", "--format", "json", "--sort", "name", "company:analytical")
    expected = invoke(*query).stdout
    _sneaky_garbage(index_file(vault, ending))
    first = invoke(*query)
    ok(first)
    assert first.stdout == expected and len(json.loads(expected)) == 3
    assert len(notices(first)) == 1 and "could not be read" in notices(first)[0]
    again = invoke("-C", vault, "search", "--format", "json", "lovelace")
    assert handles(again) == ["ada-lovelace"] and notices(again) == []


@pytest.mark.parametrize("command", [
    ["segments", "--format", "json"],
    ["tasks", "company:analytical"],
    ["export", "--format", "json", "company:analytical"],
])
def test_other_commands_that_read_the_index_answer_through_damage(vault: Path, invoke, command: list[str]) -> None:
    indexed(invoke, vault)
    expected = invoke("-C", vault, *command)
    ok(expected)
    for ending in (".pst", "_stored.col"):
        _sneaky_garbage(index_file(vault, ending))
    result = invoke("-C", vault, *command)
    ok(result)
    assert result.stdout == expected.stdout


def test_an_index_broken_while_it_answers_is_rebuilt_by_the_library(vault: Path, invoke) -> None:
    from vault_tool.search.run import matching_paths, search
    from vault_tool.store.vault import Vault

    indexed(invoke, vault)
    opened = Vault.open(vault)
    for ending in (".trm", ".pst"):
        _sneaky_garbage(index_file(vault, ending))
    assert {p.name for p in matching_paths(opened, "country:germany")} == {f"{h}.md" for h in GERMANY}
    _sneaky_garbage(index_file(vault, "_stored.col"))
    result = search(opened, "lovelace", opened.today())
    assert [row["handle"] for row in result.rows] == ["ada-lovelace"]
    assert len(result.notices) == 1


def test_a_reader_whose_index_a_rebuild_replaced_refuses_instead_of_reading_empty_columns(vault: Path, invoke) -> None:
    """Whoosh looks a column's file up by name when asked, so a reader opened before `reindex` put a
    new index in place would read every path as "" and every date as missing: IndexBroken instead."""
    from vault_tool.search.columns import all_facts
    from vault_tool.store.vault import Vault

    indexed(invoke, vault)
    old = ix_mod.open_index(vault / ".vault" / "index")
    with old.searcher() as searcher:
        [(leaf, _)] = searcher.reader().leaf_readers()
        assert columns.has_column(leaf, "path") and columns.column(leaf, "path")[0].endswith(".md")
        opened = Vault.open(vault)
        freshness.rebuild(opened, opened.today())
        with pytest.raises(ix_mod.IndexBroken, match="replaced while it was read"):
            columns.has_column(leaf, "task_due")
        with pytest.raises(ix_mod.IndexBroken):
            columns.column(leaf, "path")
    assert len(all_facts(ix_mod.open_index(vault / ".vault" / "index"))) == len(list((vault / "contacts").rglob("*.md")))


def test_the_stamp_records_the_index_files_and_an_unchanged_search_only_stats_them(vault: Path, invoke) -> None:
    indexed(invoke, vault)
    stamp = json.loads((vault / ".vault" / freshness.STAMP).read_text(encoding="utf-8"))
    assert stamp["files"] == ix_mod.file_stats(vault / ".vault" / "index")
    assert any(name.endswith(".pst") for name in stamp["files"])
    before = (vault / ".vault" / freshness.STAMP).read_bytes()
    ok(invoke("-C", vault, "search", "lovelace"))
    assert (vault / ".vault" / freshness.STAMP).read_bytes() == before  # nothing updated, nothing rebuilt


# --- 2. A search while `reindex` runs ---------------------------------------------------------------------


def contacts_command() -> list[str]:
    entry = Path(sys.executable).with_name("contacts")
    return [str(entry)] if entry.is_file() else [sys.executable, "-m", "vault_tool"]


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, list[str]]:
    """A vault of 300 generated contacts with an index, and the handles `tag:planted-tag` finds."""
    root = tmp_path / "generated"
    planted = generate(root, 300, seed=3)
    backdate(root)
    for _ in range(2):
        subprocess.run([*contacts_command(), "-C", str(root), "search", "zoe"], check=True, capture_output=True)
    return root, sorted(planted["tagged"]["handles"])


def run_search(root: Path, *query: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*contacts_command(), "-C", str(root), "search", "--format", "json", *query],
                          capture_output=True, text=True, timeout=timeout)


def test_a_search_during_a_reindex_answers_from_the_old_index(generated) -> None:
    root, tagged = generated
    state = root / ".vault"
    for _ in range(3):
        reindex = subprocess.Popen([*contacts_command(), "-C", str(root), "reindex"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while reindex.poll() is None and (state / freshness.STAMP).exists() and not (state / "index.new").exists():
                time.sleep(0.001)
            os.kill(reindex.pid, signal.SIGSTOP)  # the reindex, halfway, holds the index's lock
            if (state / "index.new").exists() and not (state / freshness.STAMP).exists():
                continue  # stopped in the instant of putting the new index in place: try again
            try:
                result = run_search(root, "tag:planted-tag", timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("a search waited for the reindex instead of answering")
            assert result.returncode == 0, result.stderr
            assert sorted(row["handle"] for row in json.loads(result.stdout)) == tagged
            assert "Traceback" not in result.stderr
            return
        finally:
            os.kill(reindex.pid, signal.SIGCONT)
            assert reindex.wait(timeout=120) == 0
    pytest.fail("never caught the reindex halfway")


SEARCHER = """
import sys
from vault_tool.search.run import matching_paths, search
from vault_tool.store.vault import Vault
vault = Vault.open(sys.argv[1])
for i in range(int(sys.argv[2])):
    try:
        rows = search(vault, "tag:planted-tag", vault.today(), sort="name" if i % 2 else "relevance").rows
        paths = matching_paths(vault, "tag:planted-tag")
        print(",".join(sorted(r["handle"] for r in rows)), len(paths), flush=True)
    except Exception as exc:
        print("failed:", type(exc).__name__, exc, flush=True)
"""


def test_searches_while_reindex_runs_again_and_again_always_answer(generated) -> None:
    root, tagged = generated
    loop = "import subprocess, sys\nfor _ in range(6):\n    subprocess.run(sys.argv[1:], check=True, capture_output=True)"
    reindexes = subprocess.Popen([sys.executable, "-c", loop, *contacts_command(), "-C", str(root), "reindex"])
    searcher = subprocess.Popen([sys.executable, "-c", SEARCHER, str(root), "100"], stdout=subprocess.PIPE, text=True)
    try:
        answers = 0
        while reindexes.poll() is None or answers < 3:
            result = run_search(root, "tag:planted-tag")
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
            assert sorted(row["handle"] for row in json.loads(result.stdout)) == tagged
            answers += 1
            assert answers < 200
        out, _ = searcher.communicate(timeout=300)
    finally:
        for process in (reindexes, searcher):
            if process.poll() is None:
                process.kill()
                process.wait()
    assert reindexes.returncode == 0
    lines = out.splitlines()
    assert len(lines) == 100
    assert set(lines) == {f"{','.join(tagged)} {len(tagged)}"}, [line for line in lines if "failed" in line][:3]


# --- 3. A read-only .vault --------------------------------------------------------------------------------


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Makes a folder and all in it unwritable: chmod for a user, the immutable attribute for root."""
    undo: list[Callable[[], None]] = []

    def make(folder: Path) -> None:
        if os.geteuid() != 0:
            paths = [folder, *folder.rglob("*")]
            modes = {p: p.stat().st_mode for p in paths}
            for path in paths:
                path.chmod(modes[path] & ~0o222)
            undo.append(lambda: [path.chmod(mode) for path, mode in modes.items()])
            return
        done = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("root ignores file permissions, and chattr +i is not available here")
        undo.append(lambda: subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True, check=True))

    yield make
    for step in reversed(undo):
        step()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"" for p in sorted(folder.rglob("*"))}


def test_a_read_only_vault_folder_still_answers_from_the_files(vault: Path, invoke, read_only) -> None:
    indexed(invoke, vault)
    (vault / "contacts" / "zed-newcomer.md").write_text("---\nname: Zed Newcomer\n---\nMet at the quay.\n")
    ada = vault / ADA
    ada.write_text(ada.read_text(encoding="utf-8").replace("Analytical Engines", "Difference Engines"),
                   encoding="utf-8")
    before = snapshot(vault / ".vault")
    read_only(vault / ".vault")
    found = invoke("-C", vault, "search", "--format", "json", "newcomer OR company:difference")
    assert handles(found) == ["ada-lovelace", "zed-newcomer"]
    assert len(notices(found)) == 1 and "cannot update the search index" in notices(found)[0]
    listed = invoke("-C", vault, "list", "--format", "json", "company:analytical")
    assert handles(listed) == ["charles-babbage", "priya-raman"]
    segments = invoke("-C", vault, "segments", "--format", "json")
    ok(segments)
    reindex = invoke("-C", vault, "reindex")
    assert reindex.exit_code == 1 and "Traceback" not in reindex.output
    assert len(reindex.stderr.splitlines()) == 1 and "cannot write the search index" in reindex.stderr
    assert snapshot(vault / ".vault") == before


# --- 4. Keys the tool computes, and keys that feed its search fields --------------------------------------


def add_keys(root: Path, handle: str, lines: str) -> None:
    path = root / "contacts" / f"{handle}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + lines, 1), encoding="utf-8")


def search_json(invoke, root: Path, query: str) -> list[str]:
    return handles(invoke("-C", root, "--today", "2026-11-23", "search", "--format", "json", query))


def test_a_country_field_does_not_hide_other_contacts_addresses(vault: Path, invoke) -> None:
    assert search_json(invoke, vault, "country:germany") == GERMANY
    add_keys(vault, "ada-lovelace", "country: NO\n")
    assert search_json(invoke, vault, "country:germany") == GERMANY
    assert "ada-lovelace" in search_json(invoke, vault, "country:norway")
    assert "ada-lovelace" in search_json(invoke, vault, "country:uk")  # her address still counts


def test_country_and_city_fields_feed_the_same_search_as_the_address(vault: Path, invoke) -> None:
    add_keys(vault, "emily-carter", 'country: "NO"\ncity: Bergen\n')
    for query in ("country:norway", "country:no", "country:nor", 'country:"NO"'):
        assert "emily-carter" in search_json(invoke, vault, query), query
    assert search_json(invoke, vault, "city:bergen") == ["emily-carter"]
    assert "ada-lovelace" in search_json(invoke, vault, "city:london")
    assert "ingrid-halvorsen" in search_json(invoke, vault, "country:norway")


def test_country_in_any_language_finds_it_however_a_contact_writes_it(vault: Path, invoke) -> None:
    for handle, written in (("ada-lovelace", "Allemagne"), ("emily-carter", "Deutschland"),
                            ("ingrid-halvorsen", "Alemania"), ("charles-babbage", "DE")):
        add_keys(vault, handle, f"country: {written}\n")
    wanted = {"ada-lovelace", "emily-carter", "ingrid-halvorsen", "charles-babbage"}
    for query in ("country:germany", "country:Deutschland", "country:allemagne", "country:Alemania", "country:deu",
                  'country:"Deutschland"'):
        assert wanted <= set(search_json(invoke, vault, query)), query
    assert not wanted & set(search_json(invoke, vault, "country:japan"))
    assert "emily-carter" in search_json(invoke, vault, "country:deutsch*")  # no country: as written


def test_no_name_in_another_language_is_the_iso_name_or_code_of_another_country() -> None:
    """Why ISO's names are looked up before the other languages' (documents._country): the order changes no answer."""
    import pycountry

    from vault_tool.search.documents import _translated_countries

    for name, code in _translated_countries().items():
        try:
            found = pycountry.countries.lookup(name).alpha_2
        except LookupError:
            continue
        assert found == code, name


def test_keys_named_like_other_search_fields_do_not_hide_them(vault: Path, invoke) -> None:
    add_keys(vault, "emily-carter", "email: emily@elsewhere.example\nCompany: Quayside Ltd\ntag: harbour\n")
    assert search_json(invoke, vault, "email:ada@analytical.example") == ["ada-lovelace"]
    assert search_json(invoke, vault, "email:emily@elsewhere.example") == ["emily-carter"]
    assert search_json(invoke, vault, "company:quayside") == ["emily-carter"]
    assert search_json(invoke, vault, "company:analytical") == ["ada-lovelace", "charles-babbage", "priya-raman"]
    assert search_json(invoke, vault, "tag:harbour") == ["emily-carter"]
    assert "ada-lovelace" in search_json(invoke, vault, "tag:vip")


def test_search_uses_the_computed_value_of_a_hand_written_computed_key(vault: Path, invoke) -> None:
    add_keys(vault, "ada-lovelace", "last_contact: 2001-01-01\ncreated: 1999-05-05\nscore: 99\ntext: zanzibar\n")
    assert search_json(invoke, vault, "last_contact:2001") == []
    assert "ada-lovelace" in search_json(invoke, vault, "last_contact:2026-11-20")
    assert search_json(invoke, vault, "created:1999") == []
    assert search_json(invoke, vault, "zanzibar") == []
    rows = json.loads(invoke("-C", vault, "--today", "2026-11-23", "search", "--format", "json", "lovelace").stdout)
    assert rows[0]["last_contact"] == "2026-11-20"
    assert "ada-lovelace" not in search_json(invoke, vault, "score:>90")


@pytest.mark.parametrize("key", [*COMPUTED_FIELDS, "Last_Contact"])
def test_set_refuses_a_key_the_tool_computes(vault: Path, invoke, key: str) -> None:
    before = (vault / ADA).read_bytes()
    result = invoke("-C", vault, "set", "ada", key, "2020-01-01")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and f"'{key}'" in result.stderr
    assert (vault / ADA).read_bytes() == before
    assert commit_count(vault) == 1


@pytest.mark.parametrize("key", ["last_contact", "score", "created"])
def test_add_refuses_a_key_the_tool_computes(vault: Path, invoke, key: str) -> None:
    result = invoke("-C", vault, "add", "Xavier Quill", "--field", f"{key}=5")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and f"'{key}'" in result.stderr
    assert not (vault / "contacts" / "xavier-quill.md").exists()
    assert git(vault, "status", "--porcelain") == ""


def test_set_and_add_accept_keys_a_person_writes(vault: Path, invoke) -> None:
    ok(invoke("-C", vault, "set", "ada", "city", "Oslo"))
    ok(invoke("-C", vault, "add", "Xavier Quill", "--field", "country=NO"))
    assert "ada-lovelace" in search_json(invoke, vault, "city:oslo")
    assert "xavier-quill" in search_json(invoke, vault, "country:norway")


def test_check_reports_a_hand_written_computed_key_with_its_line(vault: Path, invoke) -> None:
    add_keys(vault, "ada-lovelace", "score: 99\n")
    result = invoke("-C", vault, "check")
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if "'score'" in line]
    assert len(lines) == 1 and f"{ADA}:2: error:" in lines[0]


def test_the_index_fields_have_one_definition() -> None:
    schema = ix_mod.schema()
    named = {name for name in schema.names() if not name.startswith((ix_mod.CUSTOM_PREFIX, ix_mod.NUMBER_PREFIX))}
    assert named == set(INDEX_FIELDS)
    assert set(QUERY_FIELDS) <= set(INDEX_FIELDS) and not set(QUERY_FIELDS) & {"path", "row", "facts", "sort_name"}
    assert set(COMPUTED_FIELDS) >= {"last_contact", "created", "score", "text", "next_date"}
