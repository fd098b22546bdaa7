"""A hand-built vault with a git history in which every figure of a report is known.

Today is 2026-11-23; the period starts on 2026-09-01 (a Tuesday). The funnel is
lead → prospect → customer (churned is a stage outside it).

Stage history, one commit per change, each on the day shown:

    ann  08-01 lead      09-11 prospect   10-21 customer
    ben  09-05 lead      09-15 customer                       (skips prospect)
    cat  06-01 lead                                           (its notes say "stage: customer": not a stage)
    dan  07-01 prospect  08-15 customer   10-01 churned
    eve  10-01 prospect  11-30 customer                       (after today: not yet)
    fay  05-01 lead      08-20 prospect   09-20 lead   11-01 "prospect"  # quoted, with a comment
    gus  09-10 (none)    10-10 lead       10-20 renamed to gus-group   11-10 prospect
    hal  08-01 lead      09-12 prospect   10-01 deleted                (gone: counts nowhere)
    ivy  never committed, lead                                         (no history)

Funnel from 2026-09-01 to 2026-11-23:
    lead:     at it ann ben cat fay gus = 5; moved on ann 41 d, ben 10 d, fay 42 d, gus 31 d
              = 4, 80.0 %, median 36
    prospect: at it ann eve fay gus = 4; moved on ann 40 d = 1, 25.0 %, median 40
    now:      lead 2 (cat ivy), prospect 2 (fay gus), customer 3 (ann ben eve); churned 1 (dan)

Interactions (owner): see INTERACTIONS; 9 fall in the period, per week from Monday 2026-08-31.
Going cold (default cadence 90d): dan 206/90 = 2.29, ben 64/30 = 2.13, cat 175/90 = 1.94 (never
contacted: silent since first committed 06-01), gus 42/92 (3m from 10-12) = 0.46, fay 7/90 = 0.08,
ivy 3/90 = 0.03; eve (a meeting on 11-30) and ann (one today) have their next contact planned.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

TODAY = "2026-11-23"
SINCE = "2026-09-01"

FIELDS = {
    "ann": {"name": "Ann Archer", "tags": "[vip, emea]", "owner": "alice", "industry": "retail"},
    "ben": {"name": "Ben Baker", "tags": "[emea]", "owner": "bob", "industry": "retail", "keep_in_touch": "30d"},
    "cat": {"name": "Cat Cole", "owner": "alice"},
    "dan": {"name": "Dan Dunn", "tags": "[vip]", "owner": "bob"},
    "eve": {"name": "Eve Evans", "tags": "[apac]", "owner": "alice", "industry": "finance", "keep_in_touch": "6w"},
    "fay": {"name": "Fay Fox", "tags": "[emea, apac]"},
    "gus": {"name": "Gus Group", "kind": "organization", "owner": "chen", "keep_in_touch": "3m"},
    "hal": {"name": "Hal Hill", "owner": "bob"},
    "ivy": {"name": "Ivy Ives", "tags": "[emea]", "owner": "alice"},
}
INTERACTIONS = {
    "ann": ["2026-08-30 call — Before the period", "2026-09-01 call — First day", "2026-09-02 email — Offer",
            "2026-11-23 meeting — Today"],
    "ben": ["2026-09-14 meeting — Kick-off", "2026-09-20 call — A Sunday"],
    "dan": ["2026-05-01 call — Long ago"],
    "eve": ["2026-10-05 email — Intro", "2026-11-30 meeting — Upcoming"],
    "fay": ["2026-11-16 message — Ping"],
    "gus": ["2026-10-12"],  # no kind: a note
    "ivy": ["2026-11-20 call — New"],
}
NOTES = {"cat": "Cares about one thing.\nstage: customer\n(that line is notes, not a field)"}


def card(handle: str, stage: str | None) -> str:
    """The file of ``handle`` with ``stage`` (None: no stage line)."""
    fields = dict(FIELDS[handle])
    lines = ["---"] + [f"name: {fields.pop('name')}"]
    if stage is not None:
        lines.append(f"stage: {stage}")
    lines += [f"{k}: {v}" for k, v in fields.items()] + ["---"]
    if handle in NOTES:
        lines += [NOTES[handle]]
    for heading in INTERACTIONS.get(handle, []):
        lines += ["", f"## {heading}", "Text."]
    return "\n".join(lines) + "\n"


def git(root: Path, *args: str, day: str | None = None) -> str:
    env = dict(os.environ)
    if day:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{day}T12:00:00+00:00"
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


# (day, handle, stage or "rm" or "mv:NEW"), in the order they are committed
HISTORY = [
    ("2026-05-01", "fay", "lead"),
    ("2026-06-01", "cat", "lead"),
    ("2026-07-01", "dan", "prospect"),
    ("2026-08-01", "ann", "lead"),
    ("2026-08-01", "hal", "lead"),
    ("2026-08-15", "dan", "customer"),
    ("2026-08-20", "fay", "prospect"),
    ("2026-09-05", "ben", "lead"),
    ("2026-09-10", "gus", None),
    ("2026-09-11", "ann", "prospect"),
    ("2026-09-12", "hal", "prospect"),
    ("2026-09-15", "ben", "customer"),
    ("2026-09-20", "fay", "lead"),
    ("2026-10-01", "dan", "churned"),
    ("2026-10-01", "eve", "prospect"),
    ("2026-10-01", "hal", "rm"),
    ("2026-10-10", "gus", "lead"),
    ("2026-10-20", "gus", "mv:gus-group"),
    ("2026-10-21", "ann", "customer"),
    ("2026-11-01", "fay", '"prospect"  # warm again'),
    ("2026-11-10", "gus-group", "prospect"),
    ("2026-11-30", "eve", "customer"),
]


def build(root: Path) -> Path:
    """Write the history into ``root`` (a vault made by `contacts init`), commit by commit."""
    contacts = root / "contacts"
    contacts.mkdir(exist_ok=True)
    for day, handle, stage in HISTORY:
        path = contacts / f"{handle}.md"
        if stage == "rm":
            git(root, "rm", "-q", str(path))
            git(root, "commit", "-q", "-m", f"Remove {handle}", day=day)
            continue
        if stage is not None and stage.startswith("mv:"):
            git(root, "mv", str(path), str(contacts / f"{stage[3:]}.md"))
            git(root, "commit", "-q", "-m", f"Rename {handle}", day=day)
            continue
        path.write_text(card("gus" if handle == "gus-group" else handle, stage), encoding="utf-8")
        git(root, "add", str(path))
        git(root, "commit", "-q", "-m", f"{handle} {stage}", day=day)
    (contacts / "ivy.md").write_text(card("ivy", "lead"), encoding="utf-8")  # never committed
    config = root / "vault.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "funnel: [lead, prospect, customer]\n", encoding="utf-8")
    return root
