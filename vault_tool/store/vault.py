"""A vault on disk: finding and opening it, reading contacts, resolving handles."""
from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import AmbiguousError, NotFoundError, NoVaultError, ParseError
from vault_tool.format.config import VaultConfig, load_config
from vault_tool.format.deal import DEALS
from vault_tool.format.handles import fold, is_valid
from vault_tool.format.layout import (
    CONFIG_NAME,
    CONTACTS,
    ENV_VAR,
    Stat,
    contact_folders,
    enclosing_vault,
    in_path_order,
    is_vault,
    named_folder,
    stat_names,
)

if TYPE_CHECKING:
    from vault_tool.format.contact import Contact

USER_CONFIG = "config.yaml"  # in $XDG_CONFIG_HOME/contacts/: `default_vault: ~/vault`
LINK = "a symbolic link, not followed: keep the file or folder itself in contacts/ instead"  # said of a link there
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NAME_LINE = re.compile(r"^\ufeff?name:[ \t]*(.+?)[ \t]*\r?$", re.MULTILINE)  # of a file that does not parse


@dataclass
class LoadResult:
    """Every contact that parsed, and a ParseError for each file that did not (and each link, not followed)."""

    contacts: list[Contact] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "contacts" / USER_CONFIG


def _default_vault() -> Path | None:
    path = user_config_path()
    if not path.is_file():
        return None
    from vault_tool.format import yamlsafe

    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"), anchors=False) or {}
    except yamlsafe.AnchorError as exc:
        raise ParseError(path, exc.refusal("the user config"), yamlsafe.error_line(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any unreadable config is reported the same way
        raise ParseError(path, f"cannot read the user config ({exc})") from None
    value = data.get("default_vault") if isinstance(data, dict) else None
    return Path(os.path.expanduser(str(value))) if value else None


def discover(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Where the vault is: ``explicit``, else $CONTACTS_VAULT, else upward from ``cwd``, else the user default."""
    for candidate, origin in ((explicit, "--vault"), (os.environ.get(ENV_VAR), f"${ENV_VAR}")):
        if candidate:
            path = Path(named_folder(str(candidate)))
            if not is_vault(str(path)):
                raise NoVaultError(f"{path}: not a contact vault (no {CONFIG_NAME}), from {origin}")
            return path
    here = (cwd or Path.cwd()).resolve()
    found = enclosing_vault(str(here))
    if found is not None:
        return Path(found)
    default = _default_vault()
    if default and (default / CONFIG_NAME).is_file():
        return default.resolve()
    raise NoVaultError(
        f"no contact vault in {here} or any folder above it: run 'contacts init', "
        f"pass --vault DIR, or set ${ENV_VAR}"
    )


class Vault:
    """A contact vault: a folder with vault.yaml and contacts/."""

    def __init__(
        self, root: Path, config: VaultConfig, auto_commit: bool | None = None, today: dt.date | None = None
    ) -> None:
        self.root = root
        self.config = config
        self.auto_commit = config.auto_commit if auto_commit is None else auto_commit
        self._today = today
        self._scan: Any = None
        # What the command line watches while the index is brought up to date: a progress report
        # (done, total) for a long rebuild, and the notices of what was done (a rebuild and why),
        # each told to ``on_notice`` as it comes.
        self.progress: Callable[[int, int], None] | None = None
        self.notices: list[str] = []
        self.on_notice: Callable[[str], None] | None = None
        # Where `get` finds every contact's name and emails (the index, for the command line); None: by
        # reading every file.
        self.directory: Directory | None = None

    def hand_scan(self, scan: Any) -> None:
        """A scan of this vault's contact files started before it was opened (search/launch.py)."""
        self._scan = scan

    def take_scan(self) -> Any:
        """The scan handed over, once (a later look at the files needs a scan of its own); else None."""
        scan, self._scan = self._scan, None
        return scan

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, auto_commit: bool | None = None, today: dt.date | None = None
    ) -> Vault:
        """Open the vault at ``path`` (or discover it like git discovers a repository).

        ``today`` pins the date every relative date and agenda is computed from (default: the system date).
        """
        root = discover(path)
        return cls(root, load_config(root), auto_commit, today)

    @property
    def contacts_dir(self) -> Path:
        return self.root / CONTACTS

    @property
    def deals_dir(self) -> Path:
        return self.root / DEALS

    @property
    def state_dir(self) -> Path:
        return self.root / ".vault"

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def files(self) -> list[Path]:
        """Every contact file, sorted by path (hidden folders and files, and symbolic links, are skipped)."""
        return listing(self.contacts_dir)[0]

    def listing(self) -> tuple[list[Path], list[Path]]:
        """Every contact file and every symbolic link (not followed) in contacts/, each sorted by path."""
        return listing(self.contacts_dir)

    def deal_files(self) -> list[Path]:
        """Every deal file, sorted by path (chosen as contact files are: format/layout.py)."""
        return listing(self.deals_dir)[0]

    def taken_handles(self) -> set[str]:
        """Every stem in contacts/, links included: a new file never takes a link's name."""
        files, links = self.listing()
        return {p.stem for p in files + links}

    def read(self, path: Path) -> Contact:
        """The contact in ``path``; a ParseError if it does not parse or is a symbolic link."""
        return self.read_with_bytes(path)[0]

    def read_with_bytes(self, path: Path) -> tuple[Contact, bytes]:
        """The contact in ``path`` and the bytes it was read from (see `read`)."""
        data = read_file(path)
        from vault_tool.format import (
            contact as contact_mod,  # YAML is imported only by commands that read contacts
        )

        return contact_mod.parse(path, data), data

    def load(self, only: set[Path] | None = None) -> LoadResult:
        """Read every contact (those at ``only``); a file that does not parse, or a link, is reported, not fatal."""
        result = LoadResult()
        files, links = self.listing()
        if only is not None:
            files, links = [f for f in files if f in only], [link for link in links if link in only]
        for path in files:
            try:
                result.contacts.append(self.read(path))
            except ParseError as exc:
                result.problems.append(exc)
        result.problems += [ParseError(link, LINK) for link in links]
        return result

    def path_for(self, handle: str) -> Path | None:
        """The file of ``handle`` if it is a valid handle and exactly one file has that stem.

        A symbolic link of that name is a ParseError: nothing reads or writes through it.
        """
        if not is_valid(handle):
            return None
        return self._direct(handle) or self._one_of(handle, *self.listing())

    def _direct(self, handle: str) -> Path | None:
        """contacts/HANDLE.md if it is a file; a ParseError if it is a symbolic link."""
        direct = self.contacts_dir / f"{handle}.md"
        try:
            mode = direct.lstat().st_mode
        except OSError:
            mode = 0
        if stat.S_ISLNK(mode):
            raise ParseError(direct, LINK)
        return direct if stat.S_ISREG(mode) else None

    def _one_of(self, handle: str, files: list[Path], links: list[Path]) -> Path | None:
        """The one of ``files`` (in path order) whose stem is ``handle``; AmbiguousError if several are, a
        ParseError if none is but one of ``links`` is named so."""
        matches = [p for p in files if p.stem == handle]
        if len(matches) > 1:
            raise AmbiguousError(handle, [str(p.relative_to(self.root)) for p in matches])
        linked = [p for p in links if p.name == f"{handle}.md"]
        if not matches and linked:
            raise ParseError(linked[0], LINK)
        return matches[0] if matches else None

    def get(self, query: str, also: list[ParseError] | None = None) -> Contact:
        """The one contact ``query`` names: a handle, a name, an email, or the start of a word of one.

        When no contact matches but a file that does not parse would (by its handle, or the name
        its `name:` line gives), that file's ParseError says what is wrong with it, where. ``also``
        (when given) receives the files that do not parse but would match too, when one contact does.
        Only the file of the contact found is read when the vault has a ``directory`` (the index's),
        which also stands in for the listing of contacts/ that a handle not at contacts/HANDLE.md needs.
        """
        parsed: dict[str, Contact] = {}
        if self.directory is None:
            path = self.path_for(query)
            if path is None:
                loaded = self.load()
                parsed = {str(c.path): c for c in loaded.contacts}
                entries, problems = [Entry.of(c) for c in loaded.contacts], loaded.problems
        else:
            valid = is_valid(query)
            path = self._direct(query) if valid else None
            if path is None:
                entries, problems = self.directory(self)
                path = self._one_of(query, *_listed(query, entries, problems)) if valid else None
        if path is not None:
            return self.read(path)
        missing: NotFoundError | None = None
        try:
            found = pick(query, entries)
        except NotFoundError as exc:
            missing = exc
        broken = [problem for problem in problems if _names(query, problem.path)]
        if missing is None:
            if also is not None:
                also += broken
            return parsed.get(found.path) or self.read(Path(found.path))
        if not broken:
            raise missing
        first = broken[0]
        more = f"; {len(broken) - 1} more such files match it" if len(broken) > 1 else ""
        raise ParseError(first.path, f"{first.message} (this file matches '{query}' but does not parse: "
                                     f"fix it{more})", first.line)


@dataclass(frozen=True)
class Entry:
    """A contact as `Vault.get` tells contacts apart: its file (a string: tens of thousands of Paths would take
    a second to make), its handle, and its name, handle and emails folded (see `texts_of`)."""

    path: str
    handle: str
    texts: str

    @classmethod
    def of(cls, contact: Contact) -> Entry:
        return cls(str(contact.path), contact.handle, texts_of(contact.name, contact.handle, contact.emails))


TEXTS_SEP = "\x1f"  # between the texts of an Entry


def texts_of(name: str, handle: str, emails: Iterable[str]) -> str:
    """A contact's name, handle and emails, in that order, folded and joined by TEXTS_SEP (none holds one)."""
    return fold(TEXTS_SEP.join(text.replace(TEXTS_SEP, " ") for text in (name, handle, *emails)))


# Every contact's entry and the files that do not parse (or are links), from wherever the vault keeps them.
Directory = Callable[["Vault"], tuple[list[Entry], list[ParseError]]]


def _listed(handle: str, entries: list[Entry], problems: list[ParseError]) -> tuple[list[Path], list[Path]]:
    """The contact files (parsed or not) and the links named ``handle``.md, in path order, as `Vault.listing`
    would give them, from a directory's entries and problems."""
    name = f"{handle}.md"
    files = [entry.path for entry in entries if entry.handle == handle]
    files += [str(p.path) for p in problems if p.path.name == name and p.message != LINK]
    links = [p.path for p in problems if p.path.name == name and p.message == LINK]
    return [Path(path) for path in in_path_order(files)], sorted(links)


def read_file(path: Path) -> bytes:
    """The bytes of a contact file, never read through a symbolic link (a ParseError says it is one)."""
    if not _NO_FOLLOW and path.is_symlink():  # where open cannot refuse a link by itself
        raise ParseError(path, LINK)
    try:
        fd = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise ParseError(path, LINK) from None
        raise ParseError(path, f"cannot read ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ParseError(path, f"cannot read ({exc.strerror})") from None


def listing(contacts_dir: Path, stats: dict[str, Stat] | None = None) -> tuple[list[Path], list[Path]]:
    """The contact files and the symbolic links (not followed) under ``contacts_dir``, each sorted by path;
    ``stats`` (when given) receives each file's (size, mtime) by its path relative to ``contacts_dir``.

    Which files are contacts is defined once, in format/layout.py, for the vault, the index and the checks.
    """
    links: list[str] = []
    files = stat_names(contact_folders(contacts_dir), False, links)
    if stats is not None:
        stats.update(files)
    return sorted_paths(contacts_dir, files), sorted_paths(contacts_dir, links)


def sorted_paths(contacts_dir: Path, rels: Iterable[str]) -> list[Path]:
    """Paths sorted as pathlib sorts them (folder by folder), without comparing Path objects."""
    return [contacts_dir / rel for rel in in_path_order(rels)]


def pick(query: str, entries: list[Entry]) -> Entry:
    """The one entry ``query`` names; NotFoundError or AmbiguousError otherwise.

    Exactly a handle, a name or an email first; else text that starts a word of a name, handle or
    email (`love` and `ada love` find Ada Lovelace, `ana` does not find Yuki Tanaka).
    """
    wanted = fold(query.strip())
    if not wanted:
        raise NotFoundError("give a contact: a handle, a name or an email")
    by_handle = [c for c in entries if c.handle == query]
    if by_handle:
        return _the_one(query, by_handle)
    # Each tier below finds ``wanted`` inside one of the texts: only those entries are looked at closer.
    within = [(c, c.texts.split(TEXTS_SEP)) for c in entries if wanted in c.texts]
    tiers: tuple[Callable[[list[str]], bool], ...] = (
        lambda texts: texts[0] == wanted,  # the name
        lambda texts: wanted in texts[2:],  # an email
        lambda texts: any(starts_word(wanted, text) for text in texts),
    )
    for matches_tier in tiers:
        found = [c for c, texts in within if matches_tier(texts)]
        if found:
            return _the_one(query, found)
    raise NotFoundError(f"no contact matches '{query}': see 'contacts list'")


def _the_one(query: str, found: list[Entry]) -> Entry:
    if len(found) > 1:
        raise AmbiguousError(query, sorted(c.handle for c in found))
    return found[0]


def starts_word(wanted: str, text: str) -> bool:
    """Whether ``wanted`` is in ``text`` where a word of it starts: at the start, after a character
    that is not a letter or digit, or (in scripts written without spaces) after a wide character."""
    at = text.find(wanted)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum() or unicodedata.east_asian_width(text[at - 1]) in "WF":
            return True
        at = text.find(wanted, at + 1)
    return False


def _names(query: str, path: Path) -> bool:
    """Whether a file that does not parse would be named by ``query``: by its handle (the file name), or by
    the name on its `name:` line, as far as it can be read."""
    wanted = fold(query.strip())
    if not wanted or starts_word(wanted, fold(path.stem)):
        return bool(wanted)
    try:
        head = read_file(path)[:4096].decode("utf-8", "replace")
    except ParseError:
        return False
    line = _NAME_LINE.search(head)
    return line is not None and starts_word(wanted, fold(line.group(1).strip().strip("\"'")))
