"""Benchmark: import N contacts from a CSV or vCard file, end to end, as a user runs it.

    python bench/bench_import.py --n 10000 [--format csv|vcard] [--seed 1] [--runs 1] [--keep DIR]

Makes a realistic vault of N contacts (gen_vault.py), exports it with
`contacts export --format csv` (the vault's own columns: every field, notes) or
`--format vcard` (one .vcf file of N cards), then for each run times, through the
installed `contacts` entry point:

* `contacts import people.csv` into a new empty vault (one commit), and
* `contacts list` right after it (a reading command: it brings the search
  index up to date once search is on main, so the index update is counted),

and prints the figures, with the import's peak memory. The goals: import + list
under 30 s for 10,000; 10,000 vCards imported in 10 s; 100,000 CSV rows in
3 minutes under 500 MB.
It also checks that the import made exactly one commit of N files.
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
from gen_vault import generate  # noqa: E402
from installed import contacts_command  # noqa: E402

TODAY = "2026-11-23"



def run(*args: str | Path, cwd: Path | None = None) -> tuple[float, float, float]:
    """Run a command; the seconds it took on the clock and in CPU (its own and its children's, user + system),
    and its peak memory in MB (the largest of its process and the children it waited for).

    The CPU figure says what the command costs on a machine of its own; on a busy one the clock waits
    for the other processes too. Exits with the command's output if it fails.
    """
    start = time.perf_counter()
    with subprocess.Popen([str(a) for a in args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def git_count(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def one_run(contacts: str, csv_file: Path, work: Path, n: int, number: int) -> tuple[tuple[float, float, float], ...]:
    vault = work / f"run-{number}"
    shutil.rmtree(vault, ignore_errors=True)
    run(contacts, "init", vault)
    # The generated vault shares emails and phones between contacts (numbers from small fictional
    # ranges): `new` imports every row, as a first import into an empty vault would.
    took_import = run(contacts, "-C", vault, "--today", TODAY, "import", csv_file, "--on-duplicate", "new")
    took_list = run(contacts, "-C", vault, "--today", TODAY, "list", "--format", "paths")
    files = len(git_count(vault, "show", "--name-only", "--format=", "HEAD").splitlines())
    commits = int(git_count(vault, "rev-list", "--count", "HEAD"))
    if files != n or commits != 2:
        sys.exit(f"expected one commit of {n} files after the vault's first, got {commits} commits, {files} files")
    return took_import, took_list


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--format", dest="fmt", choices=["csv", "vcard"], default="csv")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    contacts = contacts_command()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "source"
    if not (source / "vault.yaml").is_file():
        generate(source, args.n, seed=args.seed)
    csv_file = work / ("people.csv" if args.fmt == "csv" else "people.vcf")
    run(contacts, "-C", source, "--today", TODAY, "export", "--format", args.fmt, "-o", csv_file)
    print(f"{args.n} contacts, {args.fmt} file of {csv_file.stat().st_size / 1e6:.1f} MB")
    totals, cpus = [], []
    for number in range(1, args.runs + 1):
        load = _load()
        (clock_import, cpu_import, peak), (clock_list, cpu_list, _) = one_run(contacts, csv_file, work, args.n, number)
        totals.append(clock_import + clock_list)
        cpus.append(cpu_import + cpu_list)
        print(f"run {number} (load average {load} on {os.cpu_count()} cores): "
              f"import {clock_import:.1f} s ({cpu_import:.1f} s CPU, peak {peak:.0f} MB), list {clock_list:.1f} s ({cpu_list:.1f} s CPU), "
              f"end to end {totals[-1]:.1f} s ({cpus[-1]:.1f} s CPU)")
    print(f"median end to end: {statistics.median(totals):.1f} s on the clock, "
          f"{statistics.median(cpus):.1f} s of CPU (goal: under 30 s)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
