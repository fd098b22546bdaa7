"""Every reading command, whole process from the shell, with `rg -il` (else `grep -ril`) in the same rounds.

    python bench/bench_reading.py --n 100000 [--runs 5] [--dir DIR] [--only agenda,tasks]

Generates a vault with bench/gen_vault.py (unless DIR already holds one; its index is built
first, untimed), then prints for each command the median of --runs rounds, each round running
in turn: `rg -il WORD contacts/`, the command with nothing changed, and the command right after
one contact file was edited ("nothing changed" waits until the last edit is over two seconds
old: a younger file is read again, as git treats a "racy" file). Peak memory is the largest resident size of any run of the command.
Figures, not a test; the goals are in the last column (at most 2x rg unchanged, 3x after an edit).
"""
from __future__ import annotations

import argparse
import os
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

WORD = "xylophonist"
RACY_S = 2.1  # a file modified more recently than this is read again (vault_tool.format.layout.RACY_NS)
COMMANDS = {
    "list --tag": ["list", "--tag", "press"],
    "agenda": ["agenda"],
    "tasks": ["tasks"],
    "stale": ["stale"],
    "remind": ["remind"],
    "report": ["report"],
    "segments": ["segments"],
    "dupes": ["dupes"],
    "check": ["check"],
}


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (KB) of one process, its output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed with status {status}")
    return elapsed, usage.ru_maxrss


def edit(path: Path, round_: int) -> None:
    """Change one contact file as an editor would: a line added to its notes."""
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nA note added in round {round_}.\n")


def reference() -> list[str]:
    return ["rg", "-il", WORD, "contacts"] if shutil.which("rg") else ["grep", "-ril", WORD, "contacts"]


def bench(root: Path, names: list[str], runs: int, env: dict[str, str]) -> None:
    contacts = [contacts_command()]
    victim = sorted((root / "contacts").glob("*.md"))[len(names)]
    ref = reference()[0]  # rg, else grep where rg is not installed
    print(f"{'command':<12} {'unchanged':>10} {'after edit':>11} {ref:>8} {'x ' + ref:>6} {'x ' + ref + ' edit':>9} "
          f"{'peak MB':>8}   (reference: {' '.join(reference())})")
    for name in names:
        argv = [*contacts, *COMMANDS[name]]
        run(argv, root, env)  # once untimed: the index up to date, the caches warm
        plain, edited, grep, memory = [], [], [], 0
        for round_ in range(runs):
            grep.append(run(reference(), root, env)[0])
            time.sleep(RACY_S)  # the last edit is no longer too young to trust: nothing changed
            seconds, peak = run(argv, root, env)
            plain.append(seconds)
            edit(victim, round_)
            seconds, peak_after = run(argv, root, env)
            edited.append(seconds)
            memory = max(memory, peak, peak_after)
        rg, unchanged, after = (statistics.median(x) for x in (grep, plain, edited))
        print(f"{name:<12} {unchanged * 1000:8.0f}ms {after * 1000:9.0f}ms {rg * 1000:6.0f}ms "
              f"{unchanged / rg:6.2f} {after / rg:9.2f} {memory / 1024:8.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="a vault made by gen_vault.py, or where to make one")
    parser.add_argument("--only", help="comma-separated commands (default: all): " + ", ".join(COMMANDS))
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(COMMANDS)
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-reading-"))
    if not (root / "contacts").is_dir():
        generate(root, args.n, seed=1)
    env = {**os.environ, "CONTACTS_TODAY": DEFAULT_TODAY.isoformat()}
    run([contacts_command(), "search", WORD], root, env)  # the index up to date (built if need be)
    count = sum(1 for _ in (root / "contacts").glob("*.md"))
    print(f"{count} contacts in {root}; medians of {args.runs} rounds; {os.cpu_count()} CPUs")
    bench(root, names, args.runs, env)


if __name__ == "__main__":
    main()
