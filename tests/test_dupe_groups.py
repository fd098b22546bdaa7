"""`dupes` keeps its joins and groups between runs (interop/dupegroups.py): what it finds through what was kept is
what it finds afresh, through edits, renames, removals and new contacts."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from followups import TODAY, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.interop.dupegroups import MEMO, find_dupes
from vault_tool.interop.duplicates import MEMO as NAMES
from vault_tool.interop.duplicates import DupeGroup

KEPT = Path(".vault") / MEMO


def afresh(root: Path) -> list[DupeGroup]:
    """The groups found with nothing kept."""
    from vault_tool.store.vault import Vault

    for name in (MEMO, NAMES):
        (root / ".vault" / name).unlink(missing_ok=True)
    return find_dupes(Vault.open(root, today=dt.date.fromisoformat(TODAY))).groups


_NAMES = ["Anna Berg", "Anna Berg", "Ana Berg", "Bo Lind", "Bo Linde", "Cy Holm"]
_CONTACT = st.tuples(st.sampled_from(_NAMES), st.sampled_from(["", "Acme", "Brandt"]),
                     st.sampled_from(["", "a@x.example", "b@x.example", "c@acme.example"]),
                     st.sampled_from(["", "+46 8 555 000 00", "+46 8 555 000 11"]))
_EDIT = st.tuples(st.integers(0, 7), st.sampled_from(["write", "name", "note", "title", "upper", "rename", "remove"]),
                  _CONTACT)


def _text(name: str, company: str, email: str, phone: str) -> str:
    lines = [f"name: {name}"] + [line for value, line in ((company, f"company: {company}"),
                                 (email, f"emails: [{email}]"), (phone, f'phones: ["{phone}"]')) if value]
    return "---\n" + "\n".join(lines) + "\n---\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CONTACT, min_size=6, max_size=8), st.lists(_EDIT, min_size=1, max_size=8))
def test_groups_kept_follow_any_edits_as_groups_found_afresh(
        tmp_path_factory: pytest.TempPathFactory, contacts: list[tuple[str, str, str, str]],
        edits: list[tuple[int, str, tuple[str, str, str, str]]]) -> None:
    """After each edit, the groups found through what was kept (joins, groups, close names) equal those found with
    nothing kept. A phone on more than SHARED_LINE contacts comes and goes as contacts change."""
    from vault_tool.store.vault import Vault

    root = tmp_path_factory.mktemp("v")
    (root / "contacts").mkdir()
    (root / "vault.yaml").write_text("version: 1\n")
    for n, contact in enumerate(contacts):
        (root / "contacts" / f"c{n}.md").write_text(_text(*contact), encoding="utf-8")
    vault = Vault.open(root, today=dt.date.fromisoformat(TODAY))
    find_dupes(vault)
    for n, kind, contact in edits:
        path = root / "contacts" / f"c{n}.md"
        if kind == "remove":
            path.unlink(missing_ok=True)
        elif kind == "rename" and path.exists():
            path.rename(path.with_name(f"r{n}.md"))
        elif kind == "note" and path.exists():
            path.write_text(path.read_text(encoding="utf-8") + "\nMet again.\n", encoding="utf-8")
        elif kind == "name" and path.exists():  # the same keys: only the close names can change
            text = path.read_text(encoding="utf-8").splitlines(keepends=True)
            path.write_text("".join([text[0], f"name: {contact[0]}\n", *text[2:]]), encoding="utf-8")
        elif kind in ("title", "upper") and path.exists():  # the one to keep first, and how a reason is written
            text = path.read_text(encoding="utf-8")
            text = text.replace("---\n", "---\ntitle: Boss\n", 1) if kind == "title" else text.replace("@x", "@X")
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text(_text(*contact), encoding="utf-8")
        found = find_dupes(vault).groups
        assert found == afresh(root)
        find_dupes(vault)  # what was kept, made afresh


def test_dupes_answers_from_what_was_kept_until_a_contact_changes(empty_vault: Path, invoke) -> None:
    for handle, name, email in (("anna", "Anna Berg", "anna@berg.example"), ("anna-b", "Anna B.", "anna@berg.example"),
                                ("bo", "Bo Lind", "")):
        (empty_vault / "contacts" / f"{handle}.md").write_text(_text(name, "", email, ""), encoding="utf-8")
    first = invoke("-C", empty_vault, "dupes")
    ok(first)
    assert "same email anna@berg.example" in first.stdout
    written = (empty_vault / KEPT).stat().st_mtime_ns

    again = invoke("-C", empty_vault, "dupes")
    assert again.stdout == first.stdout and (empty_vault / KEPT).stat().st_mtime_ns == written

    bo = empty_vault / "contacts" / "bo.md"
    bo.write_text(_text("Bo Lind", "", "anna@berg.example", ""), encoding="utf-8")
    joined = invoke("-C", empty_vault, "dupes").stdout
    assert "bo (Bo Lind)" in joined and joined == _groups_text(invoke, empty_vault)
    (empty_vault / KEPT).write_bytes(b"not groups")
    assert invoke("-C", empty_vault, "dupes").stdout == joined


def _groups_text(invoke, vault: Path) -> str:
    """What `dupes` prints with nothing kept."""
    for name in (MEMO, NAMES):
        (vault / ".vault" / name).unlink(missing_ok=True)
    result = invoke("-C", vault, "dupes")
    ok(result)
    return str(result.stdout)


def test_a_contact_renamed_with_the_same_keys_leaves_the_group_of_its_old_name(empty_vault: Path, invoke) -> None:
    for handle, name in (("anna", "Anna Berg"), ("ana", "Ana Berg"), ("bo", "Bo"), ("cy", "Cy"), ("di", "Di")):
        (empty_vault / "contacts" / f"{handle}.md").write_text(_text(name, "Acme", "", ""), encoding="utf-8")
    assert "similar names" in invoke("-C", empty_vault, "dupes").stdout
    ana = empty_vault / "contacts" / "ana.md"
    ana.write_text(_text("Cy Holm", "Acme", "", ""), encoding="utf-8")

    assert invoke("-C", empty_vault, "dupes").stdout == "No likely duplicates.\n"
