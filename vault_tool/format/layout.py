"""Where things are in a vault, which files are its contacts, and finding a vault upward from a folder.

The contact files are the `.md` files under contacts/, at any depth, whose names (and folders'
names) do not start with a dot; a symbolic link is never one (nor followed). This is the one
definition: the vault, the index's scan and the checks all list contacts with `contact_folders`
and `stat_names`.

Only the standard library's `os`: the `contacts` program uses this before anything else is
imported, to start a search's scan of the contact files at once (see `cli/entry.py`).
"""
from __future__ import annotations

import os
from stat import S_IFDIR, S_IFLNK, S_IFMT, S_IFREG

TYPE_CHECKING = False  # as typing's, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

CONFIG_NAME = "vault.yaml"
CONTACTS = "contacts"
ENV_VAR = "CONTACTS_VAULT"
RACY_NS = 2_000_000_000  # a file younger than this is not trusted to a cached (size, mtime)
Stat = tuple[int, int]  # (size, mtime_ns)
Folder = tuple[str, str, list[str]]  # (folder, its path relative to the contacts folder + '/', names to stat)
_FILE_TYPE, _REGULAR, _LINK = S_IFMT(0o777777), S_IFREG, S_IFLNK  # the type bits of st_mode, and two types'


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


def handle_of(rel: str) -> str:
    """The handle of the contact file at ``rel`` (relative to the contacts folder, '/'-separated): its name
    without `.md`, without a Path made (the checks take it of 100,000 files)."""
    return rel.rsplit("/", 1)[-1][:-3]


def in_path_order(rels: Iterable[str]) -> list[str]:
    """Relative paths sorted as pathlib sorts them: folder by folder (`a/b.md` before `a-b.md`).

    A vault whose contacts are all in one folder sorts as plain strings, without a list per path.
    """
    found = list(rels)
    if any("/" in rel for rel in found):
        return sorted(found, key=lambda rel: rel.split("/"))
    return sorted(found)


def contact_folders(contacts_dir: Path | str) -> list[Folder]:
    """Each folder under ``contacts_dir`` with the names in it that may be contact files (see stat_names)."""
    folders: list[Folder] = []
    _list(str(contacts_dir), "", folders)
    return folders


def _list(folder: str, prefix: str, folders: list[Folder]) -> None:
    """The .md names of ``folder`` and its other symbolic links, then its sub-folders', a sub-folder after
    its parent. A link to a folder is not followed."""
    try:
        names = os.listdir(folder)  # names only: much cheaper than scandir's entries on a large folder
    except OSError:
        return
    # slices, not str methods: this runs over every name of a large vault on every search
    files = [name for name in names if name[-3:] == ".md" and name[:1] != "."]
    folders.append((folder, prefix, files))
    if len(files) == len(names):  # the usual folder: nothing but contacts
        return
    for name in names:
        if name[-3:] != ".md" and name[:1] != ".":
            path = os.path.join(folder, name)
            try:
                kind = os.lstat(path).st_mode & _FILE_TYPE
            except OSError:
                continue
            if kind == S_IFDIR:
                _list(path, f"{prefix}{name}/", folders)
            elif kind == S_IFLNK:
                files.append(name)  # stat-ed (not followed) with the contacts, and kept only as a link


def stat_names(folders: list[Folder], links: bool, found_links: list[str] | None = None) -> dict[str, Stat]:
    """The (size, mtime) of each name that is a file, in the order given; with ``links``, each
    symbolic link's own (it is not followed). ``found_links`` gets the path of each link.

    A folder named like a contact file (`odd.md/`) is a folder: the contact files in it count.
    """
    found: dict[str, Stat] = {}
    stat = os.stat
    for folder, prefix, names in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)  # a stat relative to the folder is a shorter lookup
        except OSError:
            continue
        try:
            for name in names:
                try:
                    info = stat(name, dir_fd=fd, follow_symlinks=False)  # the same one call as a stat
                except OSError:
                    continue
                kind = info.st_mode & _FILE_TYPE  # stat.S_ISREG and S_ISLNK, without a call per file
                if kind == _REGULAR or (links and kind == _LINK):
                    found[prefix + name] = (info.st_size, info.st_mtime_ns)
                if kind == _LINK and found_links is not None:
                    found_links.append(prefix + name)
                elif kind == S_IFDIR:
                    inner: list[Folder] = []
                    _list(os.path.join(folder, name), f"{prefix}{name}/", inner)
                    found.update(stat_names(inner, links, found_links))
        finally:
            os.close(fd)
    return found
