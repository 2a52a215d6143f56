"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import WorkspaceDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    workspace: str
    tables: dict[str, int]


@router.get("/health")
def health(ws: WorkspaceDep) -> Health:
    """The service is up and its workspace database answers."""
    return Health(status="ok", workspace=ws.name, tables=ws.counts())
