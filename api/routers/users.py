"""The caller as the service sees them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentUser

router = APIRouter(prefix="/v1", tags=["users"])


class Me(BaseModel):
    user: str
    roles: list[str]
    via: str


@router.get("/me")
def me(who: CurrentUser) -> Me:
    """Your user name, roles and how you signed in."""
    return Me(user=who.user, roles=sorted(who.roles), via=who.via)
