"""Writing many files at once (an import): each one whole or not at all, permissions as for one file."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from vault_tool.errors import VaultError
from vault_tool.fileio import atomic_write_many


def test_new_files_get_the_usual_permissions_and_changed_ones_keep_theirs(tmp_path: Path) -> None:
    private = tmp_path / "private.md"
    private.write_bytes(b"old")
    private.chmod(0o600)
    umask = os.umask(0o022)
    try:
        atomic_write_many({tmp_path / "new.md": b"new", private: b"changed"})
    finally:
        os.umask(umask)

    assert (tmp_path / "new.md").read_bytes() == b"new"
    assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o644
    assert private.read_bytes() == b"changed"
    assert private.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.md", "private.md"]


def test_a_leftover_temporary_file_is_stepped_around(tmp_path: Path) -> None:
    leftover = tmp_path / f".a.md.{os.getpid()}.tmp"
    leftover.write_bytes(b"from a crash")

    atomic_write_many({tmp_path / "a.md": b"A"})

    assert (tmp_path / "a.md").read_bytes() == b"A"
    assert leftover.read_bytes() == b"from a crash"


def test_when_one_file_cannot_be_written_none_is_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="cannot write"):
        atomic_write_many({tmp_path / "a.md": b"A", tmp_path / "missing" / "b.md": b"B"})

    assert list(tmp_path.iterdir()) == []
