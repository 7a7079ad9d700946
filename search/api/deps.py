"""Request dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..index import Generation
from .problems import ProblemError
from .settings import Settings
from .state import IndexState


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # set once by create_app
    return settings


async def get_state(request: Request) -> IndexState:
    state: IndexState = request.app.state.index
    return state


async def get_generation(request: Request) -> Generation:
    """The served generation; a public service refuses one built for the internal audience."""
    generation = (await get_state(request)).get()
    if (await get_settings(request)).audience == "public" and generation.manifest.get("audience") != "public":
        built_for = generation.manifest.get("audience", "internal")
        raise ProblemError(
            503,
            f"index {generation.name} was built for the {built_for} audience and this service is public; build it with: kb index --audience public",
            kind="index-unavailable",
            title="Index unavailable",
        )
    return generation


SettingsDep = Annotated[Settings, Depends(get_settings)]
StateDep = Annotated[IndexState, Depends(get_state)]
IndexDep = Annotated[Generation, Depends(get_generation)]
