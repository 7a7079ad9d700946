"""Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + raw body)).

Zendesk signs the exact bytes it sends, with the signing secret's text as the key, and puts the
signature in ``X-Zendesk-Webhook-Signature`` and the ISO-8601 UTC time it signed at (e.g.
``2021-03-25T05:09:27Z``) in ``X-Zendesk-Webhook-Signature-Timestamp``. The check runs on the raw
bytes before anything parses them (a re-serialised body is other bytes and fails), compares in
constant time, and refuses timestamps outside the replay window.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
WEBHOOK_ID_HEADER = "X-Zendesk-Webhook-Id"
INVOCATION_ID_HEADER = "X-Zendesk-Webhook-Invocation-Id"
MAX_HEADER_CHARS = 200


class SignatureError(ValueError):
    """Why a delivery is refused: ``status`` 400 for a malformed request, 401 for a failed check."""

    def __init__(self, status: int, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature Zendesk sends for ``body`` signed at ``timestamp`` (for stand-ins and tests)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def parse_timestamp(value: str) -> dt.datetime:
    """An aware datetime from Zendesk's ISO-8601 timestamp; a timestamp without an offset is refused."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise SignatureError(400, "webhook-timestamp", f"{TIMESTAMP_HEADER} is not an ISO-8601 time like 2021-03-25T05:09:27Z: {value[:60]!r}") from None
    if when.tzinfo is None:
        raise SignatureError(400, "webhook-timestamp", f"{TIMESTAMP_HEADER} has no time zone; Zendesk sends UTC with a Z")
    return when


def verify(secret: str, body: bytes, signature: str | None, timestamp: str | None, *, now: dt.datetime, window_seconds: int) -> None:
    """Raise :class:`SignatureError` unless ``signature`` signs ``timestamp + body`` within the window."""
    if not signature or not timestamp:
        missing = [name for name, value in ((SIGNATURE_HEADER, signature), (TIMESTAMP_HEADER, timestamp)) if not value]
        raise SignatureError(401, "webhook-signature", f"the request is not signed: {' and '.join(missing)} missing")
    if len(signature) > MAX_HEADER_CHARS or len(timestamp) > MAX_HEADER_CHARS:
        raise SignatureError(400, "webhook-signature", "a signature header is too long")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(400, "webhook-signature", f"{SIGNATURE_HEADER} is not base64") from None
    when = parse_timestamp(timestamp)
    skew = abs((now - when).total_seconds())
    if skew > window_seconds:
        raise SignatureError(
            401, "webhook-stale", f"{TIMESTAMP_HEADER} is {int(skew)} s away from this server's clock (window {window_seconds} s): a replay or a wrong clock"
        )
    expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise SignatureError(401, "webhook-signature", f"{SIGNATURE_HEADER} does not match the body: wrong signing secret, or the body was changed")
