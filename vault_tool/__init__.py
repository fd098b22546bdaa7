"""vault_tool: a plain-text, git-backed contact vault.

    >>> from vault_tool import Vault
    >>> vault = Vault.open("example-vault")
    >>> vault.get("ada").name
    'Ada Lovelace'
"""
from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing: the `contacts` program imports this first

if TYPE_CHECKING:
    from typing import Any

    from vault_tool.errors import (
        AmbiguousError,
        GitError,
        InvalidValueError,
        LockTimeoutError,
        NotFoundError,
        NoVaultError,
        ParseError,
        VaultError,
    )
    from vault_tool.format.body import Interaction, Task
    from vault_tool.format.contact import Contact
    from vault_tool.store.vault import Vault

# Imported on first use, so that `import vault_tool.x` stays cheap for quick commands.
_EXPORTS = {
    "Interaction": "format.body", "Task": "format.body", "Contact": "format.contact", "Vault": "store.vault",
    **{name: "errors" for name in (
        "AmbiguousError", "GitError", "InvalidValueError", "LockTimeoutError", "NotFoundError", "NoVaultError",
        "ParseError", "VaultError",
    )},
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__version__ = "0.1.0"
__all__ = [
    "AmbiguousError", "Contact", "GitError", "Interaction", "InvalidValueError", "LockTimeoutError",
    "NoVaultError", "NotFoundError", "ParseError", "Task", "Vault", "VaultError", "__version__",
]
