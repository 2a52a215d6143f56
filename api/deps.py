"""Request dependencies shared by the routers."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends

from tools.settings import Settings
from tools.workspace import Workspace, open_workspace

__all__ = ["SettingsDep", "WorkspaceDep", "get_settings"]


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_workspace(settings: SettingsDep) -> Workspace:
    return open_workspace(settings.workspace, database_url=settings.database_url)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
