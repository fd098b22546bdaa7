"""Output other programs read cannot be hijacked by a field value: CSV cells, mail-client lines, the terminal."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from vault_tool.output import from_spreadsheet_cell, plain_address, spreadsheet_cell, visible
from vault_tool.store.vault import Vault

RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # anything a terminal would act on, but a newline

EVIL_FRONT = r'''name: "Eve \e[31mRed\e]0;owned\a Evil\x9b2J\x7f"
emails: ["eve@example.com\nmallory@evil.example", "ok@example.com", "a b@x.example", "x@y.example, z@w.example",
         "<c@d.example>", "a@b@c.example", "tab\t@x.example", "bell\a@x.example"]
company: "Evil\nCo\tmallory@evil.example"
tags: [evil]
'''
EVIL_BODY = ("Wipe \x1b[2J the screen, then \x1b]52;c;cGF3bmVk\x07 the clipboard.\nSecond \x9b line.\n\n"
             "- [ ] Call \x1b[5m back due:2026-12-01\n\n"
             "## 2026-12-02 10:00 meeting — Demo \x1b]0;title\x07 day\nBring \x1b[31m slides.\n")


def write_contact(root: Path, handle: str, front: str, body: str = "") -> Path:
    path = root / "contacts" / f"{handle}.md"
    path.write_bytes(f"---\n{front}---\n{body}".encode())
    return path


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def by_header(text: str) -> list[dict[str, str]]:
    rows = rows_of(text)
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def assert_no_raw_control(text: str) -> None:
    found = RAW_CONTROL.search(text)
    assert found is None, f"raw {found.group()!r} in {text!r}"


# 1. CSV: no cell runs as a formula


@pytest.mark.parametrize("value", ["=1+2", "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0",
                                   "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1", "\r=1", "-", "+", "@",
                                   "'=1+2", "''@x", "+1 555 CALL-NOW"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_and_reads_back(value: str) -> None:
    cell = spreadsheet_cell(value)

    assert cell == "'" + value
    assert from_spreadsheet_cell(cell) == value


@pytest.mark.parametrize("value", ["+44 20 7946 0958", "-12.5", "+1 (202) 555-0143", "-1/2", "0044 20 7946 0958",
                                   "12", "Ada Lovelace", "'quoted", "'+44 20 7946 0958", "", "a=b", " =1"])
def test_numbers_phones_and_plain_text_stay_as_they_are(value: str) -> None:
    assert spreadsheet_cell(value) == value
    assert from_spreadsheet_cell(value) == value


def test_reading_a_cell_back_undoes_only_what_the_rule_added() -> None:
    values = ["=x", "'=x", "''=x", "'x", "'", "''", "'-5", "-5", "@a", "'@a", "x", "'\t", "\t"]
    for value in values:
        assert from_spreadsheet_cell(spreadsheet_cell(value)) == value
    assert len({spreadsheet_cell(v) for v in values}) == len(values)


FORMULA_FRONT = '''name: Ada Formula
emails: [ada@analytical.example]
phones: ["+44 20 7946 0958"]
company: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"
title: "+1 manager"
tags: [customer]
owner: "@alice"
balance: "-12.5"
formula: "'=already quoted"
dde: "-2+3+cmd|' /C calc'!A0"
"=SUM(1)": header
'''
FORMULA_BODY = "- [ ] Send the notes due:2026-12-01\n@here is the rest.\n"


def test_export_csv_neutralises_formula_cells_but_not_numbers(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)

    result = invoke("-C", empty_vault, "export", "--format", "csv")

    assert result.exit_code == 0, result.output
    header = rows_of(result.stdout)[0]
    assert "'=SUM(1)" in header and "=SUM(1)" not in header
    row = by_header(result.stdout)[0]
    assert row["company"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["title"] == "'+1 manager"
    assert row["owner"] == "'@alice"
    assert row["dde"] == "'-2+3+cmd|' /C calc'!A0"
    assert row["formula"] == "''=already quoted"
    assert row["notes"].startswith("'- [ ] Send the notes")
    assert row["phones"] == "+44 20 7946 0958"
    assert row["balance"] == "-12.5"
    assert row["name"] == "Ada Formula"


def test_export_google_csv_neutralises_formula_cells(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)

    result = invoke("-C", empty_vault, "export", "--format", "csv", "--csv-dialect", "google")

    assert result.exit_code == 0, result.output
    row = by_header(result.stdout)[0]
    assert row["Organization 1 - Name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["Phone 1 - Value"] == "+44 20 7946 0958"
    assert "'-2+3+cmd|' /C calc'!A0" in row.values()
    assert not any(cell.startswith(("=", "@")) for cell in row.values())


def test_export_raw_csv_writes_cells_as_stored(empty_vault: Path, invoke, tmp_path: Path) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)
    target = tmp_path / "raw.csv"

    result = invoke("-C", empty_vault, "export", "--format", "csv", "--raw-csv", "-o", target)

    assert result.exit_code == 0, result.output
    row = by_header(target.read_text())[0]
    assert row["company"] == "=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["formula"] == "'=already quoted"
    assert row["=SUM(1)"] == "header"


def test_export_then_import_gives_back_exactly_the_values(empty_vault: Path, invoke, tmp_path: Path) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)
    exported = tmp_path / "book.csv"
    assert invoke("-C", empty_vault, "export", "--format", "csv", "-o", exported).exit_code == 0
    assert "'=HYPERLINK" in exported.read_text()
    other = tmp_path / "other"
    assert invoke("init", other).exit_code == 0

    result = invoke("-C", other, "import", exported)

    assert result.exit_code == 0, result.output
    before = Vault.open(str(empty_vault)).get("ada-formula")
    after = Vault.open(str(other)).get("ada-formula")
    for key in ("name", "emails", "phones", "company", "title", "tags", "owner", "balance", "formula", "dde"):
        assert after.meta.get(key) == before.meta.get(key), key
    assert after.notes == before.notes


def test_list_and_search_csv_neutralise_unless_raw_csv(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)

    listed = invoke("-C", empty_vault, "list", "--format", "csv")
    searched = invoke("-C", empty_vault, "search", "ada", "--format", "csv")
    raw = invoke("-C", empty_vault, "list", "--format", "csv", "--raw-csv")
    raw_search = invoke("-C", empty_vault, "search", "ada", "--format", "csv", "--raw-csv")

    for result in (listed, searched):
        assert result.exit_code == 0, result.output
        assert by_header(result.stdout)[0]["company"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    for result in (raw, raw_search):
        assert result.exit_code == 0, result.output
        assert by_header(result.stdout)[0]["company"] == "=HYPERLINK(\"http://evil.example\",\"click\")"


def test_tasks_csv_is_neutralised(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, "- [ ] =HYPERLINK(\"http://x\") due:2026-12-01\n")

    result = invoke("-C", empty_vault, "--today", "2026-11-30", "tasks", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert by_header(result.stdout)[0]["task"] == "'=HYPERLINK(\"http://x\")"


def test_report_csv_is_neutralised(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "ada-formula", FORMULA_FRONT, FORMULA_BODY)

    result = invoke("-C", empty_vault, "report", "--by", "company", "--format", "csv")

    assert result.exit_code == 0, result.output
    items = [row["item"] for row in by_header(result.stdout) if row["section"] == "by company"]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in items
    assert not any(item.startswith("=") for item in items)


@pytest.mark.parametrize("command", ["export", "list", "search"])
def test_help_says_what_raw_csv_does(invoke, command: str) -> None:
    result = invoke(command, "--help")

    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "--raw-csv" in text
    assert "exactly as stored" in text and "formula" in text


# 2. mutt and aerc: one line and the right columns per plain address


def test_mutt_lines_hold_only_plain_addresses_one_line_each(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)

    result = invoke("-C", empty_vault, "search", "eve", "--format", "mutt")

    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0] == "1 address for 'eve' in the contact vault"
    assert len(lines) == 2
    email, name, info = lines[1].split("\t")
    assert email == "ok@example.com"
    assert name == r"Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f"
    assert info == "Evil Co mallory@evil.example"
    assert "mallory@evil.example\t" not in result.stdout
    assert_no_raw_control(result.stdout.replace("\t", " "))


def test_aerc_lines_hold_only_plain_addresses_in_two_columns(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)

    result = invoke("-C", empty_vault, "search", "eve", "--format", "aerc")

    assert result.exit_code == 0, result.output
    assert result.stdout == "ok@example.com\t" + r"Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f" + "\n"


def test_a_contact_with_no_plain_address_gives_no_mail_lines(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "mallory", 'name: Mallory\nemails: ["m@evil.example\\nx@y.example", "a b@c.example"]\n')

    result = invoke("-C", empty_vault, "search", "mallory", "--format", "aerc")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no contact with an email address matches 'mallory'" in result.stderr


@pytest.mark.parametrize("value", ["ada@analytical.example", "o'brien@example.com", "zoë@example.com",
                                   "first.last+tag@sub.example.co.uk"])
def test_a_plain_address_is_one(value: str) -> None:
    assert plain_address(value) == value


@pytest.mark.parametrize("value", ["a@b.example\nc@d.example", "a\t@b.example", "a b@c.example", "a@b.example, c@d",
                                   "<a@b.example>", "Ada <a@b.example>", "a@b@c.example", "ab.example", "@b.example",
                                   "a@", "a\x1b[31m@b.example", "a@b.example\r", "\"a\"@b.example", "a@b\u202e.example",
                                   "a;b@c.example", ""])
def test_anything_else_is_not_an_address(value: str) -> None:
    assert plain_address(value) is None


# 3. The terminal: control characters shown escaped


def test_show_escapes_control_characters_in_every_value(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT + 'hobby: "\\e]8;;http://evil.example\\e\\\\link\\e]8;;\\e\\\\"\n',
                  EVIL_BODY)

    result = invoke("-C", empty_vault, "--today", "2026-11-30", "show", "eve")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert_no_raw_control(out)
    assert out.startswith(r"Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f  (eve)" + "\n")
    assert r"  company: Evil\nCo\tmallory@evil.example" + "\n" in out
    assert r"eve@example.com\nmallory@evil.example, ok@example.com" in out
    assert "  hobby:   \\x1b]8;;http://evil.example\\x1b\\link\\x1b]8;;\\x1b\\\n" in out
    assert "  Wipe \\x1b[2J the screen, then \\x1b]52;c;cGF3bmVk\\x07 the clipboard.\n  Second \\x9b line.\n" in out
    assert r"  [ ] Call \x1b[5m back due:2026-12-01" in out
    assert r"  2026-12-02 10:00 meeting — Demo \x1b]0;title\x07 day  (upcoming)" in out
    assert out.rstrip("\n").endswith("      Bring \\x1b[31m slides.")


def test_dupes_escapes_names_and_reasons(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)
    write_contact(empty_vault, "eve-again", 'name: "Eve \\e[31mRed\\e]0;owned\\a Evil\\x9b2J\\x7f"\n'
                                            'company: "Evil\\nCo\\tmallory@evil.example"\n')
    write_contact(empty_vault, "okay", "name: Okay\nemails: [ok@example.com]\n")

    result = invoke("-C", empty_vault, "dupes")

    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.stdout)
    [group] = result.stdout.rstrip("\n").split("\n\n")
    names, reasons, merge = group.split("\n")
    assert r"eve (Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f)" in names and "okay (Okay)" in names
    assert reasons == "  same email ok@example.com; similar names (100%) evil"
    assert merge.startswith("  contacts merge ")


def test_history_escapes_who_committed_what_and_the_values(empty_vault: Path, invoke) -> None:
    """A commit from someone else (a pull request) names its author and subject as it likes."""
    from tests.conftest import git

    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)
    git(empty_vault, "add", "-A")
    git(empty_vault, "commit", "-q", "--author", "Mal \x1b[31mlory <m@x.example>", "-m", "Add \x1b]52;c;cGF3bmVk\x07 Eve")

    result = invoke("-C", empty_vault, "history", "eve")

    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.stdout)
    first = result.stdout.split("\n")[0]
    assert r"Mal \x1b[31mlory <" in first and r"Add \x1b]52;c;cGF3bmVk\x07 Eve" in first
    assert r"    name: Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f" in result.stdout


def test_agenda_warnings_escape_the_values_they_quote(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", 'name: Eve\nkeep_in_touch: "\\e]0;owned\\a"\n', "- [ ] Call due:\x1b[2J\n")

    result = invoke("-C", empty_vault, "--today", "2026-11-30", "agenda")

    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.stderr)
    assert r"\x1b]0;owned\x07" in result.stderr and r"\x1b[2J" in result.stderr


def test_check_report_and_owners_escape_the_values_they_show(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT + 'stage: "lead\\e[7m"\nowner: "al\\e[4mice"\n', EVIL_BODY)

    checked = invoke("-C", empty_vault, "check")
    reported = invoke("-C", empty_vault, "--today", "2026-11-30", "report", "--by", "stage", "--by", "owner")
    owners = invoke("-C", empty_vault, "owners")

    for result in (checked, reported, owners):
        assert_no_raw_control(result.stdout)
    assert len(checked.stdout.rstrip("\n").split("\n")) == len(json.loads(
        invoke("-C", empty_vault, "check", "--format", "json").stdout)["problems"])  # a line per problem
    assert r"stage 'lead\x1b[7m' is not one of" in checked.stdout
    assert r"lead\x1b[7m" in reported.stdout and r"al\x1b[4mice" in reported.stdout
    assert owners.stdout.startswith(r"al\x1b[4mice")


def test_list_table_keeps_a_line_per_row_and_escapes_values(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)
    write_contact(empty_vault, "zed", 'name: "Zed\\nInjected Row"\ncompany: Zed Co\n')
    write_contact(empty_vault, "amy", "name: Amy\ncompany: Amy Co\n")

    result = invoke("-C", empty_vault, "list")

    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.stdout)
    lines = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == 4
    assert lines[1].startswith("Amy ")
    assert lines[2].startswith(r"Eve \x1b[31mRed")
    assert r"eve@example.com\nmallory@evil.example" in lines[2]
    assert re.match(r"Zed\\nInjected Row +Zed Co$", lines[3])


def test_search_table_escapes_the_matching_line(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)

    result = invoke("-C", empty_vault, "search", "clipboard")

    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.stdout)
    assert r"\x1b]52;c;cGF3bmVk\x07 the [clipboard]" in result.stdout


def test_agenda_tasks_and_remind_escape_control_characters(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)

    agenda = invoke("-C", empty_vault, "--today", "2026-12-01", "agenda", "--days", "3")
    remind = invoke("-C", empty_vault, "--today", "2026-12-01", "remind", "--days", "3")
    tasks = invoke("-C", empty_vault, "--today", "2026-12-01", "tasks")

    for result in (agenda, remind, tasks):
        assert result.exit_code == 0, result.output
        assert_no_raw_control(result.stdout)
        assert r"Eve \x1b[31mRed\x1b]0;owned\x07 Evil" in result.stdout
    assert r"Call \x1b[5m back" in agenda.stdout and r"Demo \x1b]0;title\x07 day" in agenda.stdout
    assert r"Due today: Eve \x1b[31mRed" in remind.stdout
    assert r"meeting with Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f — Demo \x1b]0;title\x07 day" in remind.stdout
    assert len(remind.stdout.rstrip("\n").split("\n")) == 2
    assert len(tasks.stdout.rstrip("\n").split("\n")) == 2


def test_an_error_message_shows_control_characters_escaped(empty_vault: Path, invoke) -> None:
    result = invoke("-C", empty_vault, "show", "zz\x1b[31m\x1b]0;owned\x07\nnext")

    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1
    assert_no_raw_control(result.stderr)
    assert r"zz\x1b[31m\x1b]0;owned\x07\nnext" in result.stderr
    assert "Traceback" not in result.output


def test_visible_escapes_c0_del_and_c1_and_keeps_a_bodys_lines() -> None:
    assert visible("a\x1b[2Jb\x07\x7f\x9b\x85c") == r"a\x1b[2Jb\x07\x7f\x9b\x85c"
    assert visible("one\ntwo\tthree\r") == r"one\ntwo\tthree\r"
    assert visible("one\ntwo\tthree\r\x1b", newlines=True) == "one\ntwo\tthree\\r\\x1b"
    assert visible("Zoë 東京 — plain") == "Zoë 東京 — plain"


def test_json_output_is_left_as_json(empty_vault: Path, invoke) -> None:
    write_contact(empty_vault, "eve", EVIL_FRONT, EVIL_BODY)

    result = invoke("-C", empty_vault, "list", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["name"] == "Eve \x1b[31mRed\x1b]0;owned\x07 Evil\x9b2J\x7f"


_CELLS = st.text(alphabet=st.sampled_from("ab Zé-李小龍\u0301xy"), max_size=6)


@given(st.text(st.characters(max_codepoint=0x33FF)) | st.text("éßłÅøñ\u0301\u4e2d\u3042a "))
@example("Zoë Müller")
@example("Ze\u0301")
@example("中文 name")
@example("\u02ff")
def test_display_width_is_the_sum_of_each_characters_width(text: str) -> None:
    """Narrow text (ASCII, accented Latin: every character before U+0300) is measured by its length, any other
    character by character: a combining mark takes no column, a wide East Asian one two."""
    import unicodedata

    from vault_tool.output import display_width, narrow

    expected = sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
                   for c in text)
    assert display_width(text) == expected
    assert narrow(text) == all(c < "\u0300" for c in text)


@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(_CELLS, min_size=n, max_size=n), min_size=1, max_size=6)),
       st.sets(st.integers(0, 3)))
def test_aligned_rows_pad_each_cell_to_its_columns_display_width(rows: list[list[str]], right: set[int]) -> None:
    """`aligned` pads ASCII columns with str methods and others by display width (wide characters two columns,
    combining marks none): the same lines as padding each cell by its display width."""
    from vault_tool.output import aligned, display_width

    widths = [max(map(display_width, column)) for column in zip(*rows)]

    def cell(at: int, text: str) -> str:
        pad = " " * (widths[at] - display_width(text))
        return pad + text if at in right else text + pad

    expected = [("  " + "  ".join(cell(at, text) for at, text in enumerate(row))).rstrip() for row in rows]
    assert aligned(rows, right) == expected


_LONG_CELLS = st.sampled_from(["ab Z-xy", "ab Zé-李小龍\u0301xy"]).flatmap(  # all ASCII, or not
    lambda letters: st.lists(st.lists(st.text(alphabet=st.sampled_from(letters), max_size=16), min_size=3,
                                      max_size=3), max_size=6))


@given(_LONG_CELLS, st.integers(20, 40))
def test_a_table_cuts_and_pads_each_cell_by_display_width(rows: list[list[str]], width: int) -> None:
    """`table` cuts cells too wide for the terminal with `…`, ASCII columns with str methods: the same
    lines as `fit` gives each cell."""
    from vault_tool.output import display_width, fit, table

    keys = [("a", "A"), ("b", "BB"), ("c", "C")]
    found = table([dict(zip("abc", row)) for row in rows], keys, width)
    every = [[header for _, header in keys], *rows]
    widths = [max(map(display_width, column)) for column in zip(*every)]
    while sum(widths) + 4 > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    assert found.split("\n") == ["  ".join(fit(cell, w) for cell, w in zip(row, widths)).rstrip() for row in every]


def test_deal_names_and_stages_are_escaped_on_the_agenda_and_in_show(empty_vault: Path, invoke) -> None:
    """The agenda's deal sections and `show`'s deals are aligned tables: their cells are escaped there."""
    write_contact(empty_vault, "eve", 'name: Eve\n')
    (empty_vault / "deals").mkdir(exist_ok=True)
    (empty_vault / "deals" / "evil.md").write_bytes(
        b'---\nname: "Evil \\e[31mDeal"\ncontacts: [eve]\nstage: proposal\nclose: 2026-12-03\namount: 10\n'
        b'currency: EUR\n---\n')

    agenda = invoke("-C", empty_vault, "--today", "2026-11-30", "agenda")
    show = invoke("-C", empty_vault, "--today", "2026-11-30", "show", "eve")

    for result in (agenda, show):
        assert result.exit_code == 0, result.output
        assert_no_raw_control(result.stdout)
        assert r"Evil \x1b[31mDeal" in result.stdout
