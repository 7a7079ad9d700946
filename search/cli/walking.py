"""``kb walk``: an interactive terminal step-through of a guide for technicians.

Keys: a number chooses, arrow keys move and Enter chooses, ``b`` goes back, ``r`` restarts,
``q`` quits. Without a terminal (piped input) it reads one line per step instead.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping

import click

from ..content.models import ActionNode, QuestionNode
from ..content.repository import Guide, Repository
from ..workflow.transcript import transcript_text
from ..workflow.walk import WalkState, walk
from .walk_messages import messages_text

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
        click.echo(f" {marker} {i + 1}) {choice}")
    click.secho("[1-9] choose  [up/down, Enter] move/choose  [b] back  [r] restart  [q] quit", dim=True)


def interactive_walk(guide: Guide, read_key: Callable[[], str] | None = None) -> WalkState:
    """Run the step-through until a leaf; returns the final state. Raises :class:`Quit`."""
    read = read_key or (_read_key_tty if sys.stdin.isatty() else _read_line)
    answers: list[str] = []
    state = walk(guide, answers)
    cursor = 0
    _show(state, cursor)
    while state.outcome is None:
        key = read()
        offered = state.choices
        choice: str | None = None
        if key in ("q", "Q", "\x03", "\x04"):
            raise Quit()
        if key in ("b", "B"):
            answers = answers[:-1]
        elif key in ("r", "R"):
            answers = []
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
        state = walk(guide, answers)
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


def run(
    guide: Guide, repo: Repository, priority: str | None, ask_gather: bool, ticket: Mapping[str, str] | None = None, opened_at: dt.datetime | None = None
) -> tuple[str, str]:
    """The whole terminal session; returns the transcript text and the messages' text."""
    click.secho(f"{guide.meta.title}  ({guide.id}, revision {guide.revision})", bold=True)
    gathered = gather_information(guide, lambda text: click.prompt(text, default="", show_default=False)) if ask_gather else {}
    state = interactive_walk(guide)
    return transcript_text(state, repo, priority, gathered), messages_text(state, repo, priority, gathered, ticket or {}, opened_at)


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
