"""Benchmark of `contacts report --pipeline` on a generated vault of deals with a git history of stage changes.

    python bench/bench_pipeline.py [--deals 10000] [--contacts 1000] [--runs 3] [--keep DIR]

Generates ``contacts`` contacts with gen_vault.py and ``deals`` deal files naming them (amounts with
cents in EUR, USD and GBP, with `rates:` for both in vault.yaml; owners; close dates around today),
then writes a git history with `git fast-import`: the contacts in one commit, then every stage
change of every deal as a commit of its own on its day (qualified → proposal → negotiation → won
or lost, days to weeks apart, over about a year and a half), so that the last commit holds exactly
the generated files. After one untimed report (it builds the deals' index and .vault/deal-history),
it times the whole `contacts report --pipeline` process from the shell, median of ``runs``:

- with nothing changed (the target: under 1 s for 10,000 deals): text, --by owner, json, html;
- after one deal moved a stage in a new commit: one file indexed again, one commit read;
- with no history cache (the whole git log read once), for scale.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vault import DEFAULT_TODAY, generate
from installed import contacts_command
from report_bench import IDENTITY, _commit, timed

WALKS = (  # (weight, the stages a deal walks through, its current stage last)
    (15, ["qualified"]), (8, ["qualified", "proposal"]), (4, ["proposal"]),
    (6, ["qualified", "proposal", "negotiation"]), (3, ["proposal", "negotiation"]),
    (8, ["qualified", "proposal", "negotiation", "won"]), (4, ["proposal", "negotiation", "won"]),
    (2, ["negotiation", "won"]), (4, ["qualified", "lost"]), (3, ["qualified", "proposal", "lost"]),
    (3, ["qualified", "proposal", "negotiation", "lost"]),
)
CURRENCIES = (("EUR", 70), ("USD", 20), ("GBP", 10))
RATES = "rates: {USD: 0.92, GBP: 1.16}\n"


def deal_versions(i: int, rng: random.Random, handles: list[str], today: dt.date) -> list[tuple[dt.date, bytes]]:
    """The (day, file) versions of deal ``i``, one per stage it walked through; the last is the file now."""
    walk = rng.choices([w for _, w in WALKS], [weight for weight, _ in WALKS])[0]
    day = today - dt.timedelta(days=rng.randint(20, 540))
    days = []
    for _ in walk:
        days.append(min(day, today))
        day += dt.timedelta(days=rng.randint(3, 60))
    created, close = days[0], today + dt.timedelta(days=rng.randint(-45, 300))
    amount = f"{rng.randint(5, 2000) * 100}.{rng.randint(0, 99):02d}"
    currency = rng.choices([c for c, _ in CURRENCIES], [w for _, w in CURRENCIES])[0]
    people = ", ".join(rng.sample(handles, rng.randint(1, 3)))
    versions = []
    for stage, on in zip(walk, days):
        closed = f"closed: {on.isoformat()}\n" if stage in ("won", "lost") else ""
        text = (f"---\nname: Deal {i:05d}\ncontacts: [{people}]\namount: {amount}\ncurrency: {currency}\n"
                f"stage: {stage}\nclose: {close.isoformat()}\nowner: owner-{rng.randint(1, 8)}\n"
                f"created: {created.isoformat()}\n{closed}---\nNotes on deal {i}.\n")
        versions.append((on, text.encode("utf-8")))
    return versions


def make_history(root: Path, deals: int, today: dt.date = DEFAULT_TODAY, seed: int = 1) -> int:
    """Make ``root`` (a generated vault) a git repository: its contacts, then each deal's stage changes."""
    rng = random.Random(seed)
    config = root / "vault.yaml"
    if "\nrates:" not in config.read_text(encoding="utf-8"):
        config.write_text(config.read_text(encoding="utf-8") + RATES, encoding="utf-8")
    handles = sorted(path.stem for path in (root / "contacts").rglob("*.md"))
    events = [(day, f"deals/deal-{i:05d}.md", data) for i in range(deals)
              for day, data in deal_versions(i, rng, handles, today)]
    events.sort(key=lambda e: (e[0], e[1]))
    base = [(name, (root / name).read_bytes()) for name in ("vault.yaml", ".gitignore", ".gitattributes")
            if (root / name).exists()]
    base += [(path.relative_to(root).as_posix(), path.read_bytes())
             for path in sorted((root / "contacts").rglob("*.md"))]
    stream: list[bytes] = []
    _commit(stream, events[0][0] - dt.timedelta(days=1), "Create the vault and its contacts", base)
    for day, rel, data in events:
        _commit(stream, day, f"Deal {rel}", [(rel, data)])
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
    return len(events) + 1


def move_one(root: Path) -> object:
    """A callable that moves the next deal at qualified to proposal in a commit of its own (as a person would)."""
    paths = iter(sorted((root / "deals").glob("*.md")))

    def move() -> None:
        for path in paths:
            text = path.read_text(encoding="utf-8")
            if "\nstage: qualified\n" in text:
                path.write_text(text.replace("\nstage: qualified\n", "\nstage: proposal\n"), encoding="utf-8")
                env_day = f"{DEFAULT_TODAY.isoformat()}T12:00:00+00:00"
                subprocess.run(["git", "-c", f"user.name={IDENTITY.split(' <')[0]}", "-c",
                                "user.email=bench@example.com", "commit", "-q", "-am", f"Move {path.stem}",
                                f"--date={env_day}"], cwd=root, check=True)
                return

    return move


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the vault here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    root = folder / "vault"
    report = [contacts_command(), "-C", str(root), "--today", DEFAULT_TODAY.isoformat(), "report", "--pipeline"]
    try:
        start = time.perf_counter()
        generate(root, args.contacts, seed=1)
        commits = make_history(root, args.deals)
        print(f"vault: {args.deals} deals, {args.contacts} contacts, {commits} commits "
              f"({time.perf_counter() - start:.1f} s to make)")
        start = time.perf_counter()
        subprocess.run(report, stdout=subprocess.DEVNULL, check=True)
        print(f"first report (builds the deals' index and history cache): {time.perf_counter() - start:6.2f} s")
        print(f"median of {args.runs}, whole process:")
        for label, extra in (("text", []), ("--by owner", ["--by", "owner"]), ("json", ["--format", "json"]),
                             ("html", ["--format", "html"])):
            print(f"  report --pipeline {label:31} {timed([*report, *extra], args.runs):6.2f} s")
        moved = timed(report, args.runs, move_one(root))
        print(f"  after one deal moved in a new commit         {moved:6.2f} s")
        cache = root / ".vault" / "deal-history"
        print(f"  no history cache (whole git log read)        "
              f"{timed(report, args.runs, lambda: cache.unlink(missing_ok=True)):6.2f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
