"""The `contacts` program: the command line run as a process of its own.

A search's scan of the contact files starts before anything else is loaded (`search/launch.py`).
Two things a short-lived process can skip, together about a tenth of a quick command's time:
- Collecting garbage while starting up. The imports make some hundred thousand objects that
  live until the end, and the collector would walk them again and again. The process collects
  young objects in larger batches instead (the threshold below), which keeps memory bounded.
  A reading command (launch.READING) collects none at all: it makes tens of thousands of objects
  (a view per contact it lists, a row per line) that live until it prints, and no cycles worth
  freeing. On 100,000 contacts that is 0.25 s of `agenda`'s 3.3 s and 0.5 s of `dupes`' 4.5 s,
  with the same peak memory (a rebuild of the index on the way, too).
- Tearing the interpreter down at the end, which frees every object one by one just before
  the operating system takes the memory back anyway. A reading command holds its rows on the
  `Launch` kept here (cli/common.py `hold`), so that they are not freed as it returns either.
  By the time the command returns, every file it wrote has been renamed into place and closed,
  and its locks are released; only the standard streams are left to flush, and that is done here.
SIGTERM is turned into KeyboardInterrupt, so that a stopped command cleans up as after Ctrl-C
(transaction.py puts back what it wrote, or holds the signal while it commits).
Tests call `vault_tool.cli.main.cli` directly, with none of these.
"""
from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType

GC_THRESHOLD = (100_000, 20, 20)  # Python's default is (700, 10, 10)


def main() -> None:
    from vault_tool.search.launch import reading_command, search_scan

    if reading_command(sys.argv[1:])[0]:
        gc.disable()
    else:
        gc.set_threshold(*GC_THRESHOLD)
    scanning = search_scan(sys.argv[1:], os.environ)
    signal.signal(signal.SIGTERM, _interrupted)
    from vault_tool.cli.main import Launch, cli

    launch = Launch(scanning)  # held here until the end, with what the command held on it (cli/common.py `hold`)
    try:
        cli(prog_name="contacts", obj=launch)
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc.code)
    _leave(code)


def _interrupted(number: int, frame: FrameType | None) -> None:
    """SIGTERM ends the command as Ctrl-C does: every write in progress is undone or finished first."""
    raise KeyboardInterrupt


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # as sys.exit("message") does
    return 1


def _leave(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`contacts list | head -1`), a closed stream
            pass
    os._exit(code)
