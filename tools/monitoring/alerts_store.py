"""Monitoring alerts kept in the workspace database, each condition raised once.

Every alert carries a ``dedupe_key`` naming the condition (``liquidity:US01/USD:warning``,
``kpi:dso:warning``, ``data:bank_balances:stale``). While an alert with that key is open or
acknowledged, seeing the condition again only refreshes it (``last_seen``, ``seen_count``,
the latest cause); it is not raised, or pushed to a channel, a second time. When a run of
the checks that produce a source no longer sees the condition, its alert is resolved, so
a later return of the condition is a new alert.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from tools.errors import WcmError

__all__ = [
    "ALERTS",
    "AlertNotFound",
    "AlertStatus",
    "MonitorAlert",
    "Recorded",
    "Severity",
    "StoredAlert",
    "acknowledge",
    "list_alerts",
    "mark_notified",
    "record_alerts",
    "unnotified",
]

Severity = Literal["info", "warning", "critical"]
AlertStatus = Literal["open", "acknowledged", "resolved"]
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}

_META = sa.MetaData()
ALERTS = sa.Table(
    "monitor_alerts",
    _META,
    sa.Column("alert_id", sa.String(36), primary_key=True),
    sa.Column("dedupe_key", sa.Text, nullable=False, index=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("cause", sa.Text, nullable=False),
    sa.Column("metric", sa.Text),
    sa.Column("value", sa.Float),
    sa.Column("target", sa.Float),
    sa.Column("as_of", sa.Date),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_count", sa.Integer, nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("acknowledged_by", sa.Text),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    sa.Column("notified", sa.JSON, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
# One open (or acknowledged) alert per condition, even with two writers at once.
sa.Index(
    "ux_monitor_alerts_open_key",
    ALERTS.c.dedupe_key,
    unique=True,
    sqlite_where=ALERTS.c.status != "resolved",
    postgresql_where=ALERTS.c.status != "resolved",
)


class AlertNotFound(WcmError):
    """No alert with the id asked for."""


class MonitorAlert(BaseModel):
    """A condition someone should look at, as the checks raise it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dedupe_key: str = Field(description="Names the condition; one open alert per key")
    source: str = Field(description="Check that raised it: liquidity, anomaly, kpi, data...")
    severity: Severity
    scope: str = Field(description="Position, entity, 'group', account, table or KPI")
    title: str
    cause: str = Field(description="Why, in words, with the figures")
    metric: str | None = None
    value: float | None = None
    target: float | None = None
    as_of: date | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class StoredAlert(MonitorAlert):
    """An alert as the workspace keeps it."""

    alert_id: str
    status: AlertStatus
    created_at: datetime
    last_seen: datetime
    seen_count: int
    resolved_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    notified: dict[str, str] = Field(
        default_factory=dict, description="Channel -> when the alert was pushed there"
    )


class Recorded(BaseModel):
    """What recording a run's alerts changed."""

    model_config = ConfigDict(frozen=True)

    new: tuple[StoredAlert, ...]
    repeated: int = Field(description="Conditions already raised and still open")
    resolved: int = Field(description="Open alerts of these sources no longer seen")


def _table(engine: Engine) -> sa.Table:
    _META.create_all(engine, checkfirst=True)
    return ALERTS


def _stored(row: Any) -> StoredAlert:
    values = dict(row._mapping)
    values["data"] = values.get("data") or {}
    values["notified"] = values.get("notified") or {}
    return StoredAlert.model_validate(values)


def record_alerts(
    engine: Engine,
    alerts: Iterable[MonitorAlert],
    *,
    now: datetime,
    sources: Sequence[str] = (),
) -> Recorded:
    """Store the alerts of a run: new conditions are inserted, open ones refreshed.

    Args:
        engine: the workspace database.
        alerts: what the checks raised now (several with one key: the most severe kept).
        now: the time of the run (stored as ``created_at`` / ``last_seen``).
        sources: the sources whose checks ran completely; their open alerts that were not
            raised again are resolved.
    """
    table = _table(engine)
    latest: dict[str, MonitorAlert] = {}
    for alert in alerts:
        have = latest.get(alert.dedupe_key)
        if have is None or SEVERITY_RANK[alert.severity] > SEVERITY_RANK[have.severity]:
            latest[alert.dedupe_key] = alert
    new: list[StoredAlert] = []
    repeated = 0
    with engine.begin() as conn:
        open_rows = {
            r.dedupe_key: r
            for r in conn.execute(sa.select(table).where(table.c.status != "resolved")).all()
        }
        for key, alert in latest.items():
            row = open_rows.get(key)
            if row is not None:
                repeated += 1
                conn.execute(
                    table.update()
                    .where(table.c.alert_id == row.alert_id)
                    .values(
                        last_seen=now,
                        seen_count=row.seen_count + 1,
                        cause=alert.cause,
                        title=alert.title,
                        value=alert.value,
                        as_of=alert.as_of,
                        data=alert.data,
                    )
                )
                continue
            values = {
                **alert.model_dump(),
                "alert_id": str(uuid.uuid4()),
                "status": "open",
                "created_at": now,
                "last_seen": now,
                "seen_count": 1,
                "notified": {},
            }
            conn.execute(table.insert().values(**values))
            new.append(StoredAlert.model_validate(values))
        gone = [
            r.alert_id for key, r in open_rows.items() if r.source in sources and key not in latest
        ]
        if gone:
            conn.execute(
                table.update()
                .where(table.c.alert_id.in_(gone))
                .values(status="resolved", resolved_at=now)
            )
    return Recorded(new=tuple(new), repeated=repeated, resolved=len(gone))


def list_alerts(
    engine: Engine,
    *,
    severity: Severity | None = None,
    min_severity: Severity | None = None,
    status: AlertStatus | None = None,
    source: str | None = None,
    live: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredAlert], int]:
    """Alerts, most severe and newest first, and how many match in all (``live``: open
    and acknowledged ones only)."""
    table = _table(engine)
    query = sa.select(table)
    if severity is not None:
        query = query.where(table.c.severity == severity)
    if min_severity is not None:
        allowed = [s for s, r in SEVERITY_RANK.items() if r >= SEVERITY_RANK[min_severity]]
        query = query.where(table.c.severity.in_(allowed))
    if status is not None:
        query = query.where(table.c.status == status)
    if source is not None:
        query = query.where(table.c.source == source)
    if live:
        query = query.where(table.c.status != "resolved")
    rank = sa.case({"critical": 0, "warning": 1, "info": 2}, value=table.c.severity, else_=3)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(rank, table.c.created_at.desc(), table.c.alert_id)
            .limit(limit)
            .offset(offset)
        ).all()
    return [_stored(r) for r in rows], int(count)


def acknowledge(engine: Engine, alert_id: str, *, user: str, now: datetime) -> StoredAlert:
    """Mark an alert as seen by ``user`` (a resolved alert stays resolved).

    Raises:
        AlertNotFound: no alert with that id.
    """
    table = _table(engine)
    with engine.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.alert_id == alert_id)).first()
        if row is None:
            raise AlertNotFound(f"no alert {alert_id!r}; GET /v1/alerts lists them")
        if row.acknowledged_by is None:
            conn.execute(
                table.update()
                .where(table.c.alert_id == alert_id)
                .values(
                    acknowledged_by=user,
                    acknowledged_at=now,
                    status="acknowledged" if row.status == "open" else row.status,
                )
            )
        row = conn.execute(sa.select(table).where(table.c.alert_id == alert_id)).one()
    return _stored(row)


def unnotified(engine: Engine, channel: str, *, min_severity: Severity) -> list[StoredAlert]:
    """Open alerts of at least ``min_severity`` not yet pushed to ``channel``."""
    found, _ = list_alerts(engine, status="open", min_severity=min_severity, limit=10_000)
    return [a for a in found if channel not in a.notified]


def mark_notified(engine: Engine, alert_ids: Iterable[str], channel: str, *, now: datetime) -> None:
    """Record that the alerts were pushed to ``channel``."""
    table = _table(engine)
    with engine.begin() as conn:
        for alert_id in alert_ids:
            row = conn.execute(
                sa.select(table.c.notified).where(table.c.alert_id == alert_id)
            ).first()
            if row is not None:
                sent = {**(row.notified or {}), channel: now.isoformat()}
                conn.execute(
                    table.update().where(table.c.alert_id == alert_id).values(notified=sent)
                )
