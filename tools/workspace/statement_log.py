"""Which statements were imported: duplicates, statements arriving out of order, and gaps.

Banks number their statements (MT940 ``:28C:``, camt ``ElctrncSeqNb`` / ``LglSeqNb``). A
statement id seen before means the same statement was delivered twice (its lines are kept
once, but the user should know a file was resent); numbers that jump mean statements are
missing; a statement older than ones already imported arrived out of order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

__all__ = ["STATEMENT_LOG", "StatementRecord", "check_and_record", "statement_number_gaps"]

STATEMENT_LOG = sa.Table(
    "statement_log",
    sa.MetaData(),
    sa.Column("account_id", sa.Text, primary_key=True),
    sa.Column("statement_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("sequence", sa.Text),
    sa.Column("opening_date", sa.Date),
    sa.Column("closing_date", sa.Date),
    sa.Column("entries", sa.Integer, nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StatementRecord:
    """What one statement of a file says about itself."""

    account_id: str
    statement_id: str | None
    kind: str
    sequence: str | None
    opening_date: date | None
    closing_date: date | None
    entries: int
    file: str


def check_and_record(
    conn: sa.Connection,
    records: Iterable[StatementRecord],
    *,
    batch_id: str,
    write: bool,
) -> list[str]:
    """Warnings about duplicate, out-of-order and missing statements; logs the new ones."""
    STATEMENT_LOG.create(conn, checkfirst=True)
    todo = [r for r in records if r.statement_id]
    if not todo:
        return []
    accounts = sorted({r.account_id for r in todo})
    stored = conn.execute(
        sa.select(STATEMENT_LOG).where(STATEMENT_LOG.c.account_id.in_(accounts))
    ).all()
    known = {(s.account_id, s.statement_id, s.kind): s for s in stored}
    warnings: list[str] = []
    seen: dict[tuple[str, str, str], StatementRecord] = {}
    fresh: list[StatementRecord] = []
    for r in todo:
        ident = (r.account_id, str(r.statement_id), r.kind)
        if ident in known:
            old = known[ident]
            warnings.append(
                f"{r.file}: statement {r.statement_id} of account {r.account_id} was already "
                f"imported from {old.file} on {old.imported_at:%Y-%m-%d}; its lines are kept once"
            )
        elif ident in seen:
            warnings.append(
                f"{r.file}: statement {r.statement_id} of account {r.account_id} is also in "
                f"{seen[ident].file}; its lines are kept once"
            )
        else:
            seen[ident] = r
            fresh.append(r)
    warnings += _order_warnings(stored, fresh)
    if write and fresh:
        now = datetime.now(UTC)
        conn.execute(
            STATEMENT_LOG.insert(),
            [
                {
                    "account_id": r.account_id,
                    "statement_id": r.statement_id,
                    "kind": r.kind,
                    "sequence": r.sequence,
                    "opening_date": r.opening_date,
                    "closing_date": r.closing_date,
                    "entries": r.entries,
                    "file": r.file,
                    "batch_id": batch_id,
                    "imported_at": now,
                }
                for r in fresh
            ],
        )
    return warnings


def _number(sequence: str | None) -> int | None:
    """The statement number of '00012/001' (MT940: number/page), '12' or 'ESN-0012'."""
    if not sequence:
        return None
    match = re.search(r"\d+", sequence.split("/")[0])
    return int(match.group()) if match else None


def _order_warnings(stored: Iterable[Any], fresh: list[StatementRecord]) -> list[str]:
    warnings: list[str] = []
    for account in sorted({r.account_id for r in fresh}):
        old = [
            (s.closing_date, _number(s.sequence), s.file, False)
            for s in stored
            if s.account_id == account and s.kind == "statement"
        ]
        new = [
            (r.closing_date, _number(r.sequence), r.file, True)
            for r in fresh
            if r.account_id == account and r.kind == "statement"
        ]
        latest_old = max((d for d, *_ in old if d is not None), default=None)
        for closing, _, file, _ in new:
            if latest_old is not None and closing is not None and closing < latest_old:
                warnings.append(
                    f"{file}: statement of account {account} closing {closing} arrived after "
                    f"statements up to {latest_old}; it is merged by date"
                )
        timeline = sorted(
            (x for x in old + new if x[0] is not None and x[1] is not None),
            key=lambda x: (x[0], x[1]),
        )
        for (d1, n1, _, new1), (d2, n2, f2, new2) in itertools.pairwise(timeline):
            if not (new1 or new2) or n1 is None or n2 is None:
                continue
            if d2.year != d1.year and n2 <= 1:
                continue  # numbering restarts with the year
            if n2 > n1 + 1:
                missing = f"{n1 + 1}" if n2 == n1 + 2 else f"{n1 + 1} to {n2 - 1}"
                warnings.append(
                    f"{f2}: account {account}: statement number(s) {missing} missing between "
                    f"{d1} and {d2}; ask the bank to resend them"
                )
            elif n2 < n1 and d2 > d1:
                warnings.append(
                    f"{f2}: account {account}: statement number {n2} after {n1} "
                    f"({d1} -> {d2}); check the bank's numbering"
                )
    return warnings


def statement_number_gaps(conn: sa.Connection) -> dict[str, list[str]]:
    """Per account, the statement numbers missing between those imported ("13" or
    "13-15"), numbering restarts at a new year excepted; empty when nothing is logged."""
    if not sa.inspect(conn).has_table(STATEMENT_LOG.name):
        return {}
    rows = conn.execute(
        sa.select(
            STATEMENT_LOG.c.account_id, STATEMENT_LOG.c.closing_date, STATEMENT_LOG.c.sequence
        ).where(STATEMENT_LOG.c.kind == "statement")
    ).all()
    by_account: dict[str, list[tuple[date, int]]] = {}
    for account, closing, sequence in rows:
        number = _number(sequence)
        if closing is not None and number is not None:
            by_account.setdefault(str(account), []).append((closing, number))
    out: dict[str, list[str]] = {}
    for account, seen in sorted(by_account.items()):
        for (d1, n1), (d2, n2) in itertools.pairwise(sorted(set(seen))):
            if d2.year != d1.year and n2 <= 1:
                continue  # numbering restarts with the year
            if n2 > n1 + 1:
                out.setdefault(account, []).append(
                    f"{n1 + 1}" if n2 == n1 + 2 else f"{n1 + 1}-{n2 - 1}"
                )
    return out
