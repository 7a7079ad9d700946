"""``kb walk`` driven in a pseudo-terminal the way a technician uses it.

Each test types into a real pty (gather prompts, number keys, arrow keys + Enter, b, r, q, the
leaf's checks and hand-off prompts) and compares the printed transcript with
:func:`transcript_text` for the same path, byte for byte. ``kb walk`` stamps each answer with the
local time; the tests read the stamps back (checking they are minutes of the run).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import termios
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from search.content.models import CHOICE_LABELS, ActionNode, EscalationNode, GatherItem, ResolutionNode, item_ids
from search.content.repository import Repository
from search.workflow.resume import token_of
from search.workflow.transcript import handoff_texts, transcript_text
from search.workflow.walk import walk
from support import KB, ROOT
from support.recording import assert_within, records_from
from support.walkpaths import Route, has_detour

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

FOOTER = "[q] quit"
MARKER = "--- Transcript for the ticket (internal note) ---"
DOWN, UP, ENTER = "\x1b[B", "\x1b[A", "\r"
PRIORITY = "P2"
TIMEOUT = 30


class Terminal:
    """One ``kb walk`` in a pty, with helpers that type only when the program is reading."""

    def __init__(self, guide_id: str, *extra: str, priority: str = PRIORITY, tz: str | None = None) -> None:
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "200", "LINES": "50", **({"TZ": tz} if tz else {})}
        self.started = dt.datetime.now().astimezone()
        env.pop("KB_ROOT", None)
        self.child = pexpect.spawn(
            str(KB),
            ["walk", guide_id, "--priority", priority, "--root", str(ROOT), *extra],
            cwd=str(ROOT),
            env=env,
            encoding="utf-8",
            codec_errors="replace",
            timeout=TIMEOUT,
            dimensions=(50, 200),
        )

    def _raw(self) -> bool:
        """True once the program reads single keys (click.getchar puts the tty in raw mode)."""
        return not termios.tcgetattr(self.child.child_fd)[3] & termios.ICANON

    def wait_for_key_prompt(self) -> None:
        self.child.expect_exact(FOOTER)
        # setraw flushes pending input: type only once the program is in raw mode
        deadline = time.monotonic() + TIMEOUT
        while not self._raw():
            assert time.monotonic() < deadline, "kb walk never started reading a key"
            time.sleep(0.01)

    def press(self, key: str) -> None:
        self.wait_for_key_prompt()
        self.child.send(key)

    def gather(self, items: list[GatherItem], values: dict[str, str]) -> None:
        for item in items:
            self.child.expect_exact(f"{item.text}: ")
            self.child.sendline(values[item.id])

    def leaf(self, repo: Repository, route: Route, values: dict[str, str] | None = None) -> None:
        """Answer the leaf's prompts: each follow-up check (y/N) or hand-off item, by item id (blank when not in ``values``)."""
        state = walk(route.guide, route.answers)
        leaf = state.outcome
        texts = list(leaf.follow_up) if isinstance(leaf, ResolutionNode) else handoff_texts(state, repo) if isinstance(leaf, EscalationNode) else []
        for item_id, text in zip(item_ids(texts), texts, strict=True):
            self.child.expect_exact(f"{text}: ")
            self.child.sendline((values or {}).get(item_id, ""))

    def finish(self) -> tuple[str, int]:
        """The transcript printed after the marker (\\r\\n normalised) and the exit code."""
        self.child.expect_exact(MARKER)
        self.child.expect(pexpect.EOF)
        printed = self.child.before.replace("\r\n", "\n")
        self.child.close()
        assert printed.startswith("\n")
        return printed[1:], self.child.exitstatus

    def quit_output(self) -> tuple[str, int]:
        self.child.expect(pexpect.EOF)
        out = self.child.before.replace("\r\n", "\n")
        self.child.close()
        return out, self.child.exitstatus


def gather_values(route: Route) -> dict[str, str]:
    """Answers for the gather prompts, keyed by item id: some filled (with spacing to normalise), one left blank."""
    items = route.guide.meta.gather
    return {item.id: "" if i == 1 else f"  note {i + 1}:   {item.text[:20]}  " for i, item in enumerate(items)}


def expected(repo, route: Route, gathered: dict[str, str], started: dt.datetime, printed: str, **leaf: object) -> str:
    """The engine's transcript for the route with the times ``kb walk`` printed (each a minute of
    the run since ``started``) and what was recorded at the leaf (``confirmed``, ``handoff``)."""
    now = dt.datetime.now().astimezone()
    records = records_from(printed, len(route.answers), now.date(), now.tzinfo)  # type: ignore[arg-type]
    assert_within(records, started, now)
    return transcript_text(walk(route.guide, route.answers, records=records, **leaf), repo, PRIORITY, gathered)  # type: ignore[arg-type]


def shown(route: Route, step: int, choice: str) -> str:
    """How the menu shows a choice: an action's outcomes by their labels."""
    node = walk(route.guide, route.answers[:step]).node
    return CHOICE_LABELS[choice] if isinstance(node, ActionNode) else choice


def choose(term: Terminal, route: Route, step: int, mode: str) -> None:
    """Choose the route's answer at ``step`` by number, Enter, or moving the cursor (down or up, wrapping)."""
    offered = walk(route.guide, route.answers[:step]).choices
    index = offered.index(route.answers[step])
    if mode == "number":
        term.press(str(index + 1))
        return
    moves = [UP] * ((len(offered) - index) % len(offered)) if mode == "up" else [DOWN] * index
    cursor = 0
    for key in moves:
        term.press(key)
        cursor = (cursor + (1 if key == DOWN else -1)) % len(offered)
        term.child.expect_exact(f" > {cursor + 1}) {shown(route, step, offered[cursor])}")  # the menu is redrawn with the cursor moved
    assert cursor == index
    term.press(ENTER)


def pick(routes: list[Route], need) -> Route:
    for route in routes:
        if need(route):
            return route
    pytest.skip("no shipped route has the shape this test needs")


def with_choice_beyond_first(route: Route) -> bool:
    return any(walk(route.guide, route.answers[:i]).choices.index(a) > 0 for i, a in enumerate(route.answers))


def test_escalation_leaf_with_arrows_numbers_and_restart(repo, escalation_routes, tmp_path: Path) -> None:
    route = pick(escalation_routes, lambda r: len(r.answers) >= 2 and with_choice_beyond_first(r) and has_detour(r, 0))
    gathered = gather_values(route)
    out_file = tmp_path / "note.txt"
    term = Terminal(route.guide.id, "--output", str(out_file))
    term.child.expect_exact(route.guide.id)
    term.gather(route.guide.meta.gather, gathered)
    # a first choice somewhere else, then r: the walk starts over with nothing recorded
    state0 = walk(route.guide, [])
    term.press(str(state0.choices.index(has_detour(route, 0)) + 1))
    term.press("r")
    moved = 0
    for step, answer in enumerate(route.answers):
        if walk(route.guide, route.answers[:step]).choices.index(answer) > 0:  # arrows wherever they move
            choose(term, route, step, "arrows" if moved % 2 == 0 else "up")
            moved += 1
        else:
            choose(term, route, step, "enter" if step % 2 else "number")
    term.leaf(repo, route)
    printed, status = term.finish()
    want = expected(repo, route, gathered, term.started, printed)
    assert status == 0
    assert "Outcome: Escalated to" in want or "Outcome: Escalate to" in want
    assert printed == want + f"Transcript written to {out_file}\n"
    assert out_file.read_text(encoding="utf-8") == want


def test_resolution_leaf_with_back(repo, resolution_routes) -> None:
    def shape(r: Route) -> bool:
        return len(r.answers) >= 2 and any(has_detour(r, i) for i in range(len(r.answers)))

    route = pick(resolution_routes, shape)
    gathered = gather_values(route)
    detour_step = next(i for i in range(len(route.answers)) if has_detour(route, i))
    term = Terminal(route.guide.id)
    term.gather(route.guide.meta.gather, gathered)
    for step in range(len(route.answers)):
        if step == detour_step:  # a wrong turn, undone with b
            state = walk(route.guide, route.answers[:step])
            term.press(str(state.choices.index(has_detour(route, step)) + 1))
            term.press("b")
        choose(term, route, step, "number" if step % 2 else "arrows")
    term.leaf(repo, route)
    printed, status = term.finish()
    want = expected(repo, route, gathered, term.started, printed)
    assert status == 0
    assert "Outcome: Resolved." in want
    assert printed == want


def test_no_gather_and_enter_on_first_choice(repo, resolution_routes) -> None:
    route = resolution_routes[-1]  # the shortest resolution walk
    term = Terminal(route.guide.id, "--no-gather")
    for step in range(len(route.answers)):
        choose(term, route, step, "arrows")
    term.leaf(repo, route)
    printed, status = term.finish()
    assert status == 0
    assert printed == expected(repo, route, {}, term.started, printed)
    assert "Information gathered:" not in printed


def _mid_walk(repo):
    """A guide and the number of a first choice that does not end the walk."""
    return next((g, n) for g in repo.guides for n, choice in enumerate(walk(g, []).choices, 1) if walk(g, [choice]).outcome is None)


def test_q_asks_and_quits_without_saving_with_130_and_a_resume_token(repo) -> None:
    guide, number = _mid_walk(repo)
    term = Terminal(guide.id, "--no-gather")
    term.press(str(number))
    term.press("q")
    term.child.expect_exact("[s] save the transcript so far")
    term.press("q")
    out, status = term.quit_output()
    assert status == 130
    assert "Walk abandoned; nothing recorded." in out
    choice = walk(guide, []).choices[number - 1]
    assert f"kb walk --resume '{token_of([walk(guide, [choice])])}'" in out
    assert "Traceback" not in out
    assert MARKER not in out


def test_q_then_s_saves_the_transcript_so_far(repo, tmp_path: Path) -> None:
    guide, number = _mid_walk(repo)
    term = Terminal(guide.id, "--no-gather")
    term.press(str(number))
    term.press("q")
    term.press("s")
    term.child.expect_exact("Save the transcript so far to")
    target = tmp_path / "so-far.txt"
    term.child.sendline(str(target))
    out, status = term.quit_output()
    saved = target.read_text(encoding="utf-8")
    now = dt.datetime.now().astimezone()
    records = records_from(saved, 1, now.date(), now.tzinfo)  # type: ignore[arg-type]
    assert_within(records, term.started, now)
    state = walk(guide, [walk(guide, []).choices[number - 1]], records=records)
    assert status == 0
    assert saved == transcript_text(state, repo, PRIORITY)
    assert "Outcome: In progress (walk not finished)." in target.read_text(encoding="utf-8")
    assert f"kb walk --resume '{token_of([state])}'" in out


def test_q_then_c_goes_on_with_the_walk(repo, resolution_routes) -> None:
    route = next(r for r in resolution_routes if len(r.answers) >= 2)
    term = Terminal(route.guide.id, "--no-gather")
    choose(term, route, 0, "number")
    term.press("q")
    term.press("c")
    for step in range(1, len(route.answers)):
        choose(term, route, step, "number")
    term.leaf(repo, route)
    printed, status = term.finish()
    assert status == 0
    assert printed == expected(repo, route, {}, term.started, printed)


def test_ctrl_c_quits_at_once_without_saving(resolution_routes) -> None:
    term = Terminal(resolution_routes[0].guide.id, "--no-gather")
    term.press("\x03")
    out, status = term.quit_output()
    assert status == 130
    assert "Walk abandoned; nothing recorded." in out
    assert "Traceback" not in out


def run_kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KB), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_unknown_guide_is_a_usage_error_with_did_you_mean(repo) -> None:
    real = sorted(repo.guide_by_id)[0]
    typo = real[:-1] if len(real) > 3 else real + "x"
    result = run_kb("walk", typo, "--root", str(ROOT))
    assert result.returncode == 2
    assert f'no guide "{typo}"' in result.stderr
    assert f'did you mean "{real}"' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("priority", ["P7", "whenever", ""])
def test_bad_priority_is_a_usage_error(repo, priority: str) -> None:
    result = run_kb("walk", sorted(repo.guide_by_id)[0], "--priority", priority, "--root", str(ROOT))
    assert result.returncode == 2
    assert "--priority" in result.stderr
    assert "P1..P4" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_piped_input_reads_one_line_per_step(repo, resolution_routes) -> None:
    """Without a terminal, one line per step (numbers or answer labels), same transcript."""
    route = resolution_routes[0]
    gathered = {item.id: "" for item in route.guide.meta.gather}
    lines = list(gathered.values())
    for step, answer in enumerate(route.answers):
        state = walk(route.guide, route.answers[:step])
        lines.append(answer if step % 2 else str(state.choices.index(answer) + 1))
    lines += [""] * len(walk(route.guide, route.answers).outcome.follow_up)  # the leaf's checks: not confirmed
    started = dt.datetime.now().astimezone()
    result = subprocess.run(
        [str(KB), "walk", route.guide.id, "--priority", PRIORITY, "--root", str(ROOT)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.split(MARKER + "\n", 1)[1]
    assert printed == expected(repo, route, gathered, started, printed)


def test_notes_outcomes_and_confirmed_checks_are_recorded(repo, resolution_routes) -> None:
    """n adds a note to the step, an action answered "Didn't help" goes on, the leaf's checks are
    confirmed one by one; the times are the local time of the terminal's time zone."""
    route = pick(resolution_routes, lambda r: any(_continues_after_failed(r, i) for i in range(len(r.answers))) and _checks(r) >= 2)
    failed_at = next(i for i in range(len(route.answers)) if _continues_after_failed(route, i))
    answers = list(route.answers)
    answers[failed_at] = "failed"
    recorded = Route(route.guide, tuple(answers))
    term = Terminal(route.guide.id, "--no-gather", tz="America/New_York")
    notes = {0: "user  on hotel\tWi-Fi", failed_at: "same error after the restart"}
    for step, answer in enumerate(answers):
        if step in notes:
            term.press("n")
            term.child.expect_exact("Note on this step: ")
            term.child.sendline(notes[step])
        state = walk(route.guide, answers[:step])
        if answer == "failed":
            term.child.expect_exact(f"{state.choices.index(answer) + 1}) Didn't help")
        term.press(str(state.choices.index(answer) + 1))
    leaf = walk(route.guide, answers).outcome
    checks = item_ids(list(leaf.follow_up))
    term.leaf(repo, recorded, {checks[1]: "y", checks[0]: "no"})
    printed, status = term.finish()
    assert status == 0
    ny = ZoneInfo("America/New_York")  # the stamps are the terminal's wall clock, not UTC
    started = term.started.astimezone(ny)
    now = dt.datetime.now(ny)
    records = records_from(printed, len(answers), now.date(), ny, notes)
    assert_within(records, started, now)
    want = transcript_text(walk(route.guide, answers, records=records, confirmed=frozenset({checks[1]})), repo, PRIORITY)
    assert printed == want
    assert "Didn't help: " in printed and "   Note: user on hotel Wi-Fi\n" in printed
    assert f"- [ ] {leaf.follow_up[0]}\n- [x] {leaf.follow_up[1]}\n" in printed


def _continues_after_failed(route: Route, step: int) -> bool:
    node = walk(route.guide, route.answers[:step]).node
    return isinstance(node, ActionNode) and "failed" in node.offered and node.target("failed") == node.next


def _checks(route: Route) -> int:
    leaf = walk(route.guide, route.answers).outcome
    return len(leaf.follow_up) if isinstance(leaf, ResolutionNode) else 0
