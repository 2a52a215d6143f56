"""Slack through slack-bolt's FastAPI adapter.

One endpoint, ``POST /slack/events``, takes events (mentions, direct messages), the
``/wcm`` slash command and button clicks. Bolt checks the v0 signature over the raw body
and the 5-minute timestamp window before anything runs; requests are acknowledged at
once and the agent works in the background, replying in the thread. A retried event
(``X-Slack-Retry-Num``, same ``event_id``) or a replayed request (same signed body) is
acknowledged and dropped. The approver of a button click is the signed payload's user,
mapped to a product user by ``identities.yaml``. Web API calls go to
``ServiceOptions.slack_api_url`` (Slack's by default).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.fastapi import SlackRequestHandler  # noqa: F401  (the adapter module)
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient

from api.channels import announce_proposals
from api.channels.common import ChannelContext, Refusal, SeenRequests
from api.channels.slack_blocks import APPROVE, REJECT, answer_blocks, decided_blocks
from api.deps import ServiceOptions
from api.errors import error_body
from tools.errors import WcmError
from tools.settings import Settings

__all__ = ["install_slack"]

log = logging.getLogger("wcm.slack")
_MENTION = re.compile(r"<@[A-Z0-9]+>\s*")


class SlackBot:
    """The Bolt app plus the background workers that talk to the agent."""

    def __init__(self, ctx: ChannelContext, settings: Settings, options: ServiceOptions) -> None:
        assert settings.slack_bot_token and settings.slack_signing_secret
        self.ctx = ctx
        self.client = WebClient(
            token=settings.slack_bot_token.get_secret_value(), base_url=options.slack_api_url
        )
        self.bolt = App(
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            client=self.client,
            token_verification_enabled=False,
            process_before_response=False,
            listener_executor=ThreadPoolExecutor(8, thread_name_prefix="slack-ack"),
        )
        # Acknowledging never waits for the agent: requests go through their own pool,
        # the agent's work through another.
        self.dispatcher = ThreadPoolExecutor(8, thread_name_prefix="slack-dispatch")
        self.workers = ThreadPoolExecutor(4, thread_name_prefix="slack-work")
        self.seen = SeenRequests()
        self.bolt.use(self._drop_repeats)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("message")(self._on_message)
        self.bolt.command("/wcm")(self._on_command)
        self.bolt.action(APPROVE)(self._on_approve)
        self.bolt.action(REJECT)(self._on_reject)

    def close(self) -> None:
        """Finish the replies under way and drop queued ones (at shutdown)."""
        self.workers.shutdown(wait=True, cancel_futures=True)
        self.dispatcher.shutdown(wait=True)

    # -- dedupe --------------------------------------------------------------------------

    def _drop_repeats(self, req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:
        body = req.body or {}
        keys = [hashlib.sha256(req.raw_body.encode()).hexdigest()]  # a replayed request
        if body.get("event_id"):
            keys.append(f"event:{body['event_id']}")  # Slack's retries of one event
        fresh = [self.seen.first_time(k) for k in keys]
        if not all(fresh):
            reason = "retry" if req.headers.get("x-slack-retry-num") else "replay"
            self.ctx.metrics.channel_rejected.labels("slack", reason).inc()
            return BoltResponse(status=200, body="")
        return next()

    # -- questions -----------------------------------------------------------------------

    def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        thread_ts = event.get("thread_ts") or event["ts"]
        text = _MENTION.sub("", event.get("text", "")).strip()
        self.workers.submit(self._answer, body.get("team_id", ""), event, text, thread_ts, False)

    def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        self.workers.submit(
            self._answer, body.get("team_id", ""), event, event.get("text", ""), thread_ts, True
        )

    def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        ack(f"Working on it: {command.get('text', '')[:200]}")
        event = {"user": command["user_id"], "channel": command["channel_id"]}
        self.workers.submit(
            self._answer,
            command.get("team_id", ""),
            event,
            command.get("text", ""),
            None,
            command.get("channel_name") == "directmessage",
        )

    def _answer(
        self, team: str, event: dict[str, Any], text: str, thread_ts: str | None, private: bool
    ) -> None:
        channel = event["channel"]
        try:
            if thread_ts is None:  # a slash command: open a thread with the question
                opened = self.client.chat_postMessage(
                    channel=channel, text=f"<@{event['user']}> asked: {text}"
                )
                thread_ts = str(opened["ts"])
            who = self.ctx.principal(event["user"])
            answer = self.ctx.ask(
                who,
                text or "help",
                thread_id=f"slack:{team}:{channel}:{thread_ts}",
                private=private,
            )
            self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=answer.text[:3000],
                blocks=answer_blocks(answer),
            )
            self._attach_charts(channel, thread_ts, answer)
            announce_proposals(self.ctx.app, [str(p["proposal_id"]) for p in answer.proposals])
        except WcmError as exc:
            self._say(channel, thread_ts, f"Sorry: {exc}")
        except Exception:
            log.exception("Slack answer failed")
            self._say(channel, thread_ts, "Sorry, that failed; the error is logged.")

    def _attach_charts(self, channel: str, thread_ts: str, answer: Any) -> None:
        from api.deps import get_forecaster
        from api.routers.charts import render_spec

        for ref in answer.charts[:2]:
            spec = self.ctx.assistant.chart_spec(ref.chart_id)
            if spec is None:
                continue
            try:
                png = render_spec(spec, self.ctx.ws, get_forecaster(self.ctx.ws), "png", key=None)
                self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=thread_ts,
                    file=png,
                    filename=f"{ref.chart_id}.png",
                    title=ref.title,
                )
            except Exception:  # a chart is a nicety: the answer is already posted
                log.warning("chart %s not attached", ref.chart_id, exc_info=True)

    def _say(self, channel: str, thread_ts: str | None, text: str) -> None:
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except Exception:
            log.warning("could not post to Slack", exc_info=True)

    # -- approvals -----------------------------------------------------------------------

    def _on_approve(self, ack: Any, body: dict[str, Any]) -> None:
        ack()
        self.workers.submit(self._decide, body, "approve")

    def _on_reject(self, ack: Any, body: dict[str, Any]) -> None:
        ack()
        self.workers.submit(self._decide, body, "reject")

    def _decide(self, body: dict[str, Any], decision: str) -> None:
        account = body["user"]["id"]
        channel = body.get("channel", {}).get("id", "")
        message = body.get("message", {})
        pid = str(body["actions"][0].get("value", ""))
        try:
            who = self.ctx.principal(account)
            if decision == "approve" and not who.can("approver"):
                raise Refusal(f"{who.user} cannot approve: that needs the 'approver' role")
            result = self.ctx.decide(who, pid, "approve" if decision == "approve" else "reject")
        except WcmError as exc:
            try:
                self.client.chat_postEphemeral(
                    channel=channel, user=account, text=f"Not done: {exc}"
                )
            except Exception:
                log.warning("could not post to Slack", exc_info=True)
            return
        blocks = decided_blocks(
            message.get("blocks", []),
            result.proposal,
            by=f"<@{account}> ({who.user})",
            decision=decision,
        )
        self.client.chat_update(
            channel=channel, ts=message.get("ts", ""), text=message.get("text", ""), blocks=blocks
        )

    # -- HTTP ----------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        raw = await request.body()
        bolt_request = to_bolt_request(request, raw)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.dispatcher, self.bolt.dispatch, bolt_request)
        self.ctx.metrics.channel_ack.labels("slack").observe(time.perf_counter() - started)
        if response.status in (401, 403):
            self.ctx.metrics.channel_rejected.labels("slack", "signature").inc()
            return JSONResponse(
                error_body(
                    "unauthorized", "Slack signature or timestamp is invalid (v0, 5 minutes)"
                ),
                status_code=401,
            )
        if response.status >= 400:
            return JSONResponse(
                error_body("bad_request", _message(response.body)), status_code=response.status
            )
        return to_starlette_response(response)


def _message(body: str) -> str:
    try:
        return str(json.loads(body).get("error", body))
    except (ValueError, AttributeError):
        return body or "Slack request not understood"


def install_slack(app: FastAPI, settings: Settings, options: ServiceOptions) -> None:
    bot = SlackBot(ChannelContext(app, settings, "slack"), settings, options)
    app.state.slack = bot
    router = APIRouter(tags=["channels"])

    @router.post(
        "/slack/events",
        responses={200: {"description": "Acknowledged"}, 401: {"description": "Bad signature"}},
    )
    async def slack_events(request: Request) -> Response:
        """Slack events, the /wcm command and button clicks (Slack signs every request)."""
        return await bot.handle(request)

    app.include_router(router)
