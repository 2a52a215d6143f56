"""Chat channels: Slack (slack-bolt) and Microsoft Teams (Bot Framework)."""

from __future__ import annotations

from fastapi import FastAPI

from api.deps import ServiceOptions
from tools.settings import Settings

__all__ = ["announce_proposals", "install_channels"]


def install_channels(app: FastAPI, settings: Settings, options: ServiceOptions) -> None:
    """Add the Slack and Teams endpoints of the channels that are configured."""
    if settings.slack_bot_token is not None and settings.slack_signing_secret is not None:
        from api.channels.slack import install_slack

        install_slack(app, settings, options)
    if settings.teams_app_id:
        from api.channels.teams import install_teams

        install_teams(app, settings, options)


def announce_proposals(app: FastAPI, proposal_ids: list[str]) -> None:
    """Tell approvers on Teams that proposals await them (in the background)."""
    teams = getattr(app.state, "teams", None)
    if teams is not None and proposal_ids:
        teams.workers.submit(teams.announce, list(proposal_ids))
