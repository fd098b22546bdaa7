"""Validation of a vault, for people and for CI: every check is a small function that returns problems.

A problem names the file, the line, its severity and what is wrong. Checks of one
file (filechecks.py) take a ``FileRecord``, the file read once; checks of the
vault as a whole (vaultchecks.py) take the few ``Facts`` each file contributes.
Nothing here prints or exits: the command line formats the report and chooses
the exit status.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vault_tool.format.config import VaultConfig
from vault_tool.format.layout import (
    CONFIG_NAME,
    CONTACTS,
    Stat,
    handle_of,
    in_path_order,
)
from vault_tool.search.scan import RACY, stats_and_links, trusted
from vault_tool.store.vault import LINK
from vault_tool.team.check import kept
from vault_tool.team.check.files import FILE_CHECKS
from vault_tool.team.check.records import (
    ERROR,
    CheckContext,
    CheckReport,
    Problem,
    load_config_for_check,
    read_record,
)
from vault_tool.team.check.deals import kept_deal_problems
from vault_tool.team.check.documents import orphan_folders
from vault_tool.team.check.unmerged import unmerged_problems
from vault_tool.team.check.vaultwide import VAULT_CHECKS, Facts, facts

# Running


PARALLEL_FROM = 2000  # files; below this a second process costs more than it saves


def link_problems(links: list[Path]) -> list[Problem]:
    """Each symbolic link in contacts/ is an error: nothing reads, indexes or writes through one."""
    return [Problem(link, 1, ERROR, LINK, "link") for link in links]


@dataclass
class Checked:
    """One file checked: its problems, its facts for the vault-wide checks, the day until which they hold."""

    path: Path
    problems: list[Problem]
    facts: Facts
    until: dt.date


def check_files(paths: list[Path], context: CheckContext) -> list[Checked]:
    """Read and check each file on its own."""
    found = []
    for path in paths:
        record = read_record(path)
        problems = [problem for check in FILE_CHECKS for problem in check(record, context)]
        found.append(Checked(path, problems, facts(record, context), kept.valid_until(record, context.today)))
    return found


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small objects are made and kept.

    Reading 10,000 contacts keeps millions of objects alive; each full
    collection walks all of them and finds nothing to free. Paused, a check
    of 10,000 files takes a quarter less time. Nothing here makes cycles that
    must be freed early; the collector runs again when the check is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_chunk(args: tuple[list[Path], Path, VaultConfig, dt.date, str | None]) -> list[Checked]:
    paths, root, config, today, phone_format = args
    with _collector_paused():
        return check_files(paths, CheckContext(root, config, today, phone_format))


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_all_files(paths: list[Path], context: CheckContext, parallel_from: int = PARALLEL_FROM) -> list[Checked]:
    """check_files over ``paths``, in several processes when there are many files and several CPUs."""
    workers = min(_workers(), 8)
    if len(paths) < parallel_from or workers < 2:
        return check_files(paths, context)
    size = -(-len(paths) // workers)
    chunks = [(paths[i : i + size], context.root, context.config, context.today, context.phone_format)
              for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [checked for chunk in pool.map(_check_chunk, chunks) for checked in chunk]


@dataclass
class Results:
    """Every contact file's results: the kept ones (by part), and the problems of each file that has any."""

    held: kept.Kept
    rels: list[str]  # every contact file, relative to the contacts folder, in path order
    problems: dict[str, kept.Rows]  # by path, only files with problems
    redone: dict[str, kept.Entry]  # the entries of the parts worked on now (every young file's among them)


def checked_files(context: CheckContext, stats: dict[str, Stat], parallel_from: int) -> Results:
    """The results of every contact file (``stats``: its stat, RACY when too young to trust).

    A part of the kept results whose files are unchanged gives its problems as they were (see
    kept.py); in the other parts, the kept entries serve the files unchanged since the last check,
    and the others are read and checked now. Files are handled by their relative paths: a Path
    each would cost more than the check of an unchanged vault.
    """
    folder = context.root / CONTACTS
    results = kept.load(context.root / ".vault", kept.settings_key(context.root, context.phone_format), context.today)
    rels = in_path_order(stats)
    problems: dict[str, kept.Rows] = {}
    redone: dict[int, tuple[str, dict[str, kept.Entry | None]]] = {}
    facts_before: dict[str, object] = {}
    same_facts = True  # the vault-wide checks read the facts only
    for number, group in enumerate(kept.grouped(rels, stats)):
        digest = kept.stats_digest(group)
        held = results.problems(number) if results.holds(number, digest) else None
        if held is not None:
            problems.update(held)
            continue
        before = results.entries(number)
        same_facts = same_facts and before.keys() == group.keys()
        facts_before.update((rel, entry[2]) for rel, entry in before.items())
        redone[number] = (digest, {rel: kept.fresh(before.get(rel), stat, results.day) for rel, stat in group.items()})
    todo = [folder / rel for _, entries in redone.values() for rel, entry in entries.items() if entry is None]
    for item in check_all_files(todo, context, parallel_from):
        rel = item.facts.rel
        entry = redone[kept.part_of(rel)][1][rel] = kept.entry_of(stats[rel], item.problems, item.facts, item.until)
        same_facts = same_facts and facts_before.get(rel) == entry[2]
    done: dict[str, kept.Entry] = {}
    for number, (digest, entries) in redone.items():
        done.update((rel, entry) for rel, entry in entries.items() if entry is not None)
        results.store(number, digest, {rel: done[rel] for rel in entries})
    problems.update((rel, entry[1]) for rel, entry in done.items() if entry[1])
    if not same_facts:
        results.vaultwide = None
    return Results(results, rels, problems, done)


def _vaultwide(context: CheckContext, results: Results) -> list[Problem]:
    """The vault-wide checks' problems: kept while no file's facts changed, else found from every file's facts."""
    held = results.held
    if held.vaultwide is not None:
        return kept.decoded(held.vaultwide, context.root)
    folder = context.root / CONTACTS
    entries: dict[str, kept.Entry] = {}
    for number in range(kept.PARTS):
        entries.update(held.entries(number))
    unread = {item.facts.rel: item.facts for item in  # a part whose entries could not be read: checked now
              check_files([folder / rel for rel in results.rels if rel not in entries], context)}
    found = [kept.facts_of(folder, rel, entries[rel]) if rel in entries else unread[rel] for rel in results.rels]
    problems = [problem for vault_check in VAULT_CHECKS for problem in vault_check(found, context)]
    held.vaultwide, held.changed = kept.encoded(problems, context.root), True
    return problems


def _unchanged(context: CheckContext, summary: tuple[list[Problem], kept.Young] | None) -> list[Problem] | None:
    """The summary's problems, if the files too young to trust then still give the same results."""
    if summary is None:
        return None
    problems, young = summary
    folder = context.root / CONTACTS
    for item in check_files([folder / rel for rel in young], context):
        entry = kept.entry_of(RACY, item.problems, item.facts, item.until)
        if not kept.same_results(entry, young[item.facts.rel]):
            return None
    return problems


def run_checks(
    root: Path, today: dt.date, strict: bool = False, only: Collection[Path] | None = None,
    parallel_from: int = PARALLEL_FROM, scanned: tuple[dict[str, Stat], list[str]] | None = None,
) -> CheckReport:
    """Check vault.yaml, every contact file, every deal file (deals.py) and the vault as a whole.

    ``strict`` makes every warning an error. ``only`` limits the report to problems in those files
    (the whole vault is still read, so duplicates of other files are found). A file unchanged since
    the last check is not read again (see kept.py); from ``parallel_from`` files to read on, files
    are read in one process per CPU. ``scanned``: the contact files' stats and links, taken moments
    ago (scan.BackgroundStats); else they are taken now.
    """
    config, problems, phone_format = load_config_for_check(root)
    context = CheckContext(root, config, today, phone_format)
    folder, state = root / CONTACTS, root / ".vault"
    found, links = scanned or stats_and_links(folder)
    key, digest = kept.settings_key(root, phone_format), kept.digest_of(found, links)
    same = _unchanged(context, kept.load_summary(state, key, today, digest))
    if same is not None:  # nothing changed since the last check today: its problems, as they were
        problems += same
    else:
        stats = trusted(found)
        with _collector_paused():
            results = checked_files(context, stats, parallel_from)
            checked = link_problems([folder / rel for rel in in_path_order(links)])
            inside = kept.under(folder)
            checked += [p for rel, rows in results.problems.items() for p in kept.problems_of(inside + rel, rows)]
            checked += _vaultwide(context, results)
            kept.save(state, results.held)
        young = {rel: (entry[1], entry[2]) for rel, entry in results.redone.items() if stats[rel] == RACY}
        kept.save_summary(state, key, today, digest, checked, young)
        problems += checked
    problems += unmerged_problems(root)  # git's index, not the files: asked every time
    problems += orphan_folders(root, lambda: {handle_of(rel) for rel in found})  # every time
    deals, deal_files = kept_deal_problems(context, lambda: {handle_of(rel): rel for rel in found}, trusted(found))
    problems += deals
    if only is not None:
        wanted = {Path(p).resolve() for p in only}
        problems = [p for p in problems if p.path.resolve() in wanted]
    if strict:
        problems = [p.with_severity(ERROR) for p in problems]
    config_file = str(root / CONFIG_NAME)  # compared as text: tens of thousands of Path comparisons took 0.04 s

    def order(p: Problem) -> tuple[bool, str, int, str, str]:
        return p.where != config_file, p.where, p.line, p.severity, p.message

    problems.sort(key=order)
    return CheckReport(problems, len(found), deal_files)
