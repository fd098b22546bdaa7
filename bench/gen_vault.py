"""Deterministic generator of large, realistic contact vaults for benchmarks and tests.

    python bench/gen_vault.py DIR --n 10000 --seed 1

writes ``DIR/vault.yaml``, ``DIR/.gitignore``, ``DIR/.gitattributes``,
``DIR/planted.json`` and ``DIR/contacts/<handle>.md`` for ``n`` contacts in the
format of docs section 2 (``/work/shared/DESIGN.md``). It is also importable::

    from gen_vault import generate
    planted = generate(tmp_path, 1000, seed=1)

The same arguments always give byte-identical files. All randomness comes from
one ``random.Random(seed)`` consumed in contact order, and nothing in that
stream depends on ``n``: the first ``k`` contacts of a large vault equal the
first ``k`` of a small one with the same seed.

Planted records (``PLANTED_KEYS``) sit at fixed positions among the first 20
contacts, so that tests can check search exactness; ``generate`` returns them
(and writes them to ``planted.json``). The generator guarantees that what makes
them findable appears nowhere else:

* ``zoe``: "Zoë Quetzalcoatl-Müller"; ``quetzalcoatl`` and the first name Zoë
  occur in no other file.
* ``rare_word``: notes contain ``xylophonist``, an interaction ``zeppelinfahrt``.
* ``phone``: phones ``["+44 20 7946 0958"]``; no random phone contains the
  digits ``79460958``.
* ``tagged``: the only three contacts tagged ``planted-tag``.
* ``custom``: the only contact with a ``shoe_size`` field (``"47"``).
* ``recent_lead``: stage lead, last interaction ``today - 5 days``.
* ``cold_customer``: stage customer, last interaction ``today - 400 days``.
* ``birthday_dec``: birthday ``1980-12-24``; no random birthday is on Dec 24.
* ``fuzzy``: "Ada Lovelace", the only Lovelace anywhere.

Phone numbers come from ranges reserved for drama and fiction where a country
has one (GB Ofcom 020 7946 0xxx, 0161 496 0xxx, 07700 900xxx; US 555-01xx;
DE Bundesnetzagentur 030 23125 xxx and friends; FR ARCEP 01 99 00 xx xx,
06 39 98 xx xx). Norway has no such range; its numbers use one block
(+47 21 99 xx xx) and are fictional all the same.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import queue
import random
import re
import sys
import threading
import time
import unicodedata
from typing import Any

DEFAULT_TODAY = datetime.date(2026, 11, 23)
HISTORY_DAYS = 730  # interactions fall in the two years before today

STAGES = ("lead", "prospect", "customer", "churned")
STAGE_WEIGHTS = (30, 25, 35, 10)
KINDS = ("call", "email", "meeting", "message", "note")
KIND_WEIGHTS = (25, 30, 20, 15, 10)
OWNERS = ("alice", "bob", "chen", "dana")
INDUSTRIES = ("computing", "retail", "finance", "manufacturing", "healthcare", "education", "media")
TAGS = (
    "vip", "partner", "investor", "press", "supplier", "conference", "newsletter",
    "referral", "event-2026", "beta", "enterprise", "smb", "emea", "apac", "follow-up",
)
KEEP_IN_TOUCH = ("30d", "6w", "3m")

# --------------------------------------------------------------------------- names

# (first names, last names) per culture; 11 x 9 = 99 of each.
CULTURES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (  # English
        ("James", "Emily", "Oliver", "Charlotte", "Harry", "Amelia", "George", "Sophie", "Thomas"),
        ("Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes", "Clarke", "Baker"),
    ),
    (  # German
        ("Jürgen", "Lena", "Matthias", "Anja", "Lukas", "Käthe", "Sören", "Birgit", "Florian"),
        ("Müller", "Schröder", "Weiß", "Köhler", "Becker", "Hoffmann", "Groß", "Schäfer", "Krüger"),
    ),
    (  # French
        ("Amélie", "François", "Hélène", "Jérôme", "Céline", "Benoît", "Mathéo", "Chloé", "Loïc"),
        ("Lefèvre", "Dubois", "Moreau", "Girard", "Rousseau", "Bérubé", "Laurent", "Mercier", "Chevalier"),
    ),
    (  # Spanish
        ("José", "María", "Lucía", "Alejandro", "Sofía", "Javier", "Carmen", "Andrés", "Inés"),
        ("García", "Fernández", "López", "Martínez", "Núñez", "Ibáñez", "Rodríguez", "Peña", "Castillo"),
    ),
    (  # Norwegian / Danish
        ("Bjørn", "Åse", "Søren", "Kjersti", "Ørjan", "Ingrid", "Mads", "Signe", "Håkon"),
        ("Hansen", "Johansen", "Sørensen", "Bjørklund", "Ødegård", "Åberg", "Halvorsen", "Kjær", "Mørk"),
    ),
    (  # Polish
        ("Łukasz", "Małgorzata", "Paweł", "Żaneta", "Krzysztof", "Agnieszka", "Wojciech", "Zofia", "Michał"),
        ("Kowalski", "Wiśniewski", "Łapiński", "Żukowski", "Nowak", "Wójcik", "Dąbrowski", "Szymański", "Kaczmarek"),
    ),
    (  # Chinese (pinyin)
        ("Wei", "Xiaoming", "Mei", "Jun", "Yan", "Hao", "Lin", "Zhiwei", "Xiu"),
        ("Wang", "Zhang", "Chen", "Liu", "Huang", "Zhao", "Wu", "Zhou", "Xu"),
    ),
    (  # Japanese (Hepburn)
        ("Haruto", "Yui", "Sōta", "Aoi", "Ren", "Hina", "Kenji", "Yuki", "Takeshi"),
        ("Satō", "Suzuki", "Takahashi", "Tanaka", "Itō", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi"),
    ),
    (  # Irish
        ("Siobhán", "Seán", "Aoife", "Niamh", "Ciarán", "Róisín", "Pádraig", "Éabha", "Cormac"),
        ("O'Brien", "Murphy", "Byrne", "Kelly", "Ó Ceallaigh", "Doyle", "McCarthy", "Gallagher", "Walsh"),
    ),
    (  # Indian
        ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Lakshmi", "Arjun", "Deepika", "Sanjay"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Banerjee", "Menon", "Chatterjee"),
    ),
    (  # Arabic (romanised)
        ("Omar", "Layla", "Youssef", "Fatima", "Karim", "Nour", "Tariq", "Amira", "Khalid"),
        ("Haddad", "Al-Masri", "Nasser", "Khoury", "El-Amin", "Mansour", "Saleh", "Barakat", "Al-Farsi"),
    ),
)
ALL_FIRST = tuple(f for firsts, _ in CULTURES for f in firsts)
ALL_LAST = tuple(s for _, lasts in CULTURES for s in lasts)

# --------------------------------------------------------------------------- companies

COMPANY_STEMS = (
    "Nordlicht", "Blue Harbor", "Atlas", "Kestrel", "Meridian", "Fjordline", "Lumen", "Cobalt",
    "Sakura", "Alder", "Granite", "Helix", "Orchid", "Polaris", "Rivergate", "Solstice",
    "Tamarind", "Vireo", "Wren", "Zephyr", "Brightwater", "Sørlandet", "Łazienki", "Côte d'Azur",
    "Ginkgo", "Hadley", "Isar", "Juniper", "Kinsale", "Loire",
)
COMPANY_KINDS = (
    "Systems", "Logistics", "Analytics", "Foods", "Partners", "Labs", "Media", "Health",
    "Capital", "Werke",
)
COMPANIES = tuple(f"{stem} {kind}" for stem in COMPANY_STEMS for kind in COMPANY_KINDS)  # 300

TITLES = (
    "Head of Research", "VP Sales", "CTO", "CEO", "CFO", "COO", "Procurement Manager",
    "Account Director", "Office Manager", "Head of Marketing", "Product Manager",
    "Senior Engineer", "Data Scientist", "Operations Lead", "Buyer", "Partner",
    "Founder", "Managing Director", "Head of IT", "Finance Controller", "Legal Counsel",
    "HR Business Partner", "Creative Director", "Editor in Chief", "Chief Medical Officer",
    "Principal", "Plant Manager", "Supply Chain Analyst", "Customer Success Manager",
    "Board Member",
)

# --------------------------------------------------------------------------- places

# country -> (streets, (city, postcode) pairs)
ADDRESSES: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("United Kingdom", ("Baker Street", "St James's Square", "Deansgate", "King's Road", "High Street", "Princes Street"),
     (("London", "SW1Y 4JH"), ("Manchester", "M3 2BB"), ("Edinburgh", "EH2 2ER"), ("Bristol", "BS1 4DJ"))),
    ("United States", ("Main Street", "Market Street", "Broadway", "Elm Avenue", "Pine Street", "Lakeshore Drive"),
     (("New York NY", "10001"), ("San Francisco CA", "94103"), ("Chicago IL", "60601"), ("Boston MA", "02110"))),
    ("Germany", ("Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Am Markt", "Lindenallee", "Goethestraße"),
     (("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095"), ("Köln", "50667"))),
    ("France", ("rue de la Paix", "avenue des Champs", "boulevard Voltaire", "rue Lepic", "quai des Chartrons"),
     (("Paris", "75002"), ("Lyon", "69002"), ("Bordeaux", "33000"), ("Lille", "59000"))),
    ("Norway", ("Karl Johans gate", "Storgata", "Bryggen", "Kirkegata", "Dronningens gate"),
     (("Oslo", "0154"), ("Bergen", "5003"), ("Trondheim", "7011"), ("Tromsø", "9008"))),
    ("Spain", ("Calle Mayor", "Gran Vía", "Paseo del Prado", "Calle de Alcalá", "Rambla de Catalunya"),
     (("Madrid", "28013"), ("Barcelona", "08007"), ("Sevilla", "41001"), ("Valencia", "46002"))),
    ("Poland", ("ulica Marszałkowska", "ulica Piotrkowska", "ulica Długa", "aleja Róż", "ulica Floriańska"),
     (("Warszawa", "00-001"), ("Kraków", "31-001"), ("Łódź", "90-001"), ("Gdańsk", "80-001"))),
    ("Denmark", ("Strøget", "Nyhavn", "Vesterbrogade", "Østergade", "Algade"),
     (("København", "1050"), ("Aarhus", "8000"), ("Odense", "5000"), ("Aalborg", "9000"))),
    ("Ireland", ("Grafton Street", "Patrick Street", "Shop Street", "Dame Street", "O'Connell Street"),
     (("Dublin", "D02 X285"), ("Cork", "T12 RX3K"), ("Galway", "H91 E2K3"), ("Limerick", "V94 T9PX"))),
    ("Japan", ("Chūō-dōri", "Omotesandō", "Shijō-dōri", "Midōsuji", "Ginza-dōri"),
     (("Tōkyō", "100-0005"), ("Ōsaka", "530-0001"), ("Kyōto", "600-8001"), ("Sapporo", "060-0001"))),
)

# --------------------------------------------------------------------------- text

SUBJECTS = (
    "She", "He", "The team", "Their CFO", "Procurement", "The board", "Their CTO",
    "Legal", "The new manager", "Our champion", "Their assistant", "The buyer", "Finance",
)
VERBS = (
    "asked about", "wants", "mentioned", "is reviewing", "agreed to", "pushed back on", "needs",
    "liked", "questioned", "will send", "is worried about", "signed off on", "postponed",
    "is excited about", "compared us on", "requested", "forgot about", "escalated", "approved",
    "is still evaluating", "raised concerns about", "praised", "rejected", "is drafting",
)
OBJECTS = (
    "the pricing", "the renewal", "a pilot", "the contract draft", "our roadmap", "the integration",
    "onboarding", "the invoice", "the discount", "the security questionnaire", "the demo",
    "a reference call", "the migration plan", "support hours", "the licence count", "data residency",
    "the service level agreement", "a workshop", "the budget", "the purchase order", "the proposal",
    "the trial extension", "training for new staff", "the mobile app", "single sign-on",
    "the reporting module", "the hardware bundle", "a case study", "payment terms",
    "the warehouse rollout", "the spring catalogue", "the analytics dashboard", "shipping costs",
)
QUALIFIERS = (
    "before Christmas", "next quarter", "for the Berlin office", "with legal", "after the board meeting",
    "by the end of the month", "for the whole group", "once the audit is done", "in writing",
    "over lunch", "as soon as possible", "for their subsidiaries", "in the new year",
    "after the holidays", "with their partners", "before the trade fair", "during the summer",
    "for the pilot region", "without much enthusiasm", "in great detail", "at the last minute",
    "with a competitor", "for the second time", "on short notice", "in principle",
)
PERSONAL = (
    "Prefers email to calls.", "Prefers calls in the morning.", "Met at the Lisbon trade fair.",
    "Introduced by a former colleague.", "Enjoys sailing and long walks.", "Has two children and a dog.",
    "Runs marathons in spring.", "Speaks four languages.", "Collects vintage maps.",
    "Dislikes long meetings.", "Always replies late on Fridays.", "Reads everything twice before signing.",
    "Grew up near the coast.", "Loves jazz and strong coffee.", "Previously worked in consulting.",
    "Very detail oriented about contracts.", "Travels a lot, best reached by message.",
    "Cycles to work every day.", "Keen gardener, ask about the tomatoes.", "Plays chess online.",
    "Moved here from abroad last year.", "Vegetarian, remember for dinners.", "Big football fan.",
    "Writes a newsletter about logistics.", "Volunteers at the local library.",
)
SUMMARIES = {
    "call": ("Renewal", "Quick check-in", "Pricing questions", "Follow-up", "Intro call", "Support issue",
             "Budget planning", "Contract terms", "Catch-up", "Escalation"),
    "email": ("Sent proposal", "Invoice query", "Quote follow-up", "Newsletter reply", "Intro email",
              "Shared case study", "Meeting notes", "Reminder", "Contract draft", "Thank-you note"),
    "meeting": ("Demo at their office", "Quarterly review", "Workshop", "Lunch", "Kick-off",
                "Site visit", "Trade fair booth", "Board presentation", "Planning session", "Dinner"),
    "message": ("Quick question", "Rescheduled", "Running late", "Shared a link", "Congratulations",
                "Holiday greetings", "Confirmed time", "Sent slides", "Asked for intro", "Voice note"),
    "note": ("Internal note", "Research", "Competitor info", "Org change", "Risk flagged",
             "Idea", "Background", "Press mention", "Hiring news", "Funding round"),
}
TASK_VERBS = ("Send", "Prepare", "Review", "Call about", "Follow up on", "Book a meeting about",
              "Update", "Ask legal about", "Draft", "Chase")

# --------------------------------------------------------------------------- phones

_FORBIDDEN_DIGITS = "79460958"


def _phone_gb(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"+44 20 7946 0{rng.randrange(1000):03d}"
    if r < 0.75:
        return f"+44 161 496 0{rng.randrange(1000):03d}"
    return f"+44 7700 900{rng.randrange(1000):03d}"


def _phone_us(rng: random.Random) -> str:
    return f"+1 {rng.choice((212, 415, 312, 617, 206, 512))} 555 01{rng.randrange(100):02d}"


def _phone_de(rng: random.Random) -> str:
    area, block = rng.choice((("30", "23125"), ("89", "99998"), ("40", "66969"), ("69", "90009")))
    return f"+49 {area} {block} {rng.randrange(1000):03d}"


def _phone_fr(rng: random.Random) -> str:
    prefix = rng.choice(("1 99 00", "6 39 98"))
    return f"+33 {prefix} {rng.randrange(100):02d} {rng.randrange(100):02d}"


def _phone_no(rng: random.Random) -> str:
    return f"+47 21 99 {rng.randrange(100):02d} {rng.randrange(100):02d}"


PHONE_MAKERS = (_phone_gb, _phone_gb, _phone_gb, _phone_us, _phone_de, _phone_fr, _phone_no)


def random_phone(rng: random.Random) -> str:
    """A fictional number, E.164 with spaces, never containing the planted digits."""
    while True:
        phone = rng.choice(PHONE_MAKERS)(rng)
        if _FORBIDDEN_DIGITS not in re.sub(r"\D", "", phone):
            return phone


# --------------------------------------------------------------------------- handles

_FOLD_TABLE = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
    "đ": "d", "Đ": "D", "œ": "oe", "Œ": "OE",
})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Drop accents and map the letters NFKD cannot decompose (ø, ł, ß, æ, đ)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """Lower-case ASCII-folded text with runs of other characters turned into '-'."""
    return _NON_ALNUM.sub("-", ascii_fold(text).lower()).strip("-") or "contact"


class HandleAllocator:
    """Hands out unique handles: the slug, then slug-2, slug-3, ... on a clash."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self.taken: set[str] = set(reserved)
        self._next: dict[str, int] = {}
        self._slugs: dict[str, str] = {}

    def slug(self, name: str) -> str:
        cached = self._slugs.get(name)
        if cached is None:
            cached = self._slugs[name] = slugify(name)
        return cached

    def allocate(self, name: str) -> str:
        base = self.slug(name)
        if base not in self.taken:
            self.taken.add(base)
            return base
        k = self._next.get(base, 2)
        while f"{base}-{k}" in self.taken:
            k += 1
        self._next[base] = k + 1
        handle = f"{base}-{k}"
        self.taken.add(handle)
        return handle


# --------------------------------------------------------------------------- uid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _b32(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def make_uid(rng: random.Random, today: datetime.date) -> str:
    """A 26-character ULID-like id: a creation time in the last ~6 years plus 80 random bits."""
    midnight = datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.timezone.utc)
    ms_today = int((midnight - _EPOCH).total_seconds()) * 1000
    while True:
        ms = ms_today - rng.randrange(6 * 365 * 86_400_000)
        uid = _b32(ms, 10) + _b32(rng.getrandbits(80), 16)
        if not uid.isdigit():  # an all-digit id would read back as a number
            return uid


# --------------------------------------------------------------------------- contact model

class Contact:
    """One contact before rendering: ordered front matter plus body parts."""

    __slots__ = ("handle", "fields", "notes", "tasks", "interactions")

    def __init__(self) -> None:
        self.handle = ""
        self.fields: list[tuple[str, str]] = []  # (key, already-rendered YAML value or block)
        self.notes = ""
        self.tasks: list[str] = []
        self.interactions: list[tuple[int, str]] = []  # (days from today, rendered section)

    def set_field(self, key: str, value: str) -> None:
        for i, (k, _) in enumerate(self.fields):
            if k == key:
                self.fields[i] = (key, value)
                return
        self.fields.append((key, value))

    def get_field(self, key: str) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return None

    def render(self) -> str:
        parts = ["---\n"]
        for key, value in self.fields:
            parts.append(f"{key}:{value}\n" if value.startswith("\n") else f"{key}: {value}\n")
        parts.append("---\n")
        parts.append(self.notes)
        parts.append("\n")
        if self.tasks:
            parts.append("\n")
            parts.append("".join(t + "\n" for t in self.tasks))
        for _, section in sorted(self.interactions, key=lambda item: item[0]):
            parts.append("\n")
            parts.append(section)
        return "".join(parts)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _quoted_flow(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _block(items: list[str]) -> str:
    return "".join(f"\n  - {item}" for item in items)


def _weighted(values: tuple[str, ...], weights: tuple[int, ...]) -> tuple[str, ...]:
    """A pool in which each value appears `weight` times, for one-call weighted picks."""
    return tuple(v for v, w in zip(values, weights) for _ in range(w))


KIND_POOL = _weighted(KINDS, KIND_WEIGHTS)
TIMES = tuple(f"{h:02d}:{m}" for h in range(8, 19) for m in ("00", "15", "30", "45"))
ALT_SEPARATORS = (" - ", ": ", " – ")
LINE_COUNTS = (1, 1, 1, 1, 1, 1, 1, 2, 2, 3)  # mean 1.4 lines of text per interaction


class TextMaker:
    """Sentences, tasks and interaction sections from fixed vocabularies.

    The hot paths pick with ``seq[int(rnd() * len(seq))]`` (one call to the
    seeded generator per pick), which is several times faster than
    ``Random.choice`` and just as deterministic.
    """

    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.today = today
        # iso[d + offset] is the date d days from today, for d in [-HISTORY_DAYS - 10, +400]
        self._offset = HISTORY_DAYS + 10
        self._iso = [
            (today + datetime.timedelta(days=d)).isoformat()
            for d in range(-self._offset, 401)
        ]

    def iso(self, days_from_today: int) -> str:
        return self._iso[days_from_today + self._offset]

    def pick(self, seq: tuple[str, ...]) -> str:
        return seq[int(self.rnd() * len(seq))]

    def sentence(self) -> str:
        """`Subject verb object [qualifier].`"""
        rnd = self.rnd
        text = (f"{SUBJECTS[int(rnd() * len(SUBJECTS))]} {VERBS[int(rnd() * len(VERBS))]}"
                f" {OBJECTS[int(rnd() * len(OBJECTS))]}")
        if rnd() < 0.6:
            text += " " + QUALIFIERS[int(rnd() * len(QUALIFIERS))]
        return text + "."

    def notes(self) -> str:
        """1-3 sentences, often starting with a personal remark."""
        rnd = self.rnd
        count = 1 + int(rnd() * 3)
        out = [self.pick(PERSONAL)] if rnd() < 0.6 else []
        while len(out) < count:
            out.append(self.sentence())
        return " ".join(out)

    def task(self) -> str:
        """An open task (some overdue) or, one time in five, a done one."""
        r = self.rng
        text = f"{self.pick(TASK_VERBS)} {self.pick(OBJECTS)}"
        if r.random() < 0.2:
            return f"- [x] {text} done:{self.iso(-r.randint(1, 90))}"
        return f"- [ ] {text} due:{self.iso(r.randint(-45, 60))}"

    def interaction(self, days: int, kind: str | None = None) -> str:
        """A section `## date [time] kind — summary` + 1-3 lines, dated `days` from today."""
        rnd = self.rnd
        kind = kind or KIND_POOL[int(rnd() * len(KIND_POOL))]
        head = "## " + self._iso[days + self._offset]
        if rnd() < 0.3:
            head += " " + TIMES[int(rnd() * len(TIMES))]
        head += " " + kind
        s = rnd()
        if s < 0.93:
            head += " — " + self.pick(SUMMARIES[kind])
        elif s < 0.97:
            head += self.pick(ALT_SEPARATORS) + self.pick(SUMMARIES[kind])
        lines = [self.sentence() for _ in range(LINE_COUNTS[int(rnd() * len(LINE_COUNTS))])]
        return head + "\n" + "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- random contacts

def _random_name(rng: random.Random) -> str:
    if rng.random() < 0.75:
        firsts, lasts = rng.choice(CULTURES)
        return f"{rng.choice(firsts)} {rng.choice(lasts)}"
    return f"{rng.choice(ALL_FIRST)} {rng.choice(ALL_LAST)}"


def _domain(company: str) -> str:
    return slugify(company.rsplit(" ", 1)[0]) + ".example"


def _person_emails(rng: random.Random, name: str, company: str) -> list[str]:
    count = rng.choices((0, 1, 2, 3), (15, 50, 25, 10))[0]
    first, _, last = ascii_fold(name).lower().partition(" ")
    first = _NON_ALNUM.sub("", first)
    last = _NON_ALNUM.sub("-", last).strip("-")
    options = [
        f"{first}.{last}@{_domain(company)}",
        f"{first}{last.replace('-', '')}@mail.example",
        f"{first[0]}.{last}@private.example",
    ]
    return options[:count]


def _birthday(rng: random.Random) -> str:
    while True:
        month = rng.randint(1, 12)
        day = rng.randint(1, (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1])
        if (month, day) != (12, 24):
            break
    if rng.random() < 0.25:
        return f"--{month:02d}-{day:02d}"
    return f"{rng.randint(1950, 2002)}-{month:02d}-{day:02d}"


def _address(rng: random.Random) -> str:
    country, streets, cities = rng.choice(ADDRESSES)
    city, postcode = rng.choice(cities)
    street = rng.choice(streets)
    number = rng.randint(1, 180)
    line = f"{street} {number}" if country in ("Germany", "Norway", "Denmark", "Poland", "Spain") else f"{number} {street}"
    return f"{line}, {city} {postcode}, {country}"


def _interaction_offsets(rng: random.Random) -> list[int]:
    """Days from today (negative = past) for 0-20 interactions, mean about 8."""
    count = min(20, int(rng.triangular(0, 21, 4)))
    rnd = rng.random
    offsets = [-1 - int(rnd() * HISTORY_DAYS) for _ in range(count)]
    if rng.random() < 0.04:
        offsets.append(rng.randint(1, 60))  # an upcoming appointment
    return offsets


def _unique_email(email: str, taken: set[str]) -> str:
    """``email``, or with a number before the @ when another contact has it already."""
    local, _, domain = email.partition("@")
    number = 1
    while email in taken:
        number += 1
        email = f"{local}{number}@{domain}"
    taken.add(email)
    return email


def _unique_phones(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` numbers no other contact has (fewer when the fictional ranges run out)."""
    phones = []
    for _ in range(count * 30):
        if len(phones) == count:
            break
        phone = random_phone(rng)
        if phone not in taken:
            taken.add(phone)
            phones.append(phone)
    return phones


def build_contact(rng: random.Random, text: TextMaker, name: str | None = None,
                  organization: bool | None = None, taken: set[str] | None = None) -> Contact:
    """A random contact; `name` and `organization` pin those choices (for planted records).

    ``taken``: the emails and phone numbers other contacts have; this one gets others (as in a
    vault with no duplicates), and adds its own.
    """
    taken = set() if taken is None else taken
    c = Contact()
    if organization is None:
        organization = rng.random() < 0.08
    company = rng.choice(COMPANIES)
    if organization:
        name = name or company
        emails = [f"{box}@{_domain(company)}" for box in ("info", "sales", "hello")[: rng.randint(0, 2)]]
    else:
        name = name or _random_name(rng)
        emails = _person_emails(rng, name, company)
    emails = [_unique_email(email, taken) for email in emails]
    f = c.fields
    f.append(("name", name))
    f.append(("kind", "organization" if organization else "person"))
    if emails:
        f.append(("emails", _block(emails) if rng.random() < 0.15 else _flow(emails)))
    phones = _unique_phones(rng, rng.choices((0, 1, 2), (25, 55, 20))[0], taken)
    if phones:
        f.append(("phones", _quoted_flow(phones)))
    if not organization:
        if rng.random() < 0.9:
            f.append(("company", company))
        if rng.random() < 0.85:
            f.append(("title", rng.choice(TITLES)))
    ntags = rng.choices((0, 1, 2, 3, 4), (30, 30, 20, 12, 8))[0]
    if ntags:
        f.append(("tags", _flow(rng.sample(TAGS, ntags))))
    f.append(("stage", rng.choices(STAGES, STAGE_WEIGHTS)[0]))
    f.append(("owner", rng.choice(OWNERS)))
    if rng.random() < (0.8 if organization else 0.6):
        f.append(("address", _address(rng)))
    if not organization and rng.random() < 0.2:
        f.append(("birthday", _birthday(rng)))
    if rng.random() < 0.1:
        f.append(("keep_in_touch", rng.choice(KEEP_IN_TOUCH)))
    f.append(("uid", make_uid(rng, text.today)))
    if rng.random() < 0.5:
        f.append(("industry", rng.choice(INDUSTRIES)))
    c.notes = text.notes()
    if rng.random() < 0.3:
        c.tasks = [text.task() for _ in range(rng.randint(1, 2))]
    c.interactions = [(d, text.interaction(d)) for d in _interaction_offsets(rng)]
    return c


# --------------------------------------------------------------------------- planted records

PLANTED_TAG = "planted-tag"
PLANTED_PHONE = "+44 20 7946 0958"
# (key, name, position among the first 20 contacts)
PLANTED: tuple[tuple[str, str, int], ...] = (
    ("zoe", "Zoë Quetzalcoatl-Müller", 1),
    ("rare_word", "Mireille Fontaine-Roux", 3),
    ("phone", "Harold Pemberton-Finch", 4),
    ("tagged:0", "Tilda Ashcombe", 6),
    ("custom", "Bartholomew Quill", 8),
    ("tagged:1", "Ravi Venkataraman", 10),
    ("recent_lead", "Nadia Okonkwo", 12),
    ("cold_customer", "Cornelius van Tongeren", 13),
    ("tagged:2", "Greta Lindqvist", 15),
    ("birthday_dec", "Noëlle Winterbourne", 17),
    ("fuzzy", "Ada Lovelace", 19),
)
PLANTED_KEYS = ("zoe", "rare_word", "phone", "tagged", "custom", "recent_lead",
                "cold_customer", "birthday_dec", "fuzzy")


def _check_pools() -> None:
    """Planted names and words must be impossible to produce at random."""
    planted_names = {name for _, name, _ in PLANTED}
    planted_lasts = {name.split(" ", 1)[1] for name in planted_names}
    planted_firsts = {"Zoë"}
    assert not planted_lasts & set(ALL_LAST), "a planted last name is in the random pool"
    assert not planted_firsts & set(ALL_FIRST), "a planted first name is in the random pool"
    assert PLANTED_TAG not in TAGS
    places = tuple(part for country, streets, cities in ADDRESSES
                   for part in (country, *streets, *(" ".join(c) for c in cities)))
    vocab = " ".join(SUBJECTS + VERBS + OBJECTS + QUALIFIERS + PERSONAL + TASK_VERBS + TITLES
                     + COMPANIES + ALL_FIRST + ALL_LAST + places
                     + tuple(s for v in SUMMARIES.values() for s in v)).lower()
    vocab += " " + ascii_fold(vocab)
    for word in ("quetzalcoatl", "xylophonist", "zeppelinfahrt", "lovelace", "shoe_size", "zoe", "zoë"):
        assert word not in vocab, word


def _plant(key: str, c: Contact, rng: random.Random, text: TextMaker) -> dict[str, Any]:
    """Apply the planted property of `key` to contact `c`; return what was planted."""
    base = key.split(":")[0]
    if base == "rare_word":
        c.notes += " Her brother is a professional xylophonist."
        days = -rng.randint(30, 300)
        c.interactions.append((days, f"## {text.iso(days)} call — Travel plans\n"
                                     "She described the zeppelinfahrt over Lake Constance.\n"))
        return {"note_word": "xylophonist", "interaction_word": "zeppelinfahrt"}
    if base == "phone":
        _set_before(c, "phones", _quoted_flow([PLANTED_PHONE]), "company", "title", "tags", "stage")
        return {"phone": PLANTED_PHONE, "digits": re.sub(r"\D", "", PLANTED_PHONE)}
    if base == "tagged":
        tags = rng.sample(TAGS, rng.randint(0, 2)) + [PLANTED_TAG]
        _set_before(c, "tags", _flow(tags), "stage")
        return {"tag": PLANTED_TAG}
    if base == "custom":
        c.fields.append(("shoe_size", '"47"'))
        return {"field": "shoe_size", "value": "47"}
    if base in ("recent_lead", "cold_customer"):
        last = -5 if base == "recent_lead" else -400
        c.set_field("stage", "lead" if base == "recent_lead" else "customer")
        offsets = [-rng.randint(-last, HISTORY_DAYS) for _ in range(rng.randint(2, 8))] + [last]
        c.interactions = [(d, text.interaction(d)) for d in offsets]
        return {"stage": c.get_field("stage"), "last_interaction": text.iso(last),
                "days_ago": -last}
    if base == "birthday_dec":
        _set_before(c, "birthday", "1980-12-24", "keep_in_touch", "uid")
        return {"birthday": "1980-12-24"}
    if base == "fuzzy":
        return {"query": "lovlace~"}
    return {}


def _set_before(c: Contact, key: str, value: str, *successors: str) -> None:
    """Set `key`, inserting a new key before the first of `successors` present."""
    if c.get_field(key) is not None:
        c.set_field(key, value)
        return
    for i, (k, _) in enumerate(c.fields):
        if k in successors:
            c.fields.insert(i, (key, value))
            return
    c.fields.append((key, value))


def _record_planted(result: dict[str, Any], key: str, name: str, handle: str,
                    extra: dict[str, Any]) -> None:
    base, _, _ = key.partition(":")
    if base == "tagged":
        entry = result.setdefault("tagged", {"handles": [], "names": [], "paths": []})
        entry["handles"].append(handle)
        entry["names"].append(name)
        entry["paths"].append(f"contacts/{handle}.md")
        entry.update(extra)
        return
    result[base] = {"handle": handle, "name": name, "path": f"contacts/{handle}.md", **extra}


# --------------------------------------------------------------------------- vault files

VAULT_YAML = f"""\
version: 1
stages: [{", ".join(STAGES)}]
interaction_kinds: [{", ".join(KINDS)}]
fields:
  industry: {{type: choice, choices: [{", ".join(INDUSTRIES)}]}}
segments:
  hot-leads: "stage:lead AND last_contact:>-30days"
owners:
{"".join(f'  {o}: "@{o}"{chr(10)}' for o in OWNERS)}keep_in_touch: 90d
default_region: GB
"""


def _prepare(root: pathlib.Path, overwrite: bool) -> str:
    contacts = root / "contacts"
    contacts.mkdir(parents=True, exist_ok=True)
    existing = [p for p in contacts.iterdir() if p.suffix == ".md"]
    if existing:
        if not overwrite:
            raise FileExistsError(f"{contacts} already holds contact files (use overwrite=True / --force)")
        for p in existing:
            p.unlink()
    (root / "vault.yaml").write_bytes(VAULT_YAML.encode())
    (root / ".gitignore").write_bytes(b".vault/\n")
    (root / ".gitattributes").write_bytes(b"contacts/**/*.md merge=vault\n")
    return str(contacts)


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write(path: str, text: str) -> None:
    """Write `text` as UTF-8 in one go (os.open skips io's extra syscalls: ~2x faster)."""
    data = memoryview(text.encode("utf-8"))
    fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


class BackgroundWriter:
    """Writes files on a second thread while the main thread generates.

    Creating a file costs more kernel time than generating it costs Python
    time, and the kernel work runs without the GIL, so on two cores this
    overlaps the two. Files go out in batches; the first error is re-raised
    by `close()`.
    """

    BATCH = 256

    def __init__(self) -> None:
        self._queue: queue.Queue[list[tuple[str, str]] | None] = queue.Queue(maxsize=32)
        self._batch: list[tuple[str, str]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gen_vault-writer", daemon=True)
        self._thread.start()

    def write(self, path: str, text: str) -> None:
        self._batch.append((path, text))
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._error is not None:
            raise self._error
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain after a failure so the producer never blocks
            try:
                for path, text in batch:
                    _write(path, text)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._error = exc

    def close(self) -> None:
        try:
            if self._error is None:
                self._flush()
        finally:
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
            return
        self._error = self._error or RuntimeError("generation failed")  # drop pending files
        self._queue.put(None)
        self._thread.join()


def generate(root: pathlib.Path, n: int, seed: int = 1,
             today: datetime.date = DEFAULT_TODAY, *, overwrite: bool = False) -> dict[str, Any]:
    """Write a vault of `n` contacts under `root`; return the planted records by key.

    Raises FileExistsError if `root/contacts` already holds `.md` files, unless
    `overwrite` is true (then those files are deleted first).
    """
    if n < len(PLANTED):
        raise ValueError(f"n must be at least {len(PLANTED)} to hold the planted records")
    root = pathlib.Path(root)
    contacts_dir = _prepare(root, overwrite)
    rng = random.Random(seed)
    text = TextMaker(rng, today)
    positions = {pos if n >= 20 else i: (key, name)
                 for i, (key, name, pos) in enumerate(PLANTED)}
    handles = HandleAllocator(reserved=tuple(slugify(name) for _, name, _ in PLANTED))
    result: dict[str, Any] = {}
    taken: set[str] = set()  # emails and phone numbers: no two contacts share one
    with BackgroundWriter() as writer:
        for i in range(n):
            spec = positions.get(i)
            if spec is None:
                c = build_contact(rng, text, taken=taken)
                c.handle = handles.allocate(c.fields[0][1])
            else:
                key, name = spec
                c = build_contact(rng, text, name=name, organization=False, taken=taken)
                extra = _plant(key, c, rng, text)
                c.handle = slugify(name)
                _record_planted(result, key, name, c.handle, extra)
            writer.write(os.path.join(contacts_dir, c.handle + ".md"), c.render())
    ordered = {k: result[k] for k in PLANTED_KEYS}
    _write(str(root / "planted.json"), json.dumps(ordered, indent=2, ensure_ascii=False) + "\n")
    return ordered


_check_pools()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", type=pathlib.Path, help="vault folder to create or fill")
    parser.add_argument("--n", type=int, default=10_000, help="number of contacts (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=DEFAULT_TODAY,
                        help="reference date, YYYY-MM-DD (default 2026-11-23)")
    parser.add_argument("--force", action="store_true", help="replace existing contact files")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        generate(args.dir, args.n, seed=args.seed, today=args.today, overwrite=args.force)
    except (ValueError, FileExistsError) as exc:
        print(f"gen_vault: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.n} contacts to {args.dir} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
