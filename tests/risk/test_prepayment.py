"""Suppliers that switched to payment at order, and what the switch does to minimum cash."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tests.risk.helpers import outlook, position, steady
from tools.domain.policy import Policy
from tools.risk import prepaying_suppliers, prepayment_warnings

AS_OF = date(2026, 1, 2)
KEY = "US01/USD"


def _bills(switch: str | None, *, terms: int = 30) -> dict[str, pd.DataFrame]:
    """Weekly bills of 700 from supplier S1 on net ``terms`` (paid on the due date), due at
    issue from ``switch`` on; S2 always on net 0 (cash on order)."""
    issued = pd.date_range("2025-03-07", "2025-12-26", freq="7D")
    at_order = issued >= pd.Timestamp(switch) if switch else issued < issued[0]
    due = issued + pd.to_timedelta([0 if a else terms for a in at_order], unit="D")
    s1 = pd.DataFrame(
        {
            "bill_id": [f"B{i}" for i in range(len(issued))],
            "supplier_id": "S1",
            "issue_date": issued,
            "due_date": due,
            "paid_date": due.where(due <= pd.Timestamp(AS_OF)),
        }
    )
    s2 = s1.assign(supplier_id="S2", due_date=s1["issue_date"], paid_date=s1["issue_date"])
    s2["bill_id"] = "C" + s2["bill_id"]
    bills = pd.concat([s1, s2], ignore_index=True).assign(
        entity_id="US01", currency="USD", doc_type="bill", amount=700.0
    )
    orders = pd.DataFrame(
        {
            "supplier_id": ["S1", "S1"],
            "order_date": pd.to_datetime(["2025-05-01", "2025-06-01"]),
            "expected_date": pd.to_datetime(["2025-05-15", "2025-06-15"]),
        }
    )
    return {"ap_bills": bills, "purchase_orders": orders}


def test_finds_the_switch_and_sizes_the_transition() -> None:
    found = prepaying_suppliers(_bills("2025-12-12"), as_of=AS_OF)
    # S2 always paid at order: no change; S1 switched on 12 Dec with three bills since
    assert found["supplier_id"].tolist() == ["S1"]
    row = found.iloc[0]
    assert row["since"] == date(2025, 12, 12) and row["recent_prepaid"] == 3
    # 30 days from bill to payment plus 14 days of lead time; 21 of those 44 days gone
    assert row["usual_days"] == 44 and row["days_left"] == 23
    assert round(row["daily_billing"], 2) == round(700 * 43 / 365, 2)


def test_nothing_when_no_supplier_switched_or_the_transition_is_over() -> None:
    assert prepaying_suppliers(_bills(None), as_of=AS_OF).empty
    assert prepaying_suppliers(_bills("2025-10-17"), as_of=AS_OF).empty  # 77 days ago


def test_warning_names_the_supplier_when_the_switch_breaches_the_floor() -> None:
    found = prepaying_suppliers(_bills("2025-12-12"), as_of=AS_OF)
    flows = {(KEY, "supplier_payment"): steady(20, 40, 0.0)}
    tight = outlook(flows, [position(opening=60.0 + 23 * 82.5 - 100, minimum=50.0)])
    alerts = prepayment_warnings(tight, Policy(), found)
    assert [a.scope for a in alerts] == [KEY, "group"]
    assert "S1" in alerts[0].cause and alerts[0].severity == "warning"
    roomy = outlook(flows, [position(opening=10_000.0, minimum=50.0)])
    assert prepayment_warnings(roomy, Policy(), found) == ()
