"""Tasks, notes and interactions through the `vault` merge driver, with real git.

A bare remote and two clones (`contacts sync`, a pull with rebase) and a
plain `git merge` of two branches. Each test asserts the merged file's
bytes, the exit status and, for a conflict, what the person is told.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from teamclones import ADA, TODAY, Clone, alice, bob, elsewhere, remote  # noqa: F401 - fixtures

from vault_tool.team.mergedriver import Labels, merge_contact, merge_lines

TASKS = "- [ ] Send the Bernoulli notes due:2026-12-01\n- [x] Introduce to Charles done:2026-11-02\n"
RENEWAL = "## 2026-11-20 call — Renewal\nTalked about the Q1 renewal; she wants a demo first.\n"


def both_synced(alice: Clone, bob: Clone) -> str:
    """Alice's changes pushed, Bob's rebased onto them through the driver and pushed, Alice up to date."""
    alice.ok("sync")
    bob.ok("sync")
    alice.ok("sync")
    assert alice.text() == bob.text()
    assert bob.git("status", "--porcelain").stdout == ""
    return bob.text()


# Tasks through contacts sync


def test_tasks_added_on_both_sides_are_both_kept(alice: Clone, bob: Clone) -> None:
    before = alice.text()
    alice.ok("task", "ada", "Book the demo room", "--due", "2026-12-03")
    bob.ok("task", "ada", "Send the contract", "--due", "2026-12-05")

    merged = both_synced(alice, bob)

    assert merged == before.replace(TASKS, TASKS + "- [ ] Book the demo room due:2026-12-03\n"
                                    "- [ ] Send the contract due:2026-12-05\n")


def test_different_tasks_ticked_or_edited_on_each_side_merge(alice: Clone, bob: Clone) -> None:
    before = alice.text()
    alice.ok("done", "ada", "Bernoulli")
    bob.hand_edit("- [x] Introduce to Charles done:2026-11-02", "- [x] Introduce to Charles Babbage done:2026-11-02")

    merged = both_synced(alice, bob)

    assert merged == before.replace(TASKS, "- [x] Send the Bernoulli notes due:2026-12-01 done:2026-11-23\n"
                                           "- [x] Introduce to Charles Babbage done:2026-11-02\n")


def test_a_task_added_next_to_one_changed_on_the_other_side_merges(alice: Clone, bob: Clone) -> None:
    before = alice.text()
    alice.hand_edit("- [x] Introduce to Charles done:2026-11-02", "- [x] Introduce to Charles done:2026-11-03")
    bob.ok("task", "ada", "Send the contract", "--due", "2026-12-05")

    merged = both_synced(alice, bob)

    assert merged == before.replace(TASKS, "- [ ] Send the Bernoulli notes due:2026-12-01\n"
                                           "- [x] Introduce to Charles done:2026-11-03\n"
                                           "- [ ] Send the contract due:2026-12-05\n")


def test_notes_edited_on_neighbouring_lines_merge(alice: Clone, bob: Clone) -> None:
    before = alice.text()
    first, second = "Met at the Babbage soirée. Prefers letters to calls, but will take a call\n", \
        "if it's booked a day ahead.\n"
    alice.hand_edit(first, "Met at the Babbage soirée in 1833. Prefers letters to calls, but will take a call\n")
    bob.hand_edit(second, "if it's booked two days ahead.\n")

    merged = both_synced(alice, bob)

    assert merged == before.replace(
        first + second,
        "Met at the Babbage soirée in 1833. Prefers letters to calls, but will take a call\n"
        "if it's booked two days ahead.\n",
    )


def test_the_same_task_changed_two_ways_is_a_conflict_and_nothing_changes(alice: Clone, bob: Clone) -> None:
    alice.ok("done", "ada", "Bernoulli")
    alice.ok("sync")
    bob.hand_edit("- [ ] Send the Bernoulli notes due:2026-12-01", "- [ ] Send the Bernoulli notes due:2026-12-08")
    mine = bob.text()
    head = bob.git("rev-parse", "HEAD").stdout

    result = bob.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: conflict in {ADA}: both sides changed the same field or line differently.")
    assert bob.text() == mine and bob.git("rev-parse", "HEAD").stdout == head
    assert "rebase in progress" not in bob.git("status").stdout
    bob.git("pull", "-q", "--rebase", check=False)
    assert ("<<<<<<< upstream\n- [x] Send the Bernoulli notes due:2026-12-01 done:2026-11-23\n=======\n"
            "- [ ] Send the Bernoulli notes due:2026-12-08\n>>>>>>> yours\n- [x] Introduce to Charles") in bob.text()


# Interactions through contacts sync


def test_an_interaction_with_its_heading_changed_on_one_side_and_its_text_on_the_other(
    alice: Clone, bob: Clone
) -> None:
    before = alice.text()
    alice.hand_edit("## 2026-11-20 call — Renewal\n", "## 2026-11-20 meeting — Renewal terms\n")
    bob.hand_edit("she wants a demo first.\n", "she wants a demo first, in December.\n")

    merged = both_synced(alice, bob)

    assert merged == before.replace(
        RENEWAL, "## 2026-11-20 meeting — Renewal terms\nTalked about the Q1 renewal; she wants a demo first, "
                 "in December.\n")
    assert merged.count("2026-11-20") == 1


def test_an_interaction_removed_on_one_side_and_edited_on_the_other_is_a_conflict(alice: Clone, bob: Clone) -> None:
    alice.hand_edit("\n" + RENEWAL, "")
    alice.ok("sync")
    bob.hand_edit("she wants a demo first.\n", "she wants a demo first, in December.\n")
    mine = bob.text()

    result = bob.contacts("sync")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: conflict in {ADA}: ")
    assert bob.text() == mine
    bob.git("pull", "-q", "--rebase", check=False)
    assert ("\n<<<<<<< upstream\n=======\n## 2026-11-20 call — Renewal\nTalked about the Q1 renewal; she wants a "
            "demo first, in December.\n>>>>>>> yours\n") in bob.text()
    check = bob.contacts("check")
    assert check.exit_code == 1
    assert f"{ADA}:1: error: git has not merged this file: changed on both sides" in check.stdout


# A plain git merge of two branches


def test_git_merge_of_two_branches_with_tasks_and_interactions(alice: Clone) -> None:
    before = alice.text()
    alice.git("switch", "-q", "-c", "feature")
    alice.ok("task", "ada", "Send the contract", "--due", "2026-12-05")
    alice.hand_edit("## 2026-11-20 call — Renewal\n", "## 2026-11-20 meeting — Renewal\n")
    alice.git("switch", "-q", "main")
    alice.ok("done", "ada", "Bernoulli")
    alice.ok("task", "ada", "Book the demo room", "--due", "2026-12-03")
    alice.hand_edit("she wants a demo first.\n", "she wants a demo first, in December.\n")

    done = alice.git("merge", "--no-edit", "feature", check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    assert alice.text() == before.replace(
        TASKS, "- [x] Send the Bernoulli notes due:2026-12-01 done:2026-11-23\n- [x] Introduce to Charles "
               "done:2026-11-02\n- [ ] Book the demo room due:2026-12-03\n- [ ] Send the contract due:2026-12-05\n",
    ).replace(RENEWAL, "## 2026-11-20 meeting — Renewal\nTalked about the Q1 renewal; she wants a demo first, "
                       "in December.\n")
    assert alice.contacts("check").exit_code == 0


def test_git_merge_of_a_removed_and_an_edited_interaction_stops_with_a_conflict(alice: Clone) -> None:
    alice.git("switch", "-q", "-c", "feature")
    alice.hand_edit("\n" + RENEWAL, "")
    alice.git("switch", "-q", "main")
    alice.hand_edit("she wants a demo first.\n", "she wants a demo first, in December.\n")

    done = alice.git("merge", "--no-edit", "feature", check=False)

    assert done.returncode == 1
    assert f"CONFLICT (content): Merge conflict in {ADA}" in done.stdout
    assert f"contacts: {ADA}: 1 conflict left with markers" in done.stderr
    assert ("\n<<<<<<< yours\n## 2026-11-20 call — Renewal\nTalked about the Q1 renewal; she wants a demo first, "
            "in December.\n=======\n>>>>>>> theirs\n") in alice.text()


# The rules on small texts


def test_lines_added_at_one_place_on_both_sides_are_all_kept_shared_ones_once() -> None:
    base = "a\nb\n"
    assert merge_lines(base, "a\nx\n\nb\n", "a\ny\n\nb\n", Labels()) == ("a\nx\ny\n\nb\n", 0)
    assert merge_lines(base, "a\nb\nc\n", "a\nb\nc\nd\n", Labels()) == ("a\nb\nc\nd\n", 0)


def test_a_line_removed_on_one_side_and_changed_on_the_other_is_a_conflict() -> None:
    text, conflicts = merge_lines("a\nb\nc\n", "a\nc\n", "a\nB\nc\n", Labels())
    assert (text, conflicts) == ("a\n<<<<<<< ours\n=======\nB\n>>>>>>> theirs\nc\n", 1)


def test_a_last_line_without_a_line_break_stays_so() -> None:
    assert merge_lines("a\nb", "A\nb", "a\nB", Labels()) == ("A\nB", 0)


def test_heading_and_text_changed_two_ways_in_one_interaction() -> None:
    base = f"---\nname: Ada\n---\nNotes.\n\n{RENEWAL}"
    ours = base.replace("call — Renewal", "call — Renewal call") + "Follow up in January.\n"
    theirs = base.replace("call — Renewal", "meeting — Renewal").replace("Q1 renewal", "Q2 renewal")
    result = merge_contact(base.encode(), ours.encode(), theirs.encode())
    assert result.conflicts == 1
    assert result.data.decode().endswith(
        "<<<<<<< ours\n## 2026-11-20 call — Renewal call\n=======\n## 2026-11-20 meeting — Renewal\n"
        ">>>>>>> theirs\nTalked about the Q2 renewal; she wants a demo first.\nFollow up in January.\n"
    )


@settings(max_examples=80, deadline=None)
@given(data=st.data(), size=st.integers(1, 12))
def test_changes_to_different_lines_and_additions_anywhere_always_merge(data: st.DataObject, size: int) -> None:
    """Each base line changed by at most one side, lines added anywhere by either: no conflict, all kept."""
    base = [f"- [ ] task {n}\n" for n in range(size)]
    owner = data.draw(st.lists(st.sampled_from(["", "ours", "theirs"]), min_size=size, max_size=size))
    added = {side: data.draw(st.lists(st.booleans(), min_size=size + 1, max_size=size + 1)) for side in ("ours", "theirs")}

    def side(name: str) -> list[str]:
        lines = [f"- [ ] new {name} {0}\n"] if added[name][0] else []
        for n, line in enumerate(base):
            lines.append(line.replace("[ ]", "[x]") if owner[n] == name else line)
            lines += [f"- [ ] new {name} {n + 1}\n"] if added[name][n + 1] else []
        return lines

    expected = [f"- [ ] new {name} 0\n" for name in ("ours", "theirs") if added[name][0]]
    for n, line in enumerate(base):
        expected.append(line.replace("[ ]", "[x]") if owner[n] else line)
        expected += [f"- [ ] new {name} {n + 1}\n" for name in ("ours", "theirs") if added[name][n + 1]]

    text, conflicts = merge_lines("".join(base), "".join(side("ours")), "".join(side("theirs")), Labels())

    assert conflicts == 0
    lines = text.splitlines(keepends=True)
    assert sorted(lines) == sorted(expected)  # every line once (two added at one place: either order)
    assert [line for line in lines if "task" in line] == [line for line in expected if "task" in line]
    for name in ("ours", "theirs"):  # each side's additions in their places
        mine = side(name)
        assert [line for line in lines if line in mine] == [line for line in mine if line in lines]
