"""One early-warning run: the daily job's, ``wcm alerts``' and the evaluation's."""

from __future__ import annotations

import pandas as pd

from tests.risk.helpers import AS_OF, outlook, position, steady
from tests.risk.test_deterioration import _ledger
from tools.domain.policy import Policy
from tools.risk import early_warnings, liquidity_risk, watch
from tools.risk.counterparties import counterparty_alerts
from tools.risk.daily import run_early_warnings

KEY = "US01/USD"


def _receivables() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["I1"],
            "customer_id": ["BIG"],
            "key": [KEY],
            "open_amount": [600.0],
            "expected_date": pd.to_datetime(["2026-01-20"]),
            "expected_in_horizon": [30.0],
        }
    )


def test_the_run_composes_risk_counterparties_and_watch() -> None:
    # BIG went silent with 30 expected on 20 Jan; on 8 of 20 paths nothing else comes in
    # that day, so without BIG those paths fall to 40, below the 50 floor: 40 %
    receipts = steady(20, 60, 30.0)
    receipts[:12, 17] += 30.0
    o = outlook(
        {(KEY, "customer_receipt"): receipts, (KEY, "payroll"): steady(20, 60, -30.0)},
        [position(opening=70.0, minimum=50.0)],
    )
    tables = _ledger("2025-11-28")
    run = run_early_warnings(o, Policy(), tables, _receivables(), previous=None)
    risk = liquidity_risk(o, Policy())
    found = counterparty_alerts(o, Policy(), tables, _receivables(), as_of=AS_OF)
    raw = early_warnings(risk).with_alerts(found.alerts)
    shown, state = watch(raw, None)
    assert run.raw == raw and run.shown == shown and run.state == state
    assert found.silent["customer_id"].tolist() == ["BIG"]
    mine = [a for a in run.shown.alerts if a.scope == KEY]
    # the silence is observed, so the warning opens on the first run
    assert [(a.severity, a.data["status"], a.data["opened_by"]) for a in mine] == [
        ("warning", "new", "counterparty")
    ]
    # the daily job run twice on one day starts again from the state before that day
    again = run_early_warnings(o, Policy(), tables, _receivables(), previous=run.state)
    assert again.shown == run.shown and again.state == run.state


def test_a_shorter_horizon_applies_to_the_counterparty_checks_too() -> None:
    receipts = steady(20, 60, 30.0)
    receipts[:12, 17] += 30.0
    o = outlook(
        {(KEY, "customer_receipt"): receipts, (KEY, "payroll"): steady(20, 60, -30.0)},
        [position(opening=70.0, minimum=50.0)],
    )
    tables = _ledger("2025-11-28")
    short = run_early_warnings(o, Policy(), tables, _receivables(), previous=None, horizon_days=10)
    assert short.risk.horizon_days == 10
    assert short.counterparties.alerts == ()  # BIG's receipt was due after ten days
    longer = run_early_warnings(o, Policy(), tables, _receivables(), previous=None, horizon_days=30)
    assert [a.scope for a in longer.counterparties.alerts] == [KEY, "group"]
