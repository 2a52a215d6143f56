"""Variance drivers ranked by surprise: beyond the expected shift and beyond a second view."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tools.forecasting.cash import CashForecast
from tools.forecasting.outlook import CashOutlook, Position, empty_scheduled
from tools.monitoring.ranking import COLUMNS, part, rank_drivers
from tools.monitoring.surprise import invoice_reference

FLOOR = 10.0


@pytest.mark.parametrize(
    ("amount", "ref", "alt", "surprise"),
    [
        (-100.0, 0.0, -80.0, -2.0),  # later than even the recent record said: 20 beyond it
        (-50.0, 0.0, -80.0, 0.0),  # between the forecast and the recent record: foreseen
        (30.0, 0.0, -80.0, 3.0),  # the other way: measured from the forecast's own point
        (-100.0, -40.0, 0.0, -6.0),  # bills: beyond the shift the habits expected
        (-100.0, 0.0, 0.0, -10.0),  # no second view
    ],
)
def test_surprise_counts_only_what_no_view_foresaw(
    amount: float, ref: float, alt: float, surprise: float
) -> None:
    frame = pd.DataFrame(
        [part("timing", "customer_receipt", "US01/USD", "C1", amount, ref=ref, alt=alt)],
        columns=list(COLUMNS),
    )
    (driver,) = rank_drivers(frame, [], top=5, floor=FLOOR)
    assert driver.surprise == pytest.approx(surprise)
    assert driver.spread == FLOOR and driver.amount == amount


def test_fx_drivers_are_ranked_with_the_others() -> None:
    frame = pd.DataFrame(
        [
            part("timing", "customer_receipt", "US01/USD", "C1", -40.0),  # 4 floors
            part("fx", "all", "DE01/EUR", None, -55.0, items=0),  # left to the FX record
        ],
        columns=list(COLUMNS),
    )
    fx = {
        "component": "fx",
        "category": "all",
        "key": "group/EUR",
        "counterparty": None,
        "amount": -55.0,
        "items": 0,
        "why": "EUR rate 1.1000 -> 0.9900",
        "spread": 11.0,
        "surprise": -5.0,
    }
    drivers = rank_drivers(frame, [fx], top=5, floor=FLOOR)
    assert [(d.component, d.key) for d in drivers] == [
        ("fx", "group/EUR"),
        ("timing", "US01/USD"),
    ]
    assert drivers[0].explanation.startswith("the exchange rate moved (EUR rate")
    assert drivers[0].explanation.endswith("55 less cash in group/EUR")


def _forecast(as_of: date) -> CashForecast:
    receivables = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C2"],
            "key": "US01/USD",
            "open_amount": [10_000.0, 5_000.0],
            "due_date": pd.to_datetime(["2026-01-05", "2026-01-05"]),
            "cash_share": [1.0, 1.0],
            "p_collect": [0.5, 1.0],
        }
    )
    outlook = CashOutlook(
        as_of=as_of,
        reporting_currency="USD",
        dates=pd.date_range("2026-01-10", periods=40, freq="D"),
        positions=(
            Position(key="US01/USD", entity_id="US01", currency="USD", opening=0.0, accounts=()),
        ),
        paths={},
        scheduled=empty_scheduled(),
    )
    empty = pd.DataFrame()
    return CashForecast(
        outlook=outlook,
        receivables=receivables,
        receivables_daily=empty,
        recurring=empty,
        categorized=empty,
    )


def test_a_customers_recent_record_says_when_an_invoice_is_now_paid() -> None:
    # C1 paid 2 days late a year ago and 20-24 days late in the last quarter; C2 has only
    # three recent invoices
    due = pd.to_datetime(["2025-03-03"] * 5 + ["2025-11-03"] * 5 + ["2025-11-10"] * 3)
    late = [2] * 5 + [20, 21, 22, 23, 24] + [1, 1, 1]
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"H{i}" for i in range(13)],
            "customer_id": ["C1"] * 10 + ["C2"] * 3,
            "due_date": due,
            "settled_date": due + pd.to_timedelta(late, unit="D"),
            "doc_type": "invoice",
        }
    )
    fc = _forecast(date(2026, 1, 9))
    # I1 is 4 days overdue: recently such invoices were paid Jan 25..29
    inside = invoice_reference(fc, invoices, pd.Timestamp("2026-01-19"), pd.Timestamp("2026-01-30"))
    assert inside.to_dict() == {"I1": pytest.approx(5_000.0)}  # half of it is collectible
    early = invoice_reference(fc, invoices, pd.Timestamp("2026-01-12"), pd.Timestamp("2026-01-26"))
    assert early["I1"] == pytest.approx(5_000.0 * 2 / 5)  # Jan 25 and 26 of the five days
