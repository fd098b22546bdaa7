"""How long `contacts check` takes on a large vault, and what one run of the merge driver costs.

    python bench/bench_check.py [--n 10000] [--runs 3] [--dir DIR]

Generates a vault (bench/gen_vault.py, seed 1) unless DIR already holds one,
then runs the installed `contacts check` as a user would (a new process each
time, imports included) and prints the wall time of each run, their median,
and how many files and problems were reported. The target is under 10 s for
10,000 contacts. It also times `python -m vault_tool merge-driver` on one
contact file, the cost git pays per conflicting file in a merge.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_vault import generate  # noqa: E402
from installed import contacts_command  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_check(vault: Path, runs: int) -> tuple[list[float], list[float], dict]:
    """Wall time and CPU time (all processes, user + system) of each run, and the last report."""
    times, cpu, report = [], [], {}
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(
            [contacts_command(), "-C", str(vault), "--today", "2026-11-23", "check", "--format", "json"],
            capture_output=True, text=True,
        )
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - start_cpu)
        if done.returncode not in (0, 1):
            raise SystemExit(f"contacts check failed: {done.stderr}")
        report = json.loads(done.stdout)
    return times, cpu, report


def time_driver(vault: Path, runs: int) -> list[float]:
    source = sorted((vault / "contacts").glob("*.md"))[0].read_text(encoding="utf-8")
    times = []
    with tempfile.TemporaryDirectory() as folder:
        base, ours, theirs = (Path(folder) / name for name in ("base", "ours", "theirs"))
        for _ in range(runs):
            base.write_text(source)
            ours.write_text(source + "\n## 2026-11-23 call — Ours\nOne.\n")
            theirs.write_text(source.replace("\n---\n", "\nbench_field: x\n---\n", 1) + "\n## 2026-11-22 note — Theirs\nTwo.\n")
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "vault_tool", "merge-driver", base, ours, theirs, "7", "c.md"],
                           check=True, cwd=folder)
            times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="an existing generated vault to reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = args.dir or Path(tmp) / "vault"
        if not (vault / "vault.yaml").is_file():
            start = time.perf_counter()
            generate(vault, args.n, seed=1)
            print(f"generated {args.n} contacts in {time.perf_counter() - start:.1f} s")
        times, cpu, report = time_check(vault, args.runs)
        print(f"contacts check, {report['files']} files, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}: "
              + ", ".join(f"{t:.2f} s" for t in times) + f"; median {statistics.median(times):.2f} s (target < 10 s)")
        print(f"  CPU time (all processes): median {statistics.median(cpu):.2f} s")
        print(f"  reported {report['errors']} errors and {report['warnings']} warnings")
        driver = time_driver(vault, args.runs)
        print(f"merge driver, one contact file (new process): median {statistics.median(driver) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
