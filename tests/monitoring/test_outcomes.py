"""Executed decisions get their realised outcome, in the ledger and in the knowledge base."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from agent.ledger import Executor, Ledger, ledger_engine, load_users
from agent.outcomes import executed_decisions, follow_up_decisions
from knowledge import KnowledgeStore, get_decision
from tests.agent.factory import build_company_workspace
from tools.domain.proposals import ActionItem, ProposedAction
from tools.monitoring.outcome_store import load_outcomes, record_outcomes
from tools.monitoring.outcomes import ExecutedDecision, outcomes

AS_OF = date(2025, 12, 31)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_company_workspace(tmp_path_factory.mktemp("ws"))


def _paid_bills(tables: dict[str, pd.DataFrame]) -> tuple[pd.Series, pd.Series]:
    b = tables["ap_bills"].dropna(subset=["paid_date"])
    window = b["issue_date"] + pd.to_timedelta(b["discount_days"].fillna(0), unit="D")
    taken = b.loc[(b["discount_pct"] > 0) & (b["paid_date"] <= window)].iloc[-1]
    late = b.loc[(b["paid_date"] - b["due_date"]).dt.days >= 5].iloc[-1]
    return taken, late


def _run(taken: pd.Series, late: pd.Series) -> ProposedAction:
    items = tuple(
        ActionItem(
            ref=str(r["bill_id"]),
            counterparty=str(r["supplier_id"]),
            amount=float(r["amount"]),
            date=r["paid_date"].date(),
            details={"discount": d},
        )
        for r, d in (
            (taken, round(float(taken["amount"] * taken["discount_pct"] / 100), 2)),
            (late, 0.0),
        )
    )
    total = float(taken["amount"] + late["amount"])
    return ProposedAction(
        action="payment_run",
        title="Pay 2 bills",
        entity_id="US01",
        currency="USD",
        amount=total,
        amount_reporting=total,
        value=items[0].details["discount"],
        rationale="test",
        items=items,
        source="optimize_payments",
        as_of=AS_OF - timedelta(days=90),
    )


def _investment() -> ProposedAction:
    item = ActionItem(
        ref="deposit_1m@Bank",
        counterparty="Bank",
        amount=1_000_000.0,
        date=date(2025, 10, 1),
        details={"instrument": "deposit_1m", "matures": "2025-10-31", "rate_pct": 9.0},
    )
    return ProposedAction(
        action="investment_order",
        title="Invest 1 M",
        entity_id="US01",
        currency="USD",
        amount=1_000_000.0,
        amount_reporting=1_000_000.0,
        value=7397.26,
        rationale="test",
        items=(item,),
        source="optimize_investments",
        as_of=date(2025, 10, 1),
    )


def test_outcomes_reach_the_ledger_and_the_knowledge_base(workspace: Any, tmp_path: Path) -> None:
    tables = workspace.read_all()
    taken, late = _paid_bills(tables)
    ledger = Ledger(
        ledger_engine(workspace.database_url), workspace.policy(), load_users(workspace.root)
    )
    executor = Executor(ledger, lambda record: [])
    for action in (_run(taken, late), _investment()):
        p = ledger.propose(action, requester="ann")
        ledger.approve(p.proposal_id, "bob")
        if ledger.get(p.proposal_id).status != "approved":
            ledger.approve(p.proposal_id, "cat")
        executor.execute(p.proposal_id, actor="bob")
    executed = executed_decisions(ledger, executor)
    assert len(executed) == 2 and all(d.approvers for d in executed)
    report = outcomes(executed, tables, as_of=AS_OF)
    by_kind = {o.proposal_id: o for o in report.outcomes}
    pay = next(o for o in report.outcomes if o.items and o.items[0].status == "discount taken")
    inv = next(o for o in by_kind.values() if o is not pay)
    assert pay.status == "realised" and [i.status for i in pay.items] == ["discount taken", "late"]
    assert pay.value.discounts_captured == pytest.approx(pay.expected_value, abs=0.01)
    assert pay.value.late_fees > 0 and (pay.items[1].days or 0) >= 5
    assert inv.value.yield_earned == pytest.approx(1e6 * 0.09 * 30 / 365, abs=0.01)
    assert 0 < inv.value.yield_overnight < inv.value.yield_earned and inv.rating == "as_expected"
    assert report.total.value == pytest.approx(pay.value.value + inv.value.value, abs=0.02)

    assert record_outcomes(ledger.engine, report) == 2
    assert record_outcomes(ledger.engine, report) == 2  # measured again: replaced, not added
    stored = load_outcomes(ledger.engine)
    assert {s["proposal_id"] for s in stored} == {pay.proposal_id, inv.proposal_id}

    store = KnowledgeStore.open(tmp_path / "kb")
    follow_up_decisions(executed, tables, ledger=ledger, store=store, as_of=AS_OF)
    follow_up_decisions(executed, tables, ledger=ledger, store=store, as_of=AS_OF)  # no-op twice
    kept = get_decision(store, pay.proposal_id)
    assert kept is not None and kept.outcome == pay.summary and kept.outcome_at == AS_OF
    assert len(load_outcomes(ledger.engine)) == 2


def test_a_decision_too_recent_to_judge_is_pending(workspace: Any) -> None:
    tables = workspace.read_all()
    action = _investment()
    d = ExecutedDecision(proposal_id="P-1", action=action, executed_on=date(2025, 10, 1))
    report = outcomes([d], tables, as_of=date(2025, 10, 15))  # deposit not matured yet
    assert report.outcomes[0].status == "pending" and report.total.value == 0.0


def test_dunning_counts_what_customers_paid_after_the_reminder(workspace: Any) -> None:
    tables = workspace.read_all()
    rc = tables["ar_receipts"]
    day = date(2025, 11, 3)
    after = rc.loc[
        (rc["payment_date"] > pd.Timestamp(day))
        & (rc["payment_date"] <= pd.Timestamp(day) + pd.Timedelta(days=30))
    ]
    payer = str(after["customer_id"].iloc[0])
    got = float(after.loc[after["customer_id"] == payer, "amount"].sum())
    action = ProposedAction(
        action="dunning_campaign",
        title="Call 1 customer",
        entity_id="group",
        currency="USD",
        amount=got,
        amount_reporting=got,
        value=got,
        rationale="test",
        items=(
            ActionItem(ref=payer, counterparty=payer, amount=got, details={"expected_cash": got}),
        ),
        source="collections_worklist",
        as_of=day,
    )
    report = outcomes(
        [ExecutedDecision(proposal_id="P-2", action=action, executed_on=day)], tables, as_of=AS_OF
    )
    item = report.outcomes[0].items[0]
    assert item.status == "paid" and item.amount == pytest.approx(got, abs=0.01)
    assert report.outcomes[0].rating == "as_expected"
    assert item.days is not None and 0 < item.days <= 30
