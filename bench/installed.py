"""The `contacts` command the benchmarks time: the one installed beside this Python (a venv's
bin/), else the one on PATH; with the project's modules compiled to bytecode, as installing a
wheel compiles them."""
from __future__ import annotations

import compileall
import shutil
import sys
from pathlib import Path


def contacts_command() -> str:
    beside = Path(sys.executable).with_name("contacts")
    found = str(beside) if beside.is_file() else shutil.which("contacts")
    if not found:
        sys.exit("install the project first: pip install .")
    _compiled()
    return found


def _compiled() -> None:
    """Compile the project's modules (where they are not yet), as pip does when it installs a wheel.

    An editable install writes each module's bytecode the first time it is imported, unless
    PYTHONDONTWRITEBYTECODE is set: then every run compiles every module it imports again, a
    tenth of a second that a user of the installed program never waits for.
    """
    import vault_tool

    compileall.compile_dir(Path(vault_tool.__file__).parent, quiet=1)
