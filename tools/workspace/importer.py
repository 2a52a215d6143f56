"""Transactional import of ERP exports and policy files into a workspace.

A batch (every file of one ``wcm import``) is read and validated completely before
anything is written; then all of it is written in one database transaction. A batch with
a problem stores nothing, unless the caller asks to skip the invalid rows, in which case
every skipped row is listed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.data.mapping import ColumnMapping, guess_table, preset_for_headers
from tools.data.readers import EXCEL_SUFFIXES, RawTable, read_tabular
from tools.data.validate import MAX_PROBLEMS, Validated, validate
from tools.domain.policy import dump_policy, load_policy
from tools.domain.schemas import TABLES, Table
from tools.errors import DataError, Problem, WcmError
from tools.workspace.db import IMPORT_BATCHES, read_table, upsert, write_order
from tools.workspace.statement_log import check_and_record
from tools.workspace.statements import STATEMENT_SUFFIXES, statement_parts
from tools.workspace.stubs import stub_rows
from tools.workspace.workspace import Workspace, write_atomic

__all__ = ["FileReport", "ImportReport", "expand_paths", "import_files"]

TABULAR_SUFFIXES = {".csv", ".txt", ".tsv", *EXCEL_SUFFIXES}
OVERLAP_TABLES = ("bank_transactions", "bank_balances")
Progress = Callable[[str], None]


class FileReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    table: str
    mapping: str
    encoding: str | None = None
    delimiter: str | None = None
    rows_read: int = 0
    blank_rows_skipped: int = 0
    invalid_rows_skipped: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    columns: dict[str, str] = Field(default_factory=dict, description="canonical <- header")
    ignored_columns: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    """What a batch read, wrote, skipped and why."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    status: Literal["imported", "failed", "validated"]
    files: list[FileReport]
    created: dict[str, list[str]] = Field(
        default_factory=dict, description="master records created from references"
    )
    policy: str | None = None
    warnings: list[str] = Field(default_factory=list, description="Worth a look; not errors")
    problems: list[dict[str, Any]] = Field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class _Part:
    path: Path
    raw: RawTable | None  # None for bank statements, which are not tables
    mapping: ColumnMapping
    validated: Validated


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to import: folders expand to the tables and policy file they hold."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in TABULAR_SUFFIXES | STATEMENT_SUFFIXES
                    or p.name in ("policy.yaml", "policy.yml")
                )
            )
        else:
            out.append(path)
    return out


def import_files(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    mapping: ColumnMapping | None = None,
    table: str | None = None,
    defaults: dict[str, str] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    user: str = "cli",
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``paths`` into ``ws`` as one all-or-nothing batch.

    Args:
        ws: the workspace.
        paths: export files (CSV/TSV/TXT/XLSX), folders of them, or a ``policy.yaml``.
        mapping: column mapping for every tabular file; presets are detected otherwise.
        table: canonical table for every tabular file; guessed from names otherwise.
        defaults: constant values for columns an export lacks (``currency=USD``).
        skip_invalid: store the valid rows and list the invalid ones instead of failing.
        dry_run: validate and report, store nothing.
        user: who imports (recorded with the batch).
        progress: called with a short description before each step.

    Returns:
        The report; ``status`` is ``failed`` when nothing was stored.
    """
    say = progress or (lambda _msg: None)
    batch_id = str(uuid.uuid4())
    problems: list[Problem] = []
    warnings: list[str] = []
    parts: list[_Part] = []
    policy_text: str | None = None
    for path in expand_paths(paths):
        say(f"reading {path.name}")
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                policy_text = dump_policy(load_policy(path))
                continue
            statement = statement_parts(path, warnings)
            if statement is not None:
                parts.extend(
                    _Part(path, None, ColumnMapping(name=v.sources["format"]), v) for v in statement
                )
                continue
            parts.append(_read_part(path, mapping, table, defaults))
        except DataError as exc:
            problems.extend(exc.problems)
        except WcmError as exc:
            problems.append(Problem(file=str(path), message=str(exc)))
    if not parts and policy_text is None and not problems:
        problems.append(
            Problem(
                file=", ".join(map(str, paths)) or "(none)",
                message="no importable files",
                expected="CSV, TSV, TXT or Excel exports, or a policy.yaml",
            )
        )
    for part in parts:
        problems.extend(part.validated.problems)
    total = len(problems) + sum(
        p.validated.problem_count - len(p.validated.problems) for p in parts
    )
    if problems and not skip_invalid:
        return _failed(batch_id, parts, problems, total)
    say("checking references")
    with ws.engine.begin() as conn:
        frames = _combine(parts, problems)
        created = stub_rows(
            conn,
            frames,
            problems,
            reporting_currency=ws.reporting_currency,
            entity=(defaults or {}).get("entity_id"),
        )
        if problems and not skip_invalid:
            conn.rollback()
            return _failed(batch_id, parts, problems, len(problems))
        counts: dict[tuple[str, str], tuple[int, int, int]] = {}
        for name in write_order(frames):
            frame = frames[name]
            say(f"writing {name} ({len(frame):,} rows)")
            counts.update(_write(conn, TABLES[name], frame, write=not dry_run))
        reports = _file_reports(parts, counts)
        statements = [r for p in parts for r in p.validated.statements]
        warnings += check_and_record(conn, statements, batch_id=batch_id, write=not dry_run)
        report = ImportReport(
            batch_id=batch_id,
            status="validated" if dry_run else "imported",
            files=reports,
            created={k: v for k, v in created.items() if v},
            policy="policy.yaml" if policy_text else None,
            warnings=warnings,
            problems=[p.to_dict() for p in problems[:MAX_PROBLEMS]],
            problem_count=len(problems),
        )
        if dry_run:
            conn.rollback()
            return report
        conn.execute(
            IMPORT_BATCHES.insert().values(
                batch_id=batch_id,
                created_at=datetime.now(UTC),
                user_id=user,
                status="imported",
                report=report.model_dump(mode="json"),
            )
        )
        if policy_text is not None:
            # Last step inside the transaction: a failure here rolls the database back too.
            write_atomic(ws.policy_path, policy_text)
    return report


def _read_part(
    path: Path, mapping: ColumnMapping | None, table: str | None, defaults: dict[str, str] | None
) -> _Part:
    base = mapping or ColumnMapping()
    raw = read_tabular(
        path,
        encoding=base.encoding,
        delimiter=base.delimiter,
        sheet=base.sheet,
        skip_rows=base.skip_rows,
    )
    headers = list(raw.frame.columns)
    if mapping is None:
        base = preset_for_headers(headers) or base
    chosen = base.merged(table=table, defaults=defaults or {})
    name = chosen.table or guess_table(path, headers)
    if name is None:
        raise DataError(
            [
                Problem(
                    file=str(path),
                    message="cannot tell which table this file holds",
                    value=", ".join(headers[:8]),
                    expected=f"a file named after a table ({', '.join(TABLES)}) or --table NAME",
                )
            ]
        )
    return _Part(path, raw, chosen, validate(raw, TABLES[name], chosen))


def _combine(parts: list[_Part], problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Valid rows per table; keys repeated across files of the batch are problems."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for part in parts:
        v = part.validated
        good = v.frame.loc[~v.bad_rows].reset_index(drop=True) if v.bad_rows.any() else v.frame
        good["__file"], good["__row"] = v.file, v.rows[~v.bad_rows]
        frames.setdefault(v.table.name, []).append(good)
    out = {}
    for name, pieces in frames.items():
        frame = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
        key = list(TABLES[name].key)
        if len(pieces) > 1:
            dup = frame.duplicated(key, keep="first")
            # Overlapping statements repeat the same lines: kept once, not a problem.
            repeated = frame.loc[dup] if name not in OVERLAP_TABLES else frame.iloc[:0]
            for _, row in repeated.head(MAX_PROBLEMS).iterrows():
                problems.append(
                    Problem(
                        file=row["__file"],
                        row=int(row["__row"]),
                        column=key[-1],
                        value=str(row[key[-1]]),
                        message="key also appears in another file of the batch",
                        expected="each key once per batch",
                    )
                )
            frame = frame.loc[~dup].reset_index(drop=True)
        out[name] = frame
    return out


def _write(
    conn: Any, table: Table, frame: pd.DataFrame, *, write: bool
) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Upsert the rows that are new or changed; (inserted, updated, unchanged) per file."""
    files = frame["__file"].to_numpy()
    data = frame[table.names]
    if not _has_rows(conn, table.name):
        new = np.ones(len(data), dtype=bool)
        same = np.zeros(len(data), dtype=bool)
    else:
        stored = read_table(conn, table.name)
        key = list(table.key)
        merged = data.merge(stored, on=key, how="left", suffixes=("", "__old"), indicator=True)
        new = (merged["_merge"] == "left_only").to_numpy()
        same = ~new
        for col in table.names:
            if col not in key:
                a, b = merged[col], merged[f"{col}__old"]
                # nullable columns compare to <NA> for new rows: count those as different
                equal = (a == b).astype("boolean").fillna(False)
                same &= (equal | (a.isna() & b.isna())).to_numpy(dtype=bool)
    changed = ~new & ~same
    if write:
        upsert(conn, table, data if new.all() else data.loc[new | changed])
    out = {}
    for file in pd.unique(files):
        mine = files == file
        out[(table.name, str(file))] = (
            int((new & mine).sum()),
            int((changed & mine).sum()),
            int((same & mine).sum()),
        )
    return out


def _has_rows(conn: Any, name: str) -> bool:
    return conn.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first() is not None


def _file_reports(
    parts: list[_Part], counts: dict[tuple[str, str], tuple[int, int, int]]
) -> list[FileReport]:
    reports = []
    for part in parts:
        v = part.validated
        ins, upd, same = counts.get((v.table.name, v.file), (0, 0, 0))
        blank = part.raw.blank_rows if part.raw else 0
        reports.append(
            FileReport(
                file=v.file,
                table=v.table.name,
                mapping=part.mapping.name or ("custom" if part.mapping.columns else "auto"),
                encoding=part.raw.encoding if part.raw else None,
                delimiter=part.raw.delimiter if part.raw else None,
                rows_read=len(v.frame) + blank,
                blank_rows_skipped=blank,
                invalid_rows_skipped=int(v.bad_rows.sum()),
                inserted=ins,
                updated=upd,
                unchanged=same,
                columns={} if part.raw is None else v.sources,
                ignored_columns=v.ignored,
            )
        )
    return reports


def _failed(batch_id: str, parts: list[_Part], problems: list[Problem], total: int) -> ImportReport:
    return ImportReport(
        batch_id=batch_id,
        status="failed",
        files=_file_reports(parts, {}),
        problems=[p.to_dict() for p in problems[:MAX_PROBLEMS]],
        problem_count=total,
    )
