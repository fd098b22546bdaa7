"""Search: the query language, exact results on a generated vault, freshness, broken indexes, output formats."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.errors import InvalidValueError
from vault_tool.format.handles import fold
from vault_tool.search import freshness
from vault_tool.search.run import search
from vault_tool.store.vault import Vault

sys.path.insert(0, str(ROOT / "bench"))
from gen_vault import generate  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def ok(result) -> None:
    assert result.exit_code == 0, result.output


def handles(vault: Vault, query: str) -> set[str]:
    return {row["handle"] for row in search(vault, query, TODAY).rows}


def found(invoke, root: Path, *query: str) -> list[str]:
    result = invoke("-C", root, "--today", "2026-11-23", "search", "--format", "json", *query)
    rows = json.loads(result.stdout)
    assert result.exit_code == (0 if rows else 1), result.output  # as grep: 1 when nothing matches
    return [row["handle"] for row in rows]


def backdate(path: Path, seconds: int = 60) -> None:
    """Make a file look older than the "racy" window, as every file a person edited a while ago is."""
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


# --- A generated vault: the engine against a brute-force oracle --------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Vault, dict, list]:
    root = tmp_path_factory.mktemp("generated")
    planted = generate(root, 400, seed=7, today=TODAY)
    vault = Vault.open(root, today=TODAY)
    return vault, planted, vault.load().contacts


def test_planted_records_are_found_exactly(generated) -> None:
    vault, planted, _ = generated
    assert handles(vault, "zoe") == {planted["zoe"]["handle"]}
    assert handles(vault, "ZOË quetzalcoatl") == {planted["zoe"]["handle"]}
    assert handles(vault, "xylophonist") == {planted["rare_word"]["handle"]}
    assert handles(vault, "zeppelinfahrt") == {planted["rare_word"]["handle"]}
    assert handles(vault, "xyloph*") == {planted["rare_word"]["handle"]}
    assert handles(vault, "lovlace~") == {planted["fuzzy"]["handle"]}
    assert handles(vault, "tag:planted-tag") == set(planted["tagged"]["handles"])
    assert handles(vault, "shoe_size:47") == {planted["custom"]["handle"]}
    assert handles(vault, "birthday:12-24") == {planted["birthday_dec"]["handle"]}


@pytest.mark.parametrize("query", ["phone:7946 0958", "phone:+442079460958", "phone:020 7946 0958",
                                   'phone:"+44 (0)20 7946-0958"', "phone:0044 20 7946 0958"])
def test_phone_queries_ignore_formatting_and_prefixes(generated, query: str) -> None:
    vault, planted, _ = generated
    assert handles(vault, query) == {planted["phone"]["handle"]}


def test_fielded_queries_match_the_oracle(generated) -> None:
    vault, _, contacts = generated
    for tag in ("vip", "conference", "referral"):
        assert handles(vault, f"tag:{tag}") == {c.handle for c in contacts if tag in c.tags}
    for stage in ("lead", "customer"):
        assert handles(vault, f"stage:{stage}") == {c.handle for c in contacts if c.meta.get("stage") == stage}
    owners = {c.meta.get("owner") for c in contacts} - {None}
    owner = sorted(owners)[0]
    assert handles(vault, f"owner:{owner} AND NOT stage:lead") == {
        c.handle for c in contacts if c.meta.get("owner") == owner and c.meta.get("stage") != "lead"
    }
    assert handles(vault, "kind:organization") == {c.handle for c in contacts if c.kind == "organization"}


def test_date_queries_match_the_oracle(generated) -> None:
    vault, planted, contacts = generated

    def last(c) -> dt.date | None:
        return c.last_contact(TODAY)

    cutoff = TODAY - dt.timedelta(days=90)
    assert handles(vault, "last_contact:<-90days") == {c.handle for c in contacts if last(c) and last(c) < cutoff}
    recent = TODAY - dt.timedelta(days=30)
    assert handles(vault, "last_contact:>=-30days") == {c.handle for c in contacts if last(c) and last(c) >= recent}
    assert handles(vault, "last_contact:[2025-01-01 to 2025-06-30]") == {
        c.handle for c in contacts if last(c) and dt.date(2025, 1, 1) <= last(c) <= dt.date(2025, 6, 30)
    }
    assert handles(vault, "last_contact:none") == {c.handle for c in contacts if last(c) is None}
    assert planted["cold_customer"]["handle"] in handles(vault, "stage:customer AND last_contact:<-1y")
    assert planted["recent_lead"]["handle"] in handles(vault, "stage:lead AND last_contact:>-7d")


def test_a_date_range_leaves_out_contacts_removed_or_changed_since_the_index_was_built(tmp_path: Path, invoke) -> None:
    """Ranges of days are answered from the day columns; a removed or changed contact's old document, still in
    its segment until the segment is merged, is not matched."""
    root = tmp_path / "v"
    ok(invoke("init", str(root)))
    for handle, day in (("ada", "2026-11-01"), ("bo", "2026-11-10"), ("cy", "2026-11-20")):
        (root / "contacts" / f"{handle}.md").write_text(f"---\nname: {handle.title()}\n---\n\n## {day} call — Hi\n")
        backdate(root / "contacts" / f"{handle}.md")
    assert found(invoke, root, "last_contact:>=2026-11-01") == ["ada", "bo", "cy"]
    assert found(invoke, root, "last_contact:{2026-11-01 to 2026-11-20}") == ["bo"]
    (root / "contacts" / "ada.md").unlink()
    bo = root / "contacts" / "bo.md"
    bo.write_text(bo.read_text().replace("2026-11-10", "2025-01-10"))
    backdate(bo)
    assert found(invoke, root, "last_contact:>=2026-11-01") == ["cy"]
    assert found(invoke, root, "last_contact:<2026-01-01") == ["bo"]


def test_birthday_month_matches_the_oracle(generated) -> None:
    vault, _, contacts = generated
    december = {c.handle for c in contacts if str(c.meta.get("birthday", "")).split("-")[-2:-1] == ["12"]}
    assert december and handles(vault, "birthday:12") == december


def test_accents_and_case_do_not_matter(generated) -> None:
    vault, _, contacts = generated
    accented = next(c for c in contacts if c.name != fold(c.name) and not c.name.isascii())
    first = accented.name.split()[0]
    expected = {c.handle for c in contacts if fold(first) in fold(c.name).split()}
    assert accented.handle in handles(vault, fold(first).upper())
    assert handles(vault, f"name:{fold(first)}") == expected


def test_sorting_by_name_and_last_contact(generated) -> None:
    vault, _, contacts = generated
    rows = search(vault, "tag:vip", TODAY, sort="name").rows
    assert [fold(r["name"]) for r in rows] == sorted(fold(r["name"]) for r in rows)
    rows = search(vault, "tag:vip", TODAY, sort="last").rows
    dates = [r["last_contact"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert len(search(vault, "", TODAY, limit=5).rows) == 5
    assert search(vault, "", TODAY, limit=5).total == len(contacts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('abz019 :*~"()[]{}<>@+-.,ëß') + [" AND ", " OR ", "NOT ", "tag:", "phone:",
                                                                      "last_contact:", "created:", " to "]),
                max_size=20).map("".join))
def test_any_query_text_gives_results_or_one_clear_error(generated, text: str) -> None:
    vault, _, _ = generated
    try:
        search(vault, text, TODAY, limit=3)
    except InvalidValueError as exc:
        assert "\n" not in str(exc)


# --- The command line -------------------------------------------------------------------------


def test_search_shows_the_matching_line(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "search", "demo", "first")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "COMPANY", "EMAIL", "TAGS", "LAST", "CONTACT"]
    assert lines[1].startswith("Ada Lovelace")
    assert lines[2] == "    Talked about the Q1 renewal; she wants a [demo] [first]."


def test_search_formats_for_scripts(vault: Path, invoke) -> None:
    rows = json.loads(invoke("-C", vault, "search", "--format", "json", "tag:vip").stdout)
    assert {"handle", "name", "emails", "phones", "tags", "last_contact", "path"} <= set(rows[0])
    paths = invoke("-C", vault, "search", "--format", "paths", "ada").stdout.split()
    assert "contacts/ada-lovelace.md" in paths
    lines = invoke("-C", vault, "search", "--format", "jsonl", "tag:vip").stdout.splitlines()
    assert [json.loads(line)["handle"] for line in lines] == [r["handle"] for r in rows]
    csv_text = invoke("-C", vault, "search", "--format", "csv", "zoe").stdout
    assert csv_text.splitlines()[0] == "name,company,email,tags,last_contact"


def test_mutt_and_aerc_formats(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "search", "--format", "mutt", "lovelace")
    ok(result)
    lines = result.stdout.splitlines()
    assert "addresses" in lines[0]
    assert lines[1:] == [
        "ada@analytical.example\tAda Lovelace\tAnalytical Engines",
        "countess@lovelace.example\tAda Lovelace\tAnalytical Engines",
    ]
    aerc = invoke("-C", vault, "search", "--format", "aerc", "lovelace").stdout.splitlines()
    assert aerc == ["ada@analytical.example\tAda Lovelace", "countess@lovelace.example\tAda Lovelace"]
    nothing = invoke("-C", vault, "search", "--format", "mutt", "nobody-by-this-name")
    assert nothing.exit_code == 1  # mutt shows the one status line as an error
    assert nothing.stdout == "No matches for 'nobody-by-this-name' in the contact vault\n" and nothing.stderr == ""


def test_segments_expand(vault: Path, invoke) -> None:
    hot = found(invoke, vault, "@hot-leads")
    assert hot and set(hot) == set(found(invoke, vault, "stage:lead AND last_contact:>-30days"))
    emea = found(invoke, vault, "@customers-emea")
    assert "ada-lovelace" in emea and "ingrid-halvorsen" in emea
    assert "emily-carter" not in emea  # a customer in the United States


def test_city_and_country_come_from_the_address(vault: Path, invoke) -> None:
    assert "ada-lovelace" in found(invoke, vault, "city:london")
    assert set(found(invoke, vault, "country:uk")) == set(found(invoke, vault, "country:gb"))
    assert set(found(invoke, vault, "country:uk")) == set(found(invoke, vault, 'country:"united kingdom"'))


def test_list_takes_a_query(vault: Path, invoke) -> None:
    rows = json.loads(invoke("-C", vault, "list", "--format", "json", "tag:customer", "--stage", "customer").stdout)
    assert rows and all("customer" in r["tags"] and r["stage"] == "customer" for r in rows)
    names = [r["name"] for r in rows]
    assert names == sorted(names, key=fold)


@pytest.mark.parametrize("query, message", [
    ("nosuchfield:x", "no field 'nosuchfield'"),
    ("created:yesterdayish", "is not a date"),
    ("@nope", "no segment '@nope'"),
    ("created:[2026-01-01 2026-02-01]", "a date range looks like"),
])
def test_bad_queries_are_one_line_errors(vault: Path, invoke, query: str, message: str) -> None:
    result = invoke("-C", vault, "search", query)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_every_query_help_example_is_a_valid_query(vault: Path, invoke) -> None:
    for query in ["ada lovelace", "tag:customer stage:lead", "industry:retail", "phone:7946 0958",
                  "last_contact:<-90days", "created:2026", "created:[2026-01-01 to 2026-06-30]", "birthday:12",
                  "ada*", "lovlace~", '"demo first"', "ada AND (call OR NOT email)", "@hot-leads"]:
        result = invoke("-C", vault, "search", query)
        assert result.exit_code in (0, 1), result.output  # 1: nothing matches; never 2, a query that does not read


# --- Freshness --------------------------------------------------------------------------------


def test_files_changed_behind_the_tools_back_are_seen(vault: Path, invoke) -> None:
    assert found(invoke, vault, "ada")[0] == "ada-lovelace"
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8").replace("Prefers", "Adores marzipan. Prefers"), encoding="utf-8")
    assert found(invoke, vault, "marzipan") == ["ada-lovelace"]

    (vault / "contacts" / "new-person.md").write_text("---\nname: Grace Hopper\n---\nCOBOL.\n", encoding="utf-8")
    assert found(invoke, vault, "cobol") == ["new-person"]

    (vault / "contacts" / "new-person.md").rename(vault / "contacts" / "grace-hopper.md")
    assert found(invoke, vault, "cobol") == ["grace-hopper"]

    (vault / "contacts" / "grace-hopper.md").unlink()
    assert found(invoke, vault, "cobol") == []

    sub = vault / "contacts" / "archive"
    sub.mkdir()
    shutil.move(vault / "contacts" / "zoe-muller.md", sub / "zoe-muller.md")
    rows = json.loads(invoke("-C", vault, "search", "--format", "json", "zoe").stdout)
    assert [r["path"] for r in rows if r["handle"] == "zoe-muller"] == ["contacts/archive/zoe-muller.md"]


def test_only_changed_files_are_reread(vault: Path) -> None:
    v = Vault.open(vault, today=TODAY)
    for path in v.files():
        backdate(path)
    first = freshness.refresh(v, TODAY)
    assert first.reread == len(v.files())
    assert freshness.refresh(v, TODAY).reread == 0
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    backdate(ada, 30)
    assert freshness.refresh(v, TODAY).reread == 1
    assert freshness.refresh(v, TODAY).reread == 0


def test_an_unchanged_vault_is_recognised_by_its_digest_in_a_new_process(vault: Path) -> None:
    """The stamp's digest is what a later process computes, scanning in a child or not: no manifest is read."""
    from vault_tool.search.scan import BackgroundScan, scan_with_digest

    v = Vault.open(vault, today=TODAY)
    for path in v.files():
        backdate(path)
    freshness.refresh(v, TODAY)
    stamped = json.loads((vault / ".vault" / freshness.STAMP).read_text(encoding="utf-8"))["digest"]
    code = "import sys; from pathlib import Path; from vault_tool.search.scan import scan_with_digest; " \
           "print(scan_with_digest(Path(sys.argv[1])).digest)"
    later = subprocess.run([sys.executable, "-c", code, str(vault / "contacts")], capture_output=True, text=True, check=True)
    assert later.stdout.strip() == stamped
    in_child = BackgroundScan(vault / "contacts").result()
    assert in_child.digest == stamped
    assert in_child.stats == scan_with_digest(vault / "contacts").stats
    assert list(in_child.stats) == list(scan_with_digest(vault / "contacts").stats)


def test_a_vault_mostly_new_to_the_index_is_built_anew(tmp_path: Path) -> None:
    """A lost manifest (or a branch where most files differ) means a build, not re-reading file by file."""
    planted = generate(tmp_path / "v", freshness.REBUILD_FROM, seed=5, today=TODAY)
    v = Vault.open(tmp_path / "v", today=TODAY)
    for path in v.files():
        backdate(path)
    assert freshness.refresh(v, TODAY).rebuilt
    (tmp_path / "v" / ".vault" / freshness.MANIFEST).unlink()
    edited = tmp_path / "v" / planted["rare_word"]["path"]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    backdate(edited, 30)
    again = freshness.refresh(v, TODAY)
    assert again.rebuilt
    assert again.notices == [f"{freshness.REBUILD_FROM} of {freshness.REBUILD_FROM} files are new to the search index; "
                             "building it anew"]
    assert handles(v, planted["rare_word"]["note_word"]) == {planted["rare_word"]["handle"]}
    assert freshness.refresh(v, TODAY).reread == 0


def test_field_lengths_read_whole_are_whoosh_s_own(generated) -> None:
    """The writer's in-memory field lengths give what Whoosh's per-posting reads give, for every document."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    from vault_tool.search import index as ix_mod

    vault, _, _ = generated
    ix = freshness.refresh(vault, TODAY).index
    names = [name for name in ix.schema.names() if ix.schema[name].scorable]
    lengths = []
    for segment in ix._segments():
        ours = ix_mod._LengthsInMemory(ix.storage, segment)
        whoosh_s = W3PerDocReader(ix.storage, segment)
        for docnum in range(segment.doc_count_all()):
            for name in names:
                length = ours.doc_field_length(docnum, name)
                assert length == whoosh_s.doc_field_length(docnum, name), (docnum, name)
                lengths.append(length)
        ours.close()
        whoosh_s.close()
    assert len(lengths) > 1000 and max(n or 0 for n in lengths) > 50  # the notes' lengths, among others


def test_a_scan_split_between_two_processes_is_the_same_scan(tmp_path: Path) -> None:
    from vault_tool.search.scan import BackgroundScan, digest, scan

    generate(tmp_path / "v", 60, seed=3)
    (tmp_path / "v" / "contacts" / "people").mkdir()
    (tmp_path / "v" / "contacts" / "people" / "zed.md").write_text("---\nname: Zed\n---\n", encoding="utf-8")
    (tmp_path / "v" / "contacts" / ".hidden.md").write_text("---\nname: Hidden\n---\n", encoding="utf-8")
    whole = scan(tmp_path / "v" / "contacts")
    assert len(whole) == 61 and "people/zed.md" in whole and ".hidden.md" not in whole
    for split_from in (1, 2, 61, 62):
        split = BackgroundScan(tmp_path / "v" / "contacts", split_from=split_from).result()
        assert split.digest == digest(whole, split_from)
        assert split.stats == whole
    assert digest(whole, 61) != digest(whole, 62)  # two halves digested apart, or the whole at once
    unasked = BackgroundScan(tmp_path / "v" / "contacts", split_from=1).result()
    assert unasked.digest == digest(whole, 1)  # its stats are never read: the children are let go
    del unasked


def test_an_edit_within_the_same_second_at_the_same_size_is_seen(vault: Path, invoke) -> None:
    ada = vault / "contacts" / "ada-lovelace.md"
    original = ada.read_text(encoding="utf-8")
    info = ada.stat()
    assert found(invoke, vault, "marzipan") == []
    ada.write_text(original.replace("Prefers", "Marzipan"), encoding="utf-8")  # same length
    os.utime(ada, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same modification time
    assert found(invoke, vault, "marzipan") == ["ada-lovelace"]


def test_git_pull_and_checkout_are_seen(vault: Path, invoke, tmp_path: Path) -> None:
    assert found(invoke, vault, "tag:kayaking") == []
    git(vault, "checkout", "-q", "-b", "other")
    ok(invoke("-C", vault, "add", "Kay Paddler", "--tag", "kayaking"))
    assert found(invoke, vault, "tag:kayaking") == ["kay-paddler"]
    git(vault, "checkout", "-q", "-")
    assert found(invoke, vault, "tag:kayaking") == []

    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(vault), str(remote))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    assert found(invoke, clone, "tag:kayaking") == []
    git(vault, "push", "-q", str(remote), "other:" + git(clone, "branch", "--show-current").strip())
    git(clone, "pull", "-q")
    assert found(invoke, clone, "tag:kayaking") == ["kay-paddler"]


def test_an_appointment_that_has_happened_counts_as_last_contact(vault: Path, invoke) -> None:
    rows = json.loads(invoke("-C", vault, "--today", "2026-11-23", "search", "--format", "json", "zoe").stdout)
    assert rows[0]["last_contact"] != "2026-11-26"
    later = invoke("-C", vault, "--today", "2026-11-27", "search", "--format", "json", "name:zoe")
    assert json.loads(later.stdout)[0]["last_contact"] == "2026-11-26"


@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage", "old-schema"])
def test_a_broken_index_is_rebuilt_with_a_notice(vault: Path, invoke, damage: str) -> None:
    assert found(invoke, vault, "lovelace") == ["ada-lovelace"]
    index_dir = vault / ".vault" / "index"
    if damage == "delete":
        shutil.rmtree(index_dir)
    elif damage == "truncate":
        for path in index_dir.iterdir():
            if path.suffix in (".seg", ".toc") or path.name.endswith(".trm"):
                path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif damage == "garbage":
        for path in index_dir.iterdir():
            path.write_bytes(os.urandom(64))
    else:
        stamp = vault / ".vault" / freshness.STAMP
        data = json.loads(stamp.read_text())
        data["settings"] = "schema=0;region=GB"
        stamp.write_text(json.dumps(data))
    result = invoke("-C", vault, "search", "--format", "json", "lovelace")
    ok(result)
    assert [r["handle"] for r in json.loads(result.stdout)] == ["ada-lovelace"]
    assert "Traceback" not in result.output
    if damage != "delete":
        assert result.stderr.count("notice:") == 1 and "rebuil" in result.stderr
    assert found(invoke, vault, "lovelace") == ["ada-lovelace"]


def test_a_file_that_does_not_parse_is_named_and_comes_back_when_fixed(vault: Path, invoke) -> None:
    ada = vault / "contacts" / "ada-lovelace.md"
    good = ada.read_text(encoding="utf-8")
    ada.write_text(good.replace("name: Ada Lovelace", "name: [Ada"), encoding="utf-8")
    result = invoke("-C", vault, "search", "--format", "json", "lovelace")
    assert result.exit_code == 1  # nothing else matches "lovelace"
    assert "contacts/ada-lovelace.md" in result.stderr and "warning" in result.stderr
    assert "ada-lovelace" not in [r["handle"] for r in json.loads(result.stdout)]
    again = invoke("-C", vault, "search", "--format", "json", "babbage")
    assert "contacts/ada-lovelace.md" in again.stderr  # still named while it is broken
    ada.write_text(good, encoding="utf-8")
    fixed = invoke("-C", vault, "search", "--format", "json", "lovelace")
    assert "warning" not in fixed.stderr
    assert "ada-lovelace" in [r["handle"] for r in json.loads(fixed.stdout)]


def test_reindex_prints_count_and_time(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "reindex")
    ok(result)
    assert result.stdout.startswith("Indexed 25 contacts in ")
    (vault / "contacts" / "broken.md").write_text("---\nname: [unclosed\n---\n")
    result = invoke("-C", vault, "reindex")
    assert result.exit_code == 0 and result.stdout.rstrip().endswith(" s (1 file did not parse)")


# --- Processes at once --------------------------------------------------------------------------


def contacts_bin() -> str:
    found_bin = shutil.which("contacts", path=os.path.dirname(sys.executable)) or shutil.which("contacts")
    assert found_bin, "the contacts entry point is installed"
    return found_bin


def test_searches_at_once_and_a_search_during_log(vault: Path) -> None:
    env = {**os.environ, "CONTACTS_VAULT": str(vault)}
    # No index yet: every process wants to build it at the same time.
    shutil.rmtree(vault / ".vault" / "index", ignore_errors=True)
    procs = [subprocess.Popen([contacts_bin(), "search", "--format", "paths", "lovelace"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    procs.append(subprocess.Popen([contacts_bin(), "log", "ada", "call", "Parallel", "-m", "During searches."],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 5, outputs
    for out, err in outputs[:4]:
        assert "contacts/ada-lovelace.md" in out.split()
        assert "Traceback" not in err
    done = subprocess.run([contacts_bin(), "search", "--format", "paths", "Parallel"], env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["contacts/ada-lovelace.md"]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_a_date_names_exactly_its_day(day: dt.date) -> None:
    from vault_tool.search.query import date_range

    number = day.year * 10000 + day.month * 100 + day.day
    assert date_range(day.isoformat(), TODAY) == f"[{number} to {number}]"
    assert date_range(f"[{day} to {day}]", TODAY) == f"[{number} to {number}]"
    assert date_range(f">={day}", TODAY) == f"[{number} to]"
    assert date_range(f"<={day}", TODAY) == f"[to {number}]"


def test_score_queries_use_todays_scores(vault: Path, invoke) -> None:
    from vault_tool.search.scoring import contact_score

    v = Vault.open(vault, today=TODAY)
    scores = {c.handle: contact_score(c, v.config, TODAY).total for c in v.load().contacts}
    assert handles(v, "score:>20") == {h for h, s in scores.items() if s > 20}
    assert handles(v, "score:[10 to 25]") == {h for h, s in scores.items() if 10 <= s <= 25}
    assert handles(v, "score:<0 OR tag:vip") == {
        h for h, s in scores.items() if s < 0} | handles(v, "tag:vip")
    rows = search(v, "", TODAY, sort="score", limit=5).rows
    assert [r["score"] for r in rows] == sorted(scores.values(), reverse=True)[:5]
    table = invoke("-C", vault, "--today", "2026-11-23", "search", "--sort", "score", "--limit", "3", "kind:person")
    assert table.stdout.splitlines()[0].split()[-1] == "SCORE"


def test_numbers_in_custom_fields_compare_as_numbers(vault: Path) -> None:
    v = Vault.open(vault, today=TODAY)
    employees = {c.handle: float(c.meta["employees"]) for c in v.load().contacts if "employees" in c.meta}
    assert handles(v, "employees:>300") == {h for h, n in employees.items() if n > 300}
    assert handles(v, "employees:[100 to 600]") == {h for h, n in employees.items() if 100 <= n <= 600}
    assert handles(v, "employees:1200") == {h for h, n in employees.items() if n == 1200}


def test_a_score_query_without_rules_is_a_clear_error(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "search", "score:>5")
    assert result.exit_code == 2 and "scoring rules" in result.stderr


def test_a_background_scan_brings_edits_deletions_and_additions_in(tmp_path: Path) -> None:
    """The search command's path: the scan runs in a child, the manifest is read while it does."""
    from vault_tool.search.scan import BackgroundScan

    planted = generate(tmp_path / "v", 40, seed=3, today=TODAY)
    v = Vault.open(tmp_path / "v", today=TODAY)
    for path in v.files():
        backdate(path)
    assert freshness.refresh(v, TODAY, scanning=BackgroundScan(v.contacts_dir)).rebuilt
    edited = tmp_path / "v" / planted["rare_word"]["path"]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nQuokkaphile.\n", encoding="utf-8")
    backdate(edited, 30)
    gone = next(p for p in v.files() if p != edited)
    gone.unlink()
    added = tmp_path / "v" / "contacts" / "new-person.md"
    added.write_text("---\nname: New Person\n---\nA quokkaphile too.\n", encoding="utf-8")
    backdate(added, 30)
    result = freshness.refresh(v, TODAY, scanning=BackgroundScan(v.contacts_dir))
    assert (result.reread, result.removed) == (2, 1)
    assert handles(v, "quokkaphile") == {planted["rare_word"]["handle"], "new-person"}
    assert freshness.refresh(v, TODAY, scanning=BackgroundScan(v.contacts_dir)).reread == 0


def test_the_manifest_is_kept_in_the_scan_s_parts_and_unchanged_parts_are_not_rewritten(tmp_path: Path) -> None:
    import marshal

    from vault_tool.search.scan import PARTS_PER_HALF, BackgroundScan

    planted = generate(tmp_path / "v", 40, seed=3, today=TODAY)
    v = Vault.open(tmp_path / "v", today=TODAY)
    for path in v.files():
        backdate(path)

    def refresh():
        return freshness.refresh(v, TODAY, scanning=BackgroundScan(v.contacts_dir, split_from=5))

    def manifest() -> list:
        return marshal.loads((tmp_path / "v" / ".vault" / freshness.MANIFEST).read_bytes())

    assert refresh().rebuilt
    parts = manifest()
    assert len(parts) == 2 * PARTS_PER_HALF and sum(part[1] for part in parts) == 40
    edited = tmp_path / "v" / planted["rare_word"]["path"]  # in one part or another
    edited.write_text(edited.read_text(encoding="utf-8") + "\nQuokkaphile.\n", encoding="utf-8")
    backdate(edited, 30)
    assert (refresh().reread, refresh().reread) == (1, 0)
    after = manifest()
    assert sum(old == new for old, new in zip(parts, after)) == len(parts) - 1  # the others kept as they were
    assert handles(v, "quokkaphile") == {planted["rare_word"]["handle"]}

    gone = next(p for p in sorted(v.files()) if p != edited)
    gone.unlink()  # every later file moves up a place: both halves differ
    result = refresh()
    assert (result.reread, result.removed) == (0, 1)
    assert sum(part[1] for part in manifest()) == 39

    stats = {}
    for part in manifest():
        stats.update(marshal.loads(part[2]))
    (tmp_path / "v" / ".vault" / freshness.MANIFEST).write_bytes(marshal.dumps(stats, 2))  # an older manifest
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAgain.\n", encoding="utf-8")
    backdate(edited, 20)
    result = refresh()
    assert (result.reread, result.rebuilt) == (1, False)


@pytest.mark.parametrize("garbage", [b"", b"\x00garbage", b"[1, 2]", "marshal-list"])
def test_an_unreadable_manifest_means_reading_the_files_again(vault: Path, garbage) -> None:
    import marshal

    v = Vault.open(vault, today=TODAY)
    for path in v.files():
        backdate(path)
    freshness.refresh(v, TODAY)
    if garbage == "marshal-list":
        garbage = marshal.dumps([("x", 1, b"not marshal at all")])
    (vault / ".vault" / freshness.MANIFEST).write_bytes(garbage)
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\nLoves marzipan.\n", encoding="utf-8")
    backdate(ada, 30)
    result = freshness.refresh(v, TODAY)
    assert result.reread == len(v.files()) and not result.rebuilt
    assert handles(v, "marzipan") == {"ada-lovelace"}
