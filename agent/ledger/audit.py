"""The append-only audit log: each record's hash covers the previous hash and its content.

Editing a record changes its hash, so the next record's ``prev_hash`` no longer matches;
deleting or reordering records breaks the sequence numbers or the links; deleting the
last records leaves the stored head (``agent_audit_head``) pointing past the end.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from agent.ledger.models import AuditEntry, AuditVerification
from agent.ledger.schema import AUDIT, AUDIT_HEAD, GENESIS

__all__ = ["append_audit", "audit_entries", "record_hash", "verify_audit"]

_CONTENT = ("seq", "at", "actor", "channel", "event", "proposal_id", "reason", "action_hash")


def record_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256 over the previous hash and the record's canonical JSON."""
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _content(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in _CONTENT}
    out["details"] = (
        json.loads(row["details"]) if isinstance(row["details"], str) else row["details"]
    )
    return out


def append_audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    channel: str,
    event: str,
    proposal_id: str | None = None,
    reason: str | None = None,
    action_hash: str | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Append one record in the caller's transaction; returns its hash.

    The head row is locked first (``FOR UPDATE`` on Postgres, the immediate write lock on
    SQLite), so concurrent writers append one after the other.
    """
    head = conn.execute(
        sa.select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash).where(AUDIT_HEAD.c.id == 1).with_for_update()
    ).one()
    row: dict[str, Any] = {
        "seq": int(head.seq) + 1,
        "at": at.isoformat(),
        "actor": actor,
        "channel": channel,
        "event": event,
        "proposal_id": proposal_id,
        "reason": reason,
        "action_hash": action_hash,
        "details": json.dumps(details or {}, sort_keys=True, default=str, ensure_ascii=False),
    }
    digest = record_hash(head.hash, _content(row))
    conn.execute(sa.insert(AUDIT).values(**row, prev_hash=head.hash, hash=digest))
    conn.execute(
        sa.update(AUDIT_HEAD).where(AUDIT_HEAD.c.id == 1).values(seq=row["seq"], hash=digest)
    )
    return digest


def audit_entries(engine: Engine, *, proposal_id: str | None = None) -> list[AuditEntry]:
    """Audit records in order, optionally those of one proposal."""
    query = sa.select(AUDIT).order_by(AUDIT.c.seq)
    if proposal_id is not None:
        query = query.where(AUDIT.c.proposal_id == proposal_id)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        AuditEntry.model_validate({**dict(r), "details": json.loads(r["details"])}) for r in rows
    ]


def verify_audit(engine: Engine) -> AuditVerification:
    """Recompute the chain; report every edited, deleted, inserted or reordered record."""
    problems: list[str] = []
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(AUDIT).order_by(AUDIT.c.seq)).mappings()]
        head = conn.execute(sa.select(AUDIT_HEAD).where(AUDIT_HEAD.c.id == 1)).mappings().first()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, 1):
        if row["seq"] != expected_seq:
            problems.append(f"record {expected_seq} is missing (found {row['seq']} in its place)")
        if row["prev_hash"] != prev:
            problems.append(f"record {row['seq']}: does not follow the record before it")
        if record_hash(row["prev_hash"], _content(row)) != row["hash"]:
            problems.append(f"record {row['seq']}: content was changed after it was written")
        prev = row["hash"]
        if len(problems) >= 20:
            break
    tip = rows[-1] if rows else None
    if head is None:
        problems.append("the audit head is missing")
    elif tip is None and head["seq"] != 0:
        problems.append(f"all {head['seq']} records are missing")
    elif tip is not None and (head["seq"] != tip["seq"] or head["hash"] != tip["hash"]):
        problems.append(
            f"the log ends at record {tip['seq']} but {head['seq']} were written: "
            "records were deleted from the end"
        )
    return AuditVerification(
        ok=not problems,
        records=len(rows),
        head_hash=tip["hash"] if tip else GENESIS,
        problems=tuple(problems),
    )
