"""How long `contacts check` takes on one contact file with very many interactions.

    python bench/bench_check_long.py [--n 100000] [--runs 3]

Writes a vault with one contact whose file holds N interactions (a few with an
unknown kind, a few level-3 dated headings, a task now and then), then times
`run_checks` on it in this process (imports excluded) and prints each run, the
median and what was reported. The target is under 2 s for 100,000 interactions:
the check is linear in the size of a file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vault_tool.format.config import DEFAULT_CONFIG_TEXT  # noqa: E402
from vault_tool.team.check.run import run_checks  # noqa: E402

TODAY = dt.date(2026, 11, 23)


def long_contact(count: int) -> str:
    """A contact file with ``count`` interactions; one in a thousand has a kind vault.yaml does not list."""
    parts = ["---\nname: Ada Lovelace\nemails: [ada@example.com]\n---\n"
             "Notes about Ada.\n\n- [ ] Send notes due:2026-12-01\n"]
    start = dt.date(2000, 1, 1)
    for i in range(count):
        day = (start + dt.timedelta(days=i % 9000)).isoformat()
        kind = "chat" if i % 1000 == 999 else "call"
        parts.append(f"\n## {day} {kind} — Talk {i}\nWe spoke about item {i}.\n")
        if i % 500 == 0:
            parts.append(f"\n### {day} a sub-heading, not an interaction\n- [ ] follow up {i} due:2026-12-01\n")
    return "".join(parts)


def write_vault(folder: Path, count: int) -> Path:
    (folder / "contacts").mkdir(parents=True)
    (folder / "vault.yaml").write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
    (folder / "contacts" / "ada-lovelace.md").write_text(long_contact(count), encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_vault(Path(tmp) / "vault", args.n)
        size = (root / "contacts" / "ada-lovelace.md").stat().st_size
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = run_checks(root, TODAY)
            times.append(time.perf_counter() - start)
        print(f"contacts check, one file of {args.n} interactions ({size / 1e6:.1f} MB): "
              + ", ".join(f"{t:.2f} s" for t in times) + f"; median {statistics.median(times):.2f} s (target < 2 s)")
        print(f"  reported {report.errors} errors and {report.warnings} warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
