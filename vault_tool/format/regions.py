"""The region a contact's phone numbers are read in, and the countries people write.

A phone number written without a country code (`030 1234567`) is read in the contact's
region: the country its `country` field names, else the country that ends its `address`
(the last line or comma-separated part, or the `country` of an address mapping), else
vault.yaml's `default_region`. Countries are recognised by name or ISO code (pycountry),
and by a few names people write that ISO does not list (`UK`, `England`, `Deutschland`).
The checks, the index's phone terms and the duplicate keys all use ``contact_region``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from vault_tool.errors import InvalidValueError

# Names people write that ISO 3166 reserves for others or does not list (key: lower case).
COUNTRY_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "northern ireland": "GB",
    "el": "GR", "usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US",
    "deutschland": "DE", "österreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "españa": "ES", "italia": "IT", "nederland": "NL", "belgië": "BE", "belgique": "BE", "sverige": "SE",
    "norge": "NO", "danmark": "DK", "suomi": "FI", "polska": "PL", "éire": "IE", "česko": "CZ",
    "россия": "RU", "中国": "CN", "日本": "JP",
}
DEFAULT_SOURCE = "vault.yaml's default_region"


class Region(NamedTuple):
    """A region code (`DE`) and where it comes from, for messages (`the contact's address`)."""

    code: str
    source: str


@functools.lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """The ISO alpha-2 code of a country written by name or code (`Germany`, `DE`, `DEU`, `UK`); None if none."""
    key = text.strip().strip(".").strip().lower()
    if not key or key.isdigit():
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    import pycountry  # only when a contact names a country

    try:
        found = pycountry.countries.lookup(key)
    except LookupError:
        return None
    return str(found.alpha_2)


@functools.lru_cache(maxsize=1)
def _phone_regions() -> frozenset[str]:
    """The regions phonenumbers knows (a contact's country outside them does not change its region)."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def region_code(text: str) -> str:
    """A region for phone numbers given as a code or a country name; InvalidValueError if it is none."""
    code = country_code(text) if text.strip() else None
    if code is None or code not in _phone_regions():
        raise InvalidValueError(
            f"'{text}' is not a region: give a two-letter country code such as GB, DE or US"
        )
    return code


def address_country(address: Any) -> str | None:
    """The country an address ends with (its last line or comma-separated part), as an ISO code."""
    if isinstance(address, Mapping):
        value = address.get("country")
        return country_code(str(value)) if isinstance(value, str) else None
    if not isinstance(address, str):
        return None
    parts = [part.strip() for part in re.split(r"[,\n]", address) if part.strip()]
    return country_code(parts[-1]) if parts else None


def contact_region(meta: Mapping[str, Any], default: str) -> Region:
    """The region the contact's numbers without a country code are read in (see the module's docstring)."""
    regions = _phone_regions()
    country = meta.get("country")
    if isinstance(country, str):
        code = country_code(country)
        if code in regions:
            return Region(code, "the contact's country")
    code = address_country(meta.get("address"))
    if code in regions:
        assert code is not None
        return Region(code, "the contact's address")
    return Region(default, DEFAULT_SOURCE)
