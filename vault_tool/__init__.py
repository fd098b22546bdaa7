"""vault_tool: a plain-text, git-backed contact vault.

    >>> from vault_tool import Vault
    >>> vault = Vault.open("example-vault")
    >>> vault.get("ada").name
    'Ada Lovelace'
"""
from .body import Interaction, Task
from .contact import Contact
from .errors import (
    AmbiguousError,
    GitError,
    InvalidValueError,
    LockTimeoutError,
    NotFoundError,
    NoVaultError,
    ParseError,
    VaultError,
)
from .vault import Vault

__version__ = "0.1.0"
__all__ = [
    "AmbiguousError", "Contact", "GitError", "Interaction", "InvalidValueError", "LockTimeoutError",
    "NoVaultError", "NotFoundError", "ParseError", "Task", "Vault", "VaultError", "__version__",
]
