"""Customers that stopped paying, and what it would do to minimum cash."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tests.risk.helpers import outlook, position, steady
from tools.domain.policy import Policy
from tools.risk import counterparty_warnings, silent_customers
from tools.risk.deterioration import forecast_receipts

AS_OF = date(2026, 1, 2)
KEY = "US01/USD"


def _ledger(last_big_payment: str) -> dict[str, pd.DataFrame]:
    weekly = pd.date_range("2025-06-06", last_big_payment, freq="7D")
    small = pd.date_range("2025-06-06", "2025-12-26", freq="14D")
    receipts = pd.DataFrame(
        {
            "customer_id": ["BIG"] * len(weekly) + ["SMALL"] * len(small),
            "payment_date": [*weekly, *small],
            "amount": 100.0,
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": ["BIG", "BIG", "SMALL"],
            "entity_id": "US01",
            "currency": "USD",
            "doc_type": "invoice",
            "issue_date": pd.to_datetime(["2025-11-01", "2025-12-01", "2025-12-01"]),
            "due_date": pd.to_datetime(["2025-12-01", "2025-12-31", "2025-12-31"]),
            "amount": [600.0, 300.0, 100.0],
            "open_amount": [600.0, 300.0, 100.0],
        }
    )
    return {"ar_receipts": receipts, "ar_invoices": invoices}


def test_a_regular_payer_gone_quiet_is_silent() -> None:
    silent = silent_customers(_ledger("2025-11-28"), as_of=AS_OF)
    assert silent["customer_id"].tolist() == ["BIG"]  # SMALL paid a week ago
    row = silent.iloc[0]
    assert row["days_silent"] == 35 and row["usual_gap"] == 7.0
    assert row["overdue"] == 900.0  # both BIG invoices are past due on 2 Jan
    assert row["share"] == 0.9  # 900 of the 1,000 invoiced
    assert silent_customers(_ledger("2025-12-26"), as_of=AS_OF).empty  # still paying weekly


def test_warning_when_the_silent_customers_matter() -> None:
    o = outlook(
        {(KEY, "customer_receipt"): steady(20, 60, 10.0), (KEY, "payroll"): steady(20, 60, -9.0)},
        [position(opening=100.0, minimum=50.0)],
    )
    silent = silent_customers(_ledger("2025-11-28"), as_of=AS_OF)
    expected = pd.DataFrame(
        {
            "customer_id": ["BIG"],
            "key": [KEY],
            "ds": pd.to_datetime(["2026-01-04"]),
            "amount": [20.0],
        }
    )
    alerts = counterparty_warnings(
        o, Policy(), silent, expected_receipts=expected, future_receipts=True
    )
    scope = {a.scope: a for a in alerts}
    assert set(scope) == {KEY, "group"}
    alert = scope[KEY]
    # the 20 expected on day 1 go, but receipts never turn negative: day 1 loses only 10;
    # balance 100 + 30 - 10 = 120 after day 29, then receipts 10 -> 1 (90 % share) and
    # -8 a day: 56 after day 37, 48 after day 38
    assert alert.breach_date == o.dates[38].date()
    assert alert.severity == "warning" and alert.probability == 1.0
    assert "BIG" in alert.cause
    # without cutting future receipts, losing 10 once leaves the balance far above 50
    assert counterparty_warnings(o, Policy(), silent, expected_receipts=expected) == ()
    assert counterparty_warnings(o, Policy(), silent.iloc[:0], expected_receipts=expected) == ()
    unchanged = o.paths[(KEY, "customer_receipt")]
    assert np.all(unchanged == 10.0)  # the outlook itself is not changed


def test_only_what_the_forecast_still_expects_from_a_silent_customer_is_removed() -> None:
    # The forecast already doubts BIG (silent for weeks): of its 600 open it expects 5 in the
    # horizon. "BIG pays nothing" removes those 5, not the 600 (which would take the other
    # customers' receipts of that day with it).
    receivables = pd.DataFrame(
        {
            "invoice_id": ["I1", "I3"],
            "customer_id": ["BIG", "SMALL"],
            "key": [KEY, KEY],
            "open_amount": [600.0, 100.0],
            "expected_date": pd.to_datetime(["2026-01-04", "2026-01-10"]),
            "expected_in_horizon": [5.0, 95.0],
        }
    )
    expected = forecast_receipts(receivables)
    assert expected["amount"].tolist() == [5.0, 95.0]
    assert expected["customer_id"].tolist() == ["BIG", "SMALL"]
    # receipts and payroll cancel out: the balance stays at 55, 5 above the floor
    flat = outlook(
        {(KEY, "customer_receipt"): steady(20, 60, 10.0), (KEY, "payroll"): steady(20, 60, -10.0)},
        [position(opening=55.0, minimum=50.0)],
    )
    silent = silent_customers(_ledger("2025-11-28"), as_of=AS_OF)
    assert counterparty_warnings(flat, Policy(), silent, expected_receipts=expected) == ()
    # removing the open 600 instead would empty day 1's receipts: 45, below the floor
    full = expected.assign(amount=[600.0, 95.0])
    alerts = counterparty_warnings(flat, Policy(), silent, expected_receipts=full)
    assert [a.scope for a in alerts] == [KEY, "group"]


def test_no_counterparty_warning_without_a_counterparty_effect() -> None:
    # the position breaches anyway (payroll outruns receipts); the silent customer was
    # expected to bring nothing: the conditional outlook is the forecast's own, and its
    # risk is the forecast's warning to raise, not a counterparty's
    o = outlook(
        {(KEY, "customer_receipt"): steady(20, 60, 10.0), (KEY, "payroll"): steady(20, 60, -15.0)},
        [position(opening=100.0, minimum=50.0)],
    )
    silent = silent_customers(_ledger("2025-11-28"), as_of=AS_OF)
    nothing = pd.DataFrame(
        {"customer_id": ["BIG"], "key": [KEY], "ds": pd.to_datetime(["2026-01-04"]),
         "amount": [0.0]}
    )  # fmt: skip
    assert counterparty_warnings(o, Policy(), silent, expected_receipts=nothing) == ()
