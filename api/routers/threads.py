"""Conversation threads: yours and the shared ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import ThreadInfo, ThreadMessage
from api.deps import CurrentUser, ThreadsDep

router = APIRouter(prefix="/v1/threads", tags=["threads"])

_PATH_ID: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown id, or another user's private thread"}
}


class ThreadsPublic(BaseModel):
    data: list[ThreadInfo]
    count: int


class ThreadDetail(BaseModel):
    thread: ThreadInfo
    messages: list[ThreadMessage]


class ThreadUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=120)
    private: bool | None = Field(default=None, description="false shares it with every user")


@router.get("")
def list_threads(
    who: CurrentUser,
    threads: ThreadsDep,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> ThreadsPublic:
    """Your threads and the shared ones, most recently active first."""
    data, count = threads.list(who, limit=limit, offset=offset)
    return ThreadsPublic(data=data, count=count)


@router.get("/{thread_id}", responses=_PATH_ID)
def get_thread(thread_id: str, who: CurrentUser, threads: ThreadsDep) -> ThreadDetail:
    """A thread and its messages (answers with their figures, citations and charts)."""
    info = threads.get(who, thread_id)
    return ThreadDetail(thread=info, messages=threads.messages(info.thread_id))


@router.patch("/{thread_id}", responses=_PATH_ID)
def update_thread(
    thread_id: str, body: ThreadUpdate, who: CurrentUser, threads: ThreadsDep
) -> ThreadInfo:
    """Rename a thread or share it (its owner only)."""
    return threads.update(who, thread_id, title=body.title, private=body.private)
