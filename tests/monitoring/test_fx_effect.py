"""FX in a variance: translation at the actual rate against the forecast's, conversions, and a
surprise judged against the rate's own volatility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tools.forecasting.outlook import Position
from tools.kpi.fx import fx_to_reporting
from tools.monitoring.fx_effect import FxSplit, conversions, fx_split
from tools.monitoring.surprise import fx_volatility

AS_OF = pd.Timestamp("2026-01-09")  # a Friday
END = pd.Timestamp("2026-01-23")


def _rates() -> pd.DataFrame:
    """A year of EURUSD moving 0.5 % a day either way around 1.10, then 10 % lower from the
    first day of the window."""
    before = pd.bdate_range("2025-01-01", AS_OF)
    steps = np.where(np.arange(len(before)) % 2 == 0, 0.005, -0.005)
    path = 1.10 * np.exp(np.cumsum(steps) - np.cumsum(steps)[-1])
    after = pd.bdate_range(AS_OF + pd.Timedelta(days=1), END)
    return pd.DataFrame(
        {
            "date": before.append(after),
            "base": "EUR",
            "quote": "USD",
            "rate": np.concatenate([path, np.full(len(after), 1.10 * 0.9)]),
        }
    )


RATES = _rates()
R0, R1 = 1.10, 1.10 * 0.9
POSITIONS = (
    Position(
        key="DE01/EUR",
        entity_id="DE01",
        currency="EUR",
        opening=1_000_000.0,
        accounts=("DE-OP",),
        fx_to_reporting=R0,
    ),
    Position(
        key="DE01/USD",
        entity_id="DE01",
        currency="USD",
        opening=150_000.0,
        accounts=("DE-CL",),
    ),
    Position(
        key="US01/USD",
        entity_id="US01",
        currency="USD",
        opening=2_000_000.0,
        accounts=("US-OP",),
    ),
)


def _lines() -> pd.DataFrame:
    rows = [
        ("DE01/EUR", "customer_receipt", "2026-01-13", 200_000.0),
        ("DE01/EUR", "supplier_payment", "2026-01-14", -500_000.0),
        # the weekly sweep of the dollar collection account into euros, at the day's rate
        ("DE01/USD", "other", "2026-01-16", -99_000.0),
        ("DE01/EUR", "other", "2026-01-16", 99_000.0 / R1),
        # the intercompany fee: euros out of DE01, the converted dollars into US01
        ("DE01/EUR", "intercompany", "2026-01-20", -50_000.0),
        ("US01/USD", "intercompany", "2026-01-20", 50_000.0 * R1),
        ("US01/USD", "customer_receipt", "2026-01-20", 300_000.0),
    ]
    return pd.DataFrame(rows, columns=["key", "category", "booking_date", "amount"]).assign(
        booking_date=lambda f: pd.to_datetime(f["booking_date"])
    )


def _split(*, floor: float = 10_000.0, revalue: bool = True) -> FxSplit:
    return fx_split(
        POSITIONS,
        _lines(),
        RATES,
        reporting="USD",
        as_of=AS_OF,
        end=END,
        floor=floor,
        revalue=revalue,
    )


def test_conversions_pair_legs_of_equal_value_in_two_currencies() -> None:
    lines = _lines()
    days = lines["booking_date"].unique()
    fixings = {pd.Timestamp(d): fx_to_reporting(RATES, {"EUR"}, "USD", d) for d in days}
    ccy = {p.key: p.currency for p in POSITIONS}
    found = conversions(lines, ccy, fixings)
    assert found[["out_key", "in_key", "in_category"]].values.tolist() == [
        ["DE01/USD", "DE01/EUR", "other"],  # the sweep
        ["DE01/EUR", "US01/USD", "intercompany"],  # the fee
    ]
    # 5 % apart at the fixing: two unrelated flows, not a conversion
    received = (lines["category"] == "other") & (lines["amount"] > 0)
    off = lines.assign(amount=lines["amount"].where(~received, lines["amount"] * 1.05))
    assert conversions(off, ccy, fixings)["in_category"].tolist() == ["intercompany"]
    # a customer paying the day a supplier is paid is no conversion, whatever the amounts
    itemised = lines.assign(category="customer_receipt")
    assert conversions(itemised, ccy, fixings).empty


def test_fx_effect_is_the_rate_change_on_what_was_held_and_moved() -> None:
    split = _split()
    (driver,) = split.drivers
    assert driver["key"] == "group/EUR" and driver["component"] == "fx"
    # balance 1m + receipts 200k - bills 500k; the sweep and the fee cancel: the dollars
    # sent fixed the value of the euros received, the euros sent that of the dollars
    assert driver["amount"] == pytest.approx(700_000.0 * (R1 - R0), abs=0.01)
    # translation rows only for the foreign position; the dollar accounts have none
    assert [r["key"] for r in split.rows] == ["DE01/EUR"]
    # what the conversions received beyond the forecast's rates, in the receiver's currency
    assert split.carve[("DE01/EUR", "other")] == pytest.approx(99_000.0 / R1 - 99_000.0 / R0)
    assert split.carve[("US01/USD", "intercompany")] == pytest.approx(50_000.0 * (R1 - R0))
    total = sum(r["amount"] for r in split.rows) + sum(
        v * (R0 if k.endswith("EUR") else 1.0) for (k, _), v in split.carve.items()
    )
    assert total == pytest.approx(driver["amount"], abs=0.01)


def test_fx_surprise_is_the_move_over_the_rates_own_volatility() -> None:
    vol = fx_volatility(RATES, "EUR", "USD", AS_OF, 11)  # Jan 9 .. Jan 23
    assert vol == pytest.approx(0.005 * np.sqrt(11), rel=0.02)
    (driver,) = _split().drivers
    assert driver["surprise"] == pytest.approx(-0.1 / vol, rel=1e-6)
    assert driver["spread"] == pytest.approx(abs(driver["amount"] / driver["surprise"]))
    assert "10.0%" in driver["why"] and "DE01/EUR 1,000,000 EUR held" in driver["why"]
    # the flows alone: paying out more euros than came in, the dollar cost fell
    (flows_only,) = _split(revalue=False).drivers
    assert flows_only["amount"] == pytest.approx(-300_000.0 * (R1 - R0), abs=0.01)
    assert flows_only["surprise"] == pytest.approx(0.1 / vol, rel=1e-6)


def test_an_immaterial_fx_effect_counts_in_proportion_to_its_size() -> None:
    big = _split().drivers[0]
    floor = 10 * abs(big["amount"])
    small = _split(floor=floor).drivers[0]
    assert small["amount"] == big["amount"]
    assert small["surprise"] == pytest.approx(big["surprise"] / 10)
