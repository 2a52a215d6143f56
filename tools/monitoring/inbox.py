"""The inbox folder: files dropped there are imported, then moved out of the way.

Everything the inbox holds is first imported as one batch (so master data and documents
that refer to each other go in together). When that batch fails, each file is tried on
its own, so one bad file does not hold back the good ones. Imported files move to
``processed/<day>/``, refused ones to ``failed/<day>/`` with ``<name>.error.txt`` saying
what is wrong.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.workspace import ImportReport, Workspace, import_files
from tools.workspace.importer import expand_paths

__all__ = ["InboxFile", "ingest_inbox"]

Progress = Callable[[str], None]


class InboxFile(BaseModel):
    """What became of one file of the inbox."""

    model_config = ConfigDict(frozen=True)

    file: str
    status: Literal["imported", "failed"]
    moved_to: str
    batch_id: str
    rows_new: int = 0
    rows_updated: int = 0
    error: str | None = None


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target


def _outcomes(files: list[Path], report: ImportReport, folder: Path) -> list[InboxFile]:
    out = []
    for path in files:
        mine = [r for r in report.files if Path(r.file).name == path.name]
        moved = _move(path, folder)
        if report.ok:
            out.append(
                InboxFile(
                    file=path.name,
                    status="imported",
                    moved_to=str(moved),
                    batch_id=report.batch_id,
                    rows_new=sum(r.inserted for r in mine),
                    rows_updated=sum(r.updated for r in mine),
                )
            )
            continue
        problems = [p for p in report.problems if Path(str(p.get("file", ""))).name == path.name]
        lines = [
            ", ".join(f"{k}={v}" for k, v in p.items() if v is not None)
            for p in problems or report.problems
        ]
        error = "; ".join(lines[:3]) or "import failed"
        moved.with_name(moved.name + ".error.txt").write_text(
            f"{path.name} was not imported ({report.problem_count} problems):\n"
            + "\n".join(lines)
            + "\n",
            encoding="utf-8",
        )
        out.append(
            InboxFile(
                file=path.name,
                status="failed",
                moved_to=str(moved),
                batch_id=report.batch_id,
                error=error,
            )
        )
    return out


def ingest_inbox(
    ws: Workspace,
    inbox: Path,
    *,
    day: date,
    user: str = "daily-job",
    progress: Progress | None = None,
) -> list[InboxFile]:
    """Import every file waiting in ``inbox`` and move it to ``processed/`` or ``failed/``.

    Returns:
        One entry per file (none when the inbox is empty or missing).
    """
    if not inbox.is_dir():
        return []
    files = [p for p in expand_paths([inbox]) if p.is_file()]
    if not files:
        return []
    done, failed = inbox / "processed" / day.isoformat(), inbox / "failed" / day.isoformat()
    report = import_files(ws, files, user=user, progress=progress)
    if report.ok:
        return _outcomes(files, report, done)
    out = []
    for path in files:
        single = import_files(ws, [path], user=user, progress=progress)
        out += _outcomes([path], single, done if single.ok else failed)
    return out
