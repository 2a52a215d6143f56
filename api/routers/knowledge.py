"""The knowledge base: ingest policies and playbooks, search them with citations."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from api.auth import Principal
from api.deps import CurrentUser, SettingsDep, require_role
from api.routers.imports import _safe_name
from knowledge import IngestReport, KnowledgeStore, SearchResult, ingest_paths, search

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge base"])


@router.post("/documents", responses={413: {}})
async def ingest(
    files: Annotated[list[UploadFile], File(description="Markdown, text, HTML, PDF, DOCX...")],
    settings: SettingsDep,
    who: Principal = require_role("analyst"),
) -> IngestReport:
    """Add or update documents; unchanged files are skipped, bad files reported."""
    with tempfile.TemporaryDirectory(prefix="wcm-kb-") as tmp:
        paths = []
        for index, upload in enumerate(files):
            target = Path(tmp) / _safe_name(upload.filename, index)
            target.write_bytes(await upload.read())
            paths.append(target)
        store = await run_in_threadpool(KnowledgeStore.open, settings)
        return await run_in_threadpool(ingest_paths, store, paths)


@router.get("/search")
def search_kb(
    who: CurrentUser,
    settings: SettingsDep,
    q: str = Query(min_length=1, max_length=500, description="What to look up"),
    k: int = Query(default=5, ge=1, le=20),
) -> SearchResult:
    """The passages that best answer ``q``, each with its citation (quoted data only)."""
    return search(KnowledgeStore.open(settings), q, k=k)
