"""``kb walk``: an interactive terminal step-through of a guide for technicians.

Keys: a number chooses, arrow keys move and Enter chooses, ``n`` adds a note to the step,
``b`` goes back, ``r`` restarts, ``q`` quits. Without a terminal (piped input) it reads one line
per step instead. Each answer is recorded with the local time; at the leaf the follow-up checks
are confirmed one by one, or the hand-off items filled in, for the transcript.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable

import click

from ..content.models import CHOICE_LABELS, ActionNode, EscalationNode, QuestionNode, ResolutionNode, item_ids
from ..content.repository import Guide, Repository
from ..workflow.transcript import handoff_texts, transcript_text
from ..workflow.walk import StepRecord, WalkState, walk

UP, DOWN = ("\x1b[A", "\x1bOA"), ("\x1b[B", "\x1bOB")
ENTER = ("\r", "\n")


class Quit(Exception):
    """The technician quit the walk."""


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


def interactive_walk(guide: Guide, read_key: Callable[[], str] | None = None) -> WalkState:
    """Run the step-through until a leaf; returns the final state. Raises :class:`Quit`."""
    read = read_key or (_read_key_tty if sys.stdin.isatty() else _read_line)
    answers: list[str] = []
    records: list[StepRecord] = []  # a note and the time, per answer
    note = ""
    state = walk(guide, answers)
    cursor = 0
    _show(state, cursor)
    while state.outcome is None:
        key = read()
        offered = state.choices
        choice: str | None = None
        if key in ("q", "Q", "\x03", "\x04"):
            raise Quit()
        if key in ("n", "N"):
            note = click.prompt("Note on this step", default=note, show_default=bool(note))
            _show(state, cursor)
            continue
        if key in ("b", "B"):
            answers, records = answers[:-1], records[:-1]
        elif key in ("r", "R"):
            answers, records = [], []
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
            answers.append(choice)
            records.append(StepRecord(note, dt.datetime.now().astimezone().replace(microsecond=0)))
            note = ""
        state = walk(guide, answers, records=records)
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
        return dataclasses.replace(state, confirmed=frozenset(confirmed))
    texts = handoff_texts(state, repo)
    if isinstance(leaf, EscalationNode) and texts:
        click.secho("Hand-off items for the next level (Enter to skip):", bold=True)
        return dataclasses.replace(state, handoff={i: prompt(f"  {text}").strip() for i, text in zip(item_ids(texts), texts, strict=True)})
    return state


def run(guide: Guide, repo: Repository, priority: str | None, ask_gather: bool) -> str:
    """The whole terminal session; returns the transcript text."""
    click.secho(f"{guide.meta.title}  ({guide.id}, revision {guide.revision})", bold=True)
    gathered = gather_information(guide, _ask) if ask_gather else {}
    state = record_leaf(interactive_walk(guide), repo, _ask)
    return transcript_text(state, repo, priority, gathered)


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
