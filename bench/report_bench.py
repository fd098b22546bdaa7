"""Benchmark of `contacts report` on a generated vault with a realistic git history.

    python bench/report_bench.py --n 10000 [--runs 5] [--keep DIR]

Generates ``n`` contacts with gen_vault.py, then writes a git history for them
with `git fast-import`: each contact is added in its own commit at the stage it
started at, and each later stage change is a commit of its own (lead → prospect
→ customer → churned, days to months apart, over two years), so that the last
commit holds exactly the generated files. Then it times the whole `contacts
report` process from the shell (median of ``runs``):

- first report, with nothing kept in .vault/ but the index (built by the first run): every summary is
  read and counted, and the whole git log is read once;
- the same again: the counts kept per segment of the index (.vault/rows/report), the
  history from .vault/history;
- after a change committed with `contacts log`: one file read again, one new commit read;
- as HTML; with a query (the search index is built beforehand, untimed);
- the one pass over the git log on its own, with no cache.

Target: under 5 s for 10,000 contacts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vault import DEFAULT_TODAY, generate  # noqa: E402
from installed import contacts_command  # noqa: E402

PATHS = {  # final stage -> (weight, stages walked to get there)
    "lead": [(1, ["lead"])],
    "prospect": [(7, ["lead", "prospect"]), (3, ["prospect"])],
    "customer": [(2, ["lead", "prospect", "customer"]), (1, ["prospect", "customer"]), (1, ["customer"])],
    "churned": [(2, ["lead", "prospect", "customer", "churned"]), (3, ["customer", "churned"])],
}
STAGE_LINE = re.compile(r"^stage: *(.*)$", re.M)
IDENTITY = "Bench <bench@example.com>"


def _versions(text: str, rng: random.Random, today: dt.date) -> list[tuple[dt.date, str]]:
    """The (day, file text) versions of one contact, oldest first; the last is ``text`` itself."""
    front_end = text.index("\n---", 3)
    found = STAGE_LINE.search(text, 0, front_end)
    start = today - dt.timedelta(days=rng.randint(30, 730))
    if not found or found.group(1) not in PATHS:
        return [(start, text)]
    options = PATHS[found.group(1)]
    stages = rng.choices([p for _, p in options], [w for w, _ in options])[0]
    days, day = [], start
    for _ in stages:
        days.append(min(day, today))
        day += dt.timedelta(days=rng.randint(7, 120))
    texts = [text[: found.start()] + f"stage: {s}" + text[found.end():] for s in stages[:-1]] + [text]
    return list(zip(days, texts))


def _commit(out: list[bytes], day: dt.date, message: str, files: list[tuple[str, bytes]]) -> None:
    when = int(dt.datetime.combine(day, dt.time(12), dt.timezone.utc).timestamp())
    msg = message.encode()
    out.append(f"commit refs/heads/main\nauthor {IDENTITY} {when} +0000\ncommitter {IDENTITY} {when} +0000\n"
               f"data {len(msg)}\n".encode() + msg + b"\n")
    for path, data in files:
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")


def make_history(root: Path, today: dt.date = DEFAULT_TODAY, seed: int = 1) -> int:
    """Turn ``root`` (a generated vault) into a git repository whose history walks every contact's stages."""
    rng = random.Random(seed)
    events: list[tuple[dt.date, str, str, bytes]] = []
    for path in sorted((root / "contacts").glob("*.md")):
        rel = f"contacts/{path.name}"
        for day, text in _versions(path.read_text(encoding="utf-8"), rng, today):
            events.append((day, rel, path.stem, text.encode("utf-8")))
    events.sort(key=lambda e: (e[0], e[1]))
    first = min(e[0] for e in events) - dt.timedelta(days=1)
    stream: list[bytes] = []
    setup = [(name, (root / name).read_bytes()) for name in ("vault.yaml", ".gitignore", ".gitattributes")]
    _commit(stream, first, "Create contact vault", setup)
    seen: set[str] = set()
    for day, rel, handle, data in events:
        _commit(stream, day, f"{'Set stage of' if rel in seen else 'Add'} {handle}", [(rel, data)])
        seen.add(rel)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "reset", "-q"], cwd=root, check=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "contacts"], cwd=root, capture_output=True,
                           text=True, check=True).stdout
    assert not dirty.strip(), f"the history does not end with the generated files: {dirty[:300]}"
    return len(events) + 1


def timed(command: list[str], runs: int, before: object = None) -> float:
    """Median wall time of ``command`` (stdout discarded); ``before`` runs before each timing."""
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the vault here and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="report-bench-"))
    root = folder / "vault"
    env_today = ["--today", DEFAULT_TODAY.isoformat()]
    contacts = [contacts_command(), "-C", str(root), *env_today]
    try:
        start = time.perf_counter()
        generate(root, args.n, seed=1)
        commits = make_history(root)
        print(f"vault: {args.n} contacts, {commits} commits ({time.perf_counter() - start:.1f} s to make)")
        caches = [root / ".vault" / "rows" / "report", root / ".vault" / "history"]
        drop_caches = lambda: [c.unlink(missing_ok=True) for c in caches]  # noqa: E731
        report = [*contacts, "report"]
        print(f"report, first (no caches):         {timed(report, max(1, args.runs // 2), drop_caches):6.2f} s")
        print(f"report, again (caches):            {timed(report, args.runs):6.2f} s")
        victims = iter(sorted((root / "contacts").glob("*.md")))

        def change_and_commit() -> None:
            victim = next(victims)
            text = victim.read_text(encoding="utf-8")
            victim.write_text(re.sub(r"^stage: .*$", "stage: churned", text, count=1, flags=re.M), encoding="utf-8")
            then = time.time() - 5
            os.utime(victim, (then, then))
            subprocess.run([*contacts, "log", victim.stem, "note", "Bench", "-m", "Changed"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        print(f"report, after a change committed:  {timed(report, args.runs, change_and_commit):6.2f} s")
        html = folder / "report.html"
        seconds = timed([*report, "--format", "html", "-o", str(html)], args.runs)
        print(f"report --format html -o FILE:      {seconds:6.2f} s  ({html.stat().st_size // 1024} KB)")
        start = time.perf_counter()
        subprocess.run([*contacts, "reindex"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        print(f"(search index built in {time.perf_counter() - start:.1f} s, not part of any figure)")
        print(f"report 'stage:customer':           {timed([*report, 'stage:customer'], args.runs):6.2f} s")
        history = [sys.executable, "-c", "import sys, pathlib; from vault_tool.reports.history import stage_timelines; "
                   "r = pathlib.Path(sys.argv[1]); print(len(stage_timelines(r, r / 'contacts')))", str(root)]
        print(f"git history, whole pass (no cache): {timed(history, max(1, args.runs // 2)):6.2f} s")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
