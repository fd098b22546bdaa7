"""The text of a file another program wrote: its encoding found from a BOM, its bytes, or a guess.

Exports come in whatever their program wrote: UTF-8 with or without a BOM,
UTF-16 with a BOM (Outlook's "Unicode" CSV) or without one, Shift_JIS from old
phones, Windows code pages from desktop address books. The order of the
checks matters: a BOM is certain; UTF-16 without one shows as NUL bytes in
every other position; valid UTF-8 is almost never an accident; a charset the
file names for itself (vCard 2.1's ``CHARSET=``) comes next; only then is the
encoding guessed, by ``charset_normalizer``.
"""
from __future__ import annotations

import codecs
import re
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
    for hint in hints or []:
        text = _try(data, hint)
        if text is not None:
            return Decoded(text, codecs.lookup(hint).name)
    return Decoded(*_guess(data))


# What Windows-1252 text from a Western address book holds beyond ASCII: Latin letters and common signs.
_WESTERN = re.compile(r"^[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ffŒœŠšŽžŸƒ–—‘’‚“”„•…€£°©®™«»·§¡¿\u00a0´]*$")


def _guess(data: bytes) -> tuple[str, str]:
    """Windows-1252 when every byte beyond ASCII reads as a Western letter or sign (short samples fool
    guessers: `Jörg Müller` reads as Chinese to charset_normalizer); else charset_normalizer's guess."""
    western = _try(data, "cp1252")
    if western is not None and _WESTERN.match("".join(c for c in western if ord(c) > 127)):
        return western, "cp1252"
    return _normalizer_guess(data)


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


_CHARSET = re.compile(rb"CHARSET=\"?([A-Za-z0-9_.:-]+)", re.I)


def charset_hints(data: bytes) -> list[str]:
    """Charsets a vCard 2.1 file names in its ``CHARSET=`` parameters, most frequent first."""
    counts: dict[str, int] = {}
    for match in _CHARSET.finditer(data[: 1 << 20]):
        name = match.group(1).decode("ascii").lower()
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])
