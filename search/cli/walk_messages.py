"""The leaf's messages as ``kb walk`` prints them (the texts of workflow/messages.py, the same as
the walk API's and the site's), kept apart from the terminal step-through in walking.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..content.repository import Repository
from ..workflow.messages import MessageError, messages_for
from ..workflow.walk import WalkState

MESSAGE_TITLES = {
    "resolution": "Message to the user",
    "closure": "Closure message to the user",
    "escalation": "Escalation note for the ticket (internal)",
    "escalation_notice": "Message to the user",
}


def messages_text(
    state: WalkState,
    repo: Repository,
    priority: str | None,
    gathered: Mapping[str, str],
    ticket: Mapping[str, str],
    opened_at: dt.datetime | None,
    transcript: str | None = None,
) -> str:
    """The leaf's messages (workflow/messages.py) as printed before the transcript; empty without
    templates. ``transcript``: the whole walk's, when it went through linked guides."""
    try:
        messages = messages_for(state, repo, priority, gathered, ticket, opened_at, transcript)
    except MessageError:
        return ""
    blocks = []
    for kind, message in messages.items():
        subject = f"Subject: {message.subject}\n\n" if message.subject else ""
        blocks.append(f"\n--- {MESSAGE_TITLES[kind]} ({kind}) ---\n{subject}{message.body.rstrip(chr(10))}\n")
    return "".join(blocks)
