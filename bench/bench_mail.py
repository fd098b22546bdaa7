"""`contacts mail log`: a 10,000-message mbox against a 10,000-contact vault, whole process.

    python bench/bench_mail.py [--n 10000] [--messages 10000] [--dir DIR]

Generates a vault with bench/gen_vault.py (unless DIR already holds one), commits it and builds its
index (untimed), and writes an mbox of messages between `me@bench.example` and the vault's contacts
(a Cc to a second contact in one message of four, one of twenty list traffic, one of ten to an
address no contact has). Times the first run, which logs them all in one commit, and a second run
over the same mbox, which adds nothing. Goals: at most 30 s and 5 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import mailbox
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_log import IDENTITY, committed
from gen_vault import DEFAULT_TODAY, generate
from installed import contacts_command

ME = "me@bench.example"
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+\.\w+")


def addresses(root: Path) -> list[str]:
    """One address of each generated contact (from its emails line)."""
    found = []
    for path in sorted((root / "contacts").glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("emails:", "  - ")):
                match = EMAIL.search(line)
                if match:
                    found.append(match.group(0))
                    break
    return found


def write_mbox(path: Path, people: list[str], count: int) -> None:
    rng = random.Random(7)
    start = dt.datetime.combine(DEFAULT_TODAY, dt.time(9), dt.UTC) - dt.timedelta(days=365)
    path.unlink(missing_ok=True)
    box = mailbox.mbox(path)
    for number in range(count):
        person = rng.choice(people)
        msg = EmailMessage()
        sent = number % 2 == 0
        msg["From"], msg["To"] = (ME, person) if sent else (person, ME)
        copies = [rng.choice(people)] if number % 4 == 0 else []
        copies += [f"stranger{number}@elsewhere.example"] if number % 10 == 0 else []
        if copies:
            msg["Cc"] = ", ".join(copies)
        if number % 20 == 0:
            msg["List-Id"] = "<news.bench.example>"
        msg["Subject"] = f"Message {number} about the renewal"
        msg["Date"] = format_datetime(start + dt.timedelta(minutes=50 * number))
        msg["Message-ID"] = f"<bench-{number}@bench.example>"
        msg.set_content(f"Hello,\n\nline one of {number}\nline two\n\n> quoted\n\n-- \nsignature\n")
        box.add(msg)
    box.close()


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, check=False, capture_output=True, text=True)
    return time.perf_counter() - started, (done.stdout + done.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--dir", type=Path, help="a vault made by gen_vault.py, or where to make one")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-mail-"))
    if not (root / "contacts").is_dir():
        generate(root, args.n, seed=1)
    if f"me: {ME}" not in (root / "vault.yaml").read_text(encoding="utf-8"):
        with (root / "vault.yaml").open("a", encoding="utf-8") as handle:
            handle.write(f"\nme: {ME}\ntimezone: UTC\n")
    env = {**os.environ, **IDENTITY, "CONTACTS_TODAY": DEFAULT_TODAY.isoformat()}
    committed(root, env)
    subprocess.run([contacts_command(), "reindex"], cwd=root, env=env, check=True, capture_output=True)
    mbox = root.parent / f"{root.name}-mail.mbox"
    write_mbox(mbox, addresses(root), args.messages)
    first, said = timed([contacts_command(), "mail", "log", str(mbox)], root, env)
    print(said)
    second, said_again = timed([contacts_command(), "mail", "log", str(mbox)], root, env)
    print(said_again)
    print(f"{args.n} contacts, {args.messages} messages")
    print(f"first run  {first:6.1f} s   (goal 30 s)")
    print(f"second run {second:6.1f} s   (goal 5 s)")


if __name__ == "__main__":
    main()
