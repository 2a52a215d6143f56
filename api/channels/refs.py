"""Where to reach a Teams user later: the conversation they last talked to the bot in
(for the proactive message that a proposal awaits them)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine

__all__ = ["ConversationRef", "ConversationRefs"]

_META = sa.MetaData()
REFS = sa.Table(
    "api_conversation_refs",
    _META,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("service_url", sa.Text, nullable=False),
    sa.Column("conversation_id", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)


class ConversationRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: str
    account: str
    service_url: str
    conversation_id: str


class ConversationRefs:
    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel
        _META.create_all(engine)

    def remember(self, ref: ConversationRef) -> None:
        values = {
            "channel": self.channel,
            "user": ref.user,
            "account": ref.account,
            "service_url": ref.service_url,
            "conversation_id": ref.conversation_id,
            "updated_at": datetime.now(UTC).isoformat(),
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(REFS)
                .where(REFS.c.channel == self.channel, REFS.c.user == ref.user)
                .values(**values)
            ).rowcount
            if not done:
                conn.execute(sa.insert(REFS).values(**values))

    def get(self, user: str) -> ConversationRef | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(REFS).where(REFS.c.channel == self.channel, REFS.c.user == user)
            ).first()
        if row is None:
            return None
        return ConversationRef(
            user=row.user,
            account=row.account,
            service_url=row.service_url,
            conversation_id=row.conversation_id,
        )
