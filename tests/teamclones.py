"""Helpers for the team tests: people's clones of one vault, a bare remote, and the fixtures that make them.

A test module imports the fixtures it uses (`from teamclones import alice, bob, elsewhere, remote`).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from vault_tool.cli.main import cli

ADA = "contacts/ada-lovelace.md"
TODAY = "2026-11-23"


@dataclass
class Clone:
    """One person's clone of the team vault: commands and git run with their identity."""

    root: Path
    name: str

    @property
    def env(self) -> dict[str, str]:
        email = f"{self.name.lower()}@team.example"
        return {
            "GIT_AUTHOR_NAME": self.name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": self.name, "GIT_COMMITTER_EMAIL": email,
        }

    def contacts(self, *args: str):
        return CliRunner().invoke(cli, ["-C", str(self.root), "--today", TODAY, *map(str, args)], env=self.env)

    def ok(self, *args: str):
        result = self.contacts(*args)
        assert result.exit_code == 0, result.output
        return result

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.root, env={**os.environ, **self.env}, capture_output=True, text=True, check=check
        )

    def out(self, *args: str) -> str:
        return self.git(*args).stdout

    def text(self, rel: str = ADA) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def hand_edit(self, old: str, new: str, message: str = "Edit Ada by hand", rel: str = ADA) -> None:
        """Change ``old`` to ``new`` in a file and commit it, as a person in an editor would."""
        text = self.text(rel)
        assert old in text
        (self.root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
        self.git("commit", "-q", "-am", message)


def new_vault(tmp_path: Path, name: str) -> Clone:
    """A vault with the example contacts, made by ``name`` in a repository whose branch is main."""
    clone = Clone(tmp_path / name.lower(), name)
    result = CliRunner().invoke(cli, ["init", str(clone.root), "--example"], env=clone.env)
    assert result.exit_code == 0, result.output
    clone.git("branch", "-M", "main")
    return clone


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder that is no repository, so a command that forgets its -C cannot touch the project."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


@pytest.fixture
def alice(tmp_path: Path, remote: Path) -> Clone:
    """Alice's vault, pushed to the remote as its main branch."""
    clone = new_vault(tmp_path, "Alice")
    clone.git("remote", "add", "origin", str(remote))
    clone.git("push", "-q", "-u", "origin", "main")
    return clone


@pytest.fixture
def bob(tmp_path: Path, remote: Path, alice: Clone) -> Clone:
    """Bob's clone of Alice's vault, with the merge driver registered."""
    clone = Clone(tmp_path / "bob", "Bob")
    subprocess.run(["git", "clone", "-q", str(remote), str(clone.root)], check=True)
    clone.ok("init", clone.root)
    return clone
