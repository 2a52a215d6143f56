"""Conversation threads and who may read them.

A thread belongs to the user who started it. Private threads (the default for the web
chat, the API and direct messages) are readable by their owner only; shared threads
(a Slack channel or a Teams team conversation, or one the owner shared) by every user.
Threads and their messages live in the workspace database next to the agent's ledger.
"""

from __future__ import annotations

import builtins
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine

from api.auth.principal import Principal
from tools.errors import WcmError

__all__ = ["ThreadInfo", "ThreadMessage", "ThreadNotFound", "ThreadStore"]

_META = sa.MetaData()
THREADS = sa.Table(
    "api_threads",
    _META,
    sa.Column("thread_id", sa.String(200), primary_key=True),
    sa.Column("owner", sa.Text, nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("private", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)
MESSAGES = sa.Table(
    "api_thread_messages",
    _META,
    sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread_id", sa.String(200), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)


class ThreadNotFound(WcmError):
    """No thread with that id that the caller may read."""


class ThreadInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    thread_id: str
    owner: str
    channel: str
    title: str
    private: bool
    created_at: datetime
    updated_at: datetime

    def visible_to(self, who: Principal) -> bool:
        return not self.private or who.user == self.owner


class ThreadMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    user: str
    text: str
    payload: dict[str, Any]
    at: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _info(row: Any) -> ThreadInfo:
    return ThreadInfo(
        thread_id=row.thread_id,
        owner=row.owner,
        channel=row.channel,
        title=row.title,
        private=bool(row.private),
        created_at=datetime.fromisoformat(row.created_at),
        updated_at=datetime.fromisoformat(row.updated_at),
    )


class ThreadStore:
    """Threads of one workspace database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        _META.create_all(engine)

    def open(
        self,
        who: Principal,
        thread_id: str | None,
        *,
        channel: str,
        title: str,
        private: bool = True,
    ) -> ThreadInfo:
        """The caller's thread ``thread_id`` (a new one when None, or unknown for channels).

        Raises:
            ThreadNotFound: ``thread_id`` is someone else's private thread, or is unknown
                and was not named by a chat channel.
        """
        if thread_id is not None:
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(THREADS).where(THREADS.c.thread_id == thread_id)
                ).first()
            # API and web callers continue their own threads; a chat channel names its
            # conversation itself and the first message opens it.
            if row is not None or channel in ("api", "web"):
                return self.get(who, thread_id)
        now = _now()
        tid = thread_id or f"T-{uuid.uuid4().hex[:16]}"
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(THREADS).values(
                    thread_id=tid,
                    owner=who.user,
                    channel=channel,
                    title=title[:120],
                    private=private,
                    created_at=now,
                    updated_at=now,
                )
            )
        return self.get(who, tid)

    def get(self, who: Principal, thread_id: str) -> ThreadInfo:
        """Raises ThreadNotFound for unknown ids and other users' private threads alike."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(THREADS).where(THREADS.c.thread_id == thread_id)).first()
        if row is None or not _info(row).visible_to(who):
            raise ThreadNotFound(
                f"no thread {thread_id!r} that {who.user} may read; GET /v1/threads lists yours"
            )
        return _info(row)

    def list(
        self, who: Principal, *, limit: int = 50, offset: int = 0
    ) -> tuple[builtins.list[ThreadInfo], int]:
        """The caller's threads and the shared ones, most recently active first."""
        visible = sa.or_(THREADS.c.owner == who.user, THREADS.c.private.is_(False))
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).where(visible)).scalar_one()
            rows = conn.execute(
                sa.select(THREADS)
                .where(visible)
                .order_by(THREADS.c.updated_at.desc(), THREADS.c.thread_id)
                .limit(limit)
                .offset(offset)
            ).all()
        return [_info(r) for r in rows], int(total)

    def update(
        self, who: Principal, thread_id: str, *, title: str | None, private: bool | None
    ) -> ThreadInfo:
        """Rename or share a thread (its owner only)."""
        info = self.get(who, thread_id)
        if info.owner != who.user:
            raise ThreadNotFound(
                f"thread {thread_id!r} belongs to {info.owner}; only they change it"
            )
        values: dict[str, Any] = {"updated_at": _now()}
        if title is not None:
            values["title"] = title[:120]
        if private is not None:
            values["private"] = private
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(THREADS).where(THREADS.c.thread_id == thread_id).values(**values)
            )
        return self.get(who, thread_id)

    def append(
        self,
        thread_id: str,
        *,
        role: str,
        user: str,
        text: str,
        payload: dict[str, Any] | None = None,
    ) -> None:
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(MESSAGES).values(
                    thread_id=thread_id,
                    role=role,
                    user=user,
                    text=text,
                    payload=json.dumps(payload or {}, default=str),
                    at=now,
                )
            )
            conn.execute(
                sa.update(THREADS).where(THREADS.c.thread_id == thread_id).values(updated_at=now)
            )

    def messages(self, thread_id: str, *, limit: int = 200) -> builtins.list[ThreadMessage]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(MESSAGES)
                .where(MESSAGES.c.thread_id == thread_id)
                .order_by(MESSAGES.c.message_id)
                .limit(limit)
            ).all()
        return [
            ThreadMessage(
                role=r.role,
                user=r.user,
                text=r.text,
                payload=json.loads(r.payload),
                at=datetime.fromisoformat(r.at),
            )
            for r in rows
        ]
