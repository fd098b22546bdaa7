"""`contacts deals`, `deal board` and `report --pipeline` on a vault of many deals, whole process.

    python bench/bench_deals.py --contacts 100000 --deals 10000 [--runs 3] [--dir DIR]

Generates a vault of contacts with bench/gen_vault.py (unless DIR already holds one) and DEALS deal
files in deals/ that name its contacts and organisations (random stages, amounts in three
currencies, close dates around today), commits them, and brings both indexes up to date (untimed).
Each round then times, as the installed `contacts` program with nothing changed since the last
command: `deals`, `deals 'stage:proposal amount:>10000'`, `deal board`, `report --pipeline`.
Prints the median seconds of each, and the first (index-building) run of `deals` apart.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vault import DEFAULT_TODAY, generate
from installed import contacts_command

IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
STAGES = (("qualified", 30), ("proposal", 25), ("negotiation", 15), ("won", 18), ("lost", 12))
CURRENCIES = (("EUR", 70), ("USD", 20), ("GBP", 10))
CASES = (
    ("deals", ["deals", "--format", "csv"]),
    ("deals 'stage:proposal amount:>10000'", ["deals", "stage:proposal amount:>10000"]),
    ("deal board", ["deal", "board", "--width", "160"]),
    ("report --pipeline", ["report", "--pipeline"]),
)


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float | None:
    """Seconds the command took; None if it failed (printed)."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        print(f"{' '.join(argv[1:])} failed ({done.returncode}): {done.stderr.strip()[:200]}", file=sys.stderr)
        return None
    return elapsed


def write_deals(root: Path, count: int, seed: int = 1) -> None:
    """``count`` deal files naming the vault's contacts, in deals/."""
    rng = random.Random(seed)
    handles = sorted(path.stem for path in (root / "contacts").rglob("*.md"))
    folder = root / "deals"
    folder.mkdir(exist_ok=True)
    stages, stage_weights = zip(*STAGES)
    currencies, currency_weights = zip(*CURRENCIES)
    for i in range(count):
        stage = rng.choices(stages, stage_weights)[0]
        created = DEFAULT_TODAY - timedelta(days=rng.randint(10, 400))
        close = DEFAULT_TODAY + timedelta(days=rng.randint(-60, 240))
        closed = f"closed: {min(close, DEFAULT_TODAY).isoformat()}\n" if stage in ("won", "lost") else ""
        amount = f"{rng.randint(5, 2000) * 100}.{rng.randint(0, 99):02d}"
        people = ", ".join(rng.sample(handles, rng.randint(1, 3)))
        text = (f"---\nname: Deal {i:05d}\ncontacts: [{people}]\namount: {amount}\n"
                f"currency: {rng.choices(currencies, currency_weights)[0]}\nstage: {stage}\n"
                f"close: {close.isoformat()}\nowner: owner-{rng.randint(1, 8)}\ncreated: {created.isoformat()}\n"
                f"{closed}---\nNotes on deal {i}.\n\n## {created.isoformat()} call — First call\nIntroduced.\n")
        (folder / f"deal-{i:05d}.md").write_text(text, encoding="utf-8")


def prepared(root: Path, contacts: int, deals: int, env: dict[str, str]) -> float | None:
    """The vault with its deals, committed; the first `deals` (which builds the deals' index) timed."""
    if not (root / "contacts").is_dir():
        generate(root, contacts, seed=1)
    new_deals = not (root / "deals").is_dir()
    if new_deals:
        write_deals(root, deals)
    if not (root / ".git").is_dir():
        subprocess.run(["git", "init", "-q"], cwd=root, env=env, check=True)
    if new_deals or not (root / ".git").is_dir():
        for argv in (["git", "add", "-A"], ["git", "commit", "-q", "-m", "Generated vault"]):
            subprocess.run(argv, cwd=root, env=env, check=True)
    first = run([contacts_command(), "deals", "--format", "paths"], root, env)
    run([contacts_command(), "report", "--pipeline"], root, env)  # its git history cache, built once
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100000)
    parser.add_argument("--deals", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="a vault made by this bench, or where to make one")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-deals-"))
    env = {**os.environ, **IDENTITY, "CONTACTS_TODAY": DEFAULT_TODAY.isoformat()}
    first = prepared(root, args.contacts, args.deals, env)
    times: dict[str, list[float]] = {label: [] for label, _ in CASES}
    for _ in range(args.runs):
        for label, argv in CASES:
            elapsed = run([contacts_command(), *argv], root, env)
            if elapsed is not None:
                times[label].append(elapsed)
    contacts = sum(1 for _ in (root / "contacts").rglob("*.md"))
    deals = sum(1 for _ in (root / "deals").glob("*.md"))
    print(f"{deals} deals, {contacts} contacts in {root}; medians of {args.runs} rounds, whole process")
    print(f"{'deals (first: builds the index)':40} {first:6.2f} s" if first is not None else "first deals: failed")
    for label, _ in CASES:
        shown = f"{statistics.median(times[label]):6.2f} s" if times[label] else "failed"
        print(f"{label:40} {shown}")


if __name__ == "__main__":
    main()
