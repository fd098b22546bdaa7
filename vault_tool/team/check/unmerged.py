"""A check of the repository rather than the files: paths git has not merged.

A conflict git could not settle leaves the path unmerged in git's index. A
changed-on-both-sides conflict also leaves markers in the file (files.py
reports their lines); a file deleted on one side and changed on the other
leaves none, so only git's index tells. This is asked of git on every check
(never kept in .vault/): `git add` or `git rm` settles a path without touching
any file's stat.
"""
from __future__ import annotations

from pathlib import Path

from vault_tool.store import git as gitcli
from vault_tool.team.check.records import ERROR, Problem


def unmerged_problems(root: Path) -> list[Problem]:
    """One error per unmerged path in the repository that holds ``root`` (none outside git)."""
    top = gitcli.repo_root(root)
    if top is None:
        return []
    return [
        Problem(top / item.path, 1, ERROR, f"git has not merged this file: {item.what}; {item.way_out}", "unmerged")
        for item in gitcli.unmerged(top)
    ]
