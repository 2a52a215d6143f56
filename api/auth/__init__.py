"""Authentication, roles, object ownership and rate limits of the service."""

from api.auth.credentials import DEV_USER, AuthFailed, Credential, authenticate, dev_mode
from api.auth.identities import IDENTITIES_FILE, Identities, load_identities
from api.auth.principal import ALL_ROLES, Principal
from api.auth.ratelimit import TokenBuckets
from api.auth.threads import ThreadInfo, ThreadMessage, ThreadNotFound, ThreadStore

__all__ = [
    "ALL_ROLES",
    "DEV_USER",
    "IDENTITIES_FILE",
    "AuthFailed",
    "Credential",
    "Identities",
    "Principal",
    "ThreadInfo",
    "ThreadMessage",
    "ThreadNotFound",
    "ThreadStore",
    "TokenBuckets",
    "authenticate",
    "dev_mode",
    "load_identities",
]
