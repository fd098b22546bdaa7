"""Shared fixtures: tests never depend on or touch the machine's git configuration."""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vault_tool.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example-vault"
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


# The identity and configuration every test's git runs with: never the machine's.
GIT_TEST_ENV = {
    "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in GIT_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CONTACTS_VAULT", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner):
    """Run `contacts ARGS…` in-process and return click's Result."""

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, [str(a) for a in args], input=input)

    return run


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def head_message(root: Path) -> str:
    """The subject of the last commit."""
    return git(root, "log", "-1", "--format=%s").strip()


def head_files(root: Path) -> list[str]:
    """The paths the last commit touched."""
    return git(root, "show", "--name-only", "--format=", "HEAD").split()


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def ok(result) -> None:
    """The command worked: exit 0, and no exception other than click's own exit."""
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def no_traceback(result) -> None:
    """Whatever the exit status, the command failed in words, not with a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.fixture
def vault(tmp_path: Path, invoke) -> Path:
    """A new, committed vault with the example contacts."""
    root = tmp_path / "vault"
    result = invoke("init", root, "--example")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def empty_vault(tmp_path: Path, invoke) -> Path:
    root = tmp_path / "empty"
    result = invoke("init", root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A plain copy of example-vault/ (not a git repository, without the index a run in the project left)."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".vault"))
    return target


def line_changes(old: bytes, new: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines (with their line endings) that went away and the lines that came in."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def on_a_terminal(vault: Path, answer: str, *args: str) -> tuple[int, str]:
    """Run the installed `contacts -C VAULT ARGS…` with a terminal as its standard input, typing ``answer``;
    its exit status and output."""
    import pty

    program = Path(sys.executable).parent / "contacts"
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(program), "-C", str(vault), *args], stdin=follower,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.close(follower)
    os.write(leader, answer.encode() + b"\n")
    output, _ = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, output
