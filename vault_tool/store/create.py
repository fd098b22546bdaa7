"""`contacts init`: a new vault, or the local set-up of one that came with a clone."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from vault_tool.errors import InvalidValueError, VaultError
from vault_tool.fileio import atomic_write
from vault_tool.format.config import DEFAULT_CONFIG_TEXT
from vault_tool.format.deal import DEALS
from vault_tool.format.layout import CONFIG_NAME
from vault_tool.format.regions import region_code

GITIGNORE_LINE = ".vault/"
GITATTRIBUTES_LINE = "contacts/**/*.md merge=vault"
DEALS_GITATTRIBUTES_LINE = f"{DEALS}/**/*.md merge=vault"  # deal files merge as contacts do
GITATTRIBUTES_LINES = (GITATTRIBUTES_LINE, DEALS_GITATTRIBUTES_LINE)


@dataclass
class InitResult:
    root: Path
    created: bool  # False: the vault existed (a clone) and only local set-up was done
    git_initialised: bool = False
    files: list[Path] = field(default_factory=list)
    examples: int = 0
    committed: bool = False
    hint: str | None = None  # how to set a git identity, when the commit had to use the fallback
    merge_driver: bool = False  # this run registered the `vault` merge driver in the clone's git config


def _register_merge_driver(root: Path) -> bool:
    """Register the merge driver when the vault is in a git repository; True if the config changed."""
    from vault_tool.store import commits as gitstore
    from vault_tool.store import gitconfig as mergesetup

    return gitstore.repo_root(root) is not None and mergesetup.register(root)


def _ensure_line(path: Path, line: str) -> bool:
    """Add ``line`` to the file unless it is there; True if the file changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if line in text.splitlines():
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write(path, (text + line + "\n").encode("utf-8"))
    return True


def _route_deals(root: Path) -> bool:
    """A vault from before deals: add the deals' line to the .gitattributes that routes contacts to the
    merge driver (left for the user to commit); True if it changed."""
    path = root / ".gitattributes"
    try:
        routes_contacts = GITATTRIBUTES_LINE in path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return routes_contacts and _ensure_line(path, DEALS_GITATTRIBUTES_LINE)


def _example_vault() -> Traversable:
    """The example vault: shipped in the package, or the checkout's example-vault/ (editable installs)."""
    try:
        return resources.files("vault_tool.example_vault")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "example-vault"


def _copy_examples(target: Path) -> int:
    source = _example_vault() / "contacts"
    count = 0
    for item in sorted(source.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".md"):
            with resources.as_file(item) as real:
                shutil.copyfile(real, target / item.name)
            count += 1
    _copy_example_documents(target.parent)
    _copy_example_templates(target.parent)
    return count


def _copy_example_templates(root: Path) -> None:
    """The example vault's mail templates (templates/NAME.md, `contacts mail send`), drip sequences
    (sequences/NAME.yaml, `contacts sequence`) and deals (deals/HANDLE.md)."""
    for folder, suffix in (("templates", ".md"), ("sequences", ".yaml"), (DEALS, ".md")):
        source = _example_vault() / folder
        if not source.is_dir():
            continue
        (root / folder).mkdir(exist_ok=True)
        for item in source.iterdir():
            if item.is_file() and item.name.endswith(suffix) and not item.name.startswith("."):
                with resources.as_file(item) as real:
                    shutil.copyfile(real, root / folder / item.name)


def _copy_example_documents(root: Path) -> None:
    """The example contacts' documents (format/documents.py: files/<handle>/<name>)."""
    source = _example_vault() / "files"
    if not source.is_dir():
        return
    for folder in source.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        (root / "files" / folder.name).mkdir(parents=True, exist_ok=True)
        for item in folder.iterdir():
            if item.is_file() and not item.name.startswith("."):
                with resources.as_file(item) as real:
                    shutil.copyfile(real, root / "files" / folder.name / item.name)


def _with_region(config: bytes, region: str | None) -> bytes:
    """vault.yaml's text with ``default_region`` set to ``region`` (a code, checked); as it was for None."""
    if region is None:
        return config
    from vault_tool.format.yamledit import edit_mapping

    return edit_mapping(config.decode("utf-8"), {"default_region": region}).encode("utf-8")


def _same_region(root: Path, region: str | None) -> None:
    """An existing vault keeps its region: asking for another one is an error that says where to change it."""
    from vault_tool.format.config import load_config

    current = load_config(root).default_region
    if region is not None and region != current:
        raise InvalidValueError(
            f"{root} is already a vault, reading phones in {current}: change default_region in vault.yaml instead"
        )


def init_vault(root: Path, example: bool = False, commit: bool = True, region: str | None = None) -> InitResult:
    """Create a vault in ``root`` (or set up an existing one locally) and make the first commit.

    ``region`` (a country code or name) is the new vault.yaml's default_region, GB if None.
    """
    from vault_tool.store import commits as gitstore

    root = root.expanduser().resolve()
    region = region_code(region) if region is not None else None
    # Inside a vault (its root or any folder in it) there is nothing to create: a vault in a vault's
    # contacts/ would be read as more contacts by the outer one.
    enclosing = next((f for f in (root, *root.parents) if (f / CONFIG_NAME).is_file()), None)
    if enclosing is not None:
        _same_region(enclosing, region)
        found = InitResult(enclosing, created=False, merge_driver=_register_merge_driver(enclosing))
        found.files = [enclosing / ".gitattributes"] if _route_deals(enclosing) else []  # changed, not committed
        return found
    try:
        (root / "contacts").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultError(f"{root}: cannot create the vault ({exc.strerror})") from None
    result = InitResult(root, created=True)
    # The example contacts use the example's custom fields (industry, employees …): they come with its schema.
    config = (_example_vault() / CONFIG_NAME).read_bytes() if example else DEFAULT_CONFIG_TEXT.encode("utf-8")
    atomic_write(root / CONFIG_NAME, _with_region(config, region))
    _ensure_line(root / ".gitignore", GITIGNORE_LINE)
    for line in GITATTRIBUTES_LINES:
        _ensure_line(root / ".gitattributes", line)
    result.files = [root / CONFIG_NAME, root / ".gitignore", root / ".gitattributes"]
    if example:
        result.examples = _copy_examples(root / "contacts")
        result.files.append(root / "contacts")
        if (root / "files").is_dir():
            result.files.append(root / "files")
        result.files += [root / folder for folder in ("templates", "sequences", DEALS) if (root / folder).is_dir()]
    if gitstore.repo_root(root) is None:
        gitstore.init(root)
        result.git_initialised = True
    result.merge_driver = _register_merge_driver(root)
    if commit:
        from vault_tool.store.transaction import IDENTITY_MARKER

        done = gitstore.commit(result.files, "Create contact vault", root)
        result.committed = done.sha is not None
        result.hint = gitstore.identity_hint(done, root / ".vault" / IDENTITY_MARKER)
    return result
