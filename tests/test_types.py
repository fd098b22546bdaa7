"""The types stay true: this test is how CI runs `mypy --strict` on the package.

It runs mypy exactly as pyproject.toml's `[tool.mypy]` configures it (strict, on vault_tool/),
from the repository root. mypy is in the `test` extra: if it is missing, the test fails rather
than skips, so CI cannot pass without checking the types.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes() -> None:
    """`mypy` (configured in pyproject.toml) finds no errors in vault_tool."""
    assert importlib.util.find_spec("mypy") is not None, "mypy is not installed: pip install -e '.[test]'"
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, f"mypy failed (exit {done.returncode}):\n{done.stdout}{done.stderr}"
