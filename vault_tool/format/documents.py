"""A contact's documents: where they are, what they may be called, which ones its file lists.

One definition, for attach and detach, `mv`, `rm` and `merge`, the vCard import and export, the index
and `check`: the documents of the contact with handle ``ada-lovelace`` are the files in
``files/ada-lovelace/`` at the vault's root (never under contacts/, where any `.md` is a contact),
and its front matter lists them: ``files: [contract.pdf]``. The file fields (``photo``, ``logo``,
``sound``, ``key``, ``attachments``) name files in the same folder; in a vault from before the
folder, they name files beside the contact file (``contacts/ada-lovelace.jpg``), which still
count. A name is one plain file name: no ``/``, no ``..``, no leading dot, no control character.
Symbolic links are never followed: a link (or a folder on the way that is one) counts as missing.

Standard library only.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.format.layout import CONTACTS, is_vault

FOLDER = "files"  # at the vault's root: files/<handle>/<name>
KEY = "files"  # the front-matter key that lists a contact's documents
FILE_FIELDS = ("photo", "logo", "sound", "key", "attachments")  # fields that name a file of the contact's
DOCUMENT_KEYS = (KEY, *FILE_FIELDS)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MAX_NAME = 200  # characters: well within every file system's limit, with room for `-2`


@dataclass(frozen=True)
class Document:
    """A document a contact's file lists: its name, the key that lists it, and its file (None: missing)."""

    name: str
    key: str  # files, photo, logo, sound, key or attachments
    path: Path | None
    size: int = 0
    mtime: float = 0.0


def folder_of(root: Path, handle: str) -> Path:
    """The folder of the documents of the contact ``handle``."""
    return root / FOLDER / handle


def vault_root_of(contact_path: Path) -> Path | None:
    """The vault a contact file is in: the folder holding vault.yaml above its `contacts/` folder."""
    for parent in contact_path.parents:
        if parent.name == CONTACTS and is_vault(str(parent.parent)):
            return parent.parent
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a document's name (None: it can)."""
    if not name.strip():
        return "a document needs a name"
    if "/" in name or "\\" in name:
        return f"'{name}' holds a '/': a document's name is a plain file name"
    if name.startswith("."):
        return f"'{name}' starts with a dot: a document's name may not be hidden"
    if _CONTROL.search(name):
        return f"{name!r} holds a control character"
    if len(name) > _MAX_NAME:
        return f"'{name[:40]}…' is longer than {_MAX_NAME} characters"
    return None


def clean_name(name: str) -> str:
    """``name`` made a safe document name: a path's last part, control characters and `..` gone, no
    leading dot or space; InvalidValueError if nothing is left."""
    text = _CONTROL.sub("", name.replace("\\", "/")).split("/")[-1]
    text = re.sub(r"\.{2,}", ".", text).strip().lstrip(".").strip()
    if len(text) > _MAX_NAME:
        stem, dot, suffix = text.rpartition(".")
        text = (stem[:_MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 20 else text[:_MAX_NAME]
    if not text:
        raise InvalidValueError(f"'{name}' leaves no file name once cleaned: give one with --as NAME")
    return text


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with `-2`, `-3` … before its extension when it is taken (case aside)."""
    lowered = {t.lower() for t in taken}
    if name.lower() not in lowered:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    number = 2
    while f"{stem}-{number}{'.' + suffix if suffix else ''}".lower() in lowered:
        number += 1
    return f"{stem}-{number}{'.' + suffix if suffix else ''}"


def listed(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, name) of each document the front matter lists: `files:` first, then the file fields."""
    found: list[tuple[str, str]] = []
    for key in DOCUMENT_KEYS:
        value = meta.get(key)
        items = value if isinstance(value, list) else [value]
        found += [(key, str(item)) for item in items if item is not None and str(item).strip() != ""]
    return found


def _reached(path: Path, root: Path) -> os.stat_result | None:
    """``path``'s stat if it is below ``root`` and reached through no symbolic link; else None."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    at, info = root, None
    for part in parts:
        at = at / part
        try:
            info = os.lstat(at)
        except OSError:
            return None
        if stat.S_ISLNK(info.st_mode):
            return None
    return info


def regular_file(path: Path, root: Path) -> os.stat_result | None:
    """``path``'s stat if it is a regular file reached through no symbolic link below ``root``; else None."""
    info = _reached(path, root)
    return info if info is not None and stat.S_ISREG(info.st_mode) else None


def locate(root: Path, handle: str, key: str, name: str, contact_path: Path | None) -> Path | None:
    """Where the document ``name`` (listed under ``key``) is: in the contact's folder, or for a file field
    beside the contact file (a vault from before the folder); None if it is in neither, or unsafe."""
    if name_problem(name) is not None:
        return None
    candidates = [folder_of(root, handle) / name]
    if key in FILE_FIELDS and contact_path is not None:
        candidates.append(contact_path.parent / name)
    return next((path for path in candidates if regular_file(path, root) is not None), None)


def documents_of(root: Path, handle: str, meta: dict[str, Any], contact_path: Path | None) -> list[Document]:
    """The documents the contact's front matter lists, each with its file (or None where it is missing)."""
    found = []
    for key, name in listed(meta):
        path = locate(root, handle, key, name, contact_path)
        info = regular_file(path, root) if path is not None else None
        found.append(Document(name, key, path, info.st_size if info else 0, info.st_mtime if info else 0.0)
                     if info is not None else Document(name, key, None))
    return found


def folder_files(root: Path, handle: str) -> list[str]:
    """The names in the contact's folder (hidden names and the temporary files of a write left out), sorted."""
    folder = folder_of(root, handle)
    if regular_folder(folder, root) is None:
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(name for name in names if not name.startswith("."))


def regular_folder(path: Path, root: Path) -> os.stat_result | None:
    """``path``'s stat if it is a folder reached through no symbolic link below ``root``."""
    info = _reached(path, root)
    return info if info is not None and stat.S_ISDIR(info.st_mode) else None


def prune(root: Path, handles: list[str]) -> None:
    """Remove the documents folders of ``handles`` that are left empty (git keeps no empty folder either)."""
    for handle in handles:
        folder = folder_of(root, handle)
        if regular_folder(folder, root) is not None:
            try:
                os.rmdir(folder)
            except OSError:
                pass  # not empty: it holds files still


def read_document(path: Path, root: Path) -> bytes:
    """The bytes of a document, never through a symbolic link; VaultError if it cannot be read."""
    if regular_file(path, root) is None:
        raise VaultError(f"{path}: not a regular file (missing, or a symbolic link, which is never followed)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise VaultError(f"{path}: cannot read ({exc.strerror})") from None


def stats(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every file in every contact's folder, keyed `handle/name`: what the index and
    `check` compare to notice a document added, replaced or removed by hand. Links are left out."""
    top = root / FOLDER
    found: dict[str, tuple[int, int]] = {}
    if regular_folder(top, root) is None:
        return found
    try:
        handles = os.listdir(top)
    except OSError:
        return found
    for handle in handles:
        folder = top / handle
        if handle.startswith(".") or regular_folder(folder, root) is None:
            continue
        for name in folder_files(root, handle):
            try:
                info = os.lstat(folder / name)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found[f"{handle}/{name}"] = (info.st_size, info.st_mtime_ns)
    return found


def shown_size(size: int) -> str:
    """`812 B`, `14.2 KB`, `3.1 MB`: a size as a person reads it (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} GB"
