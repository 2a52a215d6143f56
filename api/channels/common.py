"""What the Slack and Teams bots share: who the chat account is, asking the agent on
their behalf, deciding on proposals, and remembering requests already handled."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from api.assistant import Answer, Assistant, Decision, DecisionKind
from api.auth import Principal, ThreadStore, load_identities
from api.auth.principal import Via
from api.deps import assistant_for, threads_for
from tools.errors import WcmError
from tools.settings import Settings
from tools.workspace import Workspace, open_workspace

__all__ = ["ChannelContext", "Refusal", "SeenRequests"]


class Refusal(WcmError):
    """A chat request the bot answers with an explanation instead of doing it."""


class SeenRequests:
    """Keys of requests handled in the last ``ttl`` seconds (retries and replays)."""

    def __init__(self, ttl: float = 600.0, max_keys: int = 50_000) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered within the window; False afterwards."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) > self.max_keys or next(iter(self._seen.values())) < now - self.ttl
            ):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


@dataclass
class ChannelContext:
    """The app's workspace, agent and threads as a chat channel reaches them."""

    app: FastAPI
    settings: Settings
    channel: Via

    @property
    def ws(self) -> Workspace:
        return open_workspace(self.settings.workspace, database_url=self.settings.database_url)

    @property
    def assistant(self) -> Assistant:
        return assistant_for(self.app, self.ws, self.settings)

    @property
    def threads(self) -> ThreadStore:
        return threads_for(self.app, self.ws)

    @property
    def metrics(self) -> Any:
        return self.app.state.metrics

    def principal(self, account: str, *, email: str | None = None) -> Principal:
        """The product user a chat account acts as.

        Raises:
            Refusal: the account is not mapped to a user.
        """
        user = load_identities(self.ws.root).user(self.channel, account, email=email)
        if user is None:
            raise Refusal(
                f"I don't know who {self.channel} account {account} is in this workspace; "
                f"an admin adds it to identities.yaml ({self.channel}: {{{account}: USER}})"
            )
        return Principal(
            user=user,
            roles=self.assistant.roles(user),
            via=self.channel,
            limit_key=f"{self.channel}:{user}",
        )

    def ask(self, who: Principal, question: str, *, thread_id: str, private: bool) -> Answer:
        """Ask on ``who``'s behalf in the channel's thread; the exchange is stored."""
        if not who.can("analyst"):
            raise Refusal(f"{who.user} may read but not ask: asking needs the 'analyst' role")
        threads = self.threads
        info = threads.open(who, thread_id, channel=self.channel, title=question, private=private)
        threads.append(info.thread_id, role="user", user=who.user, text=question)
        try:
            answer = self.assistant.ask(
                question, user=who.user, thread_id=info.thread_id, channel=self.channel
            )
        except Exception:
            self.metrics.answers.labels(self.channel, "error").inc()
            raise
        threads.append(
            info.thread_id,
            role="assistant",
            user="assistant",
            text=answer.text,
            payload=answer.model_dump(mode="json", exclude={"thread_id", "text"}),
        )
        self.metrics.answers.labels(self.channel, "ok").inc()
        return answer

    def decide(
        self, who: Principal, proposal_id: str, decision: DecisionKind, *, reason: str | None = None
    ) -> Decision:
        """Approve or reject as ``who``; the ledger has the last word on what is allowed."""
        try:
            result = self.assistant.decide(
                proposal_id, user=who.user, decision=decision, channel=self.channel, reason=reason
            )
        except Exception:
            self.metrics.decisions.labels(decision, self.channel, "refused").inc()
            raise
        self.metrics.decisions.labels(decision, self.channel, "ok").inc()
        if result.execution is not None:
            self.metrics.executions.labels(result.execution.status).inc()
        return result

    def approvers(self) -> list[str]:
        """Users who may approve (for cards only they can use)."""
        from agent.ledger import load_users

        users = load_users(self.ws.root)
        return sorted(name for name in users.users if users.can_approve(name))
