"""The text of a file another program wrote: its encoding found from a BOM, its bytes, or a guess.

Exports come in whatever their program wrote: UTF-8 with or without a BOM,
UTF-16 with a BOM (Outlook's "Unicode" CSV) or without one, Shift_JIS from old
phones, Windows code pages from desktop address books. The order of the
checks matters: a BOM is certain; UTF-16 without one shows as NUL bytes in
every other position; valid UTF-8 is almost never an accident; a charset the
file names for itself (vCard 2.1's ``CHARSET=``) comes next, and a line that
names its own charset is read in it; only then is the encoding guessed.

A guess reads the bytes in each common legacy encoding (Windows code pages,
Shift_JIS, EUC-KR, GB18030, Big5, KOI8-R) and keeps the one whose letters
look like a language: words of one script, in one case, few signs among
letters (`\xe0\xf4\xf8` is Hebrew in Windows-1255, not Cyrillic or Danish;
Shift_JIS has kana, its bytes read as Korean mix Hangul and Hanja in a word).
``charset_normalizer`` decides what no candidate reads cleanly.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 4096


@dataclass
class Decoded:
    text: str
    encoding: str
    bom: bool = False
    guessed: bool = False  # no BOM, not UTF-8, named nowhere: the encoding is a guess

    @property
    def guessed_name(self) -> str:
        """The encoding's usual name (`Shift_JIS`, `Windows-1255`) if it was guessed, else ''."""
        return display_name(self.encoding) if self.guessed else ""


_DISPLAY = {"cp932": "Shift_JIS", "shift_jis": "Shift_JIS", "cp949": "EUC-KR", "euc_kr": "EUC-KR",
            "gb18030": "GB18030", "big5": "Big5", "koi8_r": "KOI8-R", "latin_1": "ISO-8859-1",
            "iso8859_1": "ISO-8859-1", "utf_8": "UTF-8", "euc_jp": "EUC-JP"}


def display_name(encoding: str) -> str:
    """`cp1255` -> `Windows-1255`, `cp932` -> `Shift_JIS`; another name as Python knows it."""
    name = codecs.lookup(encoding).name.replace("-", "_")
    match = re.fullmatch(r"cp(125\d)", name)
    return f"Windows-{match.group(1)}" if match else _DISPLAY.get(name, encoding)


def check_encoding(name: str) -> str:
    """``name`` as Python's codec name; InvalidValueError if Python knows no such encoding."""
    from vault_tool.errors import InvalidValueError

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidValueError(f"--encoding: '{name}' is not an encoding Python knows "
                                "(try utf-8, cp1252, shift_jis, utf-16)") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-be`` or ``utf-16-le`` when NUL bytes fill one of the two byte positions (mostly ASCII text)."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, hints: list[str] | None = None) -> Decoded:
    """Decode ``data``; ``hints`` are encodings the file names for itself, tried before guessing.

    Never fails: bytes that fit no encoding decode as Windows-1252 (or Latin-1), so nothing is dropped.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom):], encoding)
            if text is not None:
                return Decoded(text, encoding, bom=True)
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = _try(data, utf16)
        if text is not None:
            return Decoded(text, utf16)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    if hints:
        return _by_line(data, hints)
    return Decoded(*_guess(data), guessed=True)


_LINE_CHARSET = re.compile(rb"^[^:\r\n]*?;CHARSET=\"?([A-Za-z0-9_.-]+)", re.I)


def _groups(data: bytes) -> list[bytes]:
    """Content lines with their folded continuations (lines that start with a space or tab)."""
    groups: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if groups and line[:1] in (b" ", b"\t"):
            groups[-1] += line
        else:
            groups.append(line)
    return groups


def _own_charset(group: bytes) -> str | None:
    match = _LINE_CHARSET.match(group)
    return match.group(1).decode("ascii") if match else None


def _by_line(data: bytes, hints: list[str]) -> Decoded:
    """A vCard file that is not UTF-8: each line that names a charset in it, the rest in the charset the
    file names most (that fits them), else in a guessed one."""
    groups = _groups(data)
    rest = b"".join(g for g in groups if _own_charset(g) is None)
    base, guessed = "", False
    for hint in ["utf-8", *hints]:
        if _try(rest, hint) is not None:
            base = codecs.lookup(hint).name
            break
    else:
        base, guessed = _guess(rest)[1], True
    parts = []
    for group in groups:
        own = _own_charset(group)
        text = _try(group, own) if own else None
        parts.append(text if text is not None else _try(group, base) or group.decode("latin-1"))
    return Decoded("".join(parts), base, guessed=guessed)


# What Windows-1252 text from a Western address book holds beyond ASCII: Latin letters and common signs.
_WESTERN = re.compile(r"^[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ffŒœŠšŽžŸƒ–—‘’‚“”„•…€£°©®™«»·§¡¿\u00a0´]*$")


def _guess(data: bytes) -> tuple[str, str]:
    """Windows-1252 when every byte beyond ASCII reads as a Western letter or sign (short samples fool
    guessers: `Jörg Müller` reads as Chinese to charset_normalizer); else the candidate that reads as a
    language best, else charset_normalizer's guess."""
    western = _try(data, "cp1252")
    if western is not None and _WESTERN.match("".join(c for c in western if ord(c) > 127)):
        if _oddness(western) == 0:
            return western, "cp1252"
    scored = []
    for rank, encoding in enumerate(_CANDIDATES):
        text = _try(data, encoding)
        if text is not None:
            scored.append((_oddness(text), -_fit(text), rank, text, encoding))
    if scored:
        oddness, _, _, text, encoding = min(scored)
        if oddness < 0.2:
            return text, encoding
    return _normalizer_guess(data)


# Legacy encodings in the order a tie goes to (the more common first).
_CANDIDATES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp932",
               "cp949", "gb18030", "big5", "koi8_r")
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~]+")


def _script(char: str) -> str:
    """The script of a letter by its Unicode name's first word (LATIN, CYRILLIC, CJK, HIRAGANA …)."""
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    return "KANA" if first in ("HIRAGANA", "KATAKANA") else "HAN" if first == "CJK" else first


def _oddness(text: str) -> float:
    """How unlike written language the non-ASCII words of ``text`` are: 0 (plausible) to 1 (mojibake)."""
    odd = total = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        total += 1
        odd += _odd_word(word)
    return odd / total if total else 0.0


_VOWELS = frozenset("аеёиоуыэюяієїαεηιουωάέήίόύώϊϋΐΰ")
_FINAL_FORMS = frozenset("ךםןףץς")  # Hebrew's word-final letters, Greek's final sigma


def _fit(text: str) -> float:
    """The share of non-ASCII words with a mark of their language no mojibake has by chance: a Hebrew or
    Greek word that ends in its final form, a Japanese word with kana."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    marked = [w for w in words if w[-1] in _FINAL_FORMS or any(_script(c) == "KANA" for c in w)]
    return len(marked) / len(words) if words else 0.0


def _odd_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if len(letters) < len(word) or not letters:
        return True  # a sign, a control or a box-drawing character among letters
    scripts = {_script(c) for c in letters}
    if scripts in ({"HAN", "KANA"}, {"LATIN"}):
        scripts = {"ok"}
    if len(scripts) > 1:
        return True  # two scripts in one word (`Hangul` with `Hanja`, Cyrillic with Latin)
    cased = [c for c in letters[1:] if c.isupper() or c.islower()]
    if any(c.isupper() for c in cased) and any(c.islower() for c in cased):
        return True  # `рЄЇщэ`: upper case inside a word
    if scripts <= {"CYRILLIC", "GREEK"} and len(letters) > 3:
        vowels = sum(1 for c in letters if c.lower() in _VOWELS)
        if vowels / len(letters) < 0.25:
            return True  # `афшйн`: Hebrew read as Cyrillic has hardly a vowel
    accented = [c for c in letters if not c.isascii()]
    return _script(letters[0]) == "LATIN" and len(letters) > 2 and len(accented) == len(letters)


def _normalizer_guess(data: bytes) -> tuple[str, str]:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        text = _try(data, best.encoding)
        if text is not None:
            return text, best.encoding
    text = _try(data, "cp1252")
    return (text, "cp1252") if text is not None else (data.decode("latin-1"), "latin-1")


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """A short byte string (one quoted-printable value): its charset if named and known, else UTF-8, else
    charset_normalizer's guess (`Iksi\xf1ski` reads as Polish)."""
    if charset:
        text = _try(data, charset)
        if text is not None:
            return text
    text = _try(data, "utf-8")
    return text if text is not None else _normalizer_guess(data)[0]


_CHARSET = re.compile(rb"CHARSET=\"?([A-Za-z0-9_.-]+)", re.I)


def charset_hints(data: bytes) -> list[str]:
    """Charsets a vCard 2.1 file names in its ``CHARSET=`` parameters, most frequent first."""
    counts: dict[str, int] = {}
    for match in _CHARSET.finditer(data[: 1 << 20]):
        name = match.group(1).decode("ascii").lower()
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])
