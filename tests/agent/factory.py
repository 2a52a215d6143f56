"""Small builders shared by the agent tests: proposals and a ledger on a fresh workspace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.ledger import Executor, Ledger, ProposalRecord, ledger_engine, write_users
from evals.agent import ROLES, small_company_workspace
from tools.domain.policy import Policy
from tools.domain.proposals import ActionItem, ProposedAction
from tools.workspace import init_workspace


def action(
    amount: float = 50_000.0, *, ref: str = "B-1", kind: str = "payment_run"
) -> ProposedAction:
    return ProposedAction(
        action=kind,  # type: ignore[arg-type]
        title=f"Pay {ref}",
        entity_id="US01",
        currency="USD",
        amount=amount,
        amount_reporting=amount,
        rationale="test",
        items=(ActionItem(ref=ref, counterparty="S1", amount=amount, date=date(2026, 1, 5)),),
        source="optimize_payments",
        as_of=date(2026, 1, 2),
    )


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_ledger(
    root: Path, *, url: str | None = None, clock: Callable[[], datetime] | None = None
) -> Ledger:
    ws = init_workspace(root, name="Test Co", database_url=url)
    write_users(root, ROLES)
    from agent.ledger.users import load_users

    return Ledger(
        ledger_engine(ws.database_url),
        Policy(),
        load_users(root),
        **({"clock": clock} if clock else {}),
    )


class CountingRenderer:
    """Records every render call; the count is what 'executed twice' would look like."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, record: ProposalRecord) -> list[dict[str, Any]]:
        self.calls.append(record.proposal_id)
        return [{"path": f"outbox/{record.proposal_id}/x.txt", "sha256": "0" * 64}]


def executor(ledger: Ledger) -> tuple[Executor, CountingRenderer]:
    render = CountingRenderer()
    return Executor(ledger, render), render


def build_company_workspace(root: Path, *, seed: int = 3, database_url: str | None = None) -> Any:
    """A small simulated company imported into a workspace (about 5 s), with users;
    its ledger in ``database_url`` when given (else SQLite in the workspace)."""
    return small_company_workspace(
        root, name="Test Manufacturing", seed=seed, database_url=database_url, user="test"
    )
