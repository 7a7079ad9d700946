"""Request dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..index import Generation
from .settings import Settings
from .state import IndexState


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # set once by create_app
    return settings


async def get_state(request: Request) -> IndexState:
    state: IndexState = request.app.state.index
    return state


async def get_generation(request: Request) -> Generation:
    return (await get_state(request)).get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StateDep = Annotated[IndexState, Depends(get_state)]
IndexDep = Annotated[Generation, Depends(get_generation)]
