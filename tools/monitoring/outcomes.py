"""What became of each executed decision, read from the data that came in after it.

- **payment run**: was each bill paid, on the planned date, inside its discount window
  (discount captured) or after its due date (late fee at ``late_fee_pct`` a year)?
- **dunning campaign**: did each contacted customer pay within ``follow_up_days``, how many
  days after the reminder, and how much against the cash the campaign expected?
- **investment order**: the placement's interest to maturity against what the same money
  would have earned overnight (the day's overnight fixings over the same days);
- **discount offer**: did the customer pay early for the discount? The interest saved on
  the days gained (``cost_of_funds_pct``) less the discount given is its value;
- **credit-limit change**: how much of the customer's exposure went overdue since.

Amounts are turned into the reporting currency at the rate the proposal itself used
(``amount_reporting / amount``). Other actions are ``not_tracked``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from tools.domain.proposals import ActionItem, ProposedAction
from tools.monitoring.value import ValueBreakdown, cumulative

__all__ = ["DecisionOutcome", "ExecutedDecision", "ItemOutcome", "OutcomeReport", "outcomes"]

Status = Literal["realised", "pending", "not_tracked"]
Rating = Literal["better", "as_expected", "worse"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExecutedDecision(_Frozen):
    """An executed proposal, as the decision ledger holds it."""

    proposal_id: str
    action: ProposedAction
    executed_on: date
    requester: str = ""
    approvers: tuple[str, ...] = ()


class ItemOutcome(_Frozen):
    ref: str
    counterparty: str | None
    status: str
    days: int | None  # days late (bills), days to pay (customers), tenor (placements)
    amount: float  # action currency: paid, collected or earned
    note: str


class DecisionOutcome(_Frozen):
    """One decision's realised outcome and value."""

    proposal_id: str
    action: str
    status: Status
    rating: Rating | None
    expected_value: float
    value: ValueBreakdown
    items: tuple[ItemOutcome, ...]
    summary: str

    def knowledge_update(self, as_of: date) -> dict[str, Any]:
        """Keyword arguments for the knowledge base's ``update_outcome``."""
        return {"outcome": self.summary, "outcome_at": as_of, "rating": self.rating}


class OutcomeReport(_Frozen):
    """Every decision's outcome and the value created, per decision and in total."""

    as_of: date
    outcomes: tuple[DecisionOutcome, ...]
    total: ValueBreakdown
    provenance: dict[str, Any]


def outcomes(
    decisions: Sequence[ExecutedDecision],
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    follow_up_days: int = 30,
    late_fee_pct: float = 12.0,
    cost_of_funds_pct: float = 8.0,
) -> OutcomeReport:
    """The realised outcome of each executed decision from the ledger known at ``as_of``.

    Raises:
        ValueError: ``follow_up_days`` below 1.
    """
    if follow_up_days < 1:
        raise ValueError(f"follow_up_days must be >= 1, got {follow_up_days}")
    ctx = _Context(tables, pd.Timestamp(as_of), follow_up_days, late_fee_pct, cost_of_funds_pct)
    done = tuple(_one(d, ctx) for d in decisions)
    return OutcomeReport(
        as_of=as_of,
        outcomes=done,
        total=cumulative(o.value for o in done if o.status == "realised"),
        provenance={
            "decisions": len(done),
            "realised": sum(o.status == "realised" for o in done),
            "follow_up_days": follow_up_days,
            "late_fee_pct": late_fee_pct,
            "cost_of_funds_pct": cost_of_funds_pct,
        },
    )


class _Context:
    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        now: pd.Timestamp,
        days: int,
        fee: float,
        cof: float,
    ) -> None:
        self.tables, self.now, self.days, self.fee, self.cof = tables, now, days, fee, cof

    def frame(self, name: str) -> pd.DataFrame:
        frame = self.tables.get(name)
        return frame if frame is not None else pd.DataFrame()


def _one(d: ExecutedDecision, ctx: _Context) -> DecisionOutcome:
    a = d.action
    handler = {
        "payment_run": _payment_run,
        "dunning_campaign": _dunning,
        "investment_order": _investment,
        "discount_offer": _discount_offer,
        "credit_limit_change": _credit_limit,
    }.get(a.action)
    rate = a.amount_reporting / a.amount if a.amount else 1.0
    if handler is None:
        return _result(d, "not_tracked", None, ValueBreakdown(), (), "outcome not tracked")
    items, value, pending, text = handler(d, ctx, rate)
    if pending:
        return _result(d, "pending", None, value, items, text)
    return _result(d, "realised", _rate(a, value, items), value, items, text)


def _result(
    d: ExecutedDecision,
    status: Status,
    rating: Rating | None,
    value: ValueBreakdown,
    items: Sequence[ItemOutcome],
    text: str,
) -> DecisionOutcome:
    return DecisionOutcome(
        proposal_id=d.proposal_id,
        action=d.action.action,
        status=status,
        rating=rating,
        expected_value=d.action.value,
        value=value,
        items=tuple(items),
        summary=text,
    )


def _rate(a: ProposedAction, value: ValueBreakdown, items: Sequence[ItemOutcome]) -> Rating:
    if a.action == "dunning_campaign":
        expected = sum(float(i.details.get("expected_cash", 0.0)) for i in a.items)
        got = sum(i.amount for i in items)
        ratio = got / expected if expected else 1.0
        return "better" if ratio > 1.1 else "as_expected" if ratio >= 0.9 else "worse"
    if a.action == "credit_limit_change":
        return "worse" if any(i.status == "overdue" for i in items) else "as_expected"
    if a.action == "investment_order" and value.yield_earned < value.yield_overnight:
        return "worse"
    gap = value.value - a.value
    tol = max(1.0, 0.05 * abs(a.value))
    return "better" if gap > tol else "as_expected" if gap >= -tol else "worse"


Handled = tuple[list[ItemOutcome], ValueBreakdown, bool, str]


def _payment_run(d: ExecutedDecision, ctx: _Context, fx: float) -> Handled:
    bills = ctx.frame("ap_bills")
    bills = bills.set_index("bill_id") if not bills.empty else bills
    items, captured, available, fees, waiting = [], 0.0, 0.0, 0.0, 0
    for it in d.action.items:
        planned = float(it.details.get("discount", 0.0))
        available += planned
        row = bills.loc[it.ref] if it.ref in bills.index else None
        paid = None if row is None else pd.to_datetime(row["paid_date"])
        if paid is None or pd.isna(paid):
            waiting += ctx.now.date() <= (it.date or d.executed_on) + timedelta(days=3)
            items.append(
                ItemOutcome(
                    ref=it.ref,
                    counterparty=it.counterparty,
                    status="unpaid",
                    days=None,
                    amount=0.0,
                    note="no payment booked",
                )
            )
            continue
        assert row is not None
        window = pd.Timestamp(row["issue_date"]) + pd.Timedelta(days=int(row["discount_days"] or 0))
        took = planned > 0 and paid <= window
        captured += planned if took else 0.0
        late = max((paid - pd.Timestamp(row["due_date"])).days, 0)
        fees += it.amount * ctx.fee / 100 * late / 365
        on_plan = it.date is None or abs((paid.date() - it.date).days) <= 1
        status = "discount taken" if took else "late" if late else "on time"
        note = f"paid {paid.date()}" + ("" if on_plan else f", planned {it.date}")
        items.append(
            ItemOutcome(
                ref=it.ref,
                counterparty=it.counterparty,
                status=status,
                days=late,
                amount=it.amount,
                note=note,
            )
        )
    value = ValueBreakdown(
        discounts_captured=round(captured * fx, 2),
        discounts_available=round(available * fx, 2),
        late_fees=round(fees * fx, 2),
    )
    paid_n = sum(i.status != "unpaid" for i in items)
    text = (
        f"{paid_n} of {len(items)} bills paid; discounts captured {value.discounts_captured:,.2f} "
        f"of {value.discounts_available:,.2f} planned; late fees {value.late_fees:,.2f} "
        f"(reporting currency)"
    )
    return items, value, waiting > 0, text


def _receipts(ctx: _Context, party: str, start: date) -> pd.DataFrame:
    rc = ctx.frame("ar_receipts")
    if rc.empty:
        return rc
    when = pd.to_datetime(rc["payment_date"])
    end = min(ctx.now, pd.Timestamp(start) + pd.Timedelta(days=ctx.days))
    return rc.loc[(rc["customer_id"] == party) & (when > pd.Timestamp(start)) & (when <= end)]


def _dunning(d: ExecutedDecision, ctx: _Context, fx: float) -> Handled:
    items = []
    for it in d.action.items:
        got = _receipts(ctx, it.counterparty or it.ref, d.executed_on)
        total = float(got["amount"].sum()) if not got.empty else 0.0
        days = None
        if total > 0:
            days = (pd.to_datetime(got["payment_date"]).min().date() - d.executed_on).days
        status = (
            "paid" if total >= 0.5 * it.amount else "partly paid" if total > 0 else "no payment"
        )
        items.append(
            ItemOutcome(
                ref=it.ref,
                counterparty=it.counterparty,
                status=status,
                days=days,
                amount=round(total, 2),
                note=f"{total:,.2f} received of {it.amount:,.2f} overdue",
            )
        )
    complete = ctx.now >= pd.Timestamp(d.executed_on) + pd.Timedelta(days=ctx.days)
    collected = sum(i.amount for i in items)
    paying = sum(i.status != "no payment" for i in items)
    text = (
        f"{paying} of {len(items)} customers paid after the reminder; collected "
        f"{collected * fx:,.2f} (reporting currency) within {ctx.days} days"
    )
    return items, ValueBreakdown(), not complete, text


def _overnight_pct(ctx: _Context, currency: str, start: date, end: date) -> float:
    rates = ctx.frame("interest_rates")
    if rates.empty:
        return 0.0
    mine = rates.loc[(rates["currency"] == currency) & (rates["tenor"] == "ON")]
    on = pd.Series(mine["rate"].to_numpy(float), index=pd.to_datetime(mine["date"])).sort_index()
    days = pd.date_range(start, end - timedelta(days=1), freq="D")
    daily = on.reindex(on.index.union(days)).ffill().reindex(days)
    fill = float(on.iloc[0]) if len(on) else 0.0
    return float(daily.fillna(fill).mean()) if len(days) else 0.0


def _investment(d: ExecutedDecision, ctx: _Context, fx: float) -> Handled:
    items, earned, overnight, waiting = [], 0.0, 0.0, False
    for it in d.action.items:
        placed = it.date or d.executed_on
        matures = date.fromisoformat(str(it.details.get("matures", placed.isoformat())))
        tenor = max((matures - placed).days, 1)
        interest = it.amount * float(it.details.get("rate_pct", 0.0)) / 100 * tenor / 365
        on_pct = _overnight_pct(ctx, d.action.currency, placed, matures)
        waiting |= ctx.now.date() < matures
        earned += interest
        overnight += it.amount * on_pct / 100 * tenor / 365
        items.append(
            ItemOutcome(
                ref=it.ref,
                counterparty=it.counterparty,
                status="matured" if ctx.now.date() >= matures else "running",
                days=tenor,
                amount=round(interest, 2),
                note=f"{it.details.get('rate_pct', 0)} % vs overnight {on_pct:.3f} %",
            )
        )
    value = ValueBreakdown(
        yield_earned=round(earned * fx, 2), yield_overnight=round(overnight * fx, 2)
    )
    text = (
        f"earned {value.yield_earned:,.2f} against {value.yield_overnight:,.2f} overnight "
        f"(reporting currency)"
    )
    return items, value, waiting, text


def _discount_offer(d: ExecutedDecision, ctx: _Context, fx: float) -> Handled:
    inv = ctx.frame("ar_invoices")
    inv = inv.set_index("invoice_id") if not inv.empty else inv
    items, given, saved = [], 0.0, 0.0
    for it in d.action.items:
        pct = float(it.details.get("offer_pct", 0.0)) / 100
        row = inv.loc[it.ref] if it.ref in inv.index else None
        settled = None if row is None else pd.to_datetime(row["settled_date"])
        early = 0
        if row is not None and settled is not None and not pd.isna(settled):
            early = max((pd.Timestamp(row["due_date"]) - settled).days, 0)
        accepted = (
            early > 0
            and settled is not None
            and settled <= pd.Timestamp(d.executed_on) + pd.Timedelta(days=ctx.days)
        )
        if accepted:
            given += it.amount * pct
            saved += it.amount * ctx.cof / 100 * early / 365
        items.append(
            ItemOutcome(
                ref=it.ref,
                counterparty=it.counterparty,
                status="accepted" if accepted else "not taken",
                days=early if accepted else None,
                amount=it.amount,
                note=f"offer {pct:.1%}",
            )
        )
    value = ValueBreakdown(financing_cost=round((given - saved) * fx, 2))
    complete = ctx.now >= pd.Timestamp(d.executed_on) + pd.Timedelta(days=ctx.days)
    taken = sum(i.status == "accepted" for i in items)
    text = (
        f"{taken} of {len(items)} invoices paid early for the discount; interest saved "
        f"{saved * fx:,.2f} less discounts given {given * fx:,.2f} (reporting currency)"
    )
    return items, value, not complete and taken < len(items), text


def _credit_limit(d: ExecutedDecision, ctx: _Context, fx: float) -> Handled:
    inv = ctx.frame("ar_invoices")
    items = []
    for it in d.action.items:
        party = it.counterparty or it.ref
        own = inv.loc[inv["customer_id"] == party] if not inv.empty else inv
        cutoff = ctx.now - pd.Timedelta(days=30)
        overdue = own.loc[
            (pd.to_datetime(own["due_date"]) < cutoff)
            & (pd.to_datetime(own["issue_date"]) >= pd.Timestamp(d.executed_on))
            & (own["open_amount"] > 0)
        ]
        amount = float(overdue["open_amount"].sum()) if not overdue.empty else 0.0
        items.append(_limit_item(it, amount))
    complete = ctx.now >= pd.Timestamp(d.executed_on) + pd.Timedelta(days=ctx.days)
    bad = sum(i.status == "overdue" for i in items)
    text = f"{bad} of {len(items)} customers with invoices over 30 days overdue since the change"
    return items, ValueBreakdown(), not complete, text


def _limit_item(it: ActionItem, overdue: float) -> ItemOutcome:
    return ItemOutcome(
        ref=it.ref,
        counterparty=it.counterparty,
        status="overdue" if overdue > 0 else "paying",
        days=None,
        amount=round(overdue, 2),
        note=f"limit {it.amount:,.0f}; {overdue:,.2f} more than 30 days overdue",
    )
