"""Contact owners and a CODEOWNERS file that makes each owner review changes to their contacts and deals.

vault.yaml's `owners:` maps the names used in `owner:` fields (of contacts and of deals) to git-host
handles. The rules are written between two marker lines in the repository's
CODEOWNERS file, so the rest of that file (a team's own rules) stays as it is. The deals' rules
follow the contacts', each group aligned on its own: the first deal changes no contact's line.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vault_tool.errors import ParseError, VaultError

if TYPE_CHECKING:
    from vault_tool.store.commits import CommitResult
    from vault_tool.store.vault import Vault

BEGIN = "# BEGIN contacts owners (written by `contacts owners --codeowners` from vault.yaml owners:)"
END = "# END contacts owners"
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_BLOCK = re.compile(r"^# BEGIN contacts owners.*?^# END contacts owners[^\n]*\n?", re.M | re.S)


@dataclass
class Owners:
    rules: list[tuple[str, str]] = field(default_factory=list)  # (CODEOWNERS pattern, host handle)
    counts: Counter[str] = field(default_factory=Counter)  # owner name -> contacts
    unknown: list[tuple[Path, str]] = field(default_factory=list)  # owner names vault.yaml does not map
    unowned: int = 0
    problems: list[ParseError] = field(default_factory=list)
    deal_rules: list[tuple[str, str]] = field(default_factory=list)  # the rules of deal files
    deal_counts: Counter[str] = field(default_factory=Counter)  # owner name -> deals
    unowned_deals: int = 0

    @property
    def all_rules(self) -> int:
        return len(self.rules) + len(self.deal_rules)


@dataclass
class CodeownersResult:
    path: Path
    changed: bool
    owners: Owners
    commit: CommitResult | None = None
    hint: str | None = None


def host_handle(value: str) -> str:
    """`@alice`, `@org/team` or an email as CODEOWNERS wants it (a bare name gets its `@`)."""
    value = value.strip()
    return value if value.startswith("@") or "@" in value else f"@{value}"


def pattern(path: Path, top: Path) -> str:
    """A CODEOWNERS pattern for exactly one file: anchored at the top, spaces and specials escaped."""
    rel = Path(os.path.relpath(path, top)).as_posix()
    return "/" + re.sub(r"([ #!*?\[\]\\])", r"\\\1", rel)


def _top(vault: Vault) -> Path:
    from vault_tool.store.commits import repo_root

    return repo_root(vault.root) or vault.root


def owners(vault: Vault) -> Owners:
    """Who owns which contact and deal, and the CODEOWNERS rule for each owned contact and deal file."""
    loaded = vault.load()
    top = _top(vault)
    handles = vault.config.owners
    result = Owners(problems=list(loaded.problems))
    for contact in loaded.contacts:
        owner = contact.text_field("owner").strip()
        if not owner:
            result.unowned += 1
            continue
        result.counts[owner] += 1
        if owner not in handles:
            result.unknown.append((contact.path, owner))  # type: ignore[arg-type]
            continue
        result.rules.append((pattern(contact.path, top), host_handle(handles[owner])))  # type: ignore[arg-type]
    result.rules.sort()
    _deal_owners(vault, top, result)
    return result


def _deal_owners(vault: Vault, top: Path, result: Owners) -> None:
    """The deals' owners and rules; a deal file that does not parse is a problem (and has no rule)."""
    from vault_tool.format.deal import parse_deal
    from vault_tool.store.vault import read_file

    handles = vault.config.owners
    for path in vault.deal_files():
        try:
            owner = parse_deal(path, read_file(path)).owner
        except ParseError as exc:
            result.problems.append(exc)
            continue
        if not owner:
            result.unowned_deals += 1
            continue
        result.deal_counts[owner] += 1
        if owner not in handles:
            result.unknown.append((path, owner))
            continue
        result.deal_rules.append((pattern(path, top), host_handle(handles[owner])))
    result.deal_rules.sort()


def codeowners_path(vault: Vault, given: Path | None = None) -> Path:
    """``given``, else the CODEOWNERS file the repository has, else `.github/CODEOWNERS` at its top."""
    if given is not None:
        return given
    top = _top(vault)
    return next((top / p for p in LOCATIONS if (top / p).is_file()), top / LOCATIONS[0])


def render_block(rules: list[tuple[str, str]], newline: str = "\n", deal_rules: list[tuple[str, str]] | None = None,
                 ) -> str:
    """The marked block: the contacts' rules, then the deals', each group aligned on its own."""
    lines = [BEGIN]
    for group in (rules, deal_rules or []):
        width = max((len(p) for p, _ in group), default=0)
        lines += [f"{p:<{width}} {h}" for p, h in group]
    return newline.join(lines + [END]) + newline


def with_block(text: str, block: str) -> str:
    """``text`` with the generated block replaced, or appended after a blank line."""
    if _BLOCK.search(text):
        return _BLOCK.sub(lambda _: block, text, count=1)
    if not text:
        return block
    newline = "\r\n" if "\r\n" in text else "\n"
    return text + ("" if text.endswith("\n") else newline) + newline + block


def write_codeowners(vault: Vault, path: Path | None = None, check_only: bool = False) -> CodeownersResult:
    """Write (or with ``check_only`` compare) the owners' block of CODEOWNERS; commit it when it changed."""
    from vault_tool.store.git import identity_hint
    from vault_tool.store.transaction import IDENTITY_MARKER, transaction

    target = codeowners_path(vault, path)
    with transaction(vault, "Update CODEOWNERS from contact owners") as tx:
        found = owners(vault)
        try:
            old = target.read_text(encoding="utf-8") if target.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise VaultError(f"{target}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
        newline = "\r\n" if "\r\n" in old else "\n"
        block = render_block(found.rules, newline, found.deal_rules)
        new = with_block(old, block)
        result = CodeownersResult(target, new != old, found)
        if not result.changed or check_only:
            return result
        if old:
            tx.edit(target, lambda data: with_block(data.decode("utf-8"), block).encode(), absent=b"")
        else:
            tx.write(target, new.encode("utf-8"))
    if tx.result.sha:
        result.commit = tx.result
        result.hint = identity_hint(tx.result, vault.state_dir / IDENTITY_MARKER)
    return result
