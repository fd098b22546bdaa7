"""`contacts dupes` finds contacts that are one person; `contacts merge` makes them one file, in one commit."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import commit_count, git, head_files, head_message
from test_cli import line_changes, no_traceback, ok

from vault_tool.interop.merging import Conflict, combine

ADA = Path("contacts/ada-lovelace.md")


def add(invoke, vault: Path, name: str, *args: str) -> str:
    result = invoke("-C", vault, "add", name, *args)
    ok(result)
    return result.stdout.strip()


# dupes


def test_the_example_vault_has_no_duplicates(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "dupes")

    ok(result)
    assert result.stdout == "No likely duplicates.\n"


def test_dupes_by_email_phone_and_close_names_with_the_reasons(vault: Path, invoke) -> None:
    add(invoke, vault, "Ada King", "--email", "ADA@analytical.example")
    add(invoke, vault, "C. Babbage", "--phone", "020 7946 0412")  # Charles has +44 20 7946 0412
    add(invoke, vault, "Zoe Mueller", "--company", "Brandt Maschinenbau")  # Zoë Müller works there

    result = invoke("-C", vault, "dupes")

    ok(result)
    assert result.stdout == (
        "ada-lovelace (Ada Lovelace), ada-king (Ada King)\n"
        "  same email ADA@analytical.example\n"
        "  contacts merge ada-lovelace ada-king\n"
        "\n"
        "charles-babbage (Charles Babbage), c-babbage (C. Babbage)\n"
        "  same phone 020 7946 0412\n"
        "  contacts merge charles-babbage c-babbage\n"
        "\n"
        "zoe-muller (Zoë Müller), zoe-mueller (Zoe Mueller)\n"
        "  similar names (95%) at Brandt Maschinenbau\n"
        "  contacts merge zoe-muller zoe-mueller\n"
    )


def test_a_value_a_contact_writes_twice_is_not_shared_with_itself(vault: Path, invoke) -> None:
    """`a@x` and `A@x` on one contact: no group of one, and it still counts once toward a shared line."""
    add(invoke, vault, "Pat Solo", "--email", "pat@solo.example", "--email", "PAT@solo.example")
    for name in ("Kim One", "Kim Two", "Kim Three"):
        add(invoke, vault, name, "--email", "team@shared.example")
    add(invoke, vault, "Kim Four", "--email", "team@shared.example", "--email", "Team@Shared.example")

    result = invoke("-C", vault, "dupes", "--format", "json")

    ok(result)
    groups = json.loads(result.stdout)
    assert not any("pat-solo" in group["handles"] for group in groups)
    [team] = [group for group in groups if "kim-four" in group["handles"]]
    assert sorted(team["handles"]) == ["kim-four", "kim-one", "kim-three", "kim-two"]  # four: not a switchboard
    assert team["reasons"] == ["same email team@shared.example"]


def test_dupes_as_json(vault: Path, invoke) -> None:
    add(invoke, vault, "Ada King", "--email", "ada@analytical.example")

    result = invoke("-C", vault, "dupes", "--format", "json")

    ok(result)
    assert json.loads(result.stdout) == [{"handles": ["ada-lovelace", "ada-king"],
                                          "names": ["Ada Lovelace", "Ada King"],
                                          "reasons": ["same email ada@analytical.example"]}]


def test_a_switchboard_number_on_many_contacts_is_not_a_reason(empty_vault: Path, invoke) -> None:
    for name in ("Anna Berg", "Bo Lind", "Cecilia Holm", "Dag Ek", "Eva Nord"):
        add(invoke, empty_vault, name, "--phone", "+46 8 555 000 00")

    result = invoke("-C", empty_vault, "dupes")

    ok(result)
    assert result.stdout == "No likely duplicates.\n"


def test_the_reasons_of_a_group_keep_their_order_when_an_edit_moves_a_contact_in_the_index(
    empty_vault: Path, invoke,
) -> None:
    """Two shared emails, written in opposite orders: the reasons are listed by the value, whichever of the two
    the index holds first (an edited contact's document moves to the end of the index)."""
    import os
    import time

    add(invoke, empty_vault, "Anna Berg", "--email", "x@berg.example", "--email", "z@berg.example")
    add(invoke, empty_vault, "Anna B.", "--email", "z@berg.example", "--email", "x@berg.example")

    def reasons() -> list[str]:
        result = invoke("-C", empty_vault, "dupes", "--format", "json")
        ok(result)
        [group] = json.loads(result.stdout)
        return list(group["reasons"])

    first = reasons()
    assert first == ["same email x@berg.example", "same email z@berg.example"]
    for handle in ("anna-berg", "anna-b"):
        path = empty_vault / "contacts" / f"{handle}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nMet at the fair.\n", encoding="utf-8")
        then = time.time() - 5
        os.utime(path, (then, then))
        assert reasons() == first


def test_namesakes_at_different_companies_are_not_duplicates(empty_vault: Path, invoke) -> None:
    add(invoke, empty_vault, "John Smith", "--company", "Acme")
    add(invoke, empty_vault, "John Smith", "--company", "Globex")

    assert invoke("-C", empty_vault, "dupes").stdout == "No likely duplicates.\n"


# merge


@pytest.fixture
def ada_king(vault: Path, invoke) -> Path:
    """A second file for Ada: her email, a new phone, a tag, a different title, notes, a task and a call."""
    handle = add(invoke, vault, "Ada King", "--email", "ada@analytical.example", "--phone", "+44 7700 900123",
                 "--tag", "royal-society", "--title", "Countess", "--note", "Met at the Royal Society.\n\n"
                 "- [ ] Send the Menabrea translation due:2026-12-20")
    ok(invoke("-C", vault, "log", handle, "call", "Translation", "-m", "She is translating Menabrea.",
              "--date", "2026-11-10"))
    return vault / "contacts" / f"{handle}.md"


def test_merge_needs_a_choice_for_a_field_with_two_values(vault: Path, invoke, ada_king: Path) -> None:
    before = commit_count(vault)

    result = invoke("-C", vault, "merge", "ada-lovelace", "ada-king")

    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == (
        "Error: name differs: 'Ada Lovelace' (ada-lovelace), 'Ada King' (ada-king) (and 1 more field); "
        "choose with --prefer keep or --prefer other, or run on a terminal to be asked\n"
    )
    assert commit_count(vault) == before and ada_king.exists()


def test_merge_prefer_keep_joins_lists_adds_notes_and_interactions_and_removes_the_other(
    vault: Path, invoke, ada_king: Path
) -> None:
    old = (vault / ADA).read_text()
    other_call = ada_king.read_text().split("## 2026-11-10")[1]

    result = invoke("-C", vault, "merge", "ada-lovelace", "ada-king", "--prefer", "keep")

    ok(result)
    assert result.stderr.startswith("Merge Ada King into Ada Lovelace (") and ", commit " in result.stderr
    new = (vault / ADA).read_text()
    assert 'phones: ["+44 20 7946 0958", "+44 7700 900123"]\n' in new
    assert "tags: [customer, mathematics, vip, royal-society]\n" in new
    assert "title: Head of Research\n" in new and "Countess" not in new.split("---")[1]
    assert "- [x] Introduce to Charles done:2026-11-02\n\nMet at the Royal Society.\n\n" \
           "- [ ] Send the Menabrea translation due:2026-12-20\n\n## 2025-12-11 email" in new
    assert new.endswith("\n## 2026-11-10" + other_call)
    assert not ada_king.exists()
    assert head_message(vault) == "Merge Ada King into Ada Lovelace"
    assert sorted(head_files(vault)) == ["contacts/ada-king.md", "contacts/ada-lovelace.md"]
    assert git(vault, "status", "--porcelain") == ""
    removed, _ = line_changes(old.encode(), new.encode())  # a minimal diff: only two lines replaced
    assert removed == [b'phones: ["+44 20 7946 0958"]\n', b"tags: [customer, mathematics, vip]\n"]


def test_merge_prefer_other_takes_the_others_values(vault: Path, invoke, ada_king: Path) -> None:
    ok(invoke("-C", vault, "merge", "ada-lovelace", "ada-king", "--prefer", "other"))

    new = (vault / ADA).read_text()
    assert "name: Ada King\n" in new and "title: Countess\n" in new
    assert "uid: 01KC4K84DGM23H3YFCY7MTSQTS\n" in new  # the kept contact's identity stays


def test_on_a_terminal_merge_asks_which_value_to_keep(vault: Path, invoke, ada_king: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from vault_tool.cli import dupes_cmds

    monkeypatch.setattr(dupes_cmds, "_can_ask", lambda: True)

    result = invoke("-C", vault, "merge", "ada-lovelace", "ada-king", input="2\n1\n")

    ok(result)
    assert "name differs:\n  1) Ada Lovelace  (ada-lovelace)\n  2) Ada King  (ada-king)\nKeep which [1]: " \
           in result.stderr
    new = (vault / ADA).read_text()
    assert "name: Ada King\n" in new and "title: Head of Research\n" in new


def test_git_revert_undoes_a_merge(vault: Path, invoke, ada_king: Path) -> None:
    before = {p: p.read_bytes() for p in (vault / "contacts").glob("*.md")}
    ok(invoke("-C", vault, "merge", "ada-lovelace", "ada-king", "--prefer", "keep"))

    git(vault, "revert", "--no-edit", "HEAD")

    assert {p: p.read_bytes() for p in (vault / "contacts").glob("*.md")} == before


def test_a_merge_of_two_contacts_of_the_same_name_names_their_handles(vault: Path, invoke) -> None:
    add(invoke, vault, "Ada Lovelace", "--email", "ada@elsewhere.example")

    ok(invoke("-C", vault, "merge", "ada-lovelace", "ada-lovelace-2"))

    assert head_message(vault) == "Merge Ada Lovelace (ada-lovelace-2) into Ada Lovelace (ada-lovelace)"


def test_merge_three_into_one(vault: Path, invoke) -> None:
    add(invoke, vault, "Charles B", "--email", "babbage@difference.example")
    add(invoke, vault, "Charles Babbage", "--phone", "+44 7700 900999")

    result = invoke("-C", vault, "merge", "charles-babbage", "charles-b", "charles-babbage-2", "--prefer", "keep")

    ok(result)
    assert head_message(vault) == "Merge Charles B, Charles Babbage (charles-babbage-2) into Charles Babbage (charles-babbage)"
    assert sorted(p.name for p in (vault / "contacts").glob("charles*")) == ["charles-babbage.md"]
    assert "+44 7700 900999" in (vault / "contacts/charles-babbage.md").read_text()


def test_merging_an_interaction_both_have_adds_it_once(vault: Path, invoke) -> None:
    handle = add(invoke, vault, "Ada Copy", "--email", "ada@analytical.example")
    ada = (vault / ADA).read_text()
    first = ada.index("## 2025-12-11")
    second = ada.index("\n## ", first + 1)
    copy = vault / "contacts" / f"{handle}.md"
    copy.write_text(copy.read_text() + "\n" + ada[first:second + 1])
    git(vault, "commit", "-qam", "Copy an interaction")

    ok(invoke("-C", vault, "merge", "ada-lovelace", handle, "--prefer", "keep"))

    assert (vault / ADA).read_text().count("## 2025-12-11") == 1


@pytest.mark.parametrize(("args", "code", "message"), [
    (["ada-lovelace", "ada-lovelace"], 2, "name each contact once: KEEP and OTHER… must be different contacts"),
    (["ada-lovelace", "nobody-at-all"], 1, "no contact matches 'nobody-at-all': see 'contacts list'"),
    (["ada-lovelace", "charles-babbage", "--prefer", "both"], 2, None),
])
def test_merge_refuses_what_it_cannot_do(vault: Path, invoke, args: list[str], code: int, message: str | None) -> None:
    before = commit_count(vault)

    result = invoke("-C", vault, "merge", *args)

    assert result.exit_code == code
    no_traceback(result)
    if message:
        assert result.stderr == f"Error: {message}\n"
    assert commit_count(vault) == before


# The merge of fields, which an interactive merge resolves with the answers


def test_choices_resolve_conflicts_field_by_field_and_key_by_key() -> None:
    keep = {"name": "Ada Lovelace", "title": "Head", "links": {"web": "https://a.example"}, "uid": "A"}
    other = {"name": "Ada King", "title": "CTO", "links": {"web": "https://b.example", "git": "https://g"},
             "uid": "B", "industry": "computing"}

    unresolved = combine([("ada", keep), ("king", other)], "GB")
    resolved = combine([("ada", keep), ("king", other)], "GB", {"title": "CTO", "links.web": "https://b.example",
                                                                 "name": "Ada Lovelace"})

    assert unresolved.conflicts == [
        Conflict("name", [("ada", "Ada Lovelace"), ("king", "Ada King")]),
        Conflict("title", [("ada", "Head"), ("king", "CTO")]),
        Conflict("links.web", [("ada", "https://a.example"), ("king", "https://b.example")]),
    ]
    assert resolved.conflicts == []
    assert resolved.meta == {"name": "Ada Lovelace", "title": "CTO",
                             "links": {"web": "https://b.example", "git": "https://g"}, "uid": "A",
                             "industry": "computing"}


def test_phones_and_emails_are_joined_as_the_same_number_and_address() -> None:
    merged = combine([("a", {"phones": ["+44 20 7946 0958"], "emails": ["Ada@X.example"]}),
                      ("b", {"phones": ["020 7946 0958", "+44 7700 900123"], "emails": ["ada@x.example"]})], "GB")

    assert merged.meta == {"phones": ["+44 20 7946 0958", "+44 7700 900123"], "emails": ["Ada@X.example"]}


_NAME = st.lists(st.sampled_from(["ada", "adah", "love", "lovelace", "bob", "van", "der", "berg", "é"]),
                 min_size=1, max_size=3).map(" ".join)


@settings(max_examples=200)
@given(st.lists(_NAME, max_size=14))
def test_close_names_are_every_pair_that_shares_a_word_and_scores_enough(names: list[str]) -> None:
    """`dupes` joins the copies of a name at once, and compares names word group by word group, each name's words
    sorted once: the same pairs, scores and order of each pair as comparing every two names that share a word
    with rapidfuzz's token_sort_ratio."""
    from rapidfuzz import fuzz

    from vault_tool.interop.duplicates import NAME_SCORE, _close_names

    first = {name: names.index(name) for name in names}
    expected = {(tuple(i for i, n in enumerate(names) if n == name), 100) for name in first if names.count(name) > 1}
    distinct = list(first)
    for x, a in enumerate(distinct):
        for b in distinct[x + 1:]:
            score = fuzz.token_sort_ratio(a, b, processor=None)
            if set(a.split()) & set(b.split()) and score >= NAME_SCORE:
                expected.add(((first[a], first[b]), round(score)))
    found = [(tuple(at), score) for at, score in _close_names(names)]
    assert len(found) == len(set(found))
    assert set(found) == expected


_KEYS = st.lists(st.sampled_from(["c:acme", "c:globex", "d:acme.example", "e:ada@x.example", "p:+442079460412",
                                   "u:1", "n:ada"]), unique=True, max_size=4)


@settings(max_examples=100)
@given(st.lists(st.tuples(_NAME, _KEYS), max_size=12), st.lists(st.tuples(_NAME, _KEYS), max_size=12))
def test_the_close_names_kept_between_runs_give_what_comparing_them_again_gives(
        tmp_path_factory: pytest.TempPathFactory, before: list[tuple[str, list[str]]],
        after: list[tuple[str, list[str]]]) -> None:
    """A vault as it was, then as it is: the joins found through the names kept from the first run are those
    found without any kept, and the kept names are then those of the second."""
    from vault_tool.interop.duplicates import MEMO, NameMemo, holders_of, joins_of
    from vault_tool.search.columns import KeyRow

    def rows(contacts: list[tuple[str, list[str]]]) -> list[KeyRow]:
        return [KeyRow(doc, f"contacts/{doc:03}.md", name, "\n".join(keys).encode())
                for doc, (name, keys) in enumerate(contacts)]

    path = tmp_path_factory.mktemp("memo") / MEMO
    for contacts in (before, after):
        memo = NameMemo(path)
        assert joins_of(holders_of(rows(contacts)), memo) == joins_of(holders_of(rows(contacts)))
        memo.save()
    kept = NameMemo(path)
    assert all(kept.close_names(block, names) == found for block, (_, found) in kept._kept.items()
               for names in [[name for name, keys in after if block in keys]])


def test_dupes_keeps_each_blocks_close_names_and_sees_a_name_changed(empty_vault: Path, invoke) -> None:
    add(invoke, empty_vault, "Zoë Müller", "--company", "Brandt")
    zoe = empty_vault / "contacts" / "zoe-mueller.md"
    add(invoke, empty_vault, "Zoe Mueller", "--company", "Brandt")
    memo = empty_vault / ".vault" / "dupe-names"

    assert "similar names (95%) at Brandt" in invoke("-C", empty_vault, "dupes").stdout
    written = memo.stat().st_mtime_ns
    assert "similar names (95%) at Brandt" in invoke("-C", empty_vault, "dupes").stdout
    assert memo.stat().st_mtime_ns == written  # nothing compared again: nothing written

    zoe.write_text(zoe.read_text(encoding="utf-8").replace("Zoe Mueller", "Zed Mueller"), encoding="utf-8")
    assert invoke("-C", empty_vault, "dupes").stdout == "No likely duplicates.\n"
    memo.write_bytes(b"not a memo")
    zoe.write_text(zoe.read_text(encoding="utf-8").replace("Zed Mueller", "Zoe Mueller"), encoding="utf-8")
    result = invoke("-C", empty_vault, "dupes")
    ok(result)
    assert "similar names (95%) at Brandt" in result.stdout


def test_a_groups_reasons_come_in_the_order_of_the_joins_that_give_them() -> None:
    """Joins are ordered by their contacts' paths: here a-c, b-d, c-e, d-e, which make one group. Its reasons
    follow them, however the group came together (c-e joined a's group before b's joined it)."""
    from vault_tool.interop.duplicates import find_groups, holders_of, joins_of
    from vault_tool.search.columns import KeyRow

    emails = {"a": ["one@x.example"], "b": ["two@x.example"], "c": ["one@x.example", "three@x.example"],
              "d": ["two@x.example", "four@x.example"], "e": ["three@x.example", "four@x.example"]}
    rows = [KeyRow(doc, f"contacts/{handle}.md", f"person {handle}",
                   "\n".join(f"e:{email}" for email in written).encode()) for doc, (handle, written)
            in enumerate(emails.items())]
    views = {doc: {"handle": handle, "meta": {"name": f"Person {handle}", "emails": written}, "keys": 2,
                   "interaction_count": 0} for doc, (handle, written) in enumerate(emails.items())}

    [group] = find_groups(joins_of(holders_of(rows)), views, "GB")

    assert sorted(group.handles) == ["a", "b", "c", "d", "e"]
    assert group.reasons == ["same email one@x.example", "same email two@x.example", "same email three@x.example",
                             "same email four@x.example"]
