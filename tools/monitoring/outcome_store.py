"""Decision outcomes kept next to the decision ledger, in the workspace's database.

One row per proposal in ``decision_outcomes`` (an additive table, created on first use and
replaced whenever the outcome is measured again), so the ledger's proposals, approvals and
executions are never rewritten.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tools.monitoring.outcomes import OutcomeReport

__all__ = ["OUTCOMES", "load_outcomes", "record_outcomes"]

_METADATA = sa.MetaData()
OUTCOMES = sa.Table(
    "decision_outcomes",
    _METADATA,
    sa.Column("proposal_id", sa.String(40), primary_key=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rating", sa.String(16)),
    sa.Column("as_of", sa.String(10), nullable=False),
    sa.Column("value", sa.Numeric(20, 2, asdecimal=False), nullable=False),
    sa.Column("expected_value", sa.Numeric(20, 2, asdecimal=False), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("measured_at", sa.String(32), nullable=False),
)


def record_outcomes(
    engine: Engine, report: OutcomeReport, *, measured_at: datetime | None = None
) -> int:
    """Store (or replace) each decision's outcome; returns how many rows were written."""
    _METADATA.create_all(engine, checkfirst=True)
    when = (measured_at or datetime.now(UTC)).isoformat()
    with engine.begin() as conn:
        for o in report.outcomes:
            conn.execute(sa.delete(OUTCOMES).where(OUTCOMES.c.proposal_id == o.proposal_id))
            conn.execute(
                sa.insert(OUTCOMES).values(
                    proposal_id=o.proposal_id,
                    action=o.action,
                    status=o.status,
                    rating=o.rating,
                    as_of=report.as_of.isoformat(),
                    value=o.value.value,
                    expected_value=o.expected_value,
                    summary=o.summary,
                    detail=o.model_dump_json(),
                    measured_at=when,
                )
            )
    return len(report.outcomes)


def load_outcomes(engine: Engine) -> list[dict[str, Any]]:
    """Stored outcomes, newest measurement first (empty before the first)."""
    if not sa.inspect(engine).has_table(OUTCOMES.name):
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(OUTCOMES).order_by(OUTCOMES.c.measured_at.desc())).all()
    return [
        {
            **json.loads(r.detail),
            "as_of": date.fromisoformat(r.as_of),
            "measured_at": datetime.fromisoformat(r.measured_at),
        }
        for r in rows
    ]
