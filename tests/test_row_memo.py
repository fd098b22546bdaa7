"""`tasks`, `stale`, `agenda` and `remind` keep each contact's rows by its document in the index
(search/rowmemo.py): what they print read back is what they print made afresh, through edits, new days and
every option."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from followups import TODAY, edited, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.followups import agenda as ag
from vault_tool.followups.rows import agenda_rows, stale_rows, task_rows
from vault_tool.followups.text import agenda_text, reminder_lines, sections_text, stale_row, task_shown

ROWS = Path(".vault/rows")


@pytest.fixture
def contacts(invoke):
    def run(vault: Path, *args: str, today: str = TODAY):
        result = invoke("--today", today, "-C", vault, *args)
        ok(result)
        return result

    return run


def afresh(contacts, vault: Path, *args: str, today: str = TODAY):
    """What the command prints with no rows kept."""
    shutil.rmtree(vault / ROWS, ignore_errors=True)
    return contacts(vault, *args, today=today)


@pytest.mark.parametrize("args", [
    ("tasks",), ("tasks", "--format", "json"), ("tasks", "--overdue", "--owner", "alice"),
    ("tasks", "tag:customer", "--due-before", "+7d", "--format", "csv"),
    ("stale",), ("stale", "--days", "60", "--owner", "bob", "--format", "json"), ("stale", "--format", "paths"),
    ("agenda",), ("agenda", "--days", "30", "--owner", "alice"), ("remind",), ("remind", "--days", "7"),
])
def test_rows_read_back_are_those_made_afresh_after_an_edit_and_on_another_day(
        example_copy: Path, contacts, args: tuple[str, ...]) -> None:
    made = afresh(contacts, example_copy, *args)
    written = {memo: memo.stat().st_mtime_ns for memo in (example_copy / ROWS).iterdir()}
    again = contacts(example_copy, *args)
    assert (again.stdout, again.stderr) == (made.stdout, made.stderr)
    assert {memo: memo.stat().st_mtime_ns for memo in written} == written  # all read back: nothing made or written

    ada = example_copy / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\n- [ ] Chase the engine due:2026-11-20\n"
                   "\n## 2026-11-22 call — Caught up\n", encoding="utf-8")
    (example_copy / "contacts" / "camille-laurent.md").unlink()
    edited = contacts(example_copy, *args)
    assert edited.stdout == afresh(contacts, example_copy, *args).stdout
    contacts(example_copy, *args)
    tomorrow = contacts(example_copy, *args, today="2026-11-24")
    assert tomorrow.stdout == afresh(contacts, example_copy, *args, today="2026-11-24").stdout


def test_a_task_date_that_does_not_parse_is_named_when_its_rows_are_read_back(empty_vault: Path, contacts) -> None:
    (empty_vault / "contacts" / "kim.md").write_text("---\nname: Kim\n---\n- [ ] Call due:2026-13-45\n"
                                                     "- [ ] Write due:2026-12-01\n", encoding="utf-8")
    first, second = contacts(empty_vault, "tasks"), contacts(empty_vault, "tasks")

    assert "2026-13-45" in first.stderr and second.stderr == first.stderr
    assert second.stdout == first.stdout and "Write" in first.stdout


def test_a_vault_moved_elsewhere_names_its_files_where_they_are(empty_vault: Path, contacts, tmp_path: Path) -> None:
    (empty_vault / "contacts" / "kim.md").write_text("---\nname: Kim\n---\n- [ ] Call due:2026-13-45\n",
                                                     encoding="utf-8")
    assert str(empty_vault / "contacts" / "kim.md") in contacts(empty_vault, "tasks").stderr
    moved = tmp_path / "moved"
    shutil.copytree(empty_vault, moved, symlinks=True)  # .vault/ too: its rows are read back

    warned = contacts(moved, "tasks").stderr
    assert str(moved / "contacts" / "kim.md") in warned and str(empty_vault) not in warned


def test_rows_kept_by_another_version_or_unreadable_are_made_again(example_copy: Path, contacts) -> None:
    made = afresh(contacts, example_copy, "tasks").stdout
    (example_copy / ROWS / "tasks").write_bytes(b"not rows")
    assert contacts(example_copy, "tasks").stdout == made
    assert contacts(example_copy, "tasks").stdout == made


_EDIT = st.tuples(st.integers(0, 4), st.sampled_from(["task", "done", "call", "plan", "owner", "bad", "rename",
                                                     "remove"]),
                  st.integers(-40, 40))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_EDIT, min_size=1, max_size=6), st.sampled_from([None, "alice"]))
def test_tasks_and_stale_rows_follow_any_edits_as_the_contacts_do(
        tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, str, int]], owner: str | None) -> None:
    """After each edit, the rows read through what was kept equal the rows of the library's tasks and stale."""
    from vault_tool.store.vault import Vault

    root = tmp_path_factory.mktemp("v")
    (root / "contacts").mkdir()
    (root / "vault.yaml").write_text("version: 1\nkeep_in_touch: 30d\n")
    today = dt.date.fromisoformat(TODAY)
    for n in range(5):
        (root / "contacts" / f"c{n}.md").write_text(
            f"---\nname: Person {n}\nowner: {'alice' if n % 2 else 'bob'}\n---\n- [ ] Task {n} due:2026-11-{10 + n}\n"
            f"\n## 2026-{9 + n % 3:02d}-0{1 + n} call — Call {n}\n", encoding="utf-8")
    vault = Vault.open(root, today=today)
    for n, kind, offset in edits:
        path = root / "contacts" / f"c{n}.md"
        day = (today + dt.timedelta(days=offset)).isoformat()
        if not path.exists():
            path.write_text(f"---\nname: Back {n}\n---\n", encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        if kind == "task":
            text += f"\n- [ ] New {offset} due:{day}\n"
        elif kind == "done":
            text = text.replace("- [ ]", "- [x]", 1)
        elif kind in ("call", "plan"):
            text += f"\n## {day} {kind if kind == 'call' else 'meeting'} — About {offset}\n"
        elif kind == "owner":
            text = text.replace("owner: alice", "owner: carol")
        elif kind == "bad":
            text += f"\n- [ ] Broken {offset} due:2026-13-{offset % 50:02d}\n"
        edited(path, kind, text)
        expected = [task_shown(item, today) for item in ag.tasks(vault, owner=owner, today=today).items]
        assert task_rows(vault, owner=owner, today=today).rows == expected
        report = ag.stale_contacts(vault, 20, owner, today)
        assert stale_rows(vault, 20, owner, today).rows == [stale_row(i, today, root, table=True) for i in report.items]
        agenda = ag.agenda(vault, 30, owner, today)
        cells = agenda_rows(vault, 30, owner, today)
        assert sections_text(today, cells.until, cells.sections, False) == agenda_text(agenda)
        assert [str(p) for p in cells.problems] == [str(p) for p in agenda.problems]
        assert [line for section in agenda_rows(vault, 30, owner, today, lines=True).sections
                for line in section] == reminder_lines(agenda)
