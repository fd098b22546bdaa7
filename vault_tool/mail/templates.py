"""Mail templates: `templates/NAME.md` in the vault, a message with placeholders for a contact's fields.

    template = load_template(vault, "welcome")
    subject, body = render(template, fields(contact))

The front matter holds `subject` (and optionally `from`, `reply_to`, `cc`); the body is Markdown. A
placeholder `{{field}}` is replaced by the contact's field (any front-matter key, `name`, `first_name`,
`last_name`, `email`, `handle`), `{{field|default}}` by the default where the contact has no value.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_tool.errors import InvalidValueError, NotFoundError, ParseError
from vault_tool.format.contact import Contact, as_list, decode, split

if TYPE_CHECKING:
    from vault_tool.store.vault import Vault

FOLDER = "templates"
HEADERS = ("subject", "from", "reply_to", "cc")
PLACEHOLDER = re.compile(r"\{\{\s*(?P<field>[A-Za-z_][\w.-]*)\s*(?:\|(?P<default>[^{}]*))?\}\}")
_NAME = re.compile(r"^[\w][\w.-]*$")


@dataclass(frozen=True)
class Template:
    """A mail template as written: its name (the file's stem), headers and Markdown body."""

    name: str
    path: Path
    subject: str
    body: str
    sender: str = ""  # `from`
    reply_to: str = ""
    cc: tuple[str, ...] = ()

    def placeholders(self) -> list[tuple[str, str | None]]:
        """Every (field, default) the subject and body name, in order (default None: none given)."""
        found = PLACEHOLDER.finditer(self.subject + "\n" + self.body)
        return [(match.group("field"), match.group("default")) for match in found]


def template_path(vault: Vault, name: str) -> Path:
    """The file of template ``name`` (`welcome` or `welcome.md`): `templates/welcome.md` in the vault."""
    return record_path(vault, FOLDER, ".md", "template", "welcome", name)


def record_path(vault: Vault, folder: str, suffix: str, kind: str, example: str, name: str) -> Path:
    """The file of the ``kind`` named ``name`` (with or without ``suffix``) in the vault's ``folder``; an error
    for a name that is no file name, and for a file that is not there (naming those that are)."""
    stem = name.removesuffix(suffix)
    if not _NAME.match(stem):
        raise InvalidValueError(f"'{name}' is no {kind} name: give the name of a file in {folder}/ ({example})")
    path = vault.root / folder / f"{stem}{suffix}"
    if not path.is_file() or path.is_symlink():
        known = ", ".join(record_names(vault, folder, suffix)) or "none yet"
        raise NotFoundError(f"no {kind} '{stem}' ({folder}/{stem}{suffix}) in the vault ({kind}s: {known})")
    return path


def record_names(vault: Vault, folder: str, suffix: str) -> list[str]:
    """The names of the files ending in ``suffix`` in the vault's ``folder`` (symbolic links left out)."""
    found = vault.root / folder
    return sorted(p.stem for p in found.glob(f"*{suffix}") if not p.is_symlink()) if found.is_dir() else []


def load_template(vault: Vault, name: str) -> Template:
    """Template ``name`` read from the vault; a ParseError names what is wrong in the file."""
    path = template_path(vault, name)
    text, bom = decode(path, path.read_bytes())
    source = split(path, text, bom)
    import yaml

    from vault_tool.format import yamlsafe

    try:
        meta = yamlsafe.load(source.front_matter, anchors=False) or {}
    except yaml.YAMLError as exc:
        line = yamlsafe.error_line(exc)
        raise ParseError(path, yamlsafe.load_problem(exc, "a template"), line + 1 if line else 2) from None
    if not isinstance(meta, dict):
        raise ParseError(path, "the front matter is no mapping: write `subject: …` and the body after it")
    unknown = sorted(str(key) for key in meta if key not in HEADERS)
    if unknown:
        raise ParseError(path, f"unknown key '{unknown[0]}' in a template (known: {', '.join(HEADERS)})")
    subject = " ".join(str(meta.get("subject") or "").split())
    if not subject:
        raise ParseError(path, "a template needs a `subject:` in its front matter")
    return Template(path.stem, path, subject, source.body.lstrip("\n"), _one(path, meta, "from"),
                    _one(path, meta, "reply_to"), tuple(as_list(meta.get("cc"))))


def _one(path: Path, meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(path, f"`{key}:` is one address as text (`{key}: Alice <alice@example.com>`)")
    return " ".join((value or "").split())


def fields(contact: Contact, email: str) -> dict[str, str]:
    """What the placeholders of a message to ``contact`` at ``email`` stand for (empty values left out)."""
    values: dict[str, str] = {}
    for key, value in contact.meta.items():
        text = _text(value)
        if text:
            values[str(key)] = text
    first, last = name_parts(contact)
    derived = {"first_name": first, "last_name": last, "name": contact.name, "email": email,
               "handle": contact.handle}
    for key, value in derived.items():
        if value and not values.get(key):
            values[key] = value
    return values


def name_parts(contact: Contact) -> tuple[str, str]:
    """A person's first and last name: the vCard `N` an import kept (`N: Lovelace;Ada;;;`), else the name's
    first word and its last word; ("", "") for an organisation. `first_name:` or `last_name:` fields win."""
    if contact.kind != "person":
        return "", ""
    card = contact.meta.get("vcard")
    n = card.get("N") if isinstance(card, dict) else None
    parts = str(n[0] if isinstance(n, list) and n else n or "").split(";")
    if len(parts) > 1 and parts[1].strip():
        return parts[1].strip().split()[0], parts[0].strip()
    words = contact.name.split()
    return (words[0], words[-1] if len(words) > 1 else "") if words else ("", "")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value if _text(item))
    if isinstance(value, dict) or value is None or isinstance(value, bool):
        return ""
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def missing(template: Template, values: dict[str, str]) -> list[str]:
    """The fields the template names without a default that ``values`` lacks (each once, in order)."""
    lacking: list[str] = []
    for name, default in template.placeholders():
        if default is None and not values.get(name) and name not in lacking:
            lacking.append(name)
    return lacking


def render(template: Template, values: dict[str, str]) -> tuple[str, str, str]:
    """The subject, the plain-text body and the HTML body of the message with ``values`` filled in."""
    subject = " ".join(fill(template.subject, values).split())
    text = fill(template.body, values)
    escaped = fill(template.body, values, html.escape)
    return subject, text, to_html(escaped, subject)


def fill(text: str, values: dict[str, str], escape: Any = None) -> str:
    """``text`` with each placeholder replaced by its value (else its default; else left as written)."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group("field")) or match.group("default")
        if value is None:
            return match.group(0)
        return str(escape(value)) if escape is not None else value

    return PLACEHOLDER.sub(one, text)


def to_html(markdown_text: str, title: str) -> str:
    """The HTML document of a Markdown body (the `markdown` package, with its `extra` extensions)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["extra", "sane_lists"], output_format="html")
    return (f'<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")
