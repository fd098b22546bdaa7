"""Where things are in a vault, and finding a vault upward from a folder.

Only the standard library's `os`: the `contacts` program uses this before anything else is
imported, to start a search's scan of the contact files at once (see `cli/entry.py`).
"""
from __future__ import annotations

import os

CONFIG_NAME = "vault.yaml"
CONTACTS = "contacts"
ENV_VAR = "CONTACTS_VAULT"
RACY_NS = 2_000_000_000  # a file younger than this is not trusted to a cached (size, mtime)


def named_folder(name: str) -> str:
    """A folder given by name (``--vault``, ``$CONTACTS_VAULT``): ``~`` expanded, links resolved."""
    return os.path.realpath(os.path.expanduser(name))


def is_vault(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, CONFIG_NAME))


def enclosing_vault(start: str) -> str | None:
    """The nearest folder from ``start`` upward (``start`` resolved) that holds a vault.yaml."""
    folder = os.path.realpath(start)
    while True:
        if is_vault(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
