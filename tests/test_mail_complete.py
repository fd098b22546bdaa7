"""Mail clients complete what a person has typed so far: `search --format mutt|aerc` on the real index.

Each word typed starts a word of a name or a part of an address (split at `.` `_` `-` `+` `@`),
case and accents aside; no match is one status line for mutt, nothing for aerc, and exit 1.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from vault_tool.search.query import typed_words

ADA = ["ada@analytical.example\tAda Lovelace", "countess@lovelace.example\tAda Lovelace"]
ZOE = ["zoe.mueller@brandt-maschinenbau.example\tZoë Müller", "zoe@mueller.example\tZoë Müller"]


def aerc(invoke, vault: Path, *typed: str) -> list[str]:
    result = invoke("-C", vault, "search", "--format", "aerc", *typed)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def write(vault: Path, handle: str, front: str) -> None:
    (vault / "contacts" / f"{handle}.md").write_text(f"---\n{front}---\n", encoding="utf-8")


@pytest.mark.parametrize("typed, expected", [
    (["lov"], ADA),
    (["Ada", "Love"], ADA),
    (["ada love"], ADA),  # one argument with a space, as mail clients pass it
    (["LOVELACE"], ADA),
    (["countess"], ADA),  # the local part of an address
    (["zoe.mue"], ZOE),  # a name word and a part of an address
    (["Zoë Mü"], ZOE),
    (["zoe"], ZOE),
    (["mueller"], ZOE),  # only in the addresses: the name folds to "muller"
    (["müll"], ZOE),
    (["maschinen"], ["info@brandt-maschinenbau.example\tBrandt Maschinenbau",  # after a `-` in the domain
                     "dieter.brandt@brandt-maschinenbau.example\tDieter Brandt", *ZOE]),  # by name
])
def test_what_was_typed_completes_to_names_and_addresses(vault: Path, invoke, typed: list[str],
                                                         expected: list[str]) -> None:
    assert aerc(invoke, vault, *typed) == expected


def test_a_word_matches_only_from_the_start_of_a_word(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "search", "--format", "aerc", "velace")  # inside "lovelace"
    assert result.exit_code == 1 and result.stdout == ""
    # "zoe" is in Dieter Brandt's notes, which a search of the query language finds; completion does not
    assert invoke("-C", vault, "search", "--format", "json", "zoe").stdout.count('"handle"') > 1


def test_every_word_must_match(vault: Path, invoke) -> None:
    assert aerc(invoke, vault, "ada", "lovelace") == ADA
    assert invoke("-C", vault, "search", "--format", "aerc", "ada", "mueller").exit_code == 1


def test_separators_in_addresses(empty_vault: Path, invoke) -> None:
    write(empty_vault, "kim", "name: Kim Park\nemails: [first_last+news@mail-host.example, k@x.example]\n")
    write(empty_vault, "other", "name: Other Person\nemails: [other@x.example]\n")
    for typed in ("last", "news", "host", "first_la", "mail-ho", "first_last+ne", "kim park"):
        lines = aerc(invoke, empty_vault, typed)
        assert lines == ["first_last+news@mail-host.example\tKim Park", "k@x.example\tKim Park"], typed
    assert aerc(invoke, empty_vault, "ne") == aerc(invoke, empty_vault, "news")
    # a single letter starts a name word, an address, its local part or its domain, not a part inside one
    assert invoke("-C", empty_vault, "search", "--format", "aerc", "n").exit_code == 1
    assert aerc(invoke, empty_vault, "k") == aerc(invoke, empty_vault, "kim")
    assert aerc(invoke, empty_vault, "x.ex") == [  # every address of each contact that matches
        "first_last+news@mail-host.example\tKim Park", "k@x.example\tKim Park", "other@x.example\tOther Person"]


def test_mutt_lists_every_address_after_a_status_line(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "search", "--format", "mutt", "zoe.mue")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2 addresses for 'zoe.mue' in the contact vault",
        "zoe.mueller@brandt-maschinenbau.example\tZoë Müller\tBrandt Maschinenbau",
        "zoe@mueller.example\tZoë Müller\tBrandt Maschinenbau",
    ]


def test_no_match_for_mutt_is_one_status_line_and_exit_1(vault: Path, invoke) -> None:
    # mutt reads the first line as its message and shows it as an error when the exit status is not 0;
    # anything on stderr would land on its screen
    result = invoke("-C", vault, "search", "--format", "mutt", "qwertz")
    assert result.exit_code == 1
    assert result.stdout == "No matches for 'qwertz' in the contact vault\n"
    assert result.stderr == ""


def test_no_match_for_aerc_prints_nothing_on_stdout_and_exits_1(vault: Path, invoke) -> None:
    result = invoke("-C", vault, "search", "--format", "aerc", "qwertz")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_a_contact_without_an_address_is_no_completion(empty_vault: Path, invoke) -> None:
    write(empty_vault, "charles", "name: Charles Babbage\nphones: ['+44 20 7946 0412']\n")
    result = invoke("-C", empty_vault, "search", "--format", "aerc", "charles")
    assert result.exit_code == 1 and result.stdout == ""
    assert invoke("-C", empty_vault, "search", "--format", "paths", "charles").stdout == "contacts/charles.md\n"


def test_the_query_language_still_works_in_mail_formats(vault: Path, invoke) -> None:
    assert aerc(invoke, vault, "phone:020 7946 0958") == ADA
    assert aerc(invoke, vault, "email:countess@lovelace.example") == ADA
    assert aerc(invoke, vault, "lovelace*") == ADA
    result = invoke("-C", vault, "search", "--format", "mutt", "tag:client AND")
    assert result.exit_code == 2 and "AND has nothing after it" in result.stderr


def test_filters_narrow_a_completion(vault: Path, invoke) -> None:
    assert aerc(invoke, vault, "--tag", "conference-2026", "brandt") == [
        "info@brandt-maschinenbau.example\tBrandt Maschinenbau",
        "zoe.mueller@brandt-maschinenbau.example\tZoë Müller", "zoe@mueller.example\tZoë Müller",
    ]  # Dieter Brandt is tagged vip


@pytest.mark.parametrize("text, words", [
    ("lov", ["lov"]), ("Ada Love", ["ada", "love"]), ("zoe.mue", ["zoe", "mue"]), ("Zoë Mü", ["zoe", "mu"]),
    ("first_last+x@host-y", ["first", "last", "x", "host", "y"]), ("O'Bri", ["o'bri"]), ("", []),
    ("tag:vip", None), ("a OR b", None), ('"ada"', None), ("(ada)", None), ("ada*", None), ("@hot-leads", None),
])
def test_typed_words(text: str, words: list[str] | None) -> None:
    assert typed_words(text) == words
