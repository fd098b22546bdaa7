"""The `contacts` command the benchmarks time: the one installed beside this Python (a venv's
bin/), else the one on PATH."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path


def contacts_command() -> str:
    beside = Path(sys.executable).with_name("contacts")
    found = str(beside) if beside.is_file() else shutil.which("contacts")
    if not found:
        sys.exit("install the project first: pip install .")
    return found
