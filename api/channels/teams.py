"""Microsoft Teams through the Bot Framework: ``POST /teams/messages``.

Every activity's JWT is validated first (see ``botframework``). Messages go to the agent
in the background and are answered in the conversation; proposals come as Adaptive
Cards whose Approve / Reject buttons (``Action.Execute``) only approvers see, through the
card's refresh. Approvers who have talked to the bot get a proactive message when a
proposal awaits them. A replayed activity id is acknowledged and dropped.
"""

from __future__ import annotations

import base64
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.assistant import Answer
from api.channels.botframework import Connector, TokenInvalid, TokenValidator
from api.channels.cards import answer_card, proposal_card
from api.channels.common import ChannelContext, Refusal, SeenRequests
from api.channels.refs import ConversationRef, ConversationRefs
from api.deps import ServiceOptions
from api.errors import error_body
from tools.errors import WcmError
from tools.settings import Settings

__all__ = ["TeamsBot", "install_teams"]

log = logging.getLogger("wcm.teams")
CARD = "application/vnd.microsoft.card.adaptive"


class TeamsBot:
    def __init__(self, ctx: ChannelContext, settings: Settings, options: ServiceOptions) -> None:
        assert settings.teams_app_id
        self.ctx = ctx
        self.validator = TokenValidator(
            metadata_url=settings.teams_openid_metadata_url,
            app_id=settings.teams_app_id,
            issuer=options.teams_issuer,
        )
        password = settings.teams_app_password
        self.connector = Connector(
            app_id=settings.teams_app_id,
            password=password.get_secret_value() if password else None,
            token_url=options.teams_token_url,
        )
        self.workers = ThreadPoolExecutor(4, thread_name_prefix="teams-work")
        self.seen = SeenRequests()

    def close(self) -> None:
        self.workers.shutdown(wait=True, cancel_futures=True)

    @property
    def refs(self) -> ConversationRefs:
        return ConversationRefs(self.ctx.ws.engine, "teams")

    # -- people --------------------------------------------------------------------------

    def _principal(self, activity: dict[str, Any]) -> Any:
        sender = activity.get("from") or {}
        try:
            return self.ctx.principal(str(sender.get("id", "")))
        except Refusal:
            if sender.get("aadObjectId"):
                return self.ctx.principal(str(sender["aadObjectId"]))
            raise

    def _approver_accounts(self) -> list[str]:
        from api.auth import load_identities

        ids = load_identities(self.ctx.ws.root)
        return [a for user in self.ctx.approvers() for a in ids.accounts_of("teams", user)]

    # -- messages ------------------------------------------------------------------------

    def _remember(self, activity: dict[str, Any], user: str) -> None:
        self.refs.remember(
            ConversationRef(
                user=user,
                account=str(activity["from"]["id"]),
                service_url=str(activity["serviceUrl"]),
                conversation_id=str(activity["conversation"]["id"]),
            )
        )

    def _answer(self, activity: dict[str, Any]) -> None:
        service_url = str(activity["serviceUrl"])
        conversation = activity["conversation"]
        reply: dict[str, Any]
        try:
            who = self._principal(activity)
            self._remember(activity, who.user)
            answer = self.ctx.ask(
                who,
                str(activity.get("text") or "help"),
                thread_id=f"teams:{conversation['id']}",
                private=conversation.get("conversationType", "personal") == "personal",
            )
            reply = self._answer_activity(answer)
        except WcmError as exc:
            reply = {"type": "message", "text": f"Sorry: {exc}"}
        except Exception:
            log.exception("Teams answer failed")
            reply = {"type": "message", "text": "Sorry, that failed; the error is logged."}
        try:
            self.connector.send(
                service_url, str(conversation["id"]), reply, reply_to=activity.get("id")
            )
            self.announce(
                [p["proposal_id"] for p in reply.get("channelData", {}).get("proposals", [])]
            )
        except Exception:
            log.warning("could not reply in Teams", exc_info=True)

    def _answer_activity(self, answer: Answer) -> dict[str, Any]:
        approvers = self._approver_accounts()
        attachments = [{"contentType": CARD, "content": answer_card(answer)}]
        for summary in answer.proposals[:5]:
            record = self.ctx.assistant.proposal(str(summary["proposal_id"]))
            card = proposal_card(record, buttons=False, approver_ids=approvers)
            attachments.append({"contentType": CARD, "content": card})
        for ref in answer.charts[:1]:
            png = self._chart_png(ref.chart_id)
            if png:
                attachments.append(
                    {
                        "contentType": "image/png",
                        "name": f"{ref.title}.png",
                        "contentUrl": "data:image/png;base64," + base64.b64encode(png).decode(),
                    }
                )
        return {
            "type": "message",
            "text": answer.text,
            "attachments": attachments,
            "channelData": {
                "proposals": [{"proposal_id": p["proposal_id"]} for p in answer.proposals]
            },
        }

    def _chart_png(self, chart_id: str) -> bytes | None:
        from api.deps import get_forecaster
        from api.routers.charts import render_spec

        spec = self.ctx.assistant.chart_spec(chart_id)
        try:
            return (
                None
                if spec is None
                else render_spec(spec, self.ctx.ws, get_forecaster(self.ctx.ws), "png", key=None)
            )
        except Exception:
            log.warning("chart %s not attached", chart_id, exc_info=True)
            return None

    def announce(self, proposal_ids: list[str]) -> None:
        """Tell each approver who has talked to the bot that a proposal awaits them."""
        for pid in proposal_ids:
            record = self.ctx.assistant.proposal(pid)
            if record.status != "pending":
                continue
            for user in self.ctx.approvers():
                ref = self.refs.get(user)
                if ref is None or user == record.requester:
                    continue
                card = proposal_card(record, buttons=True, approver_ids=[ref.account])
                activity = {
                    "type": "message",
                    "text": f"Proposal {pid} from {record.requester} awaits your approval.",
                    "attachments": [{"contentType": CARD, "content": card}],
                }
                try:
                    self.connector.send(ref.service_url, ref.conversation_id, activity)
                except Exception:
                    log.warning("could not notify %s in Teams", user, exc_info=True)

    # -- card actions --------------------------------------------------------------------

    def _invoke(self, activity: dict[str, Any]) -> dict[str, Any]:
        action = (activity.get("value") or {}).get("action") or {}
        verb = str(action.get("verb", ""))
        pid = str((action.get("data") or {}).get("proposal_id", ""))
        approvers = self._approver_accounts()
        try:
            record = self.ctx.assistant.proposal(pid)
        except WcmError as exc:
            return _card_response(
                {
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": str(exc), "wrap": True}],
                }
            )
        note = None
        try:
            who = self._principal(activity)
            if verb in ("approve", "reject"):
                result = self.ctx.decide(who, pid, "approve" if verb == "approve" else "reject")
                record = result.proposal
                done = "Approved" if verb == "approve" else "Rejected"
                note = f"{done} by {who.user}; status {record.status}"
            may = (
                who.can("approver")
                and who.user != record.requester
                and who.user not in {a.user_id for a in record.approvals}
            )
        except WcmError as exc:
            note, may = f"Not done: {exc}", False
        return _card_response(proposal_card(record, buttons=may, approver_ids=approvers, note=note))

    # -- HTTP ----------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        try:
            activity = json.loads(await request.body())
            if not isinstance(activity, dict):
                raise ValueError("not an object")
        except ValueError:
            return JSONResponse(
                error_body("invalid_request", "the body is not an activity (JSON object)"), 400
            )
        try:
            await run_in_threadpool(
                self.validator.validate,
                request.headers.get("authorization"),
                channel_id=activity.get("channelId"),
                service_url=activity.get("serviceUrl"),
            )
        except TokenInvalid as exc:
            self.ctx.metrics.channel_rejected.labels("teams", "token").inc()
            return JSONResponse(
                error_body("unauthorized", f"Bot Framework token refused: {exc}"), 401
            )
        kind = activity.get("type")
        key = f"{activity.get('id')}:{(activity.get('conversation') or {}).get('id')}"
        if kind == "invoke" and activity.get("name") == "adaptiveCard/action":
            return JSONResponse(await run_in_threadpool(self._invoke, activity))
        if activity.get("id") and not self.seen.first_time(key):
            self.ctx.metrics.channel_rejected.labels("teams", "replay").inc()
            return Response(status_code=200)
        if kind == "message" and activity.get("serviceUrl") and activity.get("conversation"):
            self.workers.submit(self._answer, activity)
            return Response(status_code=202)
        return Response(status_code=200)


def _card_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD, "value": card}


def install_teams(app: FastAPI, settings: Settings, options: ServiceOptions) -> None:
    bot = TeamsBot(ChannelContext(app, settings, "teams"), settings, options)
    app.state.teams = bot
    router = APIRouter(tags=["channels"])

    @router.post(
        "/teams/messages",
        responses={
            200: {"description": "Handled (card actions answer with the new card)"},
            202: {"description": "Accepted; the answer follows in the conversation"},
            401: {"description": "Token refused"},
        },
    )
    async def teams_messages(request: Request) -> Response:
        """Bot Framework activities from Microsoft Teams (JWT-authenticated)."""
        return await bot.handle(request)

    app.include_router(router)
