"""git's own command line, for reading and writing in bulk (log, cat-file, fast-import).

These paths run `git` directly rather than through GitPython: a report or a history needs a few
large reads, and importing GitPython alone costs a tenth of a second.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import GitError


def run(top: Path, args: list[str], data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    """The standard output of `git ARGS` run in ``top`` (``env``: variables added to this process's)."""
    try:
        done = subprocess.run(["git", *args], cwd=top, input=data, capture_output=True, check=False,
                              env={**os.environ, **env} if env else None)
    except OSError as exc:
        raise GitError(f"{top}: cannot run git ({exc.strerror})") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"{top}: git {args[0]} failed ({detail[-1] if detail else 'no detail'})")
    return done.stdout


def cat_files(top: Path, specs: list[str]) -> dict[str, bytes | None]:
    """The content of each blob (`sha`, `commit:path`), None where there is none, from one `git cat-file --batch`."""
    if not specs:
        return {}
    out, pos, found = run(top, ["cat-file", "--batch"], "".join(f"{s}\n" for s in specs).encode()), 0, {}
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3:  # `<sha> <type> <size>`, else `<spec> missing` (or ambiguous)
            size = int(header[2])
            found[spec] = out[pos : pos + size] if header[1] == b"blob" else None
            pos += size + 1
        else:
            found[spec] = None
    return found
