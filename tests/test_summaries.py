"""The summaries cache behind reports: always what the files say, whatever happened to them or to it."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from vault_tool.reports.summaries import CACHE_NAME, load_summaries, summarise
from vault_tool.store.vault import Vault

ADA = """\
---
name: Ada Lovelace
stage: lead
tags: [vip]
employees: 12
---
- [ ] Write notes due:2026-12-01

## 2026-11-20 call — Renewal
## 2026-10-01 email — Earlier, written later
"""


def age(path: Path, seconds: float = 10) -> None:
    """Make ``path`` look modified ``seconds`` ago (older than the racy window)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def vault_with(tmp_path: Path, files: dict[str, str]) -> Vault:
    root = tmp_path / "v"
    (root / "contacts").mkdir(parents=True)
    (root / "vault.yaml").write_text("version: 1\n")
    for rel, text in files.items():
        path = root / "contacts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        age(path)
    return Vault.open(root)


def names(vault: Vault) -> list[str]:
    return [s.name for s in load_summaries(vault).items]


def test_a_summary_has_what_reports_need(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA})
    [ada] = load_summaries(vault).items
    assert (ada.path, ada.handle, ada.name) == ("contacts/ada.md", "ada", "Ada Lovelace")
    assert ada.facts.stage == "lead" and ada.facts.fields["employees"] == "12"
    # interactions sorted by date, each with its kind
    assert list(zip(ada.facts.interactions, ada.kinds)) == [("2026-10-01", "email"), ("2026-11-20", "call")]
    assert ada.facts.open_task_dues == ["2026-12-01"]
    assert ada.lists == {"tags": ["vip"]}


def test_edits_additions_and_deletions_behind_the_tools_back_are_seen(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "sub/bob.md": ADA.replace("Ada Lovelace", "Bob")})
    assert names(vault) == ["Ada Lovelace", "Bob"]
    assert (vault.state_dir / CACHE_NAME).is_file()
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA.replace("Ada Lovelace", "Ada King"))
    age(ada, 5)
    (vault.contacts_dir / "sub" / "bob.md").unlink()
    (vault.contacts_dir / "cy.md").write_text(ADA.replace("Ada Lovelace", "Cy"))
    assert names(vault) == ["Ada King", "Cy"]


def test_an_edit_that_keeps_size_and_time_is_not_trusted_while_the_file_is_young(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA})
    ada = vault.contacts_dir / "ada.md"
    ada.write_text(ADA)  # just written: too young to trust its (size, mtime)
    assert names(vault) == ["Ada Lovelace"]
    stamp = os.stat(ada)
    ada.write_text(ADA.replace("Ada", "Eva"))  # same size; put the old time back
    os.utime(ada, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert names(vault) == ["Eva Lovelace"]


def test_a_broken_file_is_reported_every_time_and_comes_back_when_fixed(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "bad.md": "---\nname: [unclosed\n---\n"})
    for _ in range(2):  # from the files, then from the cache
        loaded = load_summaries(vault)
        assert [s.handle for s in loaded.items] == ["ada"]
        [problem] = loaded.problems
        assert problem.path == vault.contacts_dir / "bad.md" and "invalid YAML" in problem.message
    bad = vault.contacts_dir / "bad.md"
    bad.write_text("---\nname: Fixed\n---\n")
    age(bad, 3)
    assert names(vault) == ["Ada Lovelace", "Fixed"]


def test_a_garbage_or_foreign_cache_is_rebuilt(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA})
    cache = vault.state_dir / CACHE_NAME
    vault.state_dir.mkdir()
    for junk in ("\x00garbage", "[]", json.dumps({"version": "0", "files": {}}), ""):
        cache.write_text(junk)
        assert names(vault) == ["Ada Lovelace"]
    version = json.loads(cache.read_text())["version"]
    stamp = [os.stat(vault.contacts_dir / "ada.md").st_size, os.stat(vault.contacts_dir / "ada.md").st_mtime_ns]
    for entry in ({"stamp": [1, 2], "summary": {}}, {"stamp": stamp, "summary": {"nonsense": True}},
                  {"stamp": stamp, "summary": None}, {"stamp": stamp}):
        cache.write_text(json.dumps({"version": version, "files": {"contacts/ada.md": entry}}))
        assert names(vault) == ["Ada Lovelace"]


def test_only_limits_to_the_given_files(tmp_path: Path) -> None:
    vault = vault_with(tmp_path, {"ada.md": ADA, "bob.md": ADA.replace("Ada Lovelace", "Bob")})
    only = {vault.contacts_dir / "bob.md"}
    assert [s.name for s in load_summaries(vault, only).items] == ["Bob"]


def test_summarise_names_an_unreadable_file(tmp_path: Path) -> None:
    assert summarise(tmp_path, tmp_path / "gone.md")["error"]["message"].startswith("cannot read")


def test_a_large_vault_is_read_in_two_processes_with_the_same_result(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from gen_vault import generate

    from vault_tool.reports.summaries import PARALLEL_FROM

    generate(tmp_path / "big", PARALLEL_FROM + 100, seed=3)
    vault = Vault.open(tmp_path / "big")
    loaded = load_summaries(vault)
    assert len(loaded.items) == PARALLEL_FROM + 100 and loaded.problems == []
    for item in loaded.items[:: PARALLEL_FROM // 10]:
        assert item.to_data() == summarise(vault.root, vault.root / item.path)["summary"]
    assert [s.to_data() for s in load_summaries(vault).items] == [s.to_data() for s in loaded.items]  # cached
