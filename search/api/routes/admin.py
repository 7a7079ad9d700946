"""POST /api/admin/reload: switch to the newest index generation (bearer token)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...index import IndexUnavailable
from .. import schemas
from ..deps import SettingsDep, StateDep
from ..problems import ProblemError, problem_doc

router = APIRouter(tags=["admin"])
bearer = HTTPBearer(auto_error=False, description="The service's admin token (setting admin_token / KB_ADMIN_TOKEN).")


async def require_admin(settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """401 without a bearer token, 403 with a wrong one or when no token is configured."""
    if settings.admin_token is None:
        raise ProblemError(403, "admin routes are disabled: no admin token is configured (KB_ADMIN_TOKEN)", kind="admin-disabled", title="Admin disabled")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemError(
            401,
            "send the admin token as: Authorization: Bearer <token>",
            kind="unauthenticated",
            title="Unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials.encode(), settings.admin_token.get_secret_value().encode()):
        raise ProblemError(403, "the admin token is wrong", kind="forbidden", title="Forbidden")


@router.post(
    "/admin/reload",
    operation_id="reloadIndex",
    response_model=schemas.ReloadOut,
    responses=problem_doc(401, 403, 503),
    dependencies=[Depends(require_admin)],
    summary="Serve the newest index generation",
)
async def reload(state: StateDep) -> schemas.ReloadOut:
    """Opens the generation ``CURRENT`` names if it is newer; requests in flight finish on the old one."""
    try:
        outcome = await state.reload()
    except IndexUnavailable as exc:
        raise ProblemError(503, str(exc), kind="index-unavailable", title="Index unavailable") from exc
    return schemas.ReloadOut(generation=outcome.generation, previous=outcome.previous, changed=outcome.changed)
