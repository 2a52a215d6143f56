"""Turning request credentials into a user: API keys and HS256 bearer JWTs.

* ``X-API-Key: <key>`` (or ``Authorization: Bearer <key>``): the key is looked up in
  ``WCM_API_KEYS`` (``{"key": "user"}``), compared in constant time.
* ``Authorization: Bearer <jwt>``: an HS256 token signed with ``WCM_JWT_SECRET`` whose
  ``sub`` is the user and ``exp`` is required; an optional ``roles`` claim can only
  narrow the user's roles (the workspace's ``users.yaml`` is the source of roles).
* Neither configured, in development: every request is the local user ``demo`` (or the
  user named by ``X-WCM-User``), so the demo runs with no setup. Production refuses this
  configuration at start-up (see ``tools.settings``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import jwt

from api.auth.principal import ALL_ROLES, Via
from tools.settings import Settings

__all__ = ["DEV_USER", "AuthFailed", "Credential", "authenticate", "dev_mode"]

DEV_USER = "demo"
_JWT_LEEWAY_SECONDS = 30


class AuthFailed(Exception):
    """Credentials missing, unknown, expired or forged (answered with 401)."""


@dataclass(frozen=True)
class Credential:
    user: str
    via: Via
    token_roles: frozenset[str] | None  # a JWT's roles claim; None when the token has none
    limit_key: str


def dev_mode(settings: Settings) -> bool:
    """Open access for local use: development with neither API keys nor a JWT secret."""
    return (
        settings.environment == "development"
        and not settings.api_keys
        and settings.jwt_secret is None
    )


def _api_key(settings: Settings, key: str) -> Credential | None:
    for known, user in settings.api_keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return Credential(user=user, via="api_key", token_roles=None, limit_key=f"key:{user}")
    return None


def _jwt(settings: Settings, token: str) -> Credential:
    if settings.jwt_secret is None:
        raise AuthFailed("bearer JWTs are not accepted: WCM_JWT_SECRET is not set")
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],
            options={"require": ["sub", "exp"]},
            leeway=_JWT_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise AuthFailed("the bearer token has expired; get a new one") from None
    except jwt.InvalidTokenError as exc:
        raise AuthFailed(f"the bearer token is not valid: {exc}") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise AuthFailed("the bearer token's 'sub' claim must name the user")
    roles = claims.get("roles")
    token_roles: frozenset[str] | None = None
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise AuthFailed("the bearer token's 'roles' claim must be a list of role names")
        unknown = set(roles) - ALL_ROLES
        if unknown:
            raise AuthFailed(
                f"the bearer token names unknown role(s) {sorted(unknown)}; "
                f"use {', '.join(sorted(ALL_ROLES))}"
            )
        token_roles = frozenset(roles)
    return Credential(user=sub, via="jwt", token_roles=token_roles, limit_key=f"jwt:{sub}")


def authenticate(
    settings: Settings, *, api_key: str | None, authorization: str | None, dev_user: str | None
) -> Credential:
    """The caller named by the request's headers.

    Raises:
        AuthFailed: no usable credentials (and not in development mode).
    """
    if api_key:
        found = _api_key(settings, api_key)
        if found is None:
            raise AuthFailed("unknown API key")
        return found
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthFailed("Authorization must be 'Bearer <token>'")
        if token.count(".") == 2:
            return _jwt(settings, token)
        found = _api_key(settings, token)
        if found is None:
            raise AuthFailed("unknown API key")
        return found
    if dev_mode(settings):
        user = (dev_user or DEV_USER).strip() or DEV_USER
        return Credential(user=user, via="development", token_roles=None, limit_key=f"dev:{user}")
    raise AuthFailed("authentication required: send X-API-Key or Authorization: Bearer <token>")
