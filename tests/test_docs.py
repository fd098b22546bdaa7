"""The manual stays true: every command is documented, every example on the example vault still
prints what the manual shows, and every relative link leads somewhere.

An example is a ```console block's `$ contacts -C example-vault COMMAND …` line (optionally piped
into `| head -N`) whose COMMAND reads and writes nothing (READ_ONLY). The lines after it, up to the
next `$` line, are its output. It runs through the installed `contacts` program on a fresh copy of
example-vault/, from the folder that holds the copy, so the paths it prints are the documented
ones. `$ export CONTACTS_TODAY=DATE` in a page holds for the examples after it in that page, as in
a shell. Examples whose output cannot be checked (commit hashes, other vaults) are written with
other commands or in ```text blocks, and are not run.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from vault_tool.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example-vault"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

READ_ONLY = {
    "list", "show", "search", "agenda", "tasks", "stale", "remind", "report", "segments", "dupes",
    "check", "export", "history", "owners", "deals",
}
READ_ONLY_SUBCOMMANDS = {"deal": {"show", "board"}}  # the subcommands of a group that read and write nothing
WRITING_OPTIONS = {"-o", "--output", "--fix", "--codeowners"}
PROMPT = re.compile(r"^(?:\(\w+\))?\$ (.*)$")
SET_TODAY = re.compile(r"^export CONTACTS_TODAY=(\d{4}-\d{2}-\d{2})\b")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Example:
    where: str
    args: tuple[str, ...]
    head: int | None
    today: str | None
    output: str


# Commands -------------------------------------------------------------------------------------


def command_names() -> list[str]:
    """Every command and subcommand of `contacts`, as typed after `contacts`."""
    ctx = click.Context(cli, info_name="contacts")
    names: list[str] = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        names.append(name)
        if isinstance(command, click.Group):
            sub_ctx = click.Context(command, parent=ctx, info_name=name)
            names += [f"{name} {sub}" for sub in command.list_commands(sub_ctx)]
    return names


def manual_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


@pytest.mark.parametrize("name", command_names())
def test_every_command_is_documented(name: str) -> None:
    pattern = rf"contacts {re.escape(name)}(?![\w-])"
    assert re.search(pattern, manual_text()), f"`contacts {name}` is in no page of the manual"


# Examples -------------------------------------------------------------------------------------


def console_blocks(page: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number of the block's first line, its lines) for every ```console block."""
    block: list[str] | None = None
    start = 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if block is None and line.strip() == "```console":
            block, start = [], number + 1
        elif block is not None and line.startswith("```"):
            yield start, block
            block = None
        elif block is not None:
            block.append(line)


def sessions(start: int, lines: list[str]) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, command, output lines) for every `$ command` of a block."""
    i = 0
    while i < len(lines):
        match = PROMPT.match(lines[i])
        if not match:
            i += 1
            continue
        number, command = start + i, match.group(1)
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        i += 1
        output: list[str] = []
        while i < len(lines) and not PROMPT.match(lines[i]):
            output.append(lines[i])
            i += 1
        yield number, command, output


def words_of(command: str) -> list[str] | None:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return None


def checked_args(command: str) -> tuple[tuple[str, ...], int | None] | None:
    """The arguments after `contacts` and the `head -N` count, if the command is a checked example."""
    words = words_of(command)
    if not words or words[:3] != ["contacts", "-C", "example-vault"]:
        return None
    head = None
    if words[-3:-1] == ["|", "head"] and re.fullmatch(r"-\d+", words[-1]):
        words, head = words[:-3], int(words[-1][1:])
    args = words[1:]
    reading = len(words) > 3 and (words[3] in READ_ONLY or (
        len(words) > 4 and words[4] in READ_ONLY_SUBCOMMANDS.get(words[3], set())))
    if not reading or WRITING_OPTIONS & set(args):
        return None
    if any(word and set(word) <= set("();<>|&") for word in args):
        return None
    return tuple(args), head


def normalised(lines: list[str]) -> str:
    text = [line.rstrip() for line in lines]
    while text and not text[-1]:
        text.pop()
    return "\n".join(text)


def page_examples(page: Path) -> Iterator[Example]:
    today: str | None = None
    for start, lines in console_blocks(page):
        for number, command, output in sessions(start, lines):
            if set_today := SET_TODAY.match(command):
                today = set_today.group(1)
            if found := checked_args(command):
                where = f"{page.relative_to(ROOT)}:{number}"
                yield Example(where, found[0], found[1], today, normalised(output))


EXAMPLES = [example for page in PAGES for example in page_examples(page)]


def test_the_manual_has_examples_to_check() -> None:
    assert len(EXAMPLES) >= 15, [e.where for e in EXAMPLES]
    assert {e.where.split(":")[0] for e in EXAMPLES} >= {"README.md", "docs/search.md", "docs/followups.md"}


def contacts_program() -> str:
    beside = Path(sys.executable).parent / "contacts"
    found = str(beside) if beside.exists() else shutil.which("contacts")
    assert found, "the `contacts` program is not installed beside this Python or on PATH"
    return found


def run_example(example: Example, folder: Path) -> str:
    shutil.copytree(EXAMPLE, folder / "example-vault", ignore=shutil.ignore_patterns(".vault"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("CONTACTS_TODAY", None)
    if example.today:
        env["CONTACTS_TODAY"] = example.today
    done = subprocess.run(
        [contacts_program(), *example.args], check=False, cwd=folder, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", timeout=300,
    )
    lines = done.stdout.splitlines()
    return normalised(lines[: example.head] if example.head is not None else lines)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_example_prints_what_the_manual_shows(example: Example, tmp_path: Path) -> None:
    actual = run_example(example, tmp_path)
    assert "Traceback" not in actual, actual
    assert actual == example.output, f"{example.where}: `contacts {shlex.join(example.args)}` printed:\n{actual}"


# Links ----------------------------------------------------------------------------------------


def relative_links() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if not re.match(r"[a-z]+:", target):
                found.append((str(page.relative_to(ROOT)), target))
    return found


@pytest.mark.parametrize(("page", "target"), relative_links())
def test_relative_links_lead_somewhere(page: str, target: str) -> None:
    assert (ROOT / page).parent.joinpath(target).exists(), f"{page} links to {target}, which does not exist"


# Files the manual's examples read -------------------------------------------------------------

SHIPPED = ROOT / "docs" / "examples"
IMPORT_LINE = re.compile(r"^contacts import \.\./(\S+)")
COMMIT = re.compile(r"commit [0-9a-f]{7}\)$")


def import_sessions() -> list[tuple[str, str, list[str]]]:
    """(where, command, output) of every `$ contacts import ../FILE` example, in page order."""
    page = ROOT / "docs" / "interop.md"
    found = []
    for start, lines in console_blocks(page):
        for number, command, output in sessions(start, lines):
            if IMPORT_LINE.match(command):
                found.append((f"docs/interop.md:{number}", command, output))
    return found


def test_every_file_an_example_reads_ships_with_the_manual() -> None:
    named = {IMPORT_LINE.match(command).group(1) for _, command, _ in import_sessions()}  # type: ignore[union-attr]
    assert named and all((SHIPPED / name).is_file() for name in named), sorted(named)


def test_the_import_examples_print_what_the_manual_shows(tmp_path: Path) -> None:
    for shipped in SHIPPED.iterdir():
        shutil.copy(shipped, tmp_path / shipped.name)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "CONTACTS_TODAY": "2026-11-23"}
    subprocess.run([contacts_program(), "init", "demo", "--example"], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    for where, command, output in import_sessions():
        done = subprocess.run(
            [contacts_program(), *shlex.split(command)[1:]], cwd=tmp_path / "demo", env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", timeout=300, check=False,
        )
        shown = [COMMIT.sub("commit)", line) for line in done.stdout.splitlines()]
        assert shown == [COMMIT.sub("commit)", line) for line in output], f"{where}: {command}"
