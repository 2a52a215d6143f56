"""Sending the weekly report: who it goes to, the proposal a person approves, the e-mail.

Sending is an action like a payment run: the ``weekly_report`` tool proposes it, the
ledger routes it for approval, and the executor writes the ``.eml`` (sent when SMTP is
configured) exactly once. The proposal pins every attached file by its SHA-256, so what
goes out is byte for byte the report that was approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.ledger.models import ProposalRecord
from agent.ledger.users import USERS_FILE, Users
from agent.planner.recipients import EMAIL
from tools.errors import DataError, Problem
from tools.execution import report_email
from tools.monitoring.report import WeeklyReport

__all__ = [
    "REPORT_ACTION",
    "distribution_fields",
    "missing_hint",
    "report_files",
    "resolve_recipients",
]

REPORT_ACTION = "report_distribution"


def resolve_recipients(
    names: Sequence[str], users: Users
) -> tuple[list[tuple[str, str]], list[str]]:
    """``(name, address)`` pairs for the names given, and the names no address was found for.

    A name is an e-mail address, a user id of ``users.yaml`` ("cfo") or a word of a
    user's display name ("treasury" finds "Treasury team"); users need an ``email``.
    """
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    for raw in names:
        name = raw.strip()
        low = name.lower()
        if EMAIL.fullmatch(name):
            hits = [name]
        else:
            hits = [
                u.email
                for uid, u in sorted(users.users.items())
                if u.email
                and (
                    uid.lower() == low
                    or (u.name and re.search(rf"\b{re.escape(low)}\b", u.name.lower()))
                )
            ]
        if not hits:
            missing.append(name)
        for address in hits:
            if address not in {a for _, a in found}:
                found.append((name, address))
    return found, missing


def missing_hint(missing: Sequence[str]) -> str:
    """How to give the names without an address one."""
    example = re.sub(r"\W+", "_", missing[0].lower()) or "cfo"
    return (
        f"no e-mail address for {', '.join(missing)}: add them to {USERS_FILE} "
        f"(e.g. '{example}: {{roles: [viewer], email: {example}@yourcompany.com}}') "
        "or name an address"
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def distribution_fields(
    report: WeeklyReport, recipients: Sequence[tuple[str, str]], *, root: Path
) -> dict[str, Any]:
    """The ``ProposedAction`` fields for e-mailing ``report`` (files pinned by hash)."""
    paths = [report.path, *([report.pdf] if report.pdf else []), *report.charts]
    files = {str(p.relative_to(root)): _sha(p) for p in paths}
    f = report.figures
    names = ", ".join(dict.fromkeys(n for n, _ in recipients))
    return {
        "action": REPORT_ACTION,
        "title": f"E-mail the weekly report of {report.as_of} to {names}",
        "entity_id": "GROUP",
        "currency": f.reporting_currency,
        "amount": 0.0,
        "amount_reporting": 0.0,
        "rationale": (
            f"Weekly working-capital report for data up to {report.as_of}: group cash "
            f"{f.group_cash:,.0f} {f.reporting_currency}, {f.alerts_open} open alert(s), "
            f"{f.pending_proposals} proposal(s) awaiting approval."
        ),
        "items": tuple(
            {
                "ref": address,
                "counterparty": name,
                "amount": 0.0,
                "date": report.as_of,
                "details": {"files": files},
            }
            for name, address in recipients
        ),
        "source": "weekly_report",
        "as_of": report.as_of,
        "evidence": {"report": str(report.path.relative_to(root)), **f.model_dump(mode="json")},
    }


def report_files(record: ProposalRecord, root: Path, *, company: str) -> dict[str, bytes]:
    """The approved report as an e-mail draft (``report/<report>.eml``) for the outbox.

    Raises:
        DataError: a pinned file is missing or no longer the approved version.
    """
    a = record.action
    files: dict[str, str] = dict(a.items[0].details.get("files", {})) if a.items else {}
    attachments = []
    for rel, sha in files.items():
        path = root / rel
        data = path.read_bytes() if path.is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            raise DataError(
                [
                    Problem(
                        file=rel,
                        message="the report changed or was removed after it was approved",
                        expected="ask for the weekly report again and approve the new proposal",
                    )
                ]
            )
        attachments.append((path.name, data))
    slug = re.sub(r"[^a-z0-9]+", "-", company.lower()).strip("-") or "company"
    first = Path(next(iter(files), "weekly-report.md"))
    body = "\n".join(
        [
            "Hello,",
            "",
            f"attached is the weekly working-capital report of {company} for data up to {a.as_of}.",
            "",
            a.rationale,
            "",
            f"Sent after approval of proposal {record.proposal_id}.",
        ]
    )
    eml = report_email(
        to=[i.ref for i in a.items],
        from_address=f"treasury@{slug}.invalid",
        subject=f"Weekly working-capital report: {company}, {a.as_of}",
        body=body,
        attachments=attachments,
        sent_at=dt.datetime.combine(a.as_of, dt.time(9, 0), tzinfo=dt.UTC),
        message_id=record.proposal_id,
    )
    return {f"report/{first.stem}.eml": eml}
