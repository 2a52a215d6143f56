"""Data import: upload ERP exports, bank statements or a policy file as one batch."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api.auth import Principal
from api.deps import WorkspaceDep, require_role
from api.errors import ApiError
from tools.domain.schemas import TABLES
from tools.workspace import ImportReport, import_files

router = APIRouter(prefix="/v1/imports", tags=["data import"])

_CHUNK = 1 << 20


class BadUpload(ApiError):
    status, kind = 400, "bad_request"


def _safe_name(name: str | None, index: int) -> str:
    """The file's own name without any folder part, never empty or hidden."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    base = base.lstrip(".")
    if not base:
        raise BadUpload(f"file {index + 1} has no name; send it with a file name like ar.csv")
    return base


@router.post("", responses={400: {"description": "A file without a name"}, 413: {}})
async def upload(
    files: Annotated[list[UploadFile], File(description="Exports, statements or policy.yaml")],
    ws: WorkspaceDep,
    table: Annotated[str | None, Form(max_length=60)] = None,
    skip_invalid: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
    who: Principal = require_role("analyst"),
) -> ImportReport:
    """Import the uploaded files as one transaction: all of the batch is stored, or none.

    File names matter as on the command line: they tell which table a file holds
    (``ar_invoices.csv``) unless ``table`` says it.
    """
    if not files:
        raise BadUpload("send at least one file in the 'files' field")
    if table is not None and table not in TABLES:
        raise BadUpload(f"unknown table {table!r}; use one of {', '.join(sorted(TABLES))}")
    with tempfile.TemporaryDirectory(prefix="wcm-upload-") as tmp:
        paths: list[Path] = []
        for index, upload in enumerate(files):
            name = _safe_name(upload.filename, index)
            target = Path(tmp) / name
            if target.exists():
                target = Path(tmp) / f"{index}-{name}"
            with target.open("wb") as out:
                while chunk := await upload.read(_CHUNK):
                    out.write(chunk)
            paths.append(target)
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(
            import_files,
            ws,
            paths,
            table=table,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            user=who.user,
        )
