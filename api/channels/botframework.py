"""Bot Framework plumbing: validating the connector's JWTs and calling it back.

Inbound: every activity carries ``Authorization: Bearer <JWT>`` signed (RS256) by a key
published in the JWKS the OpenID metadata document points to. The token must come from
the configured issuer, be addressed to our app id, be within its validity (5 minutes of
clock skew), and its ``serviceurl`` claim must match the activity's ``serviceUrl``.
Metadata and keys are cached for a day and refreshed when an unknown key id appears
(at most every five minutes).

Outbound: an app-only token from the token endpoint (client credentials, cached until
shortly before it expires) authorizes posting activities to a ``serviceUrl`` that a
validated token vouched for.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import jwt

__all__ = ["Connector", "TokenInvalid", "TokenValidator"]

_METADATA_TTL = 24 * 3600.0
_REFRESH_MIN_INTERVAL = 300.0
_LEEWAY = 300


class TokenInvalid(Exception):
    """A Bot Framework request whose token is missing, forged, expired or misaddressed."""


class TokenValidator:
    """Validates Bot Framework JWTs against keys from the OpenID metadata URL."""

    def __init__(
        self, *, metadata_url: str, app_id: str, issuer: str, http: httpx.Client | None = None
    ) -> None:
        self.metadata_url = metadata_url
        self.app_id = app_id
        self.issuer = issuer
        self.http = http or httpx.Client(timeout=10.0)
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched = 0.0
        self._forced = -_REFRESH_MIN_INTERVAL
        self._lock = threading.Lock()

    def _refresh(self, *, force: bool) -> None:
        now = time.monotonic()
        if force:  # an unknown key id: re-read at once, but at most every five minutes
            if now - self._forced < _REFRESH_MIN_INTERVAL:
                return
            self._forced = now
        elif self._keys and now - self._fetched < _METADATA_TTL:
            return
        try:
            meta = self.http.get(self.metadata_url).raise_for_status().json()
            jwks = self.http.get(meta["jwks_uri"]).raise_for_status().json()
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            if self._keys:  # keep serving with the keys we have
                return
            raise TokenInvalid(
                f"cannot read the signing keys from {self.metadata_url}: {exc}"
            ) from None
        self._keys = {k["kid"]: k for k in jwks.get("keys", []) if "kid" in k}
        self._fetched = now

    def _key(self, kid: str) -> dict[str, Any]:
        with self._lock:
            self._refresh(force=False)
            if kid not in self._keys:
                self._refresh(force=True)
            found = self._keys.get(kid)
        if found is None:
            raise TokenInvalid(f"token signed with unknown key {kid!r}")
        return found

    def validate(
        self, authorization: str | None, *, channel_id: str | None, service_url: str | None
    ) -> dict[str, Any]:
        """The token's claims.

        Raises:
            TokenInvalid: with the reason.
        """
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TokenInvalid("missing 'Authorization: Bearer <token>'")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise TokenInvalid(f"not a JWT: {exc}") from None
        if header.get("alg") != "RS256":
            raise TokenInvalid(f"algorithm {header.get('alg')!r} is not accepted; RS256 only")
        jwk = self._key(str(header.get("kid", "")))
        endorsements = jwk.get("endorsements")
        if endorsements and channel_id and channel_id not in endorsements:
            raise TokenInvalid(f"the signing key is not endorsed for channel {channel_id!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK(jwk).key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=_LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenInvalid("the token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise TokenInvalid(f"the token is not valid: {exc}") from None
        claimed = claims.get("serviceurl") or claims.get("serviceUrl")
        if service_url and claimed and claimed.rstrip("/") != service_url.rstrip("/"):
            raise TokenInvalid("the token's serviceurl does not match the activity's serviceUrl")
        return claims


class Connector:
    """Posts activities to Bot Framework conversations with an app-only token."""

    def __init__(
        self, *, app_id: str, password: str | None, token_url: str, http: httpx.Client | None = None
    ) -> None:
        self.app_id = app_id
        self.password = password
        self.token_url = token_url
        self.http = http or httpx.Client(timeout=15.0)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _bearer(self) -> dict[str, str]:
        if not self.password:
            return {}  # the Bot Framework emulator accepts unauthenticated replies
        with self._lock:
            if self._token is None or self._token[1] < time.monotonic() + 60:
                reply = (
                    self.http.post(
                        self.token_url,
                        data={
                            "grant_type": "client_credentials",
                            "client_id": self.app_id,
                            "client_secret": self.password,
                            "scope": "https://api.botframework.com/.default",
                        },
                    )
                    .raise_for_status()
                    .json()
                )
                self._token = (
                    reply["access_token"],
                    time.monotonic() + float(reply.get("expires_in", 3600)),
                )
            return {"Authorization": f"Bearer {self._token[0]}"}

    def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        *,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """Post ``activity`` to the conversation (as a reply to ``reply_to`` when given)."""
        path = f"/v3/conversations/{conversation_id}/activities"
        if reply_to:
            path += f"/{reply_to}"
        response = self.http.post(
            service_url.rstrip("/") + path, json=activity, headers=self._bearer()
        )
        response.raise_for_status()
        return response.json() if response.content else {}
