"""Which product user a Slack or Teams account is.

The workspace file ``identities.yaml`` maps chat accounts to the user names of
``users.yaml``:

```yaml
slack:
  U024BE7LH: alice          # Slack user id
teams:
  29:1GcS4Ehy...: bob       # Teams user id (activity.from.id) or Entra object id
  00000000-aaaa-...: bob
```

An account that is not listed is matched by e-mail when the channel supplies one and
``users.yaml`` gives the user an ``email``. Unknown accounts act as nobody: they can ask
nothing and approve nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from agent.ledger import load_users
from tools.errors import ConfigError

__all__ = ["IDENTITIES_FILE", "Identities", "load_identities"]

IDENTITIES_FILE = "identities.yaml"


class Identities:
    """Chat accounts to product users, per channel."""

    def __init__(self, accounts: dict[str, dict[str, str]], emails: dict[str, str]) -> None:
        self.accounts = accounts
        self.emails = emails

    def user(self, channel: str, account: str, *, email: str | None = None) -> str | None:
        found = self.accounts.get(channel, {}).get(account)
        if found is None and email:
            found = self.emails.get(email.strip().lower())
        return found

    def accounts_of(self, channel: str, user: str) -> list[str]:
        """The accounts of ``channel`` that act as ``user`` (for cards only they may use)."""
        return sorted(a for a, u in self.accounts.get(channel, {}).items() if u == user)


def load_identities(root: Path) -> Identities:
    """The workspace's account mapping (empty without ``identities.yaml``).

    Raises:
        ConfigError: the file is not YAML or not a mapping of channel to accounts.
    """
    path = Path(root) / IDENTITIES_FILE
    accounts: dict[str, dict[str, str]] = {}
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict) or not all(
            isinstance(v, dict) for v in data.values() if v is not None
        ):
            raise ConfigError(
                f"{path}: expected 'slack:' and 'teams:' sections mapping account ids to "
                "user names, e.g. 'slack: {U024BE7LH: alice}'"
            )
        accounts = {
            str(channel): {str(k): str(v) for k, v in (section or {}).items()}
            for channel, section in data.items()
        }
    users = load_users(root)
    emails = {u.email.lower(): name for name, u in users.users.items() if u.email}
    return Identities(accounts, emails)
