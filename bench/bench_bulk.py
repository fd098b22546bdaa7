"""`contacts tag --query` and `contacts set --query` on a large vault, whole process.

    python bench/bench_bulk.py --n 10000 [--runs 3] [--dir DIR]

Generates a vault with bench/gen_vault.py (unless DIR already holds one), commits it and builds
its index (once, untimed). Each round then times, as the installed `contacts` program, with the
index up to date:

* `tag --query '*' +bulk-R --yes`: a new tag on every contact (every file changes);
* `set --query '*' owner owner-R --yes`: a new owner for every contact;
* `tag --query tag:newsletter +news-R --yes`: a segment of the vault.

R names the run and the round (`bulk-7-0`: the vault had 7 commits when the run began), so that a
run on a vault an earlier run changed still adds new tags and owners, and every case changes files.

Each is one commit of every changed file (the files in HEAD's commit are counted). After each,
the next command brings the index up to date with the changed files: that is timed apart (a
`contacts search` that matches nothing). Prints the median seconds of each.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vault import DEFAULT_TODAY, generate
from installed import contacts_command

IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
CASES = (
    ("tag --query '*'", lambda r: ["tag", "--query", "*", f"+bulk-{r}", "--yes"]),
    ("set --query '*' owner", lambda r: ["set", "--query", "*", "owner", f"owner-{r}", "--yes"]),
    ("tag --query tag:newsletter", lambda r: ["tag", "--query", "tag:newsletter", f"+news-{r}", "--yes"]),
)


def run(argv: list[str], cwd: Path, env: dict[str, str], check: bool = True) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if check and done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def prepared(root: Path, n: int, env: dict[str, str]) -> None:
    """The generated vault, committed, with its index built (none of it timed)."""
    if not (root / "contacts").is_dir():
        generate(root, n, seed=1)
    if not (root / ".git").is_dir():
        for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "Generated vault"]):
            subprocess.run(argv, cwd=root, env=env, check=True)
    run([contacts_command(), "reindex"], root, env)


def commits(root: Path, env: dict[str, str]) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, env=env, capture_output=True, text=True,
                         check=True).stdout
    return int(out)


def files_in_head(root: Path, env: dict[str, str]) -> int:
    out = subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=root, env=env,
                         capture_output=True, text=True, check=True).stdout
    return len(out.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="a vault made by gen_vault.py, or where to make one")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    env = {**os.environ, **IDENTITY, "CONTACTS_TODAY": DEFAULT_TODAY.isoformat()}
    prepared(root, args.n, env)
    run_word = commits(root, env)
    times: dict[str, list[float]] = {label: [] for label, _ in CASES}
    updates: dict[str, list[float]] = {label: [] for label, _ in CASES}
    changed: dict[str, int] = {}
    for round_ in range(args.runs):
        for label, argv in CASES:
            times[label].append(run([contacts_command(), *argv(f"{run_word}-{round_}")], root, env))
            changed[label] = files_in_head(root, env)
            updates[label].append(run([contacts_command(), "search", "zzzz-nothing"], root, env, check=False))
    count = len(list((root / "contacts").rglob("*.md")))
    print(f"{count} contacts in {root}; medians of {args.runs} rounds, whole process")
    for label, _ in CASES:
        print(f"{label:30} {statistics.median(times[label]):6.2f} s   ({changed[label]} files in one commit; "
              f"the next command's index update {statistics.median(updates[label]):.2f} s)")


if __name__ == "__main__":
    main()
