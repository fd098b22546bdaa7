"""Search speed, whole process from the shell, with `rg -il` (or `grep -ril`) as the reference.

    python bench/search_bench.py --n 10000 [--runs 7] [--dir DIR] [--keep]

Generates a vault (bench/gen_vault.py), then prints, as medians of --runs rounds (each round
runs the three searches below in turn, so the machine's drift falls on all of them alike):
- the first index build (`contacts reindex`, whole process) and its peak memory;
- `contacts search WORD` for a rare word with nothing changed;
- the same right after one file was edited;
- `rg -il WORD contacts/` over the same files.
It runs the `contacts` installed beside this Python (a venv's bin/), else the one on PATH.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vault import generate  # noqa: E402
from installed import contacts_command  # noqa: E402

WORD = "xylophonist"  # planted in exactly one contact's notes



def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return elapsed, done.stdout


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.0f} ms  (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})"


def reference(word: str) -> list[str]:
    if shutil.which("rg"):
        return ["rg", "-il", word, "contacts"]
    return ["grep", "-ril", word, "contacts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="where to generate the vault (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated vault")
    args = parser.parse_args()

    root = args.dir or Path(tempfile.mkdtemp(prefix="vault-bench-"))
    env = {**os.environ, "CONTACTS_VAULT": str(root), "CONTACTS_TODAY": "2026-11-23"}
    contacts = [contacts_command()]
    try:
        started = time.perf_counter()
        planted = generate(root, args.n, seed=1)
        (root / ".vault").mkdir(exist_ok=True)
        print(f"generated {args.n} contacts in {time.perf_counter() - started:.1f} s ({root})")
        target = root / planted["rare_word"]["path"]
        edited = root / "contacts" / sorted(os.listdir(root / "contacts"))[len(planted) + 1]

        build, _ = timed([*contacts, "reindex"], root, env)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"first index build (contacts reindex):   {build:7.1f} s   peak memory {peak_mb:.0f} MB")

        _, out = timed([*contacts, "search", "--format", "paths", WORD], root, env)
        assert out.split() == [planted["rare_word"]["path"]], out
        time.sleep(2.5)  # let the first search's files age past the "racy" window, as in real use
        timed([*contacts, "search", "--format", "paths", WORD], root, env)

        # In rounds, so that the machine's drift (page cache, other load) falls on all three alike.
        unchanged, after_edit, rg = [], [], []
        for run in range(args.runs):
            rg.append(timed(reference(WORD), root, env)[0])
            unchanged.append(timed([*contacts, "search", "--format", "paths", WORD], root, env)[0])
            with edited.open("a", encoding="utf-8") as handle:
                handle.write(f"\nBenchmark edit {run}.\n")
            after_edit.append(timed([*contacts, "search", "--format", "paths", WORD], root, env)[0])
            time.sleep(2.5)  # the edit ages past the "racy" window; the next search takes it in for good
            timed([*contacts, "search", "--format", "paths", WORD], root, env)
        _, listed = timed(reference(WORD), root, env)
        assert [Path(p).name for p in listed.split()] == [target.name], listed

        print(f"contacts search, nothing changed:       {median_ms(unchanged)}")
        print(f"contacts search, one file edited:       {median_ms(after_edit)}")
        print(f"{' '.join(reference(WORD)[:2])} (reference):                {median_ms(rg)}")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
