"""`contacts check --fix`: rewrite what is safely fixable, changing only the characters of each value.

Two things are fixed: unquoted values that YAML reads as numbers or booleans
where text is meant get double quotes, and, when vault.yaml sets
`phone_format:`, phone numbers are rewritten in that form. Each fix replaces
the characters of one scalar and nothing else; the front matter is read again
afterwards and must hold exactly the old values with the fixed ones changed.
"""
from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from vault_tool.errors import ParseError, VaultError
from vault_tool.fileio import atomic_write
from vault_tool.format import contact as contact_mod
from vault_tool.format import yamlsafe
from vault_tool.output import plural
from vault_tool.store.vault import read_file
from vault_tool.team.check import scalars
from vault_tool.team.check.files import phone_in_format
from vault_tool.team.check.records import CheckContext, load_config_for_check
from vault_tool.team.check.run import run_checks

if TYPE_CHECKING:
    from vault_tool.store.commits import CommitResult
    from vault_tool.store.vault import Vault


@dataclass(frozen=True)
class Fix:
    path: Path
    line: int
    message: str
    kind: str  # "quote" or "phone"


@dataclass
class FixResult:
    fixes: list[Fix] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    left_uncommitted: list[Path] = field(default_factory=list)  # fixed, but they had other uncommitted changes
    message: str = ""
    commit: CommitResult | None = None
    hint: str | None = None


@dataclass
class _Edit:
    start: int
    end: int
    key: str
    sub: str | int | None
    value: str
    fix: Fix


def _scalar_edits(
    path: Path, root: yaml.Node, first_line: int, context: CheckContext, region: str | None = None
) -> dict[int, _Edit]:
    """Edits keyed by the node's start index: quote ambiguous values, rewrite phones as vault.yaml asks.

    ``region``: the contact's, where its phone numbers without a country code are read.
    """
    edits: dict[int, _Edit] = {}
    for found in scalars.find(root, first_line, context.config, context.yaml11):
        node = found.node
        message = f"quoted {found.key if found.sub is None else f'{found.key}[{found.sub}]'}: {found.text}"
        edits[node.start_mark.index] = _Edit(
            node.start_mark.index, node.end_mark.index, found.key, found.sub, found.text,
            Fix(path, found.line, message, "quote"),
        )
    phones = next((v for k, v in root.value if k.value == "phones"), None)
    items = phones.value if isinstance(phones, yaml.SequenceNode) else [phones] if phones is not None else []
    for index, node in enumerate(items):
        if not isinstance(node, yaml.ScalarNode) or context.phone_format is None:
            continue
        wanted = phone_in_format(node.value, context, region)
        if wanted is None or wanted == node.value:
            continue
        sub = index if isinstance(phones, yaml.SequenceNode) else None
        line = first_line + node.start_mark.line
        edits[node.start_mark.index] = _Edit(
            node.start_mark.index, node.end_mark.index, "phones", sub, wanted,
            Fix(path, line, f"phone {node.value} written as {wanted}", "phone"),
        )
    return edits


def _expected(meta: dict[str, Any], edits: list[_Edit]) -> dict[str, Any]:
    expected = copy.deepcopy(meta)
    for edit in edits:
        if edit.sub is None:
            expected[edit.key] = edit.value
        else:
            expected[edit.key][edit.sub] = edit.value
    return expected


def fix_front_matter(path: Path, data: bytes, context: CheckContext) -> tuple[bytes, list[Fix]]:
    """The file's bytes with its safe fixes made, and what they were (no fixes: the same bytes)."""
    contact = contact_mod.parse(path, data)
    source = contact.source
    assert source is not None
    root = yamlsafe.compose(source.front_matter)
    if not isinstance(root, yaml.MappingNode):
        return data, []
    first_line = source.fm_line
    region = context.region_of(contact.meta).code
    edits = sorted(_scalar_edits(path, root, first_line, context, region).values(), key=lambda e: e.start)
    if not edits:
        return data, []
    text = source.front_matter
    for edit in reversed(edits):
        text = text[: edit.start] + yamlsafe.double_quoted(edit.value) + text[edit.end :]
    if yamlsafe.load(text) != _expected(contact.meta, edits):
        raise VaultError(f"{path}: the fixes would change more than the values they fix; fix it by hand")
    return source.encode(source.with_front_matter(text)), [e.fix for e in edits]


def _commit_message(fixes: list[Fix], count: int) -> str:
    if not count:
        return ""
    parts = []
    if any(f.kind == "quote" for f in fixes):
        parts.append("Quote values YAML would misread")
    if any(f.kind == "phone" for f in fixes):
        parts.append("write phone numbers in one form" if parts else "Write phone numbers in one form")
    return f"{' and '.join(parts)} in {plural(count, 'contact')}"


def uncommitted(paths: list[Path], workdir: Path) -> set[Path]:
    """Which of ``paths`` have changes git has not committed (or are not in git at all)."""
    import git

    if not paths:
        return set()
    from vault_tool.store.commits import changed_paths

    with git.Repo(workdir, search_parent_directories=True) as repo:
        top = Path(repo.working_tree_dir or workdir)
        listed = {(top / path).resolve() for path in changed_paths(repo, *(str(p) for p in paths))}
    return {p for p in paths if p.resolve() in listed}


def fix_vault(vault: Vault, only: Collection[Path] | None = None) -> FixResult:
    """Make every safe fix `contacts check` knows (in ``only`` those files), under the lock; commit them.

    A file that already had uncommitted changes is fixed but not committed, so the fix commit
    never carries the user's work in progress.
    """
    from vault_tool.store import commits as gitstore
    from vault_tool.store.transaction import IDENTITY_MARKER, refuse_unsafe, vault_lock

    config, _, phone_format = load_config_for_check(vault.root)
    context = CheckContext(vault.root, config, vault.today(), phone_format)
    fixable = sorted({p.path for p in run_checks(vault.root, vault.today(), only=only).problems if p.fixable})
    result = FixResult()
    in_git = vault.auto_commit and gitstore.repo_root(vault.root) is not None
    with vault_lock(vault):
        refuse_unsafe(vault)  # nothing written during a merge or rebase, nothing committed on a detached HEAD
        result.left_uncommitted = sorted(uncommitted(fixable, vault.root)) if in_git else []
        for path in fixable:
            try:
                data = read_file(path)  # never through a link made since the check
                fixed, fixes = fix_front_matter(path, data, context)
            except (OSError, ParseError):
                continue  # changed or broken since the check: the next check reports it
            if fixes:
                atomic_write(path, fixed)
                result.fixes += fixes
                result.paths.append(path)
        result.left_uncommitted = [p for p in result.left_uncommitted if p in result.paths]
        to_commit = [p for p in result.paths if p not in result.left_uncommitted]
        result.message = _commit_message([f for f in result.fixes if f.path in to_commit], len(to_commit))
        if to_commit and in_git:
            result.commit = gitstore.commit(to_commit, result.message, vault.root)
            result.hint = gitstore.identity_hint(result.commit, vault.state_dir / IDENTITY_MARKER)
    return result
