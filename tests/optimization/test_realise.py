"""Replaying plans on sample paths: hand-checked value, restoring the minimum, breaches, and
the evaluation's rule-based baseline paying early only when cash allows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from evals.optimize import perfect_foresight_plan, rule_based_pay_dates
from tests.optimization.factory import bill, day, make_outlook
from tools.domain.policy import InstrumentLimit, InvestmentPolicy, Policy
from tools.errors import ConfigError
from tools.optimization import CreditLine
from tools.optimization.hindsight import hindsight_plan
from tools.optimization.realise import realise_plan

KEY = "US01/USD"
# ON 3.65 % a year is 0.01 % a day: 100 per million per day, easy to check by hand.
CURVES = {"USD": {"ON": 3.65, "1W": 3.65, "1M": 3.65, "3M": 3.65}}
POLICY = Policy(
    investment=InvestmentPolicy(
        instruments={"overnight": InstrumentLimit(), "mmf": InstrumentLimit()}
    )
)


def _payments(amount: float, pay: int, *, due: int = 10, disc: int | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": [KEY],
            "bill_id": ["B1"],
            "amount": [amount],
            "due_date": [pd.Timestamp(day(due))],
            "discount_date": [pd.Timestamp(day(disc)) if disc is not None else pd.NaT],
            "discount_pct": [2.0 if disc is not None else 0.0],
            "pay_date": [pd.Timestamp(day(pay))],
        }
    )


def _ladder(instrument: str, amount: float, placed: int, matures: int, interest: float) -> Any:
    return pd.DataFrame(
        {
            "key": [KEY],
            "instrument": [instrument],
            "counterparty": ["US01 house bank"],
            "rate_pct": [3.65],
            "amount": [amount],
            "placed": [pd.Timestamp(day(placed))],
            "matures": [pd.Timestamp(day(matures))],
            "interest": [interest],
        }
    )


def _realise(payments: pd.DataFrame, **kw: Any) -> Any:
    o = make_outlook(opening=1_000_000, floor=100_000, days=14, n_paths=20)
    kw.setdefault("credit", {KEY: CreditLine(limit=0.0, rate_pct=0.0)})
    return realise_plan(o, payments, policy=POLICY, curves=CURVES, **kw)


def test_discount_and_sweep_valued_by_hand() -> None:
    # 500k bill paid on day 2 inside its discount window: 490k leaves, 10k discount; what
    # is above the 100k floor earns the overnight rate: 2 days of 900k, 12 days of 410k.
    r = _realise(_payments(500_000, 2, disc=3))
    assert r.parts["discounts"] == pytest.approx(10_000)
    assert r.parts["liquid_yield"] == pytest.approx((2 * 900_000 + 12 * 410_000) * 1e-4)
    assert r.value == pytest.approx(10_000 + 672)
    assert r.breaches == 0


def test_shortfall_restored_by_line_then_overdraft_and_counted() -> None:
    # 950k paid on day 2 leaves 50k, 50k under the floor for 12 days: 20k from the line at
    # 7.3 %, 30k by overdraft at 7.3 + 10 %; every one of those days is a breach.
    line = {KEY: CreditLine(limit=20_000, rate_pct=7.3)}
    r = _realise(_payments(950_000, 2), credit=line)
    assert r.parts["restore_credit"] == pytest.approx(-20_000 * 12 * 7.3 / 100 / 365, abs=0.01)
    assert r.parts["restore_overdraft"] == pytest.approx(-30_000 * 12 * 17.3 / 100 / 365, abs=0.01)
    assert r.breaches == 12
    exempt = _realise(_payments(950_000, 2), credit=line, breach_exempt={KEY})
    assert exempt.breaches == 0 and exempt.breach_days[KEY] == 12
    assert exempt.value == pytest.approx(r.value)


def test_fund_holding_is_redeemed_before_the_floor_breaks() -> None:
    # A 2M fund holding planned on day 0 with only 900k above the floor: 900k is held.
    r = _realise(_payments(1.0, 20), ladder=_ladder("mmf", 2_000_000, 0, 1, 0.0))
    assert r.breaches == 0
    assert r.parts["restore_credit"] == 0 and r.parts["restore_overdraft"] == 0
    assert r.parts["liquid_yield"] == pytest.approx(14 * 900_000 * 1e-4)


def test_term_deposit_locks_cash_and_pays_for_the_shortfall() -> None:
    # 950k in a 1-week deposit from day 0: 50k short on days 0-6 (overdraft at ON + 10 %),
    # interest 950k * 3.65 % * 7/365 at maturity.
    r = _realise(_payments(1.0, 20), ladder=_ladder("deposit_1w", 950_000, 0, 7, 665.0))
    assert r.parts["term_yield"] == pytest.approx(665.0)
    assert r.parts["restore_overdraft"] == pytest.approx(-50_000 * 7 * 13.65 / 100 / 365, abs=0.01)
    assert r.breach_days[KEY] == 7


@pytest.mark.parametrize(
    ("opening", "early"),
    [
        (600_000, False),  # paying A early would leave 600 - 300 - 400 < 100 floor
        (1_000_000, True),  # 1000 - 300 - 400 stays above the floor: the discount is taken
    ],
)
def test_baseline_takes_a_discount_only_when_cash_allows(opening: float, early: bool) -> None:
    o = make_outlook(
        [
            bill("A", 400_000, due=20, discount_day=3, discount_pct=2),
            bill("B", 300_000, due=6),
        ],
        opening=opening,
        floor=100_000,
        days=28,
    )
    plan = rule_based_pay_dates(o, {"suppliers": pd.DataFrame()}).set_index("bill_id")["pay_date"]
    assert plan["B"] == pd.Timestamp(day(3))  # last Tuesday/Thursday run before Sunday
    assert (plan["A"] == pd.Timestamp(day(3))) is early
    if not early:
        assert plan["A"] == pd.Timestamp(day(17))


def test_perfect_foresight_bounds_the_rule_on_its_own_path() -> None:
    # A known path with a 2/10 bill the rule cannot afford early (cash dips under the floor
    # before receipts arrive) and credit at 6 %: knowing the path, the line funds the
    # discount; the bound realises more than the rule and never breaks the floor.
    daily = np.r_[np.full(7, -20_000.0), np.full(21, 60_000.0)]
    o = make_outlook(
        [bill("A", 400_000, due=20, discount_day=3, discount_pct=2)],
        opening=500_000,
        daily=daily,
        floor=100_000,
        credit_limit=500_000,
        credit_rate=6.0,
        days=28,
        n_paths=1,
    )
    rates = pd.DataFrame(
        [{"date": pd.Timestamp(day(-1)), "currency": "USD", "tenor": "ON", "rate": 3.65}]
    )
    tables: dict[str, Any] = {
        "suppliers": pd.DataFrame(),
        "interest_rates": rates,
        "credit_facilities": None,
        "bank_accounts": None,
    }
    best = perfect_foresight_plan(o, tables, POLICY)
    rule = rule_based_pay_dates(o, tables)
    bound = realise_plan(
        o,
        best["payments"],
        ladder=best["ladder"],
        draws=best["draws"],
        policy=POLICY,
        curves=CURVES,
    )
    base = realise_plan(o, rule, policy=POLICY, curves=CURVES)
    assert pd.Timestamp(rule["pay_date"].iloc[0]) > pd.Timestamp(day(3))  # rule waits to due
    assert bound.parts["discounts"] == pytest.approx(8_000)
    assert bound.value > base.value
    assert bound.breaches == 0


def test_hindsight_needs_the_one_path_that_happened() -> None:
    with pytest.raises(ConfigError, match="one path"):
        hindsight_plan(make_outlook(n_paths=3), None, POLICY, rates=None)
