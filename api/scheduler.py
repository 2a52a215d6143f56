"""The daily job inside ``wcm serve``: run at a configured local time, then push alerts.

Enabled by the ``daily_job_enabled`` setting; ``daily_job_time`` (``HH:MM``) is the local
time of day (``daily_job_timezone``, an IANA name, or the machine's zone). The job runs in
a worker thread so the service keeps answering; a run that fails is logged and the next
day's run goes ahead. Shutting down waits for a run under way to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import FastAPI

from agent.outcomes import follow_up_workspace
from api.notify import push_alerts
from tools.errors import ConfigError, WcmError
from tools.monitoring.daily import DailySummary, run_daily
from tools.settings import Settings
from tools.workspace import open_workspace

__all__ = ["DailyScheduler", "next_run", "parse_time", "run_once", "start_scheduler"]

log = logging.getLogger("wcm.scheduler")


def parse_time(text: str) -> time:
    """``"06:30"`` as a time of day.

    Raises:
        ConfigError: not ``HH:MM``.
    """
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ConfigError(
            f"daily_job_time {text!r}: expected HH:MM (24-hour), e.g. 06:30"
        ) from None


def _zone(name: str | None) -> tzinfo:
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"daily_job_timezone {name!r}: expected an IANA zone such as Europe/Berlin"
        ) from None


def next_run(now: datetime, at: time) -> datetime:
    """The first moment at ``at`` (in ``now``'s zone) strictly after ``now``."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def run_once(app: FastAPI, settings: Settings) -> DailySummary:
    """One daily run on the service's workspace, then the alerts pushed to the channels."""
    ws = open_workspace(settings.workspace, database_url=settings.database_url)
    summary = run_daily(ws, inbox=settings.daily_inbox)
    if summary.status != "skipped" and summary.as_of is not None:
        follow_up_workspace(ws, settings, as_of=summary.as_of)
    pushed = push_alerts(
        app,
        ws,
        slack_channel=settings.alerts_slack_channel,
        min_severity=settings.alerts_min_severity,
    )
    log.info(
        "daily run %s: %s, %d new alerts, pushed %s",
        summary.run_id,
        summary.status,
        len(summary.new_alerts),
        pushed,
    )
    return summary


class DailyScheduler:
    """An asyncio task that sleeps until the next run time and runs the job in a thread."""

    def __init__(self, app: FastAPI, settings: Settings, *, at: time, zone: tzinfo) -> None:
        self.app, self.settings, self.at, self.zone = app, settings, at, zone
        self._task: asyncio.Task[None] | None = None
        self._running: asyncio.Future[DailySummary] | None = None
        self.last: DailySummary | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="wcm-daily-job")

    async def run_now(self) -> DailySummary:
        """Run the job once now, in a worker thread."""
        loop = asyncio.get_running_loop()
        self._running = loop.run_in_executor(None, run_once, self.app, self.settings)
        try:
            self.last = await asyncio.shield(self._running)
            return self.last
        finally:
            self._running = None

    async def _loop(self) -> None:
        while True:
            now = datetime.now(self.zone)
            await asyncio.sleep((next_run(now, self.at) - now).total_seconds())
            try:
                await self.run_now()
            except WcmError as exc:
                log.warning("daily run not done: %s", exc)
            except Exception:  # keep the schedule alive; tomorrow's run may succeed
                log.exception("daily run failed")

    async def stop(self) -> None:
        """Stop scheduling; wait for a run under way to finish."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._running is not None:
            try:
                await self._running
            except Exception:
                log.warning("daily run under way at shutdown failed", exc_info=True)


def start_scheduler(app: FastAPI, settings: Settings) -> DailyScheduler | None:
    """Start the daily job when ``daily_job_enabled``; None otherwise."""
    if not settings.daily_job_enabled:
        return None
    at = parse_time(settings.daily_job_time)
    scheduler = DailyScheduler(app, settings, at=at, zone=_zone(settings.daily_job_timezone))
    scheduler.start()
    log.info("daily job scheduled at %s", at)
    return scheduler
