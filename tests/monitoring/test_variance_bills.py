"""When the company pays its own bills: its habit per supplier and how far it strays from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.monitoring.bills_helpers import A, B, bill, bills_forecast
from tools.monitoring.variance_bills import bill_timing, payable_parts


def _history(supplier: str, delays: list[int], *, first: str = "2025-03-03") -> pd.DataFrame:
    """Bills of ``supplier`` paid ``delays`` days after their due dates, a fortnight apart."""
    due = pd.date_range(first, periods=len(delays), freq="14D")
    return pd.DataFrame(
        {
            "bill_id": [f"{supplier}-{i}" for i in range(len(delays))],
            "supplier_id": supplier,
            "entity_id": "US01",
            "currency": "USD",
            "due_date": due,
            "paid_date": due + pd.to_timedelta(delays, unit="D"),
            "amount": 1000.0,
        }
    )


# S1 has always been paid on the due date; S2 once 20 days late in ten bills; S3 is
# habitually paid three days early and strays like the others
HISTORY = pd.concat(
    [_history("S1", [0] * 6), _history("S2", [0] * 9 + [20]), _history("S3", [-3] * 5)],
    ignore_index=True,
)


def test_a_supplier_paid_on_time_so_far_strays_as_the_company_does() -> None:
    # 21 bills in the company's record, one paid 20 days after its supplier's habit:
    # a clean record of six bills does not make S1's payment date certain
    scheduled = pd.DataFrame([bill("B1", "S1", "2026-01-20")])
    timing = bill_timing(bills_forecast(scheduled), HISTORY, A, B).set_index("item_id")
    assert timing.loc["B1", "p"] == pytest.approx(20 / 21)
    assert timing.loc["B1", "habit"] == 0


@pytest.mark.parametrize(
    ("supplier", "due", "p"),
    [
        ("S3", "2026-01-20", 0.0),  # habit: three days early, on the 17th, before the window
        ("S3", "2026-01-22", 20 / 21),  # on the 19th, inside unless it strays 20 days
        ("S9", "2026-01-20", 20 / 21),  # no record of its own: the company's habit (on time)
        # a week overdue: too few strays later than that, so any of the next 30 days alike
        # (Jan 10 .. Feb 8, of which Jan 19..30 inside)
        ("S1", "2026-01-02", 12 / 30),
    ],
)
def test_habit_and_straying_set_the_probability_of_paying_in_the_window(
    supplier: str, due: str, p: float
) -> None:
    scheduled = pd.DataFrame([bill("B1", supplier, due)])
    got = bill_timing(bills_forecast(scheduled), HISTORY, A, B)["p"].iloc[0]
    assert got == pytest.approx(p)


def test_only_bills_paid_in_the_year_before_the_forecast_count() -> None:
    # a late payment two years ago or after the forecast says nothing about its habits
    old = _history("S1", [40], first="2023-06-05")
    later = _history("S1", [30], first="2026-01-05")
    scheduled = pd.DataFrame([bill("B1", "S1", "2026-01-20")])
    timing = bill_timing(
        bills_forecast(scheduled), pd.concat([HISTORY, old, later], ignore_index=True), A, B
    )
    assert timing["p"].iloc[0] == pytest.approx(20 / 21)


def test_payable_parts_measure_a_late_bill_against_the_companys_straying() -> None:
    # B1 due inside the window, paid after it; B2 due and paid inside it, for less
    scheduled = pd.DataFrame(
        [bill("B1", "S1", "2026-01-20", -5000.0), bill("B2", "S1", "2026-01-27", -2000.0)]
    )
    paid = pd.DataFrame(
        {
            "bill_id": ["B1", "B2"],
            "supplier_id": "S1",
            "entity_id": "US01",
            "currency": "USD",
            "due_date": pd.to_datetime(["2026-01-20", "2026-01-27"]),
            "paid_date": pd.to_datetime(["2026-02-05", "2026-01-27"]),
            "amount": [5000.0, 1900.0],
        }
    )
    bills = pd.concat([HISTORY, paid], ignore_index=True)
    rows = payable_parts(bills_forecast(scheduled), {"ap_bills": bills}, A, B)
    timing = [r for r in rows if r["component"] == "timing"]
    amount = [r for r in rows if r["component"] == "amount"]
    p = 20 / 21
    assert [r["amount"] for r in timing] == [5000.0, 0.0]  # B1 did not go out in the window
    assert [r["ref"] for r in timing] == pytest.approx([5000.0 * (1 - p), 2000.0 * (1 - p)])
    assert [r["var"] for r in timing] == pytest.approx(
        [5000.0**2 * p * (1 - p), 2000.0**2 * p * (1 - p)]
    )
    assert [r["amount"] for r in amount] == [100.0]  # B2 paid 100 short
    # the parts add up to what went out against what was forecast
    forecast_out, actual_out = -7000.0, -1900.0
    assert sum(r["amount"] for r in rows) == pytest.approx(actual_out - forecast_out)
    assert np.isfinite([r["var"] for r in rows]).all()
