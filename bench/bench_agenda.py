"""How long the follow-up commands take on a large vault: agenda, tasks, stale, the calendar feed, task.

    python bench/bench_agenda.py [--n 10000] [--repeat 3] [--dir DIR]

Generates a vault with bench/gen_vault.py (unless DIR already holds one), then prints
the median wall time of each step: reading the vault, building the agenda, listing
tasks, writing the iCalendar feed, and the commands end to end through the installed
`contacts` (a fresh process each time, as a user or cron runs them). Figures, not a test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_vault import DEFAULT_TODAY, generate  # noqa: E402
from installed import contacts_command  # noqa: E402

from vault_tool import Vault  # noqa: E402
from vault_tool.followups.agenda import build_agenda, select_tasks  # noqa: E402
from vault_tool.interop.ical import to_ics  # noqa: E402


def median_ms(step: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-agenda-"))
    if not (root / "vault.yaml").is_file():
        start = time.perf_counter()
        generate(root, args.n, seed=1)
        print(f"generated {args.n} contacts in {time.perf_counter() - start:.1f} s: {root}")
    today: dt.date = DEFAULT_TODAY
    vault = Vault.open(root, today=today)

    ms, loaded = median_ms(vault.load, args.repeat)
    contacts = loaded.contacts
    print(f"read {len(contacts)} contacts (vault.load):      {ms:8.1f} ms")
    ms, agenda = median_ms(lambda: build_agenda(contacts, today, 14, vault.config.keep_in_touch), args.repeat)
    counts = (len(agenda.overdue), len(agenda.due), len(agenda.appointments), len(agenda.keep_in_touch),
              len(agenda.birthdays))
    print(f"build_agenda, 14 days:                {ms:8.1f} ms  (overdue, due, appointments, keep in touch,"
          f" birthdays: {counts})")
    ms, tasks = median_ms(lambda: select_tasks(contacts, today), args.repeat)
    print(f"select_tasks (all open tasks):        {ms:8.1f} ms  ({len(tasks)} tasks)")
    ms, data = median_ms(lambda: to_ics(contacts, today), args.repeat)
    print(f"to_ics:                               {ms:8.1f} ms  ({len(data) / 1e6:.1f} MB)")

    command = contacts_command()
    env = {**os.environ, "CONTACTS_TODAY": today.isoformat()}
    for words in (["agenda"], ["remind"], ["tasks", "--overdue"], ["stale"]):
        ms, _ = median_ms(lambda: subprocess.run([command, "-C", str(root), *words], env=env, check=True,
                                                 capture_output=True), args.repeat)
        print(f"contacts {' '.join(words):<29} {ms:8.1f} ms")
    handle = sorted(p.stem for p in (root / "contacts").glob("*.md"))[0]
    ms, _ = median_ms(lambda: subprocess.run(
        [command, "--no-commit", "-C", str(root), "task", handle, "Benchmark follow-up", "--due", "+3d"],
        env=env, check=True, capture_output=True), args.repeat)
    print(f"contacts task HANDLE … (no commit):   {ms:8.1f} ms")


if __name__ == "__main__":
    main()
