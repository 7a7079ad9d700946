"""``kb walk``: an interactive terminal step-through of a guide for technicians.

Keys: a number chooses, arrow keys move and Enter chooses, ``n`` adds a note to the step,
``b`` goes back, ``r`` restarts, ``q`` asks whether to save the transcript so far, quit or go on. Without a terminal (piped
input) it reads one line per step instead. A walk that reaches a link node can go on in the
linked guide (one walk, one transcript); ``--resume`` replays a resume link from the site or the
token printed when a walk is left. Each answer is recorded with the local time; at the leaf the
follow-up checks are confirmed one by one, or the hand-off items filled in, for the transcript.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

import click

from ..content.models import CHOICE_LABELS, ActionNode, EscalationNode, LinkNode, QuestionNode, ResolutionNode, item_ids
from ..content.repository import Guide, Repository
from ..workflow.resume import Replayed, chain_text, token_of
from ..workflow.transcript import handoff_texts, transcript_text
from ..workflow.walk import NO_RECORD, StepRecord, WalkState, walk
from .walk_messages import messages_text

UP, DOWN = ("\x1b[A", "\x1bOA"), ("\x1b[B", "\x1bOB")
ENTER = ("\r", "\n")
QUIT_MENU = "Leave the walk: [s] save the transcript so far to a file and quit  [q] quit without saving  [c] continue"


class Quit(Exception):
    """The technician left the walk; ``save``: with the transcript so far written to a file.

    ``text`` and ``token`` (the transcript so far and the resume token) are set by :func:`run`."""

    def __init__(self, state: WalkState | None = None, save: bool = False) -> None:
        super().__init__("walk left")
        self.state, self.save = state, save
        self.text, self.token = "", ""


def _read_key_tty() -> str:
    try:
        return click.getchar()
    except (KeyboardInterrupt, EOFError):  # click turns Ctrl+C / Ctrl+D in raw mode into these
        raise Quit() from None


def _read_line() -> str:
    line = sys.stdin.readline()
    if not line:
        raise Quit()
    return line.strip() or "\n"


def _show(state: WalkState, cursor: int) -> None:
    node = state.node
    click.echo()
    if state.path:
        click.secho("Path so far:", dim=True)
        for n, visit in enumerate(state.path, 1):
            visited = state.guide.tree.nodes[visit.node_id]
            click.secho(f"  {n}. {visited.text}  -> {visit.choice}", dim=True)
    label = "Question" if isinstance(node, QuestionNode) else "Action"
    click.secho(f"{label}: {node.text}", bold=True)
    if isinstance(node, (QuestionNode, ActionNode)) and node.help:
        click.echo(f"  {node.help}")
    for i, choice in enumerate(state.choices):
        marker = ">" if i == cursor else " "
        click.echo(f" {marker} {i + 1}) {CHOICE_LABELS[choice] if isinstance(node, ActionNode) and choice in CHOICE_LABELS else choice}")
    click.secho("[1-9] choose  [up/down, Enter] move/choose  [n] note  [b] back  [r] restart  [q] quit", dim=True)


def _ask_quit(state: WalkState, read: Callable[[], str]) -> bool:
    """After ``q``: True to go on walking; raises :class:`Quit` to leave (saving or not)."""
    while True:
        click.secho(QUIT_MENU, fg="yellow")
        key = read().strip().casefold()
        if key in ("c", "\n", ""):
            return True
        if key in ("s", "q"):
            raise Quit(state, save=key == "s")
        click.secho(f"Not a choice: {key!r}.", fg="yellow")


def interactive_walk(guide: Guide, read_key: Callable[[], str] | None = None, answers: Sequence[str] = (), stamp: bool = True) -> WalkState:
    """Run the step-through from ``answers`` until a leaf; returns the final state (``stamp``: each
    answer with the local time). Raises :class:`Quit`."""
    read = read_key or (_read_key_tty if sys.stdin.isatty() else _read_line)
    given = list(answers)
    records = [NO_RECORD] * len(given)  # a note and the time, per answer (none for answers resumed)
    note = ""
    state = walk(guide, given)
    cursor = 0
    if state.outcome is None:
        _show(state, cursor)
    while state.outcome is None:
        try:
            key = read()
        except Quit as quit:
            quit.state = state
            raise
        offered = state.choices
        choice: str | None = None
        if key in ("q", "Q"):
            _ask_quit(state, read)
            _show(state, cursor)
            continue
        if key in ("\x03", "\x04"):
            raise Quit(state)
        if key in ("n", "N"):
            note = click.prompt("Note on this step", default=note, show_default=bool(note))
            _show(state, cursor)
            continue
        if key in ("b", "B"):
            given, records = given[:-1], records[:-1]
        elif key in ("r", "R"):
            given, records = [], []
        elif key in UP or key in DOWN:
            cursor = (cursor + (-1 if key in UP else 1)) % len(offered)
            _show(state, cursor)
            continue
        elif key in ENTER:
            choice = offered[cursor]
        elif key.isdigit() and 1 <= int(key) <= len(offered):
            choice = offered[int(key) - 1]
        elif key.casefold() in (o.casefold() for o in offered):
            choice = next(o for o in offered if o.casefold() == key.casefold())
        else:
            click.secho(f"Not a choice: {key!r}. Press 1-{len(offered)}, b, r or q.", fg="yellow")
            continue
        if choice is not None:
            given.append(choice)
            records.append(StepRecord(note, dt.datetime.now().astimezone().replace(microsecond=0) if stamp else None))
            note = ""
        state = walk(guide, given, records=records)
        cursor = 0
        if state.outcome is None:
            _show(state, cursor)
    return state


def gather_information(guide: Guide, prompt: Callable[[str], str]) -> dict[str, str]:
    """Ask for each item of the guide's "information to gather" (blank = skipped), keyed by item id."""
    if not guide.meta.gather:
        return {}
    click.secho("Information to gather from the user (Enter to skip):", bold=True)
    return {item.id: prompt(f"  {item.text}").strip() for item in guide.meta.gather}


def _ask(text: str) -> str:
    return str(click.prompt(text, default="", show_default=False))


def record_leaf(state: WalkState, repo: Repository, prompt: Callable[[str], str]) -> WalkState:
    """At a resolution, confirm each follow-up check (y/N); at an escalation, fill in each hand-off item (blank = skip)."""
    leaf = state.outcome
    if isinstance(leaf, ResolutionNode) and leaf.follow_up:
        click.secho("Follow-up checks before closing: is each one done? (y/N)", bold=True)
        ids = item_ids(list(leaf.follow_up))
        confirmed = {i for i, text in zip(ids, leaf.follow_up, strict=True) if prompt(f"  {text}").strip().casefold() in ("y", "yes")}
        return replace(state, confirmed=frozenset(confirmed))
    texts = handoff_texts(state, repo)
    if isinstance(leaf, EscalationNode) and texts:
        click.secho("Hand-off items for the next level (Enter to skip):", bold=True)
        return replace(state, handoff={i: prompt(f"  {text}").strip() for i, text in zip(item_ids(texts), texts, strict=True)})
    return state


@dataclass
class Session:
    """One walk in the terminal, possibly through several guides (link nodes)."""

    repo: Repository
    priority: str | None
    ask_gather: bool
    record: bool = True  # times on the answers, the leaf's checks or hand-off items asked for
    ticket: Mapping[str, str] = field(default_factory=dict)  # ticket_id, requester, technician for the messages
    opened_at: dt.datetime | None = None  # the escalation clock as times
    done: list[WalkState] = field(default_factory=list)  # guides left through a link node
    gathered: dict[str, dict[str, str]] = field(default_factory=dict)  # per guide id

    def text(self, states: Sequence[WalkState]) -> str:
        return chain_text([transcript_text(s, self.repo, self.priority, self.gathered.get(s.guide.id, {})) for s in states])

    def finish(self, states: Sequence[WalkState]) -> tuple[str, str]:
        """The transcript of the whole walk, and the leaf's messages filled with it."""
        text, last = self.text(states), states[-1]
        return text, messages_text(last, self.repo, self.priority, self.gathered.get(last.guide.id, {}), self.ticket, self.opened_at, text)

    def gather(self, guide: Guide) -> None:
        if self.ask_gather and guide.id not in self.gathered:
            self.gathered[guide.id] = gather_information(guide, lambda text: click.prompt(text, default="", show_default=False))

    def walk(self, guide: Guide, answers: Sequence[str] = ()) -> tuple[str, str]:
        """Walk ``guide`` from ``answers`` on, into linked guides when the technician wants to."""
        while True:
            click.secho(f"{guide.meta.title}  ({guide.id}, revision {guide.revision})", bold=True)
            self.gather(guide)
            try:
                state = interactive_walk(guide, answers=answers, stamp=self.record)
                state = record_leaf(state, self.repo, _ask) if self.record else state
            except Quit as quit:
                states = [*self.done, quit.state or walk(guide, answers)]
                quit.text, quit.token = self.text(states), token_of(states)
                raise
            leaf = state.outcome
            target = self.repo.guide_by_id.get(leaf.guide) if isinstance(leaf, LinkNode) else None
            if target is None or not click.confirm(f"\nContinue the walk in the guide {target.meta.title!r} ({target.id})?", default=True):
                return self.finish([*self.done, state])
            self.done.append(state)
            guide, answers = target, ()


def resume(session: Session, replayed: Sequence[Replayed], read_line: Callable[[str], str]) -> tuple[str, str]:
    """Go on with a recorded walk: a guide recorded on an older revision is named, with the
    choice to replay the answers that still apply or to start that guide again."""
    for item in replayed:
        answers = [v.choice for v in item.state.path]
        if item.stale:
            recorded = len(item.recorded.answers)
            click.secho(
                f"The walk was recorded on revision {item.recorded.revision} of {item.state.guide.id}; it is now revision "
                f"{item.state.guide.revision}. {item.applied} of the {recorded} answers still apply.",
                fg="yellow",
            )
            if item is not replayed[-1]:
                click.echo("They still lead to the next guide.")
            elif read_line(f"[r] replay the {item.applied} answers  [s] start this guide again").strip().casefold() == "s":
                answers = []
        if item is not replayed[-1]:
            session.done.append(item.state)
        else:
            return session.walk(item.state.guide, answers)
    raise AssertionError("replay_walk returns at least one guide")


def leave(quit: Quit, output: Path | None) -> NoReturn:
    """A walk left before its end: the transcript so far saved if asked, and how to resume it."""
    resume_hint = f"Resume it with: kb walk --resume '{quit.token}'" if quit.token else ""
    if not quit.save:
        click.echo("\nWalk abandoned; nothing recorded.", err=True)
        if resume_hint:
            click.echo(resume_hint, err=True)
        sys.exit(130)
    default = f"{quit.state.guide.id}-walk.txt" if quit.state else "walk.txt"
    target = output or Path(click.prompt("Save the transcript so far to", default=default))
    target.write_text(quit.text, encoding="utf-8")
    click.echo(f"Transcript so far written to {target}", err=True)
    click.echo(resume_hint, err=True)
    sys.exit(0)


CLIPBOARD_COMMANDS = (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"], ["pbcopy"])


def copy_to_clipboard(text: str) -> None:
    """Copy with the first clipboard tool found; a clear error when there is none."""
    import shutil
    import subprocess

    for command in CLIPBOARD_COMMANDS:
        if shutil.which(command[0]):
            subprocess.run(command, input=text.encode(), check=True, timeout=10)
            return
    raise click.ClickException("no clipboard tool found (install wl-clipboard, xclip or xsel); use --output FILE instead")
