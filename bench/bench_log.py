"""`contacts log` on a large vault against `git commit` of the same change alone, whole process.

    python bench/bench_log.py --n 100000 [--runs 5] [--dir DIR]

Generates a vault with bench/gen_vault.py (unless DIR already holds one) and commits it (once,
untimed). Each round then logs one interaction with `contacts log`, and makes the same change
by hand to another contact and commits it with `git add` + `git commit`, so both commit one
changed file on the same repository. Prints the medians; the goal is at most 2x git.
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
from gen_vault import DEFAULT_TODAY, generate  # noqa: E402
from installed import contacts_command  # noqa: E402

IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def committed(root: Path, env: dict[str, str]) -> None:
    """The generated vault as one commit (the tool needs a repository to commit to)."""
    if (root / ".git").is_dir():
        return
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "Generated vault"]):
        subprocess.run(argv, cwd=root, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="a vault made by gen_vault.py, or where to make one")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-log-"))
    if not (root / "contacts").is_dir():
        generate(root, args.n, seed=1)
    env = {**os.environ, **IDENTITY, "CONTACTS_TODAY": DEFAULT_TODAY.isoformat()}
    committed(root, env)
    files = sorted((root / "contacts").glob("*.md"))
    tool, git = [], []
    for round_ in range(args.runs):
        logged, by_hand = files[2 * round_], files[2 * round_ + 1]
        tool.append(timed([contacts_command(), "log", logged.stem, "note", f"Round {round_}"], root, env))
        with by_hand.open("a", encoding="utf-8") as file:
            file.write(f"\n## {DEFAULT_TODAY.isoformat()} note — Round {round_}\n")
        rel = by_hand.relative_to(root).as_posix()
        git.append(timed(["git", "add", rel], root, env) + timed(["git", "commit", "-q", "-m", f"Round {round_}"],
                                                                root, env))
    count = len(files)
    tool_ms, git_ms = statistics.median(tool) * 1000, statistics.median(git) * 1000
    print(f"{count} contacts; medians of {args.runs} rounds")
    print(f"contacts log      {tool_ms:7.0f} ms")
    print(f"git add + commit  {git_ms:7.0f} ms   (log is {tool_ms / git_ms:.2f}x git)")


if __name__ == "__main__":
    main()
