"""The file format (DESIGN.md sections 2 and 4) at library level: YAML, minimal edits, body, parsing."""
from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_tool.errors import ParseError
from vault_tool.format import body, contact, yamledit, yamlsafe
from vault_tool.format.body import Interaction
from vault_tool.format.contact import KNOWN_FIELDS, Contact

PATH = Path("contacts/ada-lovelace.md")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEWLINES = pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` with their endings (only `\\n` ends a line, as in the files)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed from ``before`` and the lines added in ``after`` (difflib, whole lines)."""
    a, b = lines_of(before), lines_of(after)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


# ---------------------------------------------------------------------------
# 1. YAML traps
# ---------------------------------------------------------------------------

TRAPS = ["0044 20 7946 0958", "NO", "01234", "12:30", "yes", "1e3", "2026-01-01"]


@pytest.mark.parametrize("value", TRAPS)
def test_trap_values_stay_strings_when_loaded(value: str) -> None:
    assert yamlsafe.load(f"key: {value}\n") == {"key": value}
    assert yamlsafe.load(f"key: [{value}]\n") == {"key": [value]}
    assert yamlsafe.load(f"key:\n  - {value}\n") == {"key": [value]}


def test_plain_yaml_11_really_changes_the_traps() -> None:
    """The traps are real: PyYAML's default resolvers turn them into other types."""
    loaded = yaml.safe_load("a: NO\nb: 01234\nc: 12:30\nd: yes\ne: 2026-01-01\n")
    assert loaded == {"a": False, "b": 668, "c": 750, "d": True, "e": dt.date(2026, 1, 1)}


def test_traps_in_a_contact_file_stay_strings() -> None:
    data = (
        "---\nname: Ada\nphones: [0044 20 7946 0958, 01234]\ncountry: NO\nzip: 01234\n"
        "time: 12:30\nconsent: yes\ncount: 1e3\nsince: 2026-01-01\n---\n"
    ).encode()
    meta = contact.parse(PATH, data).meta
    assert meta == {
        "name": "Ada", "phones": ["0044 20 7946 0958", "01234"], "country": "NO", "zip": "01234",
        "time": "12:30", "consent": "yes", "count": "1e3", "since": "2026-01-01",
    }


def test_unambiguous_scalars_still_resolve() -> None:
    assert yamlsafe.load("a: 12\nb: 1.5\nc: true\nd: null\ne: ~\nf: 0\n") == {
        "a": 12, "b": 1.5, "c": True, "d": None, "e": None, "f": 0,
    }


SCALARS = TRAPS + [
    "on", "Off", "y", "N", "null", "~", "", "true", "False", "0x1F", "0o17", "0b101", "1_000", "+1", ".5",
    "+.5", "1.", "-.inf", ".NaN", "190:20:30", "2026-01-01T10:00:00", "=", "<<", "-", "- x", "#", "a #b",
    ": ", "a: b", "?", "? x", "'", '"', "it's", '"quoted"', "!tag", "&anchor", "*alias", "|", ">", "%", "@",
    "`", " leading", "trailing ", "tab\there", "back\\slash", "...", "---", "Ada Lovelace", "ünïcødé 😀",
    "\x85", "a\u2028b", "\u2029", "\x7f", "\x9f", "\ufeff", "\ufffe", "cr\rhere", "nl\nhere",
]


@pytest.mark.parametrize("value", SCALARS)
@pytest.mark.parametrize("force_quotes", [False, True], ids=["plain", "quoted"])
def test_scalar_reads_back_with_both_loaders(value: str, force_quotes: bool) -> None:
    rendered = yamlsafe.scalar(value, force_quotes)
    assert "\n" not in rendered
    assert yamlsafe.load(f"key: {rendered}\n") == {"key": value}
    assert yaml.safe_load(f"key: {rendered}\n") == {"key": value}
    assert yamlsafe.load(f"- {rendered}\n") == [value]
    if force_quotes:
        assert rendered.startswith('"') and rendered.endswith('"')


@pytest.mark.parametrize("value", TRAPS)
def test_scalar_quotes_the_traps_that_need_it(value: str) -> None:
    rendered = yamlsafe.scalar(value)
    if value != "0044 20 7946 0958":  # YAML 1.1 and 1.2 both read this one as a string
        assert rendered[0] in "'\"", rendered
    assert yaml.safe_load(f"k: {rendered}") == {"k": value}


def test_scalar_leaves_ordinary_text_plain() -> None:
    assert yamlsafe.scalar("Ada Lovelace") == "Ada Lovelace"
    assert yamlsafe.scalar("ada@analytical.example") == "ada@analytical.example"
    assert yamlsafe.scalar("+44 20 7946 0958", force_quotes=True) == '"+44 20 7946 0958"'


@pytest.mark.parametrize("items", [
    ["a?b", "z"], ["?x"], [":x", "y"], ["a, b", "[x]", "{y}"], ["a:b"], ["x:"], ["- x", "#", "NO"], [""],
])
def test_flow_list_reads_back_with_both_loaders(items: list[str]) -> None:
    rendered = yamlsafe.flow_list(items)
    assert yamlsafe.load(f"key: {rendered}\n") == {"key": items}
    assert yaml.safe_load(f"key: {rendered}\n") == {"key": items}


# Any text; `\n` is allowed too (scalar must escape it), surrogates cannot be written as UTF-8.
ANY_TEXT = st.lists(
    st.one_of(st.sampled_from(SCALARS), st.text(st.characters(codec="utf-8"), max_size=4)), max_size=5
).map("".join)


@FUZZ
@given(ANY_TEXT, st.booleans())
def test_scalar_and_flow_list_round_trip(value: str, force_quotes: bool) -> None:
    rendered = yamlsafe.scalar(value, force_quotes)
    listed = yamlsafe.flow_list([value, "z", value], force_quotes)
    for load in (yamlsafe.load, yaml.safe_load):
        assert load(f"key: {rendered}\n") == {"key": value}
        assert load(f"key: {listed}\n") == {"key": [value, "z", value]}
        assert load(f"{rendered}: 1\n") == {value: 1}


@pytest.mark.parametrize("text, line", [
    ("name: A\nzip: '1'\nname: B\n", 3),
    ("name: A\nlinks:\n  github: x\n  web: y\n  github: z\n", 5),
    ("# comment\n\nname: A\ntags: [a]\n\n\ntags: [b]\n", 7),
])
def test_duplicate_keys_raise_with_the_line(text: str, line: int) -> None:
    with pytest.raises(yamlsafe.DuplicateKeyError) as info:
        yamlsafe.load(text)
    assert isinstance(info.value, yaml.YAMLError)
    assert yamlsafe.error_line(info.value) == line
    assert "appears twice" in yamlsafe.error_text(info.value)
    assert "\n" not in yamlsafe.error_text(info.value)


# ---------------------------------------------------------------------------
# 2. Minimal-diff edits of a hand-written mapping
# ---------------------------------------------------------------------------

HAND_WRITTEN = """\
# Written by hand; keys in no particular order
uid: 01JD0M5ZQ4R8W3T2N6Y1C9B7KX
name: Ada Lovelace   # the Countess
"company": 'Analytical Engines'
tags:
  - customer
  # met at the soirée
  - mathematics
emails: [ada@analytical.example, 'countess@lovelace.example', "x@y.example"]  # work first
phones: ["+44 20 7946 0958"]
bio: |
  Wrote the first program.
  Liked poetry.

# own-line comment about the next key
industry: computing          # any other key is a custom field
title: Head of Research
"""


def hand_written(newline: str) -> str:
    return HAND_WRITTEN.replace("\n", newline)


def edit(newline: str, change: dict[str, Any], quoted: frozenset[str] = frozenset()) -> tuple[str, str]:
    before = hand_written(newline)
    return before, yamledit.edit_mapping(before, change, newline, quoted)


@NEWLINES
def test_setting_a_scalar_changes_only_its_line(newline: str) -> None:
    before, after = edit(newline, {"title": "Chief Analyst"})
    assert changes(before, after) == (
        [f"title: Head of Research{newline}"], [f"title: Chief Analyst{newline}"]
    )


@NEWLINES
def test_setting_a_scalar_keeps_its_inline_comment(newline: str) -> None:
    before, after = edit(newline, {"name": "Ada King", "industry": "NO"})
    assert changes(before, after) == (
        [f"name: Ada Lovelace   # the Countess{newline}",
         f"industry: computing          # any other key is a custom field{newline}"],
        [f"name: Ada King   # the Countess{newline}",
         f"industry: 'NO'          # any other key is a custom field{newline}"],
    )
    assert yamlsafe.load(after)["industry"] == "NO"


@NEWLINES
def test_setting_a_quoted_key_keeps_the_key_as_written(newline: str) -> None:
    before, after = edit(newline, {"company": "Babbage & Co"})
    assert changes(before, after) == (
        [f"\"company\": 'Analytical Engines'{newline}"], [f'"company": Babbage & Co{newline}']
    )


@NEWLINES
def test_adding_a_tag_to_a_block_list_adds_one_line(newline: str) -> None:
    before, after = edit(newline, {"tags": ["customer", "mathematics", "vip"]})
    removed, added = changes(before, after)
    assert (removed, added) == ([], [f"  - vip{newline}"])
    assert after.index("  - vip") > after.index("  - mathematics")


@NEWLINES
def test_removing_an_item_from_a_block_list_removes_its_line(newline: str) -> None:
    before, after = edit(newline, {"tags": ["mathematics"]})
    assert changes(before, after) == ([f"  - customer{newline}"], [])
    before, after = edit(newline, {"tags": ["customer"]})
    assert changes(before, after) == ([f"  - mathematics{newline}"], [])
    assert "# met at the soirée" in after


@NEWLINES
def test_block_list_edits_keep_comments_and_item_lines(newline: str) -> None:
    text = (
        "tags:  # kinds of contact\n"
        "  # the first one\n"
        "  - a   # inline\n"
        "\n"
        "  # about b\n"
        "  - 'b'\n"
        "  - \"NO\"\n"
        "  # after the list\n"
        "# column-0 comment about name\n"
        "name: Ada\n"
    ).replace("\n", newline)
    after = yamledit.edit_mapping(text, {"tags": ["a", "NO", "new"]}, newline)
    assert changes(text, after) == ([f"  - 'b'{newline}"], [f"  - new{newline}"])
    after = yamledit.edit_mapping(text, {"tags": ["b"]}, newline)
    assert changes(text, after) == ([f"  - a   # inline{newline}", f'  - "NO"{newline}'], [])
    after = yamledit.edit_mapping(text, {"tags": ["NO", "a"]}, newline)
    assert yamlsafe.load(after) == {"tags": ["NO", "a"], "name": "Ada"}
    for line in lines_of(text):
        if line.strip() != "- 'b'":
            assert line in lines_of(after)


@NEWLINES
def test_removing_a_key_removes_only_its_lines(newline: str) -> None:
    before, after = edit(newline, {"bio": yamledit.REMOVE})
    assert changes(before, after) == (
        [f"bio: |{newline}", f"  Wrote the first program.{newline}", f"  Liked poetry.{newline}"], []
    )
    before, after = edit(newline, {"industry": yamledit.REMOVE})
    assert changes(before, after) == (
        [f"industry: computing          # any other key is a custom field{newline}"], []
    )
    before, after = edit(newline, {"tags": yamledit.REMOVE})
    assert changes(before, after) == (
        [f"tags:{newline}", f"  - customer{newline}", f"  # met at the soirée{newline}",
         f"  - mathematics{newline}"],
        [],
    )


@NEWLINES
def test_replacing_a_block_scalar_changes_only_its_lines(newline: str) -> None:
    before, after = edit(newline, {"bio": "Short."})
    assert changes(before, after) == (
        [f"bio: |{newline}", f"  Wrote the first program.{newline}", f"  Liked poetry.{newline}"],
        [f"bio: Short.{newline}"],
    )


@NEWLINES
def test_adding_a_key_appends_one_line(newline: str) -> None:
    before, after = edit(newline, {"zip": "01234"})
    assert after.startswith(before)
    assert changes(before, after) == ([], [f"zip: '01234'{newline}"])


@NEWLINES
def test_flow_list_keeps_surviving_items_quoting(newline: str) -> None:
    new = ["countess@lovelace.example", "x@y.example", "new@z.example"]
    before, after = edit(newline, {"emails": new})
    assert changes(before, after) == (
        [f"emails: [ada@analytical.example, 'countess@lovelace.example', \"x@y.example\"]  # work first{newline}"],
        [f"emails: ['countess@lovelace.example', \"x@y.example\", new@z.example]  # work first{newline}"],
    )
    assert yamlsafe.load(after)["emails"] == new


@NEWLINES
def test_quoted_fields_are_double_quoted(newline: str) -> None:
    before, after = edit(newline, {"phones": ["+44 20 7946 0958", "0044 1234", "01234"]}, frozenset({"phones"}))
    assert changes(before, after) == (
        [f'phones: ["+44 20 7946 0958"]{newline}'],
        [f'phones: ["+44 20 7946 0958", "0044 1234", "01234"]{newline}'],
    )
    block = "name: A\nphones:\n  - '+44 1'\n".replace("\n", newline)
    after = yamledit.edit_mapping(block, {"phones": ["+44 1", "+44 2"]}, newline, frozenset({"phones"}))
    assert after == block + f'  - "+44 2"{newline}'
    fresh = yamledit.edit_mapping("", {"name": "A", "phones": ["12"]}, newline, frozenset({"phones"}))
    assert fresh == f'name: A{newline}phones: ["12"]{newline}'


@NEWLINES
def test_every_line_keeps_the_files_line_ending(newline: str) -> None:
    _, after = edit(newline, {"title": "X", "tags": ["a", "customer"], "zip": "1", "bio": yamledit.REMOVE})
    if newline == "\r\n":
        assert "\n" not in after.replace("\r\n", "")
    else:
        assert "\r" not in after


def test_an_edit_that_would_change_more_raises() -> None:
    text = "name: A\nbase: &b hello\ncopy: *b\n"
    with pytest.raises(yamledit.EditError):
        yamledit.edit_mapping(text, {"base": "bye"})
    with pytest.raises(yamledit.EditError):
        yamledit.edit_mapping("{name: A, title: B}\n", {"name": "C"})
    with pytest.raises(yamledit.EditError):
        yamledit.edit_mapping("- a\n- b\n", {"name": "C"})


def test_edit_of_a_text_without_final_newline() -> None:
    assert yamledit.edit_mapping("a: 1\nb: 2", {"b": "3"}) == "a: 1\nb: '3'\n"
    assert yamledit.edit_mapping("a: 1\nb:\n  - x", {"b": ["x", "z"]}) == "a: 1\nb:\n  - x\n  - z\n"


def test_edit_after_a_value_holding_a_unicode_line_separator() -> None:
    """YAML counts NEL/LS/PS as line breaks; the edit must still find the right lines."""
    text = "name: 'Ada\u2028  Lovelace'  # x\u2028# y\nb: 1  # keep\nc: 2\n"
    after = yamledit.edit_mapping(text, {"b": "2"})
    assert after == "name: 'Ada\u2028  Lovelace'  # x\u2028# y\nb: '2'  # keep\nc: 2\n"


# ---------------------------------------------------------------------------
# 3. The body: notes, interactions, tasks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("line, date, time, kind, summary", [
    ("## 2026-11-20 call — Renewal", "2026-11-20", None, "call", "Renewal"),
    ("## 2026-11-20 14:30 meeting", "2026-11-20", "14:30", "meeting", ""),
    ("## 2026-11-20", "2026-11-20", None, "note", ""),
    ("## 2026-11-20 email – En dash", "2026-11-20", None, "email", "En dash"),
    ("## 2026-11-20 message - Hyphen", "2026-11-20", None, "message", "Hyphen"),
    ("## 2026-11-20 call: Colon", "2026-11-20", None, "call", "Colon"),
    ("## 2026-11-20: No kind", "2026-11-20", None, "note", "No kind"),
    ("## 2026-11-20 — Only a summary", "2026-11-20", None, "note", "Only a summary"),
    ("## 2026-11-20 9:05 call — Early", "2026-11-20", "09:05", "call", "Early"),
    ("## 2026-11-20 14:30", "2026-11-20", "14:30", "note", ""),
    ("## 2026-11-20 Lunch with Bob", "2026-11-20", None, "note", "Lunch with Bob"),
    ("## 2026-11-20 call — A — B", "2026-11-20", None, "call", "A — B"),
    ("##\t2026-11-20 call\r", "2026-11-20", None, "call", ""),
])
def test_parse_heading(line: str, date: str, time: str | None, kind: str, summary: str) -> None:
    item = body.parse_heading(line, 7)
    assert item is not None
    assert (item.date, item.time, item.kind, item.summary, item.line) == (
        dt.date.fromisoformat(date), time, kind, summary, 7
    )


@pytest.mark.parametrize("line", [
    "## Background", "### 2026-11-20 call", "# 2026-11-20", "##2026-11-20", " ## 2026-11-20",
    "## 2026-13-01 call", "## 2026-02-30", "## 2026-11-20 24:00 call", "## 2026-11-20 12:60",
    "\\## 2026-11-20 call", "- ## 2026-11-20", "## 20261120",
])
def test_not_an_interaction_heading(line: str) -> None:
    assert body.parse_heading(line) is None


@pytest.mark.parametrize("line, text, done, due, done_on", [
    ("- [ ] x due:2026-12-01", "x due:2026-12-01", False, "2026-12-01", None),
    ("- [x] y done:2026-11-02", "y done:2026-11-02", True, None, "2026-11-02"),
    ("- [X] Upper", "Upper", True, None, None),
    ("  * [ ] nested 📅 2026-12-03", "nested 📅 2026-12-03", False, "2026-12-03", None),
    ("+ [x] obsidian ✅ 2026-11-01 📅 2026-10-30", "obsidian ✅ 2026-11-01 📅 2026-10-30", True, "2026-10-30", "2026-11-01"),
    ("- [ ] plain  \r", "plain", False, None, None),
    ("- [ ] overdue:2026-01-01 is not a due", "overdue:2026-01-01 is not a due", False, None, None),
])
def test_parse_task(line: str, text: str, done: bool, due: str | None, done_on: str | None) -> None:
    task = body.parse_task(line, 3)
    assert task is not None
    assert (task.text, task.done, task.line, task.problems) == (text, done, 3, [])
    assert task.due == (dt.date.fromisoformat(due) if due else None)
    assert task.done_on == (dt.date.fromisoformat(done_on) if done_on else None)


@pytest.mark.parametrize("line", ["-[ ] x", "- [] x", "- [y] x", "- [ ]x", "x - [ ] y", "1. [ ] x"])
def test_not_a_task(line: str) -> None:
    assert body.parse_task(line) is None


@pytest.mark.parametrize("line, problem", [
    ("- [ ] renew due:2026-13-45", "due:2026-13-45"),
    ("- [ ] renew due:soon", "due:soon"),
    ("- [x] sent done:2026-02-30", "done:2026-02-30"),
    ("- [ ] call 📅 tomorrow", "📅 tomorrow"),
])
def test_a_bad_task_date_is_a_problem_not_silence(line: str, problem: str) -> None:
    task = body.parse_task(line, 9)
    assert task is not None and task.line == 9
    assert task.due is None and task.done_on is None
    assert len(task.problems) == 1 and problem in task.problems[0]


SAMPLE_BODY = """\
Met at the Babbage soirée. Prefers letters to calls.

- [ ] Send the Bernoulli notes due:2026-12-01
- [x] Introduce to Charles done:2026-11-02
- [ ] Obsidian style 📅 2026-12-03
- [x] Obsidian done ✅ 2026-11-01
- [ ] Broken due:2026-13-45

## Background
Old friend of the family.

```markdown
## 2026-01-01 call — not an interaction
- [ ] not a task due:2026-01-01
```

## 2026-11-20 call — Renewal
Talked about the Q1 renewal; she wants a demo first.
- [ ] Send the demo link due:2026-11-25

## Not dated: stays in the interaction above
## 2026-11-21 14:30 meeting
## 2026-11-22
~~~
## 2026-11-23 inside a tilde fence
~~~
## 2026-11-24 email – En dash
## 2026-11-25 message - Hyphen
text
## 2026-11-26 call: Colon
"""


@NEWLINES
def test_parse_body(newline: str) -> None:
    parsed = body.parse_body(SAMPLE_BODY.replace("\n", newline), first_line=5)
    assert parsed.notes == (
        "Met at the Babbage soirée. Prefers letters to calls.\n\n"
        "- [ ] Send the Bernoulli notes due:2026-12-01\n"
        "- [x] Introduce to Charles done:2026-11-02\n"
        "- [ ] Obsidian style 📅 2026-12-03\n"
        "- [x] Obsidian done ✅ 2026-11-01\n"
        "- [ ] Broken due:2026-13-45\n\n"
        "## Background\nOld friend of the family.\n\n"
        "```markdown\n## 2026-01-01 call — not an interaction\n- [ ] not a task due:2026-01-01\n```"
    )
    got = [(i.date.isoformat(), i.time, i.kind, i.summary, i.line, i.text) for i in parsed.interactions]
    assert got == [
        ("2026-11-20", None, "call", "Renewal", 21,
         "Talked about the Q1 renewal; she wants a demo first.\n- [ ] Send the demo link due:2026-11-25\n\n"
         "## Not dated: stays in the interaction above"),
        ("2026-11-21", "14:30", "meeting", "", 26, ""),
        ("2026-11-22", None, "note", "", 27, "~~~\n## 2026-11-23 inside a tilde fence\n~~~"),
        ("2026-11-24", None, "email", "En dash", 31, ""),
        ("2026-11-25", None, "message", "Hyphen", 32, "text"),
        ("2026-11-26", None, "call", "Colon", 34, ""),
    ]
    tasks = [(t.text, t.done, t.due, t.done_on, t.line, bool(t.problems)) for t in parsed.tasks]
    day = dt.date.fromisoformat
    assert tasks == [
        ("Send the Bernoulli notes due:2026-12-01", False, day("2026-12-01"), None, 7, False),
        ("Introduce to Charles done:2026-11-02", True, None, day("2026-11-02"), 8, False),
        ("Obsidian style 📅 2026-12-03", False, day("2026-12-03"), None, 9, False),
        ("Obsidian done ✅ 2026-11-01", True, None, day("2026-11-01"), 10, False),
        ("Broken due:2026-13-45", False, None, None, 11, True),
        ("Send the demo link due:2026-11-25", False, day("2026-11-25"), None, 23, False),
    ]


def test_body_line_numbers_in_a_parsed_file() -> None:
    data = "---\r\nname: Ada\r\ntags:\r\n  - a\r\n---\r\nnote\r\n\r\n## 2026-11-20 call\r\n- [ ] x due:2026-12-01\r\n"
    parsed = contact.parse(PATH, data.encode())
    assert [i.line for i in parsed.interactions] == [8]
    assert [t.line for t in parsed.tasks] == [9]
    assert parsed.interactions[0].text == "- [ ] x due:2026-12-01"


def test_escaped_heading_lines_round_trip_and_are_not_interactions() -> None:
    text = "a\n## 2026-01-01 call\n##\t2026-01-02\n##  2026-01-03 meeting\n\\## 2026-01-04\n##2026-01-05"
    escaped = body.escape_text(text)
    parsed = body.parse_body(escaped)
    assert parsed.interactions == []
    assert parsed.notes == text


# ---------------------------------------------------------------------------
# 4. contact.parse on bytes
# ---------------------------------------------------------------------------


def test_bom_and_crlf_are_kept() -> None:
    data = "\ufeff---\r\nname: Ada\r\nzip: 01234\r\n---\r\nNotes here.\r\n".encode()
    parsed = contact.parse(PATH, data)
    assert parsed.source is not None
    assert parsed.source.bom is True
    assert parsed.source.newline == "\r\n"
    assert parsed.source.encode() == data
    assert parsed.meta == {"name": "Ada", "zip": "01234"}
    assert parsed.notes == "Notes here."
    assert parsed.handle == "ada-lovelace"


def test_plain_lf_file_without_bom() -> None:
    data = b"---\nname: Ada\n---\n"
    parsed = contact.parse(PATH, data)
    assert parsed.source is not None
    assert (parsed.source.bom, parsed.source.newline) == (False, "\n")
    assert parsed.source.encode() == data
    assert parsed.source.encode(parsed.source.with_front_matter("name: Ada King\n")) == b"---\nname: Ada King\n---\n"


@pytest.mark.parametrize("data, line, words", [
    pytest.param(b"---\nname: Ada\ncompany: Foo\nbad: x: y\n---\n", 4, "invalid YAML", id="broken-yaml"),
    pytest.param(b"\xef\xbb\xbf---\r\nname: Ada\r\nbad: x: y\r\n---\r\n", 3, "invalid YAML", id="broken-yaml-bom-crlf"),
    pytest.param(b"---\nname: Ada\ntags: [a, b\n---\nbody\n", 4, "invalid YAML", id="unclosed-flow"),
    pytest.param(b"---\nname: A\nzip: '1'\nname: B\n---\n", 4, "appears twice", id="duplicate-key"),
    pytest.param(b"---\n- name: Ada\n---\n", 2, "not a mapping", id="list"),
    pytest.param(b"---\njust text\n---\n", 2, "not a mapping", id="scalar"),
    pytest.param(b"---\ncompany: Foo\n---\n", 2, "'name' is missing", id="no-name"),
    pytest.param(b"---\nname: '  '\n---\n", 2, "'name' is missing", id="blank-name"),
    pytest.param(b"---\n---\n", 2, "'name' is missing", id="empty"),
    pytest.param(b"---\nname: [a]\n---\n", 2, "'name' must be text", id="list-name"),
    pytest.param(b"name: Ada\n---\n", 1, "no front matter", id="no-opening"),
    pytest.param(b"", 1, "no front matter", id="empty-file"),
    pytest.param(b"\n---\nname: Ada\n---\n", 1, "no front matter", id="blank-first-line"),
    pytest.param(b"---\nname: Ada\n", 1, "not closed", id="unclosed"),
    pytest.param(b"---\nname: Ada\n-- \n", 1, "not closed", id="unclosed-short"),
    pytest.param(b"---", 1, "not closed", id="lone-opening"),
    pytest.param(b"---\nname: Ada\n---\n\x00\x01", None, "binary", id="nul"),
    pytest.param(b"---\nname: Ada\n---\nok\nbad \xff byte\n", 5, "UTF-8", id="invalid-utf8"),
    pytest.param(b"\xef\xbb\xbf---\nname: \xc3\n---\n", 2, "UTF-8", id="invalid-utf8-bom"),
])
def test_parse_errors(data: bytes, line: int | None, words: str) -> None:
    with pytest.raises(ParseError) as info:
        contact.parse(PATH, data)
    error = info.value
    assert error.path == PATH
    assert error.line == line
    assert words in error.message
    assert "\n" not in str(error)
    assert str(error).startswith(f"{PATH}:{line}: " if line else f"{PATH}: ")


def test_closing_dots_and_trailing_spaces_are_accepted() -> None:
    parsed = contact.parse(PATH, b"---  \nname: Ada\n...\nbody")
    assert parsed.meta == {"name": "Ada"} and parsed.notes == "body"


# ---------------------------------------------------------------------------
# 5. Round trips (hypothesis)
# ---------------------------------------------------------------------------

YAMLISH = st.sampled_from([
    "NO", "no", "yes", "On", "01234", "0044 20 7946 0958", "+442079460000", "12:30", "1e3", "2026-01-01",
    "null", "~", "true", "- x", "#", "# x", ": ", "a: b", "'", '"', "''", "\\", "?", "?x", ":x", "!", "&a",
    "*a", "|", ">", "%", "@", "`", "[", "]", "{", "}", ",", " ", "\t", "...", "---", "<<", "=", "é", "Ω",
    "😀", "\u00a0", "\x85", "\u2028", "\ufeff", "\x7f",
])
# Front-matter strings: anything on one line (no `\n`; other characters YAML may escape).
ONE_LINE = st.lists(
    st.one_of(YAMLISH, st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=6)),
    max_size=5,
).map("".join)
# A blank name is not a contact (ParseError "'name' is missing").
NAME = ONE_LINE.filter(lambda s: s.strip() != "")
# Keys a plain YAML 1.1 reader also reads as strings (not `no`, `on`, `null` …), so the tests that ask such a
# reader about hand-written text compare like with like.
CUSTOM_KEY = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda k: k not in KNOWN_FIELDS and isinstance(yaml.safe_load(k), str))

BODY_LINES = st.sampled_from([
    "", " ", "## 2026-01-01", "## 2026-11-20 call — Renewal", "##\t2026-01-02 call", "##  2026-01-03 14:30 x",
    "##2026-01-04", "\\## 2026-01-05", "\\\\## 2026-01-06 call", "## Background", "# Title", "### 2026-01-07",
    "- [ ] task due:2026-12-01", "- [x] done done:2026-01-01", "- [ ] bad due:2026-13-01", "```", "~~~",
    "```python", "  ```", "---", "...", "name: x", "- x", "[x]", "\u2028", "\x85", "\t", "😀 ünï",
])
# A NUL byte makes the whole file binary (ParseError), so Markdown text never holds one.
BODY_CHARS = st.one_of(
    st.characters(codec="utf-8", exclude_characters="\r\n\x00"), st.sampled_from("#-[]` \\:~0123456789x\n")
)


def open_fence(text: str) -> str | None:
    """The ``` / ~~~ fence left open at the end of ``text`` (the rule body.parse_body uses)."""
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence == stripped[:3] else (fence or stripped[:3])
    return fence


def close_fence(text: str) -> str:
    fence = open_fence(text)
    return text if fence is None else text + "\n" + fence


# Multi-line Markdown text. No `\r` (in a CRLF or LF file a line's final `\r` is its line
# ending), and no fence left open (closed here by one more line): in Markdown an unclosed
# fence runs to the end of the file, so every heading after it is code, not an interaction.
MULTILINE = st.lists(st.one_of(BODY_LINES, st.text(BODY_CHARS, max_size=20)), max_size=8).map("\n".join).map(close_fence)
# A heading's text loses the spaces around it (as in any Markdown heading), so summaries are stripped.
SUMMARY = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=20).map(str.strip)
KIND = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
TIME = st.none() | st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59))
INTERACTION = st.builds(
    Interaction, date=st.dates(), time=TIME, kind=KIND, summary=SUMMARY, text=MULTILINE
)
META = st.builds(
    lambda name, known, lists, custom: {"name": name, **known, **lists, **custom},
    NAME,
    st.dictionaries(st.sampled_from(["company", "title", "stage", "owner", "address", "uid"]), ONE_LINE),
    st.dictionaries(st.sampled_from(["emails", "phones", "tags"]), st.lists(ONE_LINE, max_size=4)),
    st.dictionaries(CUSTOM_KEY, ONE_LINE, max_size=4),
)
CONTACT = st.builds(
    Contact, handle=st.just("someone"), meta=META, notes=MULTILINE,
    interactions=st.lists(INTERACTION, max_size=4),
)


def test_the_fence_filter_is_needed() -> None:
    """An unclosed fence in notes really hides the interactions after it (why MULTILINE filters)."""
    item = Interaction(date=dt.date(2026, 1, 1), kind="call")
    text = contact.render(Contact("x", {"name": "X"}, notes="```", interactions=[item]))
    assert contact.parse(PATH, text.encode()).interactions == []


@FUZZ
@given(CONTACT, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_render_parse_round_trip(person: Contact, newline: str, bom: bool) -> None:
    text = contact.render(person, newline)
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    parsed = contact.parse(PATH, data)
    assert parsed.meta == person.meta
    assert parsed.notes == body.normalise_text(person.notes)
    assert [(i.date, i.time, i.kind, i.summary, i.text) for i in parsed.interactions] == [
        (i.date, i.time, i.kind, i.summary, body.normalise_text(i.text)) for i in person.interactions
    ]
    assert parsed.source is not None and parsed.source.encode() == data
    assert parsed.source.newline == newline
    if newline == "\r\n":
        assert "\n" not in text.replace("\r\n", "")
    # Every key's value is read the same by a plain YAML 1.1 reader.
    assert yaml.safe_load(parsed.source.front_matter) == person.meta


# (b) random edits of a mapping written in a mix of styles

VALUE = st.one_of(ONE_LINE, st.lists(ONE_LINE, max_size=3))
COMMENT = st.none() | st.sampled_from(["# why", "#", "# a: b", "# 😀 - [x]"])


@st.composite
def styled_mapping(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, tuple[str, str | None]]]:
    """A hand-written-looking mapping: its text, its data, and each key's (lines, inline comment)."""
    keys = draw(st.lists(CUSTOM_KEY | st.sampled_from(["name", "tags", "phones", "emails"]), unique=True, max_size=6))
    data: dict[str, Any] = {}
    blocks: dict[str, tuple[str, str | None]] = {}
    text = ""
    for key in keys:
        value = draw(VALUE)
        comment = draw(COMMENT)
        if draw(st.booleans()):
            text += "# own-line comment\n"
        tail = f"  {comment}" if comment else ""
        if isinstance(value, list) and value and draw(st.booleans()):
            lines = f"{key}:{tail}\n" + "".join(f"  - {yamlsafe.scalar(v)}\n" for v in value)
        elif isinstance(value, list):
            lines = f"{key}: {yamlsafe.flow_list(value)}{tail}\n"
        else:
            lines = f"{key}: {yamlsafe.scalar(value)}{tail}\n"
        text += lines
        data[key] = value
        blocks[key] = (lines, comment)
    return text, data, blocks


CHANGE = st.one_of(st.just(yamledit.REMOVE), VALUE)


@FUZZ
@given(styled_mapping(), st.data(), st.sampled_from(["\n", "\r\n"]))
def test_edit_mapping_random_changes(mapping: tuple[str, dict[str, Any], dict[str, Any]], data: st.DataObject,
                                     newline: str) -> None:
    text, meta, blocks = mapping
    assert yamlsafe.load(text) == (meta or None)
    text = text.replace("\n", newline)
    keys = st.sampled_from(sorted(meta)) | CUSTOM_KEY if meta else CUSTOM_KEY
    change = data.draw(st.dictionaries(keys, CHANGE, max_size=4))
    quoted = frozenset({"phones"})
    result = yamledit.edit_mapping(text, change, newline, quoted)

    expected = dict(meta)
    for key, value in change.items():
        if value is yamledit.REMOVE:
            expected.pop(key, None)
        else:
            expected[key] = value
    assert (yamlsafe.load(result) or {}) == expected
    assert (yaml.safe_load(result) or {}) == expected
    assert result.count("# own-line comment") == text.count("# own-line comment")
    if newline == "\r\n":
        assert "\n" not in result.replace("\r\n", "")
    for key, (lines, comment) in blocks.items():
        old, new = meta[key], change.get(key)
        block = isinstance(old, list) and "\n  - " in lines
        if key not in change:  # untouched: its lines are all there, byte for byte
            assert lines.replace("\n", newline) in result, key
        elif new is yamledit.REMOVE:
            assert not re.search(rf"^{key}:", result, re.M)
        elif block and isinstance(new, list) and new:  # the key line and surviving items stay
            assert lines.splitlines()[0] + newline in lines_of(result)
            for item_line, value in zip(lines_of(lines)[1:], old):
                if value in new:
                    assert item_line.replace("\n", newline) in lines_of(result), (item_line, result)
        elif comment and not block and isinstance(new, str) == isinstance(old, str):
            line = next(ln for ln in lines_of(result) if ln.startswith(f"{key}:"))
            assert line.endswith(f"  {comment}{newline}"), line  # the inline comment stays
    if isinstance(change.get("phones"), list) and "phones" not in meta:
        assert f"phones: {yamlsafe.flow_list(change['phones'], force_quotes=True)}{newline}" in lines_of(result)


# ---------------------------------------------------------------------------
# 6. append_section never changes existing bytes
# ---------------------------------------------------------------------------

FILE_TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.lists(
    st.sampled_from(["---", "name: x", "", "note", "## 2026-01-01", " "]), max_size=6
).map("\n".join)


@FUZZ
@given(FILE_TEXT, st.sampled_from(["", "\n", "\r\n", "\n\n", "\r\n\r\n"]), st.sampled_from(["\n", "\r\n"]))
def test_append_section_only_appends(text: str, ending: str, newline: str) -> None:
    original = text.replace("\r\n", "\n").replace("\n", newline) + ending
    section = body.render_interaction(Interaction(date=dt.date(2026, 11, 20), kind="call", text="hi"), newline)
    result = contact.append_section(original, section, newline)
    assert result.startswith(original)
    assert result.endswith(section)
    gap = result[len(original) : len(result) - len(section)]
    assert set(gap) <= {"\r", "\n"}
    assert (original + gap).endswith("\n\n") or (original + gap).endswith("\n\r\n")


@FUZZ
@given(CONTACT, INTERACTION, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_appended_interaction_reads_back_last(person: Contact, item: Interaction, newline: str,
                                              strip_end: bool) -> None:
    original = contact.render(person, newline)
    if strip_end:
        original = original.rstrip("\r\n")
    result = contact.append_section(original, body.render_interaction(item, newline), newline)
    assert result.startswith(original)
    parsed = contact.parse(PATH, result.encode())
    last = parsed.interactions[-1]
    assert (last.date, last.time, last.kind, last.summary, last.text) == (
        item.date, item.time, item.kind, item.summary, body.normalise_text(item.text)
    )
    assert len(parsed.interactions) == len(person.interactions) + 1
    assert parsed.meta == person.meta


@pytest.mark.parametrize("text, change", [
    ("name: 'Ada\u2028b: 1'\nb: 2\n", {"b": "3"}),  # a line separator in a value: no key starts a line there
    ("name: A\nbase: &b hello\ncopy: *b\n", {"base": "bye"}),
    ("{name: A,\ntitle: B}\n", {"title": "C"}),
])
def test_only_the_new_lines_are_read_back_where_the_other_lines_cannot_change(text: str, change: dict) -> None:
    """Where a key's lines may read differently beside others (an alias, a flow mapping, a key that does not
    start a line), the whole mapping is read back; else an edit would break the YAML or change more."""
    try:
        result = yamledit.edit_mapping(text, change)
    except yamledit.EditError:
        return
    expected = {**yamlsafe.load(text), **change}
    assert yamlsafe.load(result) == expected


def _fold_whole(text: str) -> str:
    """`fold` as defined: the whole text decomposed, accents dropped, case folded."""
    import unicodedata

    from vault_tool.format.handles import _SPECIAL

    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@given(st.lists(st.sampled_from(["Zoë", "Müller", "ǅ", " ", "  ", "\u0301", "e\u0301\u0327", "ß", "Łódź", "&", "ΣΑΣ",
                                 "ﬁ", "한국", "a"]), max_size=8).map("".join) | st.text())
def test_folding_word_by_word_is_folding_the_whole_text(text: str) -> None:
    from vault_tool.format.handles import fold

    assert fold(text) == _fold_whole(text)
