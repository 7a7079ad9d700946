"""Request dependencies, as ``Annotated`` aliases the routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..index import Generation
from .settings import Settings
from .state import IndexState


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_state(request: Request) -> IndexState:
    return request.app.state.index


async def get_generation(request: Request) -> Generation:
    return request.app.state.index.get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StateDep = Annotated[IndexState, Depends(get_state)]
IndexDep = Annotated[Generation, Depends(get_generation)]
