"""The exceptions the library raises. The command line turns them into one-line errors."""
from __future__ import annotations

from pathlib import Path


class VaultError(Exception):
    """Base class for every error a user can cause or fix."""

    exit_code = 1


class NoVaultError(VaultError):
    """No vault was found where one was looked for."""


class ParseError(VaultError):
    """A file that does not parse: names the file, the line and what is wrong."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")


class NotFoundError(VaultError):
    """No contact matches what was asked for."""


class AmbiguousError(VaultError):
    """Several contacts match; the message lists them."""

    def __init__(self, query: str, handles: list[str], what: str = "contacts") -> None:
        self.query = query
        self.handles = handles
        shown = ", ".join(handles[:10]) + (" …" if len(handles) > 10 else "")
        super().__init__(f"'{query}' matches {len(handles)} {what}: {shown}; use a handle")


class InvalidValueError(VaultError):
    """A value given on the command line or through the API is not acceptable."""

    exit_code = 2


class LockTimeoutError(VaultError):
    """Another process holds the vault's lock for too long."""


class GitError(VaultError):
    """A git operation failed in a way the user has to look at."""


class IndexBuildError(VaultError):
    """Building the search index failed in one of the processes writing it (disk full, out of memory)."""
