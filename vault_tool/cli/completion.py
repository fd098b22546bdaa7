"""Shell completion (click's, for bash, zsh and fish): contact and deal handles, tags, stages, owners, fields.

Each completer reads the words from the index (`search/vocabulary.py`) of the vault the command
line names so far (`-C DIR`, $CONTACTS_VAULT, or the one around the working directory). A
completer never prints and never fails: with no vault, or any error at all, it offers nothing.
Enabled with `eval "$(_CONTACTS_COMPLETE=bash_source contacts)"` (docs/vault.md).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import click

Completer = Callable[[click.Context, click.Parameter, str], list[str]]
# `contacts set CONTACT FIELD VALUE…`: the words VALUE is completed from, by FIELD.
_VALUE_WORDS = {"tags": "tags", "stage": "stages", "owner": "owners"}


def words(ctx: click.Context, kind: str) -> list[str]:
    """The ``kind`` of words (see vocabulary.WORDS) of the vault the command line names; none on any error."""
    try:
        from vault_tool.search.vocabulary import words as vault_words
        from vault_tool.store.vault import Vault

        root = ctx.find_root()
        today = root.params.get("today")
        vault = Vault.open(root.params.get("vault"), today=today.date() if isinstance(today, dt.datetime) else None)
        return vault_words(vault, kind)
    except Exception:  # noqa: BLE001 - completion offers nothing rather than print an error in the shell
        return []


def _starting(found: list[str], incomplete: str, prefix: str = "", suffix: str = "") -> list[str]:
    wanted = incomplete.casefold()
    return [f"{prefix}{word}{suffix}" for word in found if word.casefold().startswith(wanted)]


def completer(kind: str) -> Completer:
    """A shell_complete function offering the ``kind`` of words that start with what was typed."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        return _starting(words(ctx, kind), incomplete)

    return complete


complete_contact = completer("handles")
complete_tag = completer("tags")
complete_stage = completer("stages")
complete_owner = completer("owners")
complete_field = completer("fields")
complete_deal = completer("deals")
complete_deal_stage = completer("deal_stages")


def complete_signed_tag(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """`contacts tag`'s changes: TAG, or +TAG to add (`-TAG` would be read as an option while completing)."""
    sign = incomplete[:1] if incomplete[:1] in "+-" else ""
    return _starting(words(ctx, "tags"), incomplete[len(sign):], prefix=sign)


def complete_field_value(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """`contacts set`'s values: tags, stages or owners, as the FIELD before them says; else nothing."""
    kind = _VALUE_WORDS.get(str(ctx.params.get("field") or ""))
    if kind is None:
        return []
    if kind == "tags":
        return complete_signed_tag(ctx, param, incomplete)
    return _starting(words(ctx, kind), incomplete)


def complete_field_pair(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """`--field KEY=VALUE`: the field names, each with its `=`."""
    if "=" in incomplete:
        return []
    return _starting(words(ctx, "fields"), incomplete, suffix="=")
