"""The three-way merge of a contact file, as pure bytes in and bytes out (the `vault` merge driver's core).

Real git merges through the driver are in test_team.py; here each rule of the
merge is shown on small files, and a property test checks that interactions
added on either side are all kept, each exactly once.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vault_tool.format.contact import parse
from vault_tool.team.mergedriver import Labels, merge_contact, merge_files

BASE = """\
---
name: Ada Lovelace
emails: [ada@analytical.example]
phones: ["+44 20 7946 0958"]
tags: [customer, mathematics]
stage: lead
title: Countess   # she prefers it
links:
  web: https://lovelace.example
---
Met at the Babbage soirée.

- [ ] Send the Bernoulli notes due:2026-12-01

## 2026-11-01 call — First call
Hello.

## 2026-11-10 email — Follow-up
Sent the notes.
"""


def merge(base: str, ours: str, theirs: str):
    return merge_contact(base.encode(), ours.encode(), theirs.encode())


def append(text: str, section: str) -> str:
    return text + "\n" + textwrap.dedent(section).lstrip("\n")


# Front matter, field by field


def test_each_side_changed_a_different_field() -> None:
    ours = BASE.replace("stage: lead", "stage: customer")
    theirs = BASE.replace("title: Countess   # she prefers it", "title: Head of Research   # she prefers it")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert result.data.decode() == BASE.replace("stage: lead", "stage: customer").replace(
        "title: Countess", "title: Head of Research"
    )


def test_both_changed_a_list_keeps_the_additions_and_removals_of_each() -> None:
    ours = BASE.replace("tags: [customer, mathematics]", "tags: [customer, mathematics, vip]")
    theirs = BASE.replace("tags: [customer, mathematics]", "tags: [customer, poetry]")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert "tags: [customer, vip, poetry]\n" in result.data.decode()


def test_both_added_a_phone_and_an_email() -> None:
    ours = BASE.replace('phones: ["+44 20 7946 0958"]', 'phones: ["+44 20 7946 0958", "+44 7700 900461"]')
    theirs = BASE.replace('phones: ["+44 20 7946 0958"]', 'phones: ["+44 20 7946 0958", "+44 7700 900999"]')
    theirs = theirs.replace("emails: [ada@analytical.example]", "emails: [ada@analytical.example, ada@home.example]")
    result = merge(BASE, ours, theirs).data.decode()
    assert 'phones: ["+44 20 7946 0958", "+44 7700 900461", "+44 7700 900999"]\n' in result
    assert "emails: [ada@analytical.example, ada@home.example]\n" in result


def test_both_changed_links_key_by_key() -> None:
    ours = BASE.replace("  web: https://lovelace.example\n", "  web: https://lovelace.example\n  code: https://git.example/ada\n")
    theirs = BASE.replace("  web: https://lovelace.example\n", "  web: https://lovelace.example\n  blog: https://blog.example\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    meta = parse(Path("ada.md"), result.data).meta
    assert meta["links"] == {
        "web": "https://lovelace.example", "code": "https://git.example/ada", "blog": "https://blog.example",
    }


def test_a_field_added_on_one_side_lands_where_it_was_added() -> None:
    theirs = BASE.replace("stage: lead\n", "stage: lead\nowner: alice\n")
    ours = BASE.replace("stage: lead", "stage: customer")
    result = merge(BASE, ours, theirs)
    assert "stage: customer\nowner: alice\ntitle: Countess" in result.data.decode()


def test_a_field_removed_on_one_side_is_removed() -> None:
    theirs = BASE.replace("title: Countess   # she prefers it\n", "")
    ours = BASE.replace("stage: lead", "stage: customer")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert "title" not in parse(Path("ada.md"), result.data).meta


def test_both_set_a_scalar_to_different_values_is_a_conflict_with_both_values() -> None:
    ours = BASE.replace("stage: lead", "stage: customer")
    theirs = BASE.replace("stage: lead", "stage: churned")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 1
    assert "<<<<<<< ours\nstage: customer\n=======\nstage: churned\n>>>>>>> theirs\n" in result.data.decode()


def test_both_set_the_same_value_is_no_conflict() -> None:
    ours = theirs = BASE.replace("stage: lead", "stage: customer")
    assert merge(BASE, ours, theirs.replace("Hello.", "Hello!")).conflicts == 0


def test_the_marker_size_and_labels_are_gits() -> None:
    ours = BASE.replace("stage: lead", "stage: customer")
    theirs = BASE.replace("stage: lead", "stage: churned")
    labels = Labels(ours="HEAD", theirs="feature", size=9)
    text = merge_contact(BASE.encode(), ours.encode(), theirs.encode(), labels).data.decode()
    assert "<<<<<<<<< HEAD\nstage: customer\n=========\nstage: churned\n>>>>>>>>> feature\n" in text


# Notes, as text


def test_notes_changed_on_both_sides_in_different_places() -> None:
    ours = BASE.replace("Met at the Babbage soirée.", "Met at the Babbage soirée in 1833.")
    theirs = BASE.replace("- [ ] Send the Bernoulli notes due:2026-12-01", "- [x] Send the Bernoulli notes done:2026-11-20")
    theirs = theirs.replace("\n- [x]", "\nPrefers letters.\n\n- [x]")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    text = result.data.decode()
    assert "Met at the Babbage soirée in 1833.\n\nPrefers letters.\n\n- [x] Send the Bernoulli notes done:2026-11-20\n" in text


def test_the_same_note_line_changed_on_both_sides_is_a_conflict() -> None:
    ours = BASE.replace("Met at the Babbage soirée.", "Met at the soirée.")
    theirs = BASE.replace("Met at the Babbage soirée.", "Met in London.")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 1
    assert "<<<<<<< ours\nMet at the soirée.\n=======\nMet in London.\n>>>>>>> theirs\n" in result.data.decode()


# Interactions, as a union of sections


def test_both_appended_interactions_all_are_kept_in_date_order() -> None:
    ours = append(BASE, "## 2026-11-20 call — Ours\nOur call.\n")
    theirs = append(BASE, "## 2026-11-15 meeting — Theirs\nTheir meeting.\n")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert result.data.decode() == BASE + (
        "\n## 2026-11-15 meeting — Theirs\nTheir meeting.\n"
        "\n## 2026-11-20 call — Ours\nOur call.\n"
    )


def test_the_same_interaction_added_on_both_sides_is_kept_once() -> None:
    both = append(BASE, "## 2026-11-20 call — Renewal\nWants a demo.\n")
    result = merge(BASE, both, both.replace("stage: lead", "stage: customer"))
    assert result.data.decode().count("## 2026-11-20 call — Renewal") == 1


def test_an_interaction_removed_on_one_side_is_removed() -> None:
    theirs = BASE.replace("\n## 2026-11-01 call — First call\nHello.\n", "")
    ours = append(BASE, "## 2026-11-20 call — Ours\nOur call.\n")
    text = merge(BASE, ours, theirs).data.decode()
    assert "First call" not in text
    assert "Our call." in text


def test_an_interaction_edited_on_one_side_is_edited() -> None:
    theirs = BASE.replace("Hello.", "Hello, and a long talk about engines.")
    ours = append(BASE, "## 2026-11-20 call — Ours\nOur call.\n")
    text = merge(BASE, ours, theirs).data.decode()
    assert "Hello, and a long talk about engines.\n" in text
    assert "Hello.\n" not in text


def test_an_interaction_edited_on_both_sides_is_merged_as_text() -> None:
    base = BASE.replace("Hello.", "Hello.\nLine two.\nLine three.")
    ours = base.replace("Hello.", "Hello there.")
    theirs = base.replace("Line three.", "Line three, amended.")
    result = merge(base, ours, theirs)
    assert result.conflicts == 0
    assert "Hello there.\nLine two.\nLine three, amended.\n" in result.data.decode()


def test_tasks_inside_interactions_travel_with_them() -> None:
    ours = append(BASE, "## 2026-11-20 call — Ours\n- [ ] Book the demo due:2026-11-30\n")
    theirs = append(BASE, "## 2026-11-21 email — Theirs\n- [ ] Send the contract due:2026-12-05\n")
    tasks = [t.text for t in parse(Path("ada.md"), merge(BASE, ours, theirs).data).tasks]
    assert tasks == [
        "Send the Bernoulli notes due:2026-12-01", "Book the demo due:2026-11-30", "Send the contract due:2026-12-05",
    ]


def test_a_file_with_no_interactions_gets_the_others_first_one_after_a_blank_line() -> None:
    base = "---\nname: Ada\n---\nNotes.\n"
    theirs = base + "\n## 2026-11-20 call — First\nHello.\n"
    ours = base.replace("name: Ada", "name: Ada\nstage: lead")
    assert merge(base, ours, theirs).data.decode() == "---\nname: Ada\nstage: lead\n---\nNotes.\n\n## 2026-11-20 call — First\nHello.\n"


def test_crlf_and_bom_are_kept() -> None:
    crlf = "\ufeff" + BASE.replace("\n", "\r\n")
    ours = crlf.replace("stage: lead", "stage: customer")
    theirs = crlf + "\r\n## 2026-11-20 call — Theirs\r\nTheir call.\r\n"
    data = merge_contact(crlf.encode(), ours.encode(), theirs.encode()).data
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.endswith(b"\r\n\r\n## 2026-11-20 call \xe2\x80\x94 Theirs\r\nTheir call.\r\n")


# Files that are not contacts, and no base


def test_added_on_both_sides_with_no_base() -> None:
    ours = "---\nname: Ada\nstage: lead\n---\n\n## 2026-11-20 call — A\nOne.\n"
    theirs = "---\nname: Ada\ntags: [vip]\n---\n\n## 2026-11-21 call — B\nTwo.\n"
    result = merge("", ours, theirs)
    assert result.conflicts == 0
    contact = parse(Path("ada.md"), result.data)
    assert contact.meta == {"name": "Ada", "stage": "lead", "tags": ["vip"]}
    assert [i.summary for i in contact.interactions] == ["A", "B"]


def test_a_side_that_does_not_parse_is_merged_as_plain_text() -> None:
    ours = BASE.replace("stage: lead", "stage: [lead")
    theirs = BASE.replace("Sent the notes.", "Sent the notes twice.")
    result = merge(BASE, ours, theirs)
    assert result.conflicts == 0
    assert "stage: [lead\n" in result.data.decode() and "Sent the notes twice." in result.data.decode()


def test_merge_files_writes_the_result_over_ours(tmp_path: Path) -> None:
    files = {}
    for name, text in (("base", BASE), ("ours", BASE.replace("stage: lead", "stage: customer")),
                       ("theirs", append(BASE, "## 2026-11-20 call — X\nY.\n"))):
        files[name] = tmp_path / name
        files[name].write_text(text)
    assert merge_files(files["base"], files["ours"], files["theirs"]) == 0
    text = files["ours"].read_text()
    assert "stage: customer" in text and "## 2026-11-20 call — X" in text


# The property: interactions added anywhere on either side are all kept, each exactly once


def interactions(min_size: int = 0) -> st.SearchStrategy[list[tuple[dt.date, str, str]]]:
    return st.lists(
        st.tuples(
            st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)),
            st.sampled_from(["call", "email", "meeting", "note"]),
            st.text(alphabet="abcdefgh ,.", min_size=1, max_size=20).map(str.strip).filter(bool),
        ),
        min_size=min_size, max_size=6,
    )


def render(sections: list[tuple[dt.date, str, str]]) -> str:
    return "".join(f"\n## {day} {kind} — {text}\nAbout {text}.\n" for day, kind, text in sections)


def insert_randomly(data: st.DataObject, base: list, added: list) -> list:
    result = list(base)
    for item in added:
        result.insert(data.draw(st.integers(0, len(result))), item)
    return result


@settings(max_examples=60, deadline=None)
@given(base=interactions(), ours_added=interactions(), theirs_added=interactions(), data=st.data())
def test_merged_interactions_are_exactly_base_ours_and_theirs(base, ours_added, theirs_added, data) -> None:
    base = list(dict.fromkeys(base))
    ours_added = [s for s in dict.fromkeys(ours_added) if s not in base]
    theirs_added = [s for s in dict.fromkeys(theirs_added) if s not in base]
    head = "---\nname: Ada\n---\nNotes.\n"
    ours = insert_randomly(data, base, ours_added)
    theirs = insert_randomly(data, base, theirs_added)

    result = merge(head + render(base), head + render(ours), head + render(theirs))

    assert result.conflicts == 0
    merged = parse(Path("ada.md"), result.data)
    got = [(i.date, i.kind, i.summary) for i in merged.interactions]
    assert sorted(got) == sorted(dict.fromkeys(base + ours_added + theirs_added))
    assert len(got) == len(set(got))
    assert [x for x in got if x in ours] == ours  # nothing already in our file moved
    assert all(i.text == f"About {i.summary}." for i in merged.interactions)
