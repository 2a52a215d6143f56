"""Who may do what: the workspace's ``users.yaml`` maps user names to roles.

```yaml
users:
  alice: {roles: [analyst]}
  bob:   {roles: [approver]}
  carol: {roles: [approver, admin]}
```

Roles: ``viewer`` (reads), ``analyst`` (asks, proposes), ``approver`` (approves or rejects
other people's proposals), ``admin`` (everything). Without the file nobody can approve: the
ledger refuses and says how to create it.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.errors import ConfigError

__all__ = ["APPROVER_ROLES", "ROLES", "USERS_FILE", "Users", "load_users", "write_users"]

USERS_FILE = "users.yaml"
ROLES = ("viewer", "analyst", "approver", "admin")
APPROVER_ROLES = frozenset({"approver", "admin"})


class User(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    roles: tuple[str, ...] = Field(default=("viewer",))
    name: str | None = None
    email: str | None = None


class Users(BaseModel):
    """The users of one workspace and their roles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    users: dict[str, User] = Field(default_factory=dict)
    source: str | None = None

    def roles(self, user: str) -> frozenset[str]:
        found = self.users.get(user)
        return frozenset(found.roles) if found else frozenset()

    def can_approve(self, user: str) -> bool:
        return bool(self.roles(user) & APPROVER_ROLES)


def load_users(root: Path) -> Users:
    """The workspace's users; an empty set when ``users.yaml`` does not exist.

    Raises:
        ConfigError: the file is not YAML, or names an unknown role.
    """
    path = Path(root) / USERS_FILE
    if not path.is_file():
        return Users(source=None)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        users = Users.model_validate({**data, "source": str(path)})
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") from None
    for name, user in users.users.items():
        unknown = set(user.roles) - set(ROLES)
        if unknown:
            raise ConfigError(
                f"{path}: user {name!r} has unknown role(s) {sorted(unknown)}; "
                f"use {', '.join(ROLES)}"
            )
    return users


def write_users(root: Path, roles: dict[str, list[str]]) -> Path:
    """Write ``users.yaml`` (used by the demo and by setup scripts)."""
    path = Path(root) / USERS_FILE
    body = {"users": {name: {"roles": list(r)} for name, r in roles.items()}}
    path.write_text(yaml.safe_dump(body, sort_keys=True), encoding="utf-8")
    return path
