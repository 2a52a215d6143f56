"""The daily job: import what arrived, refresh the forecast, risk, alerts, variance and KPIs.

``run_daily`` is safe to repeat: a second run on the same day with no new data does no
work (it reports the earlier run), and alerts already raised are refreshed, not repeated
(see ``tools.monitoring.alerts_store``). Only one run works on a workspace at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from tools.errors import WorkspaceError
from tools.monitoring.alerts_store import MonitorAlert, StoredAlert, record_alerts
from tools.monitoring.inbox import InboxFile, ingest_inbox
from tools.monitoring.steps import CHECKS, Checks, DailyOptions, StepResult, run_checks
from tools.workspace import Workspace
from tools.workspace.db import data_version

__all__ = ["DAILY_RUNS", "DailyOptions", "DailySummary", "StepResult", "last_runs", "run_daily"]

Progress = Callable[[str, int, int], None]
_META = sa.MetaData()
DAILY_RUNS = sa.Table(
    "monitor_daily_runs",
    _META,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("data_version", sa.Text, nullable=False),
    sa.Column("summary", sa.JSON),
)
_STALE_LOCK = timedelta(hours=2)


class DailySummary(BaseModel):
    """What a daily run did and found."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    day: date
    status: Literal["done", "skipped"]
    reason: str = ""
    started_at: datetime
    finished_at: datetime
    as_of: date | None = None
    imported: tuple[InboxFile, ...] = ()
    checks: Checks | None = None
    new_alerts: tuple[StoredAlert, ...] = ()
    repeated_alerts: int = 0
    resolved_alerts: int = 0
    steps: tuple[StepResult, ...] = ()

    @property
    def failed_files(self) -> tuple[InboxFile, ...]:
        return tuple(f for f in self.imported if f.status == "failed")


def _claim(
    ws: Workspace, run_id: str, day: date, now: datetime, version: str, *, fresh: bool
) -> Any:
    """The last finished run of ``day`` on the same data (None: work to do, and this run
    is registered as under way); raises when another run is under way. ``fresh``: files
    were just imported, so there is work to do whatever the data version says."""
    _META.create_all(ws.engine, checkfirst=True)
    with ws.engine.begin() as conn:
        busy = conn.execute(
            sa.select(DAILY_RUNS.c.run_id, DAILY_RUNS.c.started_at)
            .where(DAILY_RUNS.c.status == "running")
            .order_by(DAILY_RUNS.c.started_at.desc())
        ).first()
        if busy is not None:
            started = busy.started_at
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            if now - started < _STALE_LOCK:
                raise WorkspaceError(
                    f"daily run {busy.run_id} is under way since {started:%H:%M} UTC; "
                    "wait for it to finish"
                )
            conn.execute(
                DAILY_RUNS.update()
                .where(DAILY_RUNS.c.run_id == busy.run_id)
                .values(status="abandoned")
            )
        same = conn.execute(
            sa.select(DAILY_RUNS)
            .where(DAILY_RUNS.c.day == day)
            .where(DAILY_RUNS.c.status == "done")
            .where(DAILY_RUNS.c.data_version == version)
            .order_by(DAILY_RUNS.c.started_at.desc())
        ).first()
        if same is None or fresh:
            conn.execute(
                DAILY_RUNS.insert().values(
                    run_id=run_id, day=day, started_at=now, status="running", data_version=version
                )
            )
    return None if fresh else same


def _finish(ws: Workspace, summary: DailySummary, version: str, status: str) -> None:
    with ws.engine.begin() as conn:
        conn.execute(
            DAILY_RUNS.update()
            .where(DAILY_RUNS.c.run_id == summary.run_id)
            .values(
                status=status,
                finished_at=summary.finished_at,
                data_version=version,
                summary=summary.model_dump(mode="json", exclude={"checks"}),
            )
        )


def run_daily(
    ws: Workspace,
    *,
    inbox: Path | None = None,
    options: DailyOptions | None = None,
    day: date | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DailySummary:
    """Run the daily job on ``ws``.

    Args:
        ws: the workspace.
        inbox: folder of new files (default ``WORKSPACE/inbox``).
        options: forecast and tracking knobs.
        day: the local day the run counts for (default today).
        now: the time of the run (default now, UTC).
        progress: called with (step, number, of) before each step.

    Raises:
        WorkspaceError: another daily run is under way.
    """
    opts = options or DailyOptions()
    started = now or datetime.now(UTC)
    today = day or date.today()
    say = progress or (lambda _s, _i, _n: None)
    run_id = str(uuid.uuid4())
    total = CHECKS + 2
    say("inbox", 0, total)
    imported = tuple(ingest_inbox(ws, inbox or ws.root / "inbox", day=today))
    with ws.engine.connect() as conn:
        version = data_version(conn)
    earlier = _claim(ws, run_id, today, started, version, fresh=bool(imported))
    if earlier is not None and not imported:
        return DailySummary(
            run_id=str(earlier.run_id),
            day=today,
            status="skipped",
            reason=f"nothing new since run {earlier.run_id} at {earlier.started_at:%H:%M} "
            "today: no files in the inbox and no other import",
            started_at=started,
            finished_at=datetime.now(UTC),
            imported=imported,
        )
    try:
        checks = run_checks(ws, opts, now=started, progress=lambda s, i, _n: say(s, i + 1, total))
        say("alerts", total - 1, total)
        alerts: list[MonitorAlert] = list(checks.alerts)
        alerts += [_failed_file(f, today) for f in imported if f.status == "failed"]
        recorded = record_alerts(ws.engine, alerts, now=started, sources=checks.complete_sources)
    except BaseException:
        _finish_failed(ws, run_id, started)
        raise
    summary = DailySummary(
        run_id=run_id,
        day=today,
        status="done",
        started_at=started,
        finished_at=datetime.now(UTC),
        as_of=checks.as_of,
        imported=imported,
        checks=checks,
        new_alerts=recorded.new,
        repeated_alerts=recorded.repeated,
        resolved_alerts=recorded.resolved,
        steps=checks.steps,
    )
    _finish(ws, summary, version, "done")
    return summary


def _finish_failed(ws: Workspace, run_id: str, started: datetime) -> None:
    with ws.engine.begin() as conn:
        conn.execute(
            DAILY_RUNS.update()
            .where(DAILY_RUNS.c.run_id == run_id)
            .values(status="failed", finished_at=datetime.now(UTC))
        )


def _failed_file(f: InboxFile, day: date) -> MonitorAlert:
    return MonitorAlert(
        dedupe_key=f"inbox:{f.file}:{f.batch_id}",
        source="inbox",
        severity="warning",
        scope=f.file,
        title=f"inbox file {f.file} not imported",
        cause=f"{f.error}; fix the file and drop it in the inbox again (kept at {f.moved_to})",
        as_of=day,
    )


def last_runs(ws: Workspace, limit: int = 10) -> list[dict[str, Any]]:
    """The latest daily runs, newest first (for status pages)."""
    _META.create_all(ws.engine, checkfirst=True)
    with ws.engine.connect() as conn:
        rows = conn.execute(
            sa.select(DAILY_RUNS).order_by(DAILY_RUNS.c.started_at.desc()).limit(limit)
        ).all()
    return [dict(r._mapping) for r in rows]
