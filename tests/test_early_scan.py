"""The `contacts` program starts a reading command's scan before loading its command line (search/launch.py)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_cli import installed_contacts, run

from vault_tool.search.launch import FLAGS, VALUE_OPTIONS, reading_command, search_scan
from vault_tool import forked

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="no fork on this system")


def started_for(args: list[str], environ: dict[str, str] | None = None) -> str | None:
    """The contacts folder the early scan was started for, or None; the scan itself is let go."""
    scanning = search_scan(args, environ or {})
    if scanning is None:
        return None
    scanning.discard()
    return scanning.contacts_dir


def test_a_plain_search_starts_the_scan_of_the_vault_it_will_search(vault: Path, monkeypatch) -> None:
    contacts = os.path.realpath(vault / "contacts")
    monkeypatch.chdir(vault / "contacts")
    assert started_for(["search", "ada"]) == contacts
    assert started_for(["--today", "2026-11-23", "--no-commit", "search", "--format", "json", "x"]) == contacts
    monkeypatch.chdir(vault.parent)
    assert started_for(["-C", str(vault), "search", "ada"]) == contacts
    assert started_for([f"--vault={vault}", "search", "ada"]) == contacts
    assert started_for(["search", "ada"], {"CONTACTS_VAULT": str(vault)}) == contacts


def test_every_reading_command_starts_the_scan(vault: Path, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    contacts = os.path.realpath(vault / "contacts")
    for command in ("list", "agenda", "remind", "tasks", "stale", "report", "segments", "dupes", "check"):
        assert started_for([command]) == contacts, command


def test_check_starts_from_the_stats_and_links_taken_before_the_checks_load(vault: Path, monkeypatch) -> None:
    from vault_tool.search.scan import BackgroundStats, stats_and_links

    (vault / "contacts" / "sub").mkdir()
    (vault / "contacts" / "sub" / "bob.md").write_text("---\nname: Bob\n---\n")
    (vault / "contacts" / "link.md").symlink_to(vault / "contacts" / "sub" / "bob.md")
    monkeypatch.chdir(vault)
    scanning = search_scan(["check", "--strict"], {})
    assert isinstance(scanning, BackgroundStats)
    stats, links = scanning.result()
    assert (stats, links) == stats_and_links(vault / "contacts")
    assert "sub/bob.md" in stats and "link.md" not in stats and links == ["link.md"]


def test_the_stats_of_a_large_vault_taken_in_two_halves_are_those_of_one_process(vault: Path) -> None:
    """From SPLIT_FROM files on, a child of the child stats the second half: the same stats, links and order."""
    from vault_tool.search.scan import BackgroundStats, stats_and_links

    for n in range(7):
        (vault / "contacts" / f"person-{n}.md").write_text(f"---\nname: Person {n}\n---\n")
    (vault / "contacts" / "sub").mkdir()
    (vault / "contacts" / "sub" / "bob.md").write_text("---\nname: Bob\n---\n")
    (vault / "contacts" / "link.md").symlink_to(vault / "contacts" / "sub" / "bob.md")
    (vault / "contacts" / "zed-link.md").symlink_to(vault / "contacts" / "person-1.md")

    stats, links = BackgroundStats(vault / "contacts", split_from=2).result()

    whole = stats_and_links(vault / "contacts")
    assert (list(stats.items()), links) == (list(whole[0].items()), whole[1])
    assert "sub/bob.md" in stats and sorted(links) == ["link.md", "zed-link.md"]


def test_the_installed_check_sees_a_file_changed_and_a_link_added(vault: Path) -> None:
    contacts = installed_contacts()
    assert run(contacts, "check", cwd=vault).returncode == 0
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8").replace("name:", "name: [", 1), encoding="utf-8")
    (vault / "contacts" / "link.md").symlink_to(ada)
    done = run(contacts, "check", "--format", "json", cwd=vault)
    assert done.returncode == 1, done.stderr
    assert {"ada-lovelace.md", "link.md"} <= {Path(p["path"]).name for p in json.loads(done.stdout)["problems"]}


def test_anything_else_is_left_to_the_command_line(vault: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(vault)
    for args in (["show", "ada"], ["add", "agenda"], ["--help"], ["--version"], [], ["--unknown", "search"],
                 ["-C"], ["--today"], ["log", "search"]):
        assert started_for(args) is None, args
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert started_for(["-C", str(elsewhere), "search", "x"]) is None  # not a vault: the command says so
    monkeypatch.chdir(elsewhere)
    assert started_for(["search", "x"]) is None


def test_the_installed_program_searches_with_the_early_scan(vault: Path) -> None:
    contacts = installed_contacts()
    done = run(contacts, "search", "--format", "paths", "name:lovelace", cwd=vault / "contacts")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["contacts/ada-lovelace.md"]

    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\nLoves marzipan.\n", encoding="utf-8")
    done = run(contacts, "-C", vault, "search", "--format", "paths", "marzipan", cwd=vault.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["contacts/ada-lovelace.md"]

    done = run(contacts, "-C", vault.parent, "search", "marzipan", cwd=vault)
    assert done.returncode != 0 and "not a contact vault" in done.stderr and "Traceback" not in done.stderr


def test_the_early_scan_knows_every_option_of_the_command_line() -> None:
    """An option added to `contacts` and not to the early scan would stop searches from starting it."""
    from vault_tool.cli.main import cli

    kept = [param for param in cli.params if not param.is_eager]  # --help and --version print and stop
    takes_value = {name for param in kept if not getattr(param, "is_flag", False) for name in param.opts}
    flags = {name for param in kept if getattr(param, "is_flag", False) for name in param.opts}
    assert (set(VALUE_OPTIONS), set(FLAGS)) == (takes_value, flags)


def test_the_installed_program_answers_reading_commands_with_the_early_scan(vault: Path, invoke) -> None:
    """The scan started before click loads is handed to the vault: the same answers as without it."""
    contacts = installed_contacts()
    ada = vault / "contacts" / "ada-lovelace.md"
    ada.write_text(ada.read_text(encoding="utf-8") + "\n- [ ] Send the marzipan due:2026-11-20\n", encoding="utf-8")
    for command in (["tasks", "--format", "json"], ["agenda", "--format", "json"], ["stale", "--format", "json"]):
        done = run(contacts, "--today", "2026-11-23", *command, cwd=vault)
        assert done.returncode == 0, done.stderr
        assert done.stdout == invoke("--today", "2026-11-23", "-C", vault, *command).stdout, command
    assert "Send the marzipan" in run(contacts, "--today", "2026-11-23", "tasks", cwd=vault).stdout


def test_the_reading_command_is_told_apart_from_the_others() -> None:
    """entry.main collects no garbage in a reading command (see its docstring): which one it is, and its vault."""
    assert reading_command(["agenda"]) == ("agenda", None)
    assert reading_command(["-C", "v", "--today", "2026-11-23", "dupes", "--format", "json"]) == ("dupes", "v")
    assert reading_command(["--vault=w", "search", "ada"]) == ("search", "w")
    for args in (["tag", "--query", "*", "+x"], ["import", "list"], ["--unknown", "list"], [], ["-C"]):
        assert reading_command(args) == (None, None), args


def test_the_installed_check_fix_checks_the_files_as_it_left_them(vault: Path) -> None:
    """The stats taken early are of the files before `--fix` changed them: they are let go, and the check after
    the fix stats the files again (else it would report the values it has just quoted)."""
    contacts = installed_contacts()
    dora = vault / "contacts" / "dora.md"
    dora.write_text("---\nname: Dora\ncountry: NO\n---\n", encoding="utf-8")
    then = time.time() - 10  # old enough to trust its stat: a check keeps its results
    os.utime(dora, (then, then))
    done = run(contacts, "check", cwd=vault)
    assert "read as" in done.stdout, done.stdout
    done = run(contacts, "check", "--fix", cwd=vault)
    assert done.returncode == 0, done.stderr
    assert 'country: "NO"' in dora.read_text(encoding="utf-8")
    assert "fixed contacts/dora.md" in done.stderr and "read as" not in done.stdout


def test_a_reading_command_holds_its_rows_on_the_launch_it_was_given(vault: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from vault_tool.cli.main import Launch, cli

    monkeypatch.chdir(vault)
    launch = Launch()  # as the `contacts` program passes it, and keeps it until it leaves with os._exit
    result = CliRunner().invoke(cli, ["--today", "2026-11-23", "tasks"], obj=launch)
    assert result.exit_code == 0, result.output
    (held,), = launch.held
    assert len(held.rows) == len(result.output.splitlines()) - 1  # every row after the header


def test_a_childs_pipe_holds_a_scan_of_many_files_where_the_system_allows() -> None:
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ") or int(Path("/proc/sys/fs/pipe-max-size").read_text()) < forked.PIPE_SIZE:
        pytest.skip("pipes of this system keep their own size")
    child = forked.Child(lambda out: out.write(b"x" * (forked.PIPE_SIZE // 2)))
    try:
        assert fcntl.fcntl(child.fileno(), fcntl.F_GETPIPE_SZ) == forked.PIPE_SIZE
        assert child.rest() == b"x" * (forked.PIPE_SIZE // 2)
    finally:
        assert child.close() == 0
