"""Checks of a contact's documents (format/documents.py): each one its file lists is there, each file in its
folder is listed, and every folder belongs to a contact.

A document's file is not the contact's file, so the results kept for an unchanged contact file
(kept.py) would not see one removed or added by hand: the stat of every document is part of the key
the kept results are made with, and the check of folders no contact has runs every time.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vault_tool.format import documents
from vault_tool.team.check.records import ERROR, WARNING, CheckContext, FileRecord, Problem


def check_documents(record: FileRecord, context: CheckContext) -> list[Problem]:
    """A document the front matter lists that is missing, or whose name is no plain file name, is an error;
    a file in the contact's folder that it does not list is a warning."""
    if record.contact is None:
        return []
    root, handle = context.root, record.handle
    problems = []
    listed = documents.listed(record.contact.meta)
    for key, name in listed:
        line = record.line_of_item(key, name)
        problem = documents.name_problem(name)
        if problem is not None:
            problems.append(Problem(record.path, line, ERROR, f"{key}: {problem}: never read", "documents"))
        elif documents.locate(root, handle, key, name, record.path) is None:
            where = (documents.folder_of(root, handle) / name).relative_to(root).as_posix()
            problems.append(Problem(record.path, line, ERROR, f"{key}: document '{name}' is missing ({where}): put "
                                    f"it back, or take it off the list (contacts detach {handle} {name})",
                                    "documents"))
    names = {name for _, name in listed}
    folder = documents.folder_of(root, handle).relative_to(root).as_posix()
    line = record.line_of(documents.KEY) if documents.KEY in record.contact.meta else 1
    for name in documents.folder_files(root, handle):
        if name not in names:
            problems.append(Problem(record.path, line, WARNING, f"{folder}/{name} is in its documents folder but not "
                                    f"listed: add '{name}' to `{documents.KEY}:`, or remove the file", "documents"))
    return problems


def orphan_folders(root: Path, handles: Callable[[], set[str]]) -> list[Problem]:
    """A folder of documents whose handle no contact has (``handles``: every contact's): left behind by a hand edit
    (warning). The handles of 100,000 contacts are worked out only when there is a folder of documents."""
    top = root / documents.FOLDER
    if documents.regular_folder(top, root) is None:
        return []
    folders = {key.partition("/")[0] for key in documents.stats(root)}
    return [Problem(top / handle, 1, WARNING, f"documents of no contact (no contact has the handle {handle}): "
                    "move them to the contact they belong to, or remove them", "documents")
            for handle in sorted(folders - handles() if folders else ())]


def documents_key(root: Path) -> str:
    """What the kept results depend on besides the contact files: every document's stat."""
    import hashlib
    import marshal

    return hashlib.sha256(marshal.dumps(sorted(documents.stats(root).items()), 2)).hexdigest()[:16]
