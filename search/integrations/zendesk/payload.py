"""The webhook body a Zendesk admin writes, and where its category and priority come from.

Admins write trigger bodies themselves with placeholders (README "Zendesk"), so the model is
lenient where placeholders give odd shapes: ``{{ticket.tags}}`` is one space-separated string,
custom field values are strings (empty when unset), ``{{ticket.priority}}`` is a display name
such as ``Normal`` or ``-``. What cannot be decided (no ticket id, an unknown priority, no way to
a category) is a :class:`PayloadError` naming the field, which the API answers with a 422.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ...content.escalation import normalize_priority
from ...content.models import PriorityId

CategorySource = Literal["field", "tags", "triage"]
MAX_TEXT_CHARS = 20_000
UNSET = {"", "-", "none", "null"}  # what placeholders give for an empty value


class PayloadError(ValueError):
    """A body the receiver cannot act on; ``field`` is the dotted path of the culprit."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return str(value)


class WebhookTicket(BaseModel):
    """``{"ticket": {...}}`` of the webhook body; unknown members are ignored (admins add their own)."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(gt=0, description="{{ticket.id}}")
    subject: str = Field("", description="{{ticket.title}}")
    description: str = Field("", description="{{ticket.description}}")
    priority: str | None = Field(None, description="{{ticket.priority}}: urgent/high/normal/low (any case), P1..P4, or empty.")
    tags: list[str] = Field(default_factory=list, description="{{ticket.tags}}: a space-separated string or a list.")
    custom_fields: dict[str, str] = Field(
        default_factory=dict, description='{"<field id>": "{{ticket.ticket_field_<field id>}}"}, or Zendesk\'s [{"id", "value"}] list.'
    )

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value.isdigit():
                raise ValueError("must be the ticket number ({{ticket.id}})")
            return int(value)
        return value

    @field_validator("subject", "description", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> str:
        return _text(value)[:MAX_TEXT_CHARS]

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value: Any) -> str | None:
        text = _text(value).strip()
        return None if text.lower() in UNSET else text

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> list[str]:
        words = _text(value).replace(",", " ").split()
        return [w.lower() for w in words][:200]

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _fields(cls, value: Any) -> dict[str, str]:
        if value is None or value == "":
            return {}
        if isinstance(value, list):
            pairs = []
            for item in value:
                if not isinstance(item, dict) or "id" not in item:
                    raise ValueError('a list of custom fields holds {"id": ..., "value": ...} objects')
                pairs.append((item["id"], item.get("value")))
        elif isinstance(value, dict):
            pairs = list(value.items())
        else:
            raise ValueError('write custom fields as {"<field id>": "<value>"}')
        return {str(k).strip(): _text(v).strip() for k, v in pairs}


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ticket: WebhookTicket


def parse_body(raw: bytes) -> WebhookTicket:
    """The ticket from a verified body, or a :class:`PayloadError` naming the first bad field."""
    try:
        return WebhookBody.model_validate_json(raw).ticket
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise PayloadError("body", "the webhook body is not JSON; set the webhook's request format to JSON") from None
        where = ".".join(str(p) for p in first["loc"]) or "body"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "missing":
            message = f"{where} is missing; see the webhook body in the README"
        raise PayloadError(where, f"{where}: {message}") from None


@dataclass(frozen=True)
class Rules:
    """Where category and priority come from (settings ``zendesk_*``)."""

    category_sources: Sequence[CategorySource] = ("field", "tags", "triage")
    category_tag_prefix: str = "kb_category_"
    category_field_id: int | None = None
    priority_field_id: int | None = None


@dataclass(frozen=True)
class Decision:
    """``category`` None means: triage the subject and description (after answering)."""

    ticket_id: int
    category: str | None
    source: str  # "field 123", "tag kb_category_x", "triage"
    priority: PriorityId | None


def category_tag(prefix: str, category_id: str) -> str:
    """``network/vpn`` -> ``kb_category_network_vpn`` (category ids hold no ``_``, so it reads back)."""
    return prefix + category_id.replace("/", "_")


def decide(ticket: WebhookTicket, rules: Rules, resolve: Callable[[str], str | None]) -> Decision:
    """Category and priority of ``ticket``; ``resolve`` maps a category id or Zendesk tag to a category id."""
    return Decision(ticket.id, *_category(ticket, rules, resolve), _priority(ticket, rules))


def _category(ticket: WebhookTicket, rules: Rules, resolve: Callable[[str], str | None]) -> tuple[str | None, str]:
    tried: list[str] = []
    for source in rules.category_sources:
        if source == "field" and rules.category_field_id is not None:
            key = str(rules.category_field_id)
            value = ticket.custom_fields.get(key, "").strip()
            if value and value.lower() not in UNSET:
                category = resolve(value) or _from_prefixed(value, rules.category_tag_prefix, resolve)
                if category is None:
                    raise PayloadError(f"ticket.custom_fields.{key}", f'ticket.custom_fields.{key}: "{value[:80]}" is no category id or category tag')
                return category, f"field {key}"
            tried.append(f"custom field {key}")
        elif source == "tags":
            for tag in ticket.tags:
                category = _from_prefixed(tag, rules.category_tag_prefix, resolve) if tag.startswith(rules.category_tag_prefix) else None
                if category is not None:
                    return category, f"tag {tag}"
            for tag in ticket.tags:
                category = resolve(tag)
                if category is not None:
                    return category, f"tag {tag}"
            tried.append("tags")
        elif source == "triage":
            if (ticket.subject + ticket.description).strip():
                return None, "triage"
            tried.append("subject and description (both empty)")
    field = "ticket.tags" if "tags" in rules.category_sources else "ticket"
    raise PayloadError(
        field, f'{field}: no category; nothing in {", ".join(tried) or "the configured sources"} names one (setting zendesk_category_sources, README "Zendesk")'
    )


def _from_prefixed(value: str, prefix: str, resolve: Callable[[str], str | None]) -> str | None:
    if not value.startswith(prefix):
        return None
    return resolve(value[len(prefix) :].replace("_", "/"))


def _priority(ticket: WebhookTicket, rules: Rules) -> PriorityId | None:
    if rules.priority_field_id is not None:
        key = str(rules.priority_field_id)
        value = ticket.custom_fields.get(key, "").strip()
        if value and value.lower() not in UNSET:
            pid = normalize_priority(value)
            if pid is None:
                raise PayloadError(
                    f"ticket.custom_fields.{key}", f'ticket.custom_fields.{key}: "{value[:40]}" is no priority (P1..P4 or urgent/high/normal/low)'
                )
            return pid
    if ticket.priority is None:
        return None
    pid = normalize_priority(ticket.priority)
    if pid is None:
        raise PayloadError("ticket.priority", f'ticket.priority: "{ticket.priority[:40]}" is no priority (urgent, high, normal, low or P1..P4)')
    return pid


class Queued(BaseModel):
    """What a diagnosis job keeps until its note is composed (then the outbox drops it)."""

    ticket_id: int
    subject: str
    description: str
    category: str | None
    source: str
    priority: PriorityId | None

    @classmethod
    def of(cls, ticket: WebhookTicket, decision: Decision) -> Queued:
        return cls(
            ticket_id=ticket.id,
            subject=ticket.subject,
            description=ticket.description,
            category=decision.category,
            source=decision.source,
            priority=decision.priority,
        )

    def decision(self) -> Decision:
        return Decision(self.ticket_id, self.category, self.source, self.priority)


def delivery_key(webhook_id: str | None, invocation_id: str | None, ticket_id: int, body: bytes) -> str:
    """A delivery's identity: Zendesk's webhook and invocation ids (the same on its retries), else
    the ticket and the body's hash."""
    if webhook_id and invocation_id:
        return f"zendesk-webhook:{webhook_id[:100]}:{invocation_id[:100]}"
    return f"zendesk-webhook:ticket:{ticket_id}:{hashlib.sha256(body).hexdigest()}"
