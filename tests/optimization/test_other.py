"""Investment ladder, joint plan and frontier, receivables, purchases, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.optimization.factory import AS_OF, bill, make_outlook
from tools.domain.policy import InstrumentLimit, InvestmentPolicy, Policy
from tools.errors import ConfigError
from tools.optimization import SolverParams, optimize_investments, optimize_working_capital
from tools.optimization.credit import credit_limits, discount_offers
from tools.optimization.inventory import optimize_purchases
from tools.optimization.receivables import collections_worklist

FAST = SolverParams(time_limit_s=60, workers=1, seed=0)  # a bound, not a target: CI is busy


def _rates(on: float = 4.0, m3: float = 5.0) -> pd.DataFrame:
    tenors = {"ON": on, "1W": on + 0.1, "1M": on + 0.3, "3M": m3, "6M": m3, "12M": m3}
    return pd.DataFrame(
        [
            {"date": pd.Timestamp(AS_OF), "currency": "USD", "tenor": t, "rate": r}
            for t, r in tenors.items()
        ]
    )


def _policy(**limits: InstrumentLimit) -> Policy:
    instruments = limits or {"overnight": InstrumentLimit(), "deposit_1m": InstrumentLimit()}
    return Policy(
        investment=InvestmentPolicy(
            instruments=instruments, counterparty_limits={"US01 house bank": 600_000}
        )
    )


def test_ladder_invests_idle_cash_and_keeps_maturities_ahead_of_needs() -> None:
    # 1M idle, a 900k bill on day 40: a 1-month deposit may run only until it is needed.
    o = make_outlook(
        [bill("B1", 900_000, due=40, critical=True)], opening=1_000_000, floor=50_000, days=63
    )
    r = optimize_investments(o, _policy(), rates=_rates(), solver=FAST)
    assert r.status == "feasible"
    assert r.objective["yield"] > 0
    assert (r.balances["balance"] >= r.balances["floor"] - 1e-3).all()
    dep = r.ladder.loc[r.ladder["instrument"] == "deposit_1m"]
    assert not dep.empty
    held = r.ladder.groupby("placed")["amount"].sum()
    assert held.max() <= 600_000 + 1  # counterparty limit at the house bank
    assert any(p.action == "investment_order" for p in r.proposals)


def test_ladder_without_instruments_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"investment\.instruments"):
        optimize_investments(make_outlook(), Policy(), rates=_rates(), solver=FAST)


def test_joint_frontier_prices_the_buffer() -> None:
    o = make_outlook(
        [bill("B1", 200_000, due=30, discount_day=10, discount_pct=2), bill("B2", 300_000, due=20)],
        opening=600_000,
        daily=2_000,
        floor=100_000,
        credit_limit=300_000,
        credit_rate=7.0,
        days=42,
    )
    r = optimize_working_capital(
        o,
        None,
        None,
        _policy(overnight=InstrumentLimit()),
        rates=_rates(),
        frontier_points=3,
        solver=FAST,
    )
    assert r.status == "feasible"
    assert sum(p.chosen for p in r.frontier) == 1
    values = [p.value for p in sorted(r.frontier, key=lambda p: p.buffer) if p.impact_cap is None]
    assert values == sorted(values, reverse=True)  # more buffer never adds value
    if len(values) > 1:
        assert r.tradeoffs and "per 100 k of buffer" in r.tradeoffs[0]["text"]


def _ar() -> pd.DataFrame:
    t = pd.Timestamp(AS_OF)
    rows = []
    for c, late in (("C1", 5), ("C2", 60)):
        for k in range(6):
            issue = t - pd.Timedelta(days=200 - 20 * k)
            rows.append(
                {
                    "invoice_id": f"{c}-{k}",
                    "customer_id": c,
                    "issue_date": issue,
                    "due_date": issue + pd.Timedelta(days=30),
                    "amount": 50_000.0,
                    "open_amount": 0.0,
                    "settled_date": issue + pd.Timedelta(days=30 + late),
                    "currency": "USD",
                }
            )
        rows.append(
            {
                "invoice_id": f"{c}-open",
                "customer_id": c,
                "issue_date": t - pd.Timedelta(days=50),
                "due_date": t - pd.Timedelta(days=20),
                "amount": 80_000.0,
                "open_amount": 80_000.0,
                "settled_date": pd.NaT,
                "currency": "USD",
            }
        )
        rows.append(
            {
                "invoice_id": f"{c}-new",
                "customer_id": c,
                "issue_date": t,
                "due_date": t + pd.Timedelta(days=60),
                "amount": 90_000.0,
                "open_amount": 90_000.0,
                "settled_date": pd.NaT,
                "currency": "USD",
            }
        )
    return pd.DataFrame(rows)


def test_collections_respects_capacity_and_favours_riskier_customer() -> None:
    r = collections_worklist(
        _ar(), as_of=AS_OF, collectors=1, minutes_per_day=20, days=1, solver=FAST
    )
    assert r.worklist["minutes"].sum() <= 20
    assert r.worklist.iloc[0]["customer_id"] == "C2"  # chronic late: the bigger lift
    assert r.proposals[0].action == "dunning_campaign"


def test_credit_limits_move_within_policy_band() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "entity_id": "US01",
            "currency": "USD",
            "payment_terms_days": 30,
            "credit_limit": [1_000.0, 1_000_000.0],
        }
    )
    r = credit_limits(customers, _ar(), Policy(), as_of=AS_OF)
    lim = r.limits.set_index("customer_id")
    band = Policy().credit.max_limit_change_pct / 100
    assert (lim["proposed"] <= lim["current"] * (1 + band) + 1).all()
    assert (lim["proposed"] >= lim["current"] * (1 - band) - 1).all()
    assert lim.loc["C1", "change"] > 0 and lim.loc["C2", "change"] < 0


def test_discount_offers_pay_for_themselves() -> None:
    r = discount_offers(_ar(), as_of=AS_OF, cost_of_funds_pct=30.0)
    assert not r.offers.empty and (r.offers["expected_value"] > 0).all()
    none = discount_offers(_ar(), as_of=AS_OF, cost_of_funds_pct=0.0)
    assert none.offers.empty  # cash sooner is worth nothing: no discount pays


def test_purchase_plan_keeps_safety_stock_and_pays_on_terms() -> None:
    o = make_outlook(opening=500_000, days=56)
    items = pd.DataFrame(
        {
            "sku": ["A"],
            "entity_id": "US01",
            "currency": "USD",
            "unit_cost": [10.0],
            "unit_price": [15.0],
            "lead_time_days": [7],
            "moq": [100.0],
            "on_hand": [50.0],
            "holding_cost_rate": [0.2],
            "supplier_id": ["S1"],
        }
    )
    dates = pd.date_range(pd.Timestamp(AS_OF) - pd.Timedelta(days=90), AS_OF)
    rng = np.random.default_rng(0)
    demand = pd.DataFrame({"sku": "A", "date": dates, "quantity": rng.poisson(20, len(dates))})
    suppliers = pd.DataFrame({"supplier_id": ["S1"], "payment_terms": ["net 30"]})
    r = optimize_purchases(o, items, demand, suppliers=suppliers, solver=FAST)
    assert r.status == "feasible"
    assert (r.orders["quantity"] >= 100 - 1e-6).all()
    lag = (r.orders["pay_date"] - r.orders["order_date"]).dt.days
    assert (lag == 37).all()
    assert r.stock["below_safety"].iloc[2:].max() <= 1e-6


def test_cli_registers_optimize_and_reports_missing_workspace(tmp_path) -> None:
    import api.cli.optimize_cmds  # noqa: F401
    from api.cli.main import app

    result = CliRunner().invoke(
        app, ["optimize", "payments", "--workspace", str(tmp_path / "none"), "--json"]
    )
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["type"] == "workspace_error"
    helped = CliRunner().invoke(app, ["optimize", "--help"])
    for name in ("payments", "collections", "credit", "inventory", "investments", "joint"):
        assert name in helped.stdout
