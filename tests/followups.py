"""Helpers for the tests of tasks, appointments, the agenda and the calendar feed."""
from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import commit_count, git, head_files, head_message, line_changes  # noqa: F401 - shared with the tests

from vault_tool.format.contact import Contact, parse

TODAY = "2026-11-23"  # a Monday; the example vault's "today"


def ok(result) -> None:
    """Exit 0 and no traceback."""
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def failed(result, code: int, words: str) -> None:
    """A one-line error naming ``words``, with exit status ``code``, and no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr



def write(root: Path, handle: str, text: str, newline: str = "\n", bom: bool = False) -> Path:
    """Write ``contacts/<handle>.md`` (dedented) and commit it."""
    path = root / "contacts" / f"{handle}.md"
    data = textwrap.dedent(text).replace("\n", newline).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    git(root, "add", str(path))
    git(root, "commit", "-q", "-m", f"Write {handle}")
    return path


def person(text: str, handle: str = "someone") -> Contact:
    """A contact parsed from ``text`` (dedented), as if read from contacts/<handle>.md."""
    return parse(Path(f"contacts/{handle}.md"), textwrap.dedent(text).encode("utf-8"))


def edited(path: Path, kind: str, text: str) -> None:
    """The end of a random edit of contact file ``path`` (`c<n>.md`): renamed to `d<n>.md`, removed, or else written
    as ``text``."""
    if kind == "rename":
        path.rename(path.with_name("d" + path.name[1:]))
    elif kind == "remove":
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
