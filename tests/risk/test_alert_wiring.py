"""The watch's alerts as monitoring alerts: one condition per scope and severity, whichever
cause leads the merged alert on a run."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tests.risk.helpers import outlook, position
from tools.domain.policy import EarlyWarningPolicy, Policy
from tools.monitoring.alert_sources import from_early_warnings
from tools.risk import EarlyWarning, early_warnings, liquidity_risk, watch

KEY = "US01/USD"
POLICY = Policy(early_warning=EarlyWarningPolicy(warning_probability=0.2, critical_probability=0.5))
DAY = date(2026, 1, 2)


def _run(share: float, as_of: date, silent_p: float) -> EarlyWarning:
    """The forecast's warning at ``share`` and a silent customer's at ``silent_p``."""
    flows = np.zeros((20, 30))
    flows[: int(share * 20)] = -5.0
    ew = early_warnings(
        liquidity_risk(outlook({(KEY, "payroll"): flows}, [position()], as_of=as_of), POLICY)
    )
    own = next(a for a in ew.alerts if a.scope == KEY)
    seen = own.model_copy(
        update={
            "probability": silent_p,
            "cause": "customer C1 stopped paying",
            "data": {"evidence": "counterparty", "customers": [{"customer_id": "C1"}]},
        }
    )
    return ew.with_alerts((seen,))


def test_the_condition_keeps_its_key_when_the_leading_cause_changes() -> None:
    state = None
    keys, sources, statuses = [], [], []
    # run 1: the customer's silence leads (45 % against the forecast's 30 %); run 2: the
    # forecast's own risk leads (40 % against 35 %)
    for i, (share, silent_p) in enumerate([(0.3, 0.45), (0.4, 0.35)]):
        shown, state = watch(_run(share, DAY + timedelta(days=7 * i), silent_p), state)
        mine = [m for m in from_early_warnings(shown.alerts) if m.scope == KEY]
        keys += [m.dedupe_key for m in mine]
        sources += [m.source for m in mine]
        statuses += [m.data["status"] for m in mine]
    assert keys == [f"liquidity:{KEY}:warning"] * 2
    assert sources == ["counterparty", "liquidity"]
    assert statuses == ["new", "ongoing"]
