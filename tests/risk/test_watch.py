"""Early warnings over successive runs: confirmation, hysteresis, structural positions once."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from tests.risk.helpers import outlook, position, steady
from tools.domain.policy import EarlyWarningPolicy, Policy
from tools.risk import EarlyWarning, WatchState, early_warnings, liquidity_risk, watch

KEY = "US01/USD"
POLICY = Policy(early_warning=EarlyWarningPolicy(warning_probability=0.2, critical_probability=0.5))
DAY = date(2026, 1, 2)


def _run(share: float, as_of: date, *, credit: float = 0.0, at_start: bool = False) -> EarlyWarning:
    """One run: ``share`` of 20 paths fall 5 a day (below 50 from day 10, or at once)."""
    flows = np.zeros((20, 30))
    flows[: int(share * 20)] = -5.0
    if at_start:
        flows[: int(share * 20), 0] = -60.0  # below the floor from the first day
    o = outlook({(KEY, "supplier_payment"): flows}, [position(credit=credit)], as_of=as_of)
    return early_warnings(liquidity_risk(o, POLICY))


def _replay(runs: list[EarlyWarning], **kwargs: int) -> list[tuple[str, str] | None]:
    """Per run: (severity, status) of the alert shown on KEY, None when nothing is shown."""
    state: WatchState | None = None
    out: list[tuple[str, str] | None] = []
    for ew in runs:
        shown, state = watch(ew, state, **kwargs)
        mine = [a for a in shown.alerts if a.scope == KEY]
        out.append((mine[0].severity, mine[0].data["status"]) if mine else None)
    return out


def _weekly(shares: list[float], **kwargs: object) -> list[EarlyWarning]:
    return [_run(s, DAY + timedelta(days=7 * i), **kwargs) for i, s in enumerate(shares)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        # one warning run is pending, the second confirms it
        ([0.3, 0.3], [("info", "pending"), ("warning", "new")]),
        # a one-off spike never becomes an alarm
        ([0.3, 0.0, 0.3, 0.0], [("info", "pending"), None, ("info", "pending"), None]),
        # critical opens at once and stays open while it lasts; a quiet run closes it
        (
            [0.6, 0.6, 0.0, 0.0, 0.0],
            [("critical", "new"), ("critical", "ongoing"), None, None, None],
        ),
        # a warning that turns critical escalates
        ([0.3, 0.3, 0.6], [("info", "pending"), ("warning", "new"), ("critical", "escalated")]),
        # a breach more likely than not opens at once, even when credit makes it a warning
        ([0.6], [("warning", "new")]),
    ],
)
def test_confirmation_and_hysteresis(shares: list[float], expected: list[object]) -> None:
    credit = 500.0 if shares == [0.6] else 0.0  # a line that covers the whole fall
    assert _replay(_weekly(shares, credit=credit)) == expected


def test_open_episode_is_kept_through_one_quiet_run_with_clear_two() -> None:
    runs = _weekly([0.3, 0.3, 0.1, 0.3])
    state: WatchState | None = None
    severities = []
    for ew in runs:
        shown, state = watch(ew, state, clear=2)
        severities.append([a.severity for a in shown.alerts if a.scope == KEY])
    # run 3 has only an info-level probability, but the episode opened in run 2 stays open
    assert severities == [["info"], ["warning"], ["warning"], ["warning"]]
    assert state is not None and state.get(KEY).opened == DAY + timedelta(days=7)


def test_default_closes_on_the_first_quiet_run() -> None:
    assert _replay(_weekly([0.3, 0.3, 0.1])) == [
        ("info", "pending"),
        ("warning", "new"),
        ("info", "closed"),
    ]


def test_confirm_one_alarms_on_the_first_run() -> None:
    assert _replay(_weekly([0.3]), confirm=1) == [("warning", "new")]


def test_urgent_breach_is_not_held_back_for_confirmation() -> None:
    # below the floor from the first day, no credit: no time to wait for a second run
    assert _replay(_weekly([0.3], at_start=True)) == [("warning", "new")]


def test_structural_position_is_reported_once() -> None:
    # every path below the floor from day one, a 500 line covers it: the position runs on
    # its revolver; said once as information, then quiet
    runs = _weekly([1.0, 1.0, 1.0], credit=500.0, at_start=True)
    assert runs[0].alerts[0].data["structural"] is True
    assert _replay(runs) == [("info", "structural"), None, None]


def test_structural_position_escalates_when_the_line_no_longer_covers() -> None:
    covered = _weekly([1.0], credit=500.0, at_start=True)
    short = [_run(1.0, DAY + timedelta(days=7), credit=20.0, at_start=True)]
    assert _replay(covered + short) == [("info", "structural"), ("critical", "new")]


def test_state_round_trips_through_json() -> None:
    _, state = watch(_weekly([0.3])[0], None)
    again = WatchState.model_validate_json(state.model_dump_json())
    assert again == state
    shown, _ = watch(_run(0.3, DAY + timedelta(days=7)), again)
    assert [a.data["status"] for a in shown.alerts if a.scope == KEY] == ["new"]


def test_rejects_zero_runs() -> None:
    with pytest.raises(ValueError, match="confirm and clear"):
        watch(_weekly([0.3])[0], None, confirm=0)


def test_credit_decides_between_warning_and_critical() -> None:
    flows = {(KEY, "supplier_payment"): steady(10, 30, -5.0)}  # -50 below the floor at the end
    without = early_warnings(liquidity_risk(outlook(flows, [position()]), POLICY))
    covered = early_warnings(liquidity_risk(outlook(flows, [position(credit=200.0)]), POLICY))
    short = early_warnings(liquidity_risk(outlook(flows, [position(credit=60.0)]), POLICY))
    sev = {
        name: [a.severity for a in ew.alerts if a.scope == KEY]
        for name, ew in (("without", without), ("covered", covered), ("short", short))
    }
    # no line: critical; a line covering the whole shortfall: a warning (draw in time);
    # a line that runs out before the end: critical again
    assert sev == {"without": ["critical"], "covered": ["warning"], "short": ["critical"]}
    alert = next(a for a in short.alerts if a.scope == KEY)
    assert alert.data["credit_short_date"] == "2026-01-25"


def test_merged_alerts_keep_every_cause() -> None:
    ew = _run(0.6, DAY)
    extra = ew.alerts[0].model_copy(update={"severity": "warning", "cause": "customer C1 silent"})
    shown, _ = watch(ew.model_copy(update={"alerts": (*ew.alerts, extra)}), None)
    mine = [a for a in shown.alerts if a.scope == KEY]
    assert len(mine) == 1 and mine[0].severity == "critical"
    assert mine[0].data["other_causes"] == ["customer C1 silent"]


def test_rerun_on_the_same_day_does_not_confirm() -> None:
    first = _run(0.3, DAY)
    _, state = watch(first, None)
    shown, again = watch(first, state)  # the daily job run twice on one day
    assert [a.data["status"] for a in shown.alerts if a.scope == KEY] == ["pending"]
    shown, _ = watch(_run(0.3, DAY + timedelta(days=1)), again)
    assert [a.data["status"] for a in shown.alerts if a.scope == KEY] == ["new"]
    with pytest.raises(ValueError, match="come after a run"):
        watch(first, again.model_copy(update={"as_of": DAY + timedelta(days=3)}))


def _counterparty(ew: EarlyWarning, severity: str = "warning") -> EarlyWarning:
    """``ew`` with a counterparty warning on KEY (a customer seen to stop paying)."""
    base = next(a for a in ew.alerts if a.scope == KEY)
    seen = base.model_copy(
        update={
            "severity": severity,
            "cause": "customer C1 stopped paying",
            "data": {"evidence": "counterparty", "customers": [{"customer_id": "C1"}]},
        }
    )
    return ew.with_alerts((seen,))


def test_counterparty_evidence_opens_at_once() -> None:
    # a customer that stopped paying is seen in the bank data, not guessed by the forecast:
    # no second run is needed to confirm it
    shown, state = watch(_counterparty(_run(0.1, DAY)), None)
    mine = [a for a in shown.alerts if a.scope == KEY]
    assert [(a.severity, a.data["status"]) for a in mine] == [("warning", "new")]
    assert mine[0].data["opened_by"] == "counterparty"
    assert state.get(KEY).status == "active"


def test_counterparty_evidence_confirms_the_forecasts_warning() -> None:
    # the forecast's 30 % warning leads (more probable), the customer's silence confirms it
    shown, _ = watch(_counterparty(_run(0.3, DAY)), None)
    mine = [a for a in shown.alerts if a.scope == KEY]
    assert [a.data["status"] for a in mine] == ["new"]
    assert mine[0].data["other_causes"] == ["customer C1 stopped paying"]


def test_why_an_episode_opened_is_recorded() -> None:
    runs = _weekly([0.3, 0.3])
    state: WatchState | None = None
    opened = []
    for ew in runs:
        shown, state = watch(ew, state)
        opened += [a.data.get("opened_by") for a in shown.alerts if a.scope == KEY]
    assert opened == [None, "confirmed"]
    shown, _ = watch(_run(0.6, DAY), None)
    assert [a.data["opened_by"] for a in shown.alerts if a.scope == KEY] == ["critical"]
