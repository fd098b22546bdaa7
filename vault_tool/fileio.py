"""Atomic writes and the vault's lock."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vault_tool.errors import LockTimeoutError, VaultError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, rename.

    An existing file keeps its permissions; a new one gets the usual ones (umask). A cache that
    can be rebuilt passes ``durable=False``: still all-or-nothing, but not forced to disk. However
    it is interrupted (an error, Ctrl-C, SIGTERM), no temporary file is left behind.
    """
    tmp: Path | None = None
    try:
        tmp, fd = _temporary(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove_temporary(path, tmp)
        raise
    if durable:
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _remove_temporary(path: Path, tmp: Path | None) -> None:
    """Remove the temporary file of ``path``: ``tmp`` if known, else the one this process would have made."""
    for name in (tmp, _temporary_name(path)):
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the vault's lock; wait up to ``timeout`` seconds for another process to let go."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultError(f"{lock_path.parent}: cannot create ({exc.strerror}): check permissions") from None
    from filelock import FileLock, Timeout  # imported when a lock is taken: a tenth of a reading command's start

    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeoutError(
            f"{lock_path}: another contacts command has held the vault's lock for {timeout:.0f} s; try again"
        ) from None
    except OSError as exc:
        raise VaultError(f"{lock_path}: cannot lock ({exc.strerror}): check permissions") from None
    try:
        yield
    finally:
        lock.release()


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write many files atomically, each through a temporary file renamed into place.

    One ``os.sync`` for all of them instead of an fsync per file (an import of
    10,000 contacts spent a minute in fsync); each folder is synced once after
    the renames. New files get the usual permissions (umask), existing ones keep
    theirs. On an error or an interruption, no temporary file is left behind.
    """
    pending: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            tmp, fd = _temporary(path)
            pending.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        os.sync()
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for path in files:  # one made but not yet listed when the interruption came
            _remove_temporary(path, None)
        raise
    for folder in {p.parent for p in files}:
        _sync_folder(folder)


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _temporary(path: Path) -> tuple[Path, int]:
    """A new hidden file beside ``path`` (mode: ``path``'s if it exists, else the umask's) and its descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    tmp = _temporary_name(path)
    try:
        existing = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        existing = None
    try:
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            fd, tmp = handle, Path(name)
            os.fchmod(fd, 0o666 & ~_umask())
    except OSError as exc:
        raise VaultError(f"{path}: cannot write ({exc.strerror}): check the folder's permissions") from None
    if existing is not None:
        os.fchmod(fd, existing)
    return tmp, fd
