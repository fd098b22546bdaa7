"""What a contact file cannot do to the tool: a symbolic link is never followed, YAML anchors and
aliases are refused, and a very long file is checked as quickly as its size allows."""
from __future__ import annotations

from pathlib import Path

from conftest import git

TODAY = "2026-11-23"


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def check(invoke, root: Path, *args: str):
    return invoke("-C", root, "--today", TODAY, "check", *args)


# A long file: `check` is linear in its interactions, and still right


def long_file(count: int) -> tuple[str, list[str]]:
    """A contact with ``count`` interactions, and the problems `check` must report, by line."""
    lines = ["---", "name: Long Talker", "---", "Notes."]
    expected = []
    for i in range(count):
        kind = "chat" if i % 1000 == 999 else "call"
        lines += ["", f"## 2025-{i % 12 + 1:02d}-{i % 28 + 1:02d} {kind} — Talk {i}", f"We spoke about item {i}."]
        if kind == "chat":
            expected.append(f"{len(lines) - 1}: error: interaction kind 'chat' is not in vault.yaml's "
                            "interaction_kinds (call, email, meeting, message, note)")
        if i % 2000 == 1:
            lines += ["", "### 2025-03-04 a dated sub-heading", f"- [ ] call back {i} due:2025-02-30"]
            expected.append(f"{len(lines) - 1}: warning: a dated heading at level 3 is not an interaction: "
                            "write '## 2025-03-04 …'")
            expected.append(f"{len(lines)}: error: task: 'due:2025-02-30' is not a date (use YYYY-MM-DD)")
    return "\n".join(lines) + "\n", expected


def test_check_reports_the_right_lines_in_a_file_of_5000_interactions(empty_vault: Path, invoke, monkeypatch) -> None:
    text, expected = long_file(5000)
    (empty_vault / "contacts" / "long-talker.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(empty_vault)
    result = check(invoke, empty_vault)
    assert result.exit_code == 1
    no_traceback(result)
    shown = [line.removeprefix("contacts/long-talker.md:") for line in result.stdout.splitlines()]
    assert sorted(shown, key=lambda s: int(s.split(":")[0])) == expected
    assert len(expected) == 5 + 3 * 2
    assert result.stderr.strip() == "1 contact file checked: 8 errors, 3 warnings"
