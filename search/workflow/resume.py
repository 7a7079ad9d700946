"""Resume links: a walk's answers and the revision of every guide it went through, as text.

A token is one segment per guide walked (a link node continues the walk in the next guide),
joined by ``/``: ``guide@revision:answer,answer``, every part percent-encoded the way the page
script's ``encodeURIComponent`` does, so ``@ : , /`` only ever separate. A resume link is a guide
page's URL with ``?walk=TOKEN``; the site's script (``docsite/scripts/20-walk.js``) writes and
reads the same text, and ``kb walk --resume`` takes either. Notes and priority are not in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from ..content.models import LinkNode
from ..content.repository import Guide
from .walk import WalkState, replay, walk

PARAM = "walk"
_UNRESERVED = "-_.!~*'()"  # what encodeURIComponent leaves as it is
_SEGMENT = re.compile(r"([^@:,/]+)@([^@:,/]*):([^@:/]*)")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")  # decodeURIComponent refuses these too


class ResumeError(ValueError):
    """A resume link or token that cannot be followed, with the reason."""


@dataclass(frozen=True)
class Segment:
    """The answers given in one guide, and the revision of the guide they were given on."""

    guide: str
    revision: str
    answers: tuple[str, ...]


def _enc(text: str) -> str:
    return quote(text, safe=_UNRESERVED)


def format_token(segments: Sequence[Segment]) -> str:
    return "/".join(f"{_enc(s.guide)}@{_enc(s.revision)}:{','.join(_enc(a) for a in s.answers)}" for s in segments)


def token_of(states: Sequence[WalkState]) -> str:
    """The token of a walk through ``states`` (one per guide, in order)."""
    return format_token([Segment(s.guide.id, s.guide.revision, tuple(v.choice for v in s.path)) for s in states])


def parse_resume(text: str) -> list[Segment]:
    """The segments of a resume link (a URL with ``?walk=``) or of a bare token."""
    value = text.strip()
    if "://" in value or value.startswith(("/", "?")) or f"{PARAM}=" in value:
        found = re.search(rf"(?:^|&){PARAM}=([^&#]*)", urlsplit(value).query)
        if not found:
            raise ResumeError(f"the link has no {PARAM}= part: copy it with the step-through's Copy resume link button")
        value = found.group(1)
    segments = []
    for part in value.split("/"):
        match = _SEGMENT.fullmatch(part)
        if not match or _BAD_ESCAPE.search(part):
            raise ResumeError(f'"{part}" is not a walk segment (guide@revision:answer,answer, percent-encoded)')
        guide, revision, answers = match.groups()
        try:
            segments.append(Segment(_dec(guide), _dec(revision), tuple(_dec(a) for a in answers.split(",")) if answers else ()))
        except UnicodeDecodeError:
            raise ResumeError(f'"{part}" is not a walk segment: its percent escapes are not UTF-8') from None
    return segments


def _dec(text: str) -> str:
    return unquote(text, errors="strict")


@dataclass(frozen=True)
class Replayed:
    """One guide of a resumed walk: the state its recorded answers reach today."""

    recorded: Segment
    state: WalkState

    @property
    def stale(self) -> bool:
        """Recorded against another revision of the guide."""
        return self.recorded.revision != self.state.guide.revision

    @property
    def applied(self) -> int:
        return len(self.state.path)


def replay_walk(segments: Sequence[Segment], guides: Mapping[str, Guide]) -> list[Replayed]:
    """Each guide of a recorded walk replayed on the current content. A guide on the recorded
    revision must take every answer (:class:`~search.workflow.walk.WalkError` otherwise); one on
    another revision takes the answers that still apply (see :attr:`Replayed.stale`). Every guide
    but the last must still end at the link into the next one."""
    if not segments:
        raise ResumeError("the link holds no walk")
    out = []
    for index, segment in enumerate(segments):
        guide = guides.get(segment.guide)
        if guide is None:
            raise ResumeError(f'the walk went through guide "{segment.guide}", which no longer exists')
        stale = segment.revision != guide.revision
        state = replay(guide, segment.answers) if stale else walk(guide, segment.answers)
        if index + 1 < len(segments):
            leaf = state.outcome
            following = segments[index + 1].guide
            if not isinstance(leaf, LinkNode) or leaf.guide != following:
                raise ResumeError(f'the answers recorded in guide "{guide.id}" no longer lead to guide "{following}": start again with kb walk {guide.id}')
        out.append(Replayed(segment, state))
    return out


def chain_text(texts: Sequence[str]) -> str:
    """The transcript of a walk through several guides: each guide's, one blank line apart (as
    the site's script joins them)."""
    return "\n".join(texts)
