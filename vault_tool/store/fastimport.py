"""One commit of many files, fast: what `contacts import` needs for thousands of new contacts.

Staging thousands of paths with `git add` writes every file as a loose object
and matches each pathspec against every index entry (13 s for 10,000 files).
Instead the commit is made by ``git fast-import`` (all blobs in one pack, the
commit on top of HEAD, with exactly the given paths changed). Nothing else the
user staged is in the commit; the transaction then updates the user's index
for exactly those paths with ``git update-index --stdin`` (no pathspecs; the
objects exist already, so nothing is written twice).

fast-import runs none of the repository's hooks (pre-commit, commit-msg …): the
transaction reports the ones a commit would have run, and `contacts import`
says they were skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vault_tool.store import git as gitcli

Entry = tuple[str, "bytes | None", str]  # path relative to the top, its bytes (None: removed), its mode


def _quoted(path: str) -> bytes:
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'.encode("utf-8")


def _stream(branch: str, parent: str | None, message: str, author: str, committer: str,
            entries: list[Entry]) -> Iterator[bytes]:
    """fast-import's input, a piece at a time: 100,000 files are never copied into one stream in memory."""
    text = message.encode("utf-8")
    yield f"commit {branch}\nauthor {author}\ncommitter {committer}\ndata {len(text)}\n".encode("utf-8") + text
    yield f"\nfrom {parent}\n".encode("utf-8") if parent else b"\n"
    for rel, data, mode in entries:
        if data is not None:
            yield b"".join([f"M {mode} inline ".encode(), _quoted(rel), f"\ndata {len(data)}\n".encode(), data, b"\n"])
        else:
            yield b"D " + _quoted(rel) + b"\n"
    yield b"\ndone\n"


def commit_entries(top: Path, branch: str, parent: str | None, message: str, entries: list[Entry],
                   env: dict[str, str] | None) -> str:
    """Commit ``entries`` on top of ``parent`` to ``branch`` (a full ref name); the new commit's sha."""
    author = gitcli.run(top, ["var", "GIT_AUTHOR_IDENT"], env=env).decode("utf-8").strip()
    committer = gitcli.run(top, ["var", "GIT_COMMITTER_IDENT"], env=env).decode("utf-8").strip()
    gitcli.run_feeding(top, ["fast-import", "--quiet", "--done"],
                       _stream(branch, parent, message, author, committer, entries))
    return gitcli.run(top, ["rev-parse", "HEAD"]).decode("ascii").strip()
