"""Chat with the assistant: one answer, or the answer streamed as server-sent events."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.assistant import Answer, Assistant
from api.auth import Principal, ThreadStore
from api.channels import announce_proposals
from api.deps import AssistantDep, ThreadsDep, require_role
from api.errors import error_body
from tools.errors import WcmError

router = APIRouter(prefix="/v1/chat", tags=["chat"])
log = logging.getLogger("wcm.api")

Analyst = require_role("analyst")


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=4000, description="The question, in words")
    thread_id: str | None = Field(
        default=None, max_length=200, description="Continue this thread; a new one when omitted"
    )
    private: bool = Field(default=True, description="A new thread is readable by you only")
    channel: Literal["api", "web"] = "api"


def _open(threads: ThreadStore, who: Principal, body: ChatRequest) -> str:
    info = threads.open(
        who, body.thread_id, channel=body.channel, title=body.message, private=body.private
    )
    threads.append(info.thread_id, role="user", user=who.user, text=body.message)
    return info.thread_id


def _record(threads: ThreadStore, answer: Answer) -> None:
    threads.append(
        answer.thread_id,
        role="assistant",
        user="assistant",
        text=answer.text,
        payload=answer.model_dump(mode="json", exclude={"thread_id", "text"}),
    )


@router.post("", responses={404: {"description": "Unknown or someone else's thread"}})
def chat(
    request: Request,
    body: ChatRequest,
    assistant: AssistantDep,
    threads: ThreadsDep,
    who: Principal = Analyst,
) -> Answer:
    """Ask a question; the answer carries figures, citations, charts and proposals."""
    thread_id = _open(threads, who, body)
    metrics = request.app.state.metrics
    try:
        answer = assistant.ask(
            body.message, user=who.user, thread_id=thread_id, channel=body.channel
        )
    except Exception:
        metrics.answers.labels(body.channel, "error").inc()
        raise
    _record(threads, answer)
    metrics.answers.labels(body.channel, "ok").inc()
    announce_proposals(request.app, [str(p["proposal_id"]) for p in answer.proposals])
    return answer


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _events(
    request: Request,
    assistant: Assistant,
    threads: ThreadStore,
    who: Principal,
    body: ChatRequest,
    thread_id: str,
) -> Iterator[str]:
    metrics = request.app.state.metrics
    yield _sse("thread", {"thread_id": thread_id})
    text: list[str] = []
    parts: dict[str, object] = {}
    try:
        for item in assistant.stream(
            body.message, user=who.user, thread_id=thread_id, channel=body.channel
        ):
            if item.event == "delta":
                text.append(str(item.data.get("text", "")))
            elif item.event != "status":
                parts.update(item.data)
            yield _sse(item.event, item.data)
    except WcmError as exc:
        metrics.answers.labels(body.channel, "error").inc()
        yield _sse("error", error_body("error", str(exc)))
        return
    except Exception:
        log.exception("streamed answer failed")
        metrics.answers.labels(body.channel, "error").inc()
        yield _sse("error", error_body("internal_error", "the answer failed; the error is logged"))
        return
    parts.pop("thread_id", None)
    answer = Answer.model_validate({"thread_id": thread_id, "text": "".join(text), **parts})
    _record(threads, answer)
    metrics.answers.labels(body.channel, "ok").inc()
    announce_proposals(request.app, [str(p["proposal_id"]) for p in answer.proposals])


@router.post(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Events: thread, status, delta (text), figures, citations, charts, "
            "proposals, done; error ends a failed stream",
        },
        404: {"description": "Unknown or someone else's thread"},
    },
)
def chat_stream(
    request: Request,
    body: ChatRequest,
    assistant: AssistantDep,
    threads: ThreadsDep,
    who: Principal = Analyst,
) -> StreamingResponse:
    """Ask a question and receive the answer as server-sent events while it is written."""
    thread_id = _open(threads, who, body)
    return StreamingResponse(
        _events(request, assistant, threads, who, body, thread_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
