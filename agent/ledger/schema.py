"""The ledger's tables, in the workspace's database, created on first use.

``proposals`` hold what the agent recommends, ``approvals`` every decision on them,
``executions`` at most one row per proposal (the unique idempotency key is the
exactly-once guarantee), ``audit`` the hash-chained log and ``audit_head`` its tip, so a
deleted last record is noticed too.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = [
    "APPROVALS",
    "AUDIT",
    "AUDIT_HEAD",
    "EXECUTIONS",
    "GENESIS",
    "LEDGER_METADATA",
    "PROPOSALS",
    "ledger_engine",
]

LEDGER_METADATA = sa.MetaData()
GENESIS = "0" * 64

PROPOSALS = sa.Table(
    "agent_proposals",
    LEDGER_METADATA,
    sa.Column("proposal_id", sa.String(40), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", sa.Numeric(20, 2, asdecimal=False), nullable=False),
    sa.Column("amount_reporting", sa.Numeric(20, 2, asdecimal=False), nullable=False),
    sa.Column("required_approvers", sa.Integer, nullable=False),
    sa.Column("requester", sa.Text, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("thread_id", sa.Text),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("action_hash", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)

APPROVALS = sa.Table(
    "agent_approvals",
    LEDGER_METADATA,
    sa.Column("approval_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "proposal_id", sa.String(40), sa.ForeignKey("agent_proposals.proposal_id"), nullable=False
    ),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("decision", sa.String(8), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.String(32), nullable=False),
    sa.UniqueConstraint("proposal_id", "user_id", name="uq_agent_approvals_once_per_user"),
)

EXECUTIONS = sa.Table(
    "agent_executions",
    LEDGER_METADATA,
    sa.Column("execution_id", sa.String(40), primary_key=True),
    sa.Column(
        "proposal_id",
        sa.String(40),
        sa.ForeignKey("agent_proposals.proposal_id"),
        nullable=False,
        unique=True,
    ),
    sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_at", sa.String(32), nullable=False),
    sa.Column("finished_at", sa.String(32)),
    sa.Column("result", sa.Text),
    sa.Column("error", sa.Text),
)

AUDIT = sa.Table(
    "agent_audit",
    LEDGER_METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("proposal_id", sa.String(40)),
    sa.Column("reason", sa.Text),
    sa.Column("action_hash", sa.String(64)),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)

AUDIT_HEAD = sa.Table(
    "agent_audit_head",
    LEDGER_METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)


@functools.cache
def ledger_engine(url: str) -> Engine:
    """The ledger's own engine for ``url``, its tables created on first use.

    On SQLite every transaction starts with ``BEGIN IMMEDIATE``: the write lock is taken
    before anything is read, so two processes approving or executing at once are
    serialised instead of both acting on the same snapshot. Postgres uses row locks
    (``SELECT ... FOR UPDATE``) on the proposal and the audit head instead.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.isolation_level = None  # type: ignore[attr-defined]  # we BEGIN ourselves
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    LEDGER_METADATA.create_all(engine)
    try:
        with engine.begin() as conn:
            if conn.execute(sa.select(AUDIT_HEAD.c.id)).first() is None:
                conn.execute(sa.insert(AUDIT_HEAD).values(id=1, seq=0, hash=GENESIS))
    except sa.exc.IntegrityError:  # another process created the head first
        pass
    return engine
