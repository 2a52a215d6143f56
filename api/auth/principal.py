"""Who is calling: a product user and the roles they act with."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["ALL_ROLES", "Principal", "Via"]

ALL_ROLES: frozenset[str] = frozenset({"viewer", "analyst", "approver", "admin"})
Via = Literal["api_key", "jwt", "development", "slack", "teams"]

# What each role may do, beyond reading (every role reads).
_IMPLIES = {
    "admin": ALL_ROLES,
    "approver": frozenset({"approver", "viewer"}),
    "analyst": frozenset({"analyst", "viewer"}),
    "viewer": frozenset({"viewer"}),
}


class Principal(BaseModel):
    """An authenticated caller. ``limit_key`` is what the rate limiter counts against."""

    model_config = ConfigDict(frozen=True)

    user: str
    roles: frozenset[str]
    via: Via
    limit_key: str

    def can(self, role: str) -> bool:
        """True when one of the caller's roles grants ``role`` (admin grants every role)."""
        return any(role in _IMPLIES.get(r, frozenset()) for r in self.roles)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
