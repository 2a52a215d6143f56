"""Recalibration: models chosen by backtest and logged; a drifting model is re-backtested
and switched, with the reason in the log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tests.monitoring.ops_data import SECOND, company
from tools.data.asof import tables_as_of
from tools.monitoring.recalibration import (
    MODEL_CHOICES,
    current_choices,
    model_history,
    recalibrate,
    weekly_flows,
)

NOW = datetime(2026, 3, 28, 6, 30, tzinfo=UTC)


def test_weekly_flows_end_on_the_as_of_weekday() -> None:
    panel = weekly_flows(tables_as_of(company().tables, SECOND), as_of=SECOND)
    assert set(panel["unique_id"]) == {"DE01/EUR", "DE01/USD", "US01/USD"}
    assert panel["ds"].max().date() == SECOND
    assert (panel["ds"].dt.dayofweek == SECOND.weekday()).all()


def test_first_choice_then_nothing_to_do_then_a_drift_switches(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    tables = tables_as_of(company().tables, SECOND)
    first = recalibrate(engine, tables, as_of=SECOND, now=NOW, time_budget=0.5)
    assert first.rebacktested and {d.action for d in first.decisions} == {"initial"}
    assert all(d.score is not None and d.score > 0 for d in first.decisions)

    quiet = recalibrate(engine, tables, as_of=SECOND, now=NOW, time_budget=0.5)
    assert not quiet.rebacktested and quiet.decisions == ()

    # The stored score of one series claims a precision no model keeps: it drifts.
    with engine.begin() as conn:
        conn.execute(
            MODEL_CHOICES.insert().values(
                series_id="US01/USD",
                model="Naive",
                score=0.01,
                recent_error=None,
                coverage=None,
                action="switched",
                reason="set by the test",
                as_of=SECOND,
                created_at=NOW,
                provenance={},
            )
        )
    drift = recalibrate(engine, tables, as_of=SECOND, now=NOW, time_budget=0.5)
    us = next(d for d in drift.decisions if d.series_id == "US01/USD")
    assert drift.rebacktested and us.reason.startswith("drift: recent scaled MAE")
    assert us.recent_error is not None and us.recent_error > 1.5 * 0.01
    assert us.coverage is not None and 0 <= us.coverage <= 1
    if us.model != "Naive":
        assert us.action == "switched" and "over Naive" in us.reason
        assert [a.scope for a in drift.alerts] == ["US01/USD"]
    assert current_choices(engine)["US01/USD"].model == us.model
    assert len(model_history(engine, "US01/USD")) == 3
