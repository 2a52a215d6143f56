"""Pushing monitoring alerts to Slack and Teams through the app's channel clients.

Each open alert of at least ``alerts_min_severity`` goes once per channel: to the Slack
channel ``alerts_slack_channel`` and, in Teams, to every approver who has talked to the bot
(its conversation is remembered). An alert that could not be delivered is tried again
after the next run; one that was delivered is marked so and never sent twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from slack_sdk.errors import SlackApiError

from tools.monitoring.alerts_store import Severity, StoredAlert, mark_notified, unnotified
from tools.workspace import Workspace

__all__ = ["alert_text", "push_alerts"]

log = logging.getLogger("wcm.alerts")
_ICON = {
    "critical": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":information_source:",
}


def alert_text(alert: StoredAlert) -> str:
    """One alert as a short message."""
    return f"[{alert.severity.upper()}] {alert.title}\n{alert.cause}"


def _slack_blocks(alert: StoredAlert) -> list[dict[str, Any]]:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{_ICON[alert.severity]} *{alert.title}*\n{alert.cause[:2500]}",
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{alert.source} · {alert.scope} · alert {alert.alert_id}",
                }
            ],
        },
    ]


def _to_slack(app: FastAPI, ws: Workspace, channel: str | None, alerts: list[StoredAlert]) -> int:
    bot = getattr(app.state, "slack", None)
    if bot is None or not channel:
        return 0
    sent = []
    for alert in alerts:
        try:
            bot.client.chat_postMessage(
                channel=channel, text=alert_text(alert)[:3000], blocks=_slack_blocks(alert)
            )
        except (SlackApiError, OSError):
            log.warning("alert %s not posted to Slack", alert.alert_id, exc_info=True)
            break  # Slack is unreachable or refuses: try the rest after the next run
        sent.append(alert.alert_id)
    mark_notified(ws.engine, sent, "slack", now=datetime.now(UTC))
    return len(sent)


def _to_teams(app: FastAPI, ws: Workspace, alerts: list[StoredAlert]) -> int:
    bot = getattr(app.state, "teams", None)
    if bot is None or not alerts:
        return 0
    refs = [r for user in bot.ctx.approvers() if (r := bot.refs.get(user)) is not None]
    if not refs:
        return 0
    sent = []
    for alert in alerts:
        activity = {"type": "message", "text": alert_text(alert)}
        delivered = False
        for ref in refs:
            try:
                bot.connector.send(ref.service_url, ref.conversation_id, activity)
                delivered = True
            except httpx.HTTPError:
                log.warning("alert %s not sent to %s in Teams", alert.alert_id, ref.user)
        if delivered:
            sent.append(alert.alert_id)
    mark_notified(ws.engine, sent, "teams", now=datetime.now(UTC))
    return len(sent)


def push_alerts(
    app: FastAPI, ws: Workspace, *, slack_channel: str | None, min_severity: Severity
) -> dict[str, int]:
    """Send the open alerts of at least ``min_severity`` not yet delivered to Slack's
    ``slack_channel`` and the Teams approvers; returns how many went to each channel."""
    return {
        "slack": _to_slack(
            app, ws, slack_channel, unnotified(ws.engine, "slack", min_severity=min_severity)
        ),
        "teams": _to_teams(app, ws, unnotified(ws.engine, "teams", min_severity=min_severity)),
    }
