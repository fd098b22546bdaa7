"""yamlsafe.scalar's fast path (plain words and codes, written without yaml.dump) writes what yaml.dump writes.

Imports render thousands of new files; the fast path keeps that quick. It must
never write a scalar that reads back as anything but the same string.
"""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from vault_tool.format import yamlsafe


def slow(text: str) -> str:
    """What scalar() wrote before the fast path: yaml.dump's choice, double-quoted where it is unsafe."""
    dumped = yaml.dump(text, Dumper=yaml.SafeDumper, default_flow_style=True, allow_unicode=True, width=1 << 30)
    dumped = dumped.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    return yamlsafe.double_quoted(text) if "\n" in dumped or yamlsafe._PLAIN_UNSAFE.match(dumped) else dumped


WORDS = ["yes", "No", "ON", "off", "true", "FALSE", "Null", "NULL", "y", "N", "nan", "inf", "0x1F", "0o17",
         "0b101", "1e5", "01E5", "Ada Lovelace", "01KF0CQHVRCZCFSNGKH1MNPDMX", "ada@analytical.example", "O'Brien",
         "R&D", "a - b", "a -b", "a #b", "a#b", "a: b", "a:", "a:b", "https://lovelace.example/a,b",
         "12 St James's Square, London SW1Y 4JH", "12:30", "2026-01-01"]


@pytest.mark.parametrize("word", WORDS)
def test_words_and_codes_are_written_as_yaml_dump_writes_them(word: str) -> None:
    assert yamlsafe.scalar(word) == slow(word)
    assert yamlsafe.load(f"k: {yamlsafe.scalar(word)}") == {"k": word}


@given(st.text(alphabet="abcxyzEXOBLUNSFTRYaeflnorstu0123456789 .@&/()+'-_:#,é日?!*%|>[]{}\"`~=", min_size=1,
               max_size=14))
def test_any_text_over_a_tricky_alphabet_is_written_as_yaml_dump_writes_it(text: str) -> None:
    assert yamlsafe.scalar(text) == slow(text)
