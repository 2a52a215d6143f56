"""The liquidity reserve under term placements: a real balance below the forecast's planning
quantile (the forecast model's own error) must not break the floor because cash was locked
in deposits, while payments, draws and same-day-liquid holdings are left alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.optimization.factory import AS_OF, bill, make_outlook
from tools.domain.policy import InstrumentLimit, InvestmentPolicy, Policy
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.optimization import SolverParams, optimize_investments, optimize_working_capital
from tools.optimization.cash_model import planning_balance, stress_balance
from tools.optimization.realise import PAYMENT_COLUMNS, realise_plan

FAST = SolverParams(time_limit_s=60, workers=1, seed=0)  # a bound, not a target: CI is busy
KEY = "US01/USD"
FLOOR = 100_000.0
# A 1-week deposit pays 50 bp over overnight: worth locking every idle unit without a reserve.
CURVE = {"ON": 4.0, "1W": 4.5, "1M": 4.5, "3M": 4.5, "6M": 4.5, "12M": 4.5}
RATES = pd.DataFrame(
    [
        {"date": pd.Timestamp(AS_OF), "currency": "USD", "tenor": t, "rate": r}
        for t, r in CURVE.items()
    ]
)
NO_BILLS = pd.DataFrame(columns=[*PAYMENT_COLUMNS, "pay_date"])
POLICY = Policy(
    investment=InvestmentPolicy(
        instruments={"overnight": InstrumentLimit(), "deposit_1w": InstrumentLimit()}
    )
)


def _noisy(bills: tuple[dict[str, object], ...] = ()) -> CashOutlook:
    # Daily flows with a 20k standard deviation: the downside spread grows to ~250k.
    return make_outlook(
        bills, opening=1_000_000, floor=FLOOR, days=35, noise=20_000, n_paths=200, seed=3
    )


def _term_outstanding(ladder: pd.DataFrame, o: CashOutlook) -> np.ndarray:
    out = np.zeros(o.horizon_days)
    term = ladder.loc[~ladder["instrument"].isin(["overnight", "mmf"])]
    placed = (pd.to_datetime(term["placed"]) - o.dates[0]).dt.days.to_numpy()
    matures = (pd.to_datetime(term["matures"]) - o.dates[0]).dt.days.to_numpy()
    for a, b, amount in zip(placed, matures, term["amount"].to_numpy(float), strict=True):
        out[int(a) : min(int(b), o.horizon_days)] += amount
    return out


def _actual(o: CashOutlook, balance: np.ndarray) -> CashOutlook:
    """One path whose balance before decisions is ``balance``."""
    flows = np.diff(np.r_[o.position(KEY).opening, balance])
    return o.with_paths({(KEY, "customer_receipt"): flows[None, :]})


def test_stress_balance_widens_by_the_largest_spread_so_far() -> None:
    paths = np.array([[10.0, 10.0, 10.0], [20.0, 20.0, 20.0], [30.0, 30.0, 30.0]])
    paths[:, 2] = 30.0  # the paths agree on the last day: its spread is still the earlier one
    low = planning_balance(paths, 0.95)
    assert np.array_equal(stress_balance(paths, 0.95, 0.0), low)
    spread = np.array([10.0, 10.0, 10.0])  # median 20 - low 10, carried over to day 2
    assert np.allclose(stress_balance(paths, 0.95, 2.0), low - 2.0 * spread)


def test_term_placements_stay_inside_the_stress_headroom() -> None:
    o = _noisy()
    r = optimize_investments(o, POLICY, rates=RATES, reserve_widening=2.0, solver=FAST)
    assert r.status == "feasible"
    stress = stress_balance(o.balance_paths(KEY, include_scheduled=False), 0.95, 2.0)
    held = _term_outstanding(r.ladder, o)
    assert held.max() > 0  # some cash is idle even under stress
    assert (held <= np.maximum(stress - FLOOR, 0.0) + 1.0).all()
    assert r.parameters["reserve_widening"] == 2.0


@pytest.mark.parametrize(
    ("widening", "breaks"),
    [
        (0.0, True),  # deposits fill the planning headroom: a worse real day breaks the floor
        (3.0, False),  # the reserve (3 spreads) covers a real balance 1 spread below the plan
    ],
)
def test_reserve_keeps_a_worse_real_day_above_the_floor(widening: float, breaks: bool) -> None:
    o = _noisy()
    r = optimize_investments(o, POLICY, rates=RATES, reserve_widening=widening, solver=FAST)
    paths = o.balance_paths(KEY, include_scheduled=False)
    low = planning_balance(paths, 0.95)
    real = low - (np.median(paths, axis=0) - low)  # one downside spread below the plan
    got = realise_plan(
        _actual(o, real),
        NO_BILLS,
        policy=POLICY,
        curves={"USD": CURVE},
        ladder=r.ladder,
        draws=r.draws,
        credit=None,
    )
    assert (got.breaches > 0) is breaks


def test_reserve_does_not_hold_back_a_discount() -> None:
    # A 2 % discount is worth far more than any deposit: taken with or without a reserve.
    o = _noisy((bill("B1", 300_000, due=30, discount_day=10, discount_pct=2.0),))
    for widening in (0.0, 5.0):
        r = optimize_working_capital(
            o, None, None, POLICY, rates=RATES, reserve_widening=widening, solver=FAST
        )
        assert r.status == "feasible"
        assert r.plan.loc[0, "kind"] == "discount"


def test_short_position_with_a_reserve_returns_the_relaxation() -> None:
    # 500k due in a week on 200k of cash and no credit: no plan keeps the floor.
    o = make_outlook(
        [bill("B1", 500_000, due=7, critical=True)],
        opening=200_000,
        floor=FLOOR,
        days=21,
        noise=5_000,
        n_paths=50,
    )
    r = optimize_working_capital(o, None, None, POLICY, rates=RATES, solver=FAST)
    assert r.status == "infeasible"
    (relax,) = r.relaxation
    assert relax.key == KEY and relax.amount > 300_000
    assert "more credit line" in relax.message
    assert not any(p.action == "investment_order" for p in r.proposals)


def test_negative_reserve_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="reserve_widening"):
        optimize_investments(_noisy(), POLICY, rates=RATES, reserve_widening=-1.0, solver=FAST)
