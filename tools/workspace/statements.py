"""Bank statement files (camt, MT940/942, BAI2, zips) as parts of an import batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.bank import check_balances, detect_format, parse_statement_file, to_frames
from tools.data.validate import Validated
from tools.domain.schemas import TABLES
from tools.workspace.statement_log import StatementRecord

__all__ = ["STATEMENT_SUFFIXES", "statement_parts"]

STATEMENT_SUFFIXES = {".xml", ".sta", ".940", ".942", ".mt940", ".swi", ".bai", ".bai2",
                      ".zip", ".053", ".052", ".054"}  # fmt: skip
_SNIFF = 1 << 16


def statement_parts(path: Path, warnings: list[str]) -> list[Validated] | None:
    """The bank lines and balances of a statement file, or None when it is not one.

    Raises:
        DataError: the file looks like a statement but cannot be read (names the file).
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".xlsx", ".xlsm", ".xls"):
        return None
    if suffix not in STATEMENT_SUFFIXES and suffix != ".txt":
        return None
    if not path.is_file():
        return None  # the tabular reader reports the missing file
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    fmt = detect_format(head, path.name)
    if fmt in ("csv", "unknown", "empty") and suffix == ".txt":
        return None  # a text export: the tabular reader takes it
    parsed = parse_statement_file(path.read_bytes(), path.name)
    warnings.extend(f"{path}: {w}" for w in parsed.warnings)
    for statement in parsed.statements:
        warnings.extend(
            f"{path}: account {statement.account}: {w}" for w in check_balances(statement)
        )
    txns, balances = to_frames(parsed, file=str(path))
    records = [
        StatementRecord(
            account_id=s.account,
            statement_id=s.statement_id,
            kind=s.kind,
            sequence=s.sequence,
            opening_date=s.opening_date,
            closing_date=s.closing_date,
            entries=len(s.entries),
            file=str(path),
        )
        for s in parsed.statements
    ]
    out = []
    for name, frame in (("bank_transactions", txns), ("bank_balances", balances)):
        part = Validated(
            table=TABLES[name],
            file=str(path),
            frame=frame.reset_index(drop=True),
            rows=np.zeros(len(frame), dtype=np.int64),
            bad_rows=np.zeros(len(frame), dtype=bool),
        )
        part.sources = {"format": parsed.format}
        out.append(part)
    out[0].statements = records
    return out
