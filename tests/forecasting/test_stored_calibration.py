"""Stored balance-band calibrations: made once, reused by every forecast, redone on schedule."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

import api.cli.forecast_cmds  # noqa: F401  (registers the command)
from api.cli.main import app
from tools.forecasting.calibration import CATEGORY, Calibration
from tools.monitoring.steps import DailyOptions, run_checks
from tools.workspace import Workspace, open_workspace
from tools.workspace.calibrations import (
    apply_stored,
    calibration_due,
    calibration_history,
    last_booking,
    latest_calibration,
    make_calibration,
)
from tools.workspace.forecast_runs import run_forecast

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ws(demo_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("bands") / "ws"
    shutil.copytree(demo_workspace.root, root)
    return open_workspace(root)


@pytest.fixture(scope="module")
def made(ws: Workspace):
    before = run_forecast(ws, n_paths=80, quality="fast")
    stored = make_calibration(ws, reason="test", now=NOW)
    return before, stored


def _width(outlook, key: str) -> np.ndarray:
    b = outlook.balance_paths(key)
    return np.quantile(b, 0.9, axis=0) - np.quantile(b, 0.1, axis=0)


def test_without_a_stored_calibration_the_bands_are_raw_and_say_why(made) -> None:
    before, _ = made
    note = before.forecast.provenance["calibration"]
    assert note["calibrated"] is False and "wcm run-daily" in note["reason"]
    assert not any(c == CATEGORY for _, c in before.forecast.outlook.paths)


def test_forecasts_reuse_the_newest_calibration(ws: Workspace, made) -> None:
    before, stored = made
    assert stored.calibration.calibrated and stored.as_of == last_booking(ws)
    after = run_forecast(ws, n_paths=80, quality="fast")
    assert not after.cached  # a new calibration is a new forecast
    note = after.forecast.provenance["calibration"]
    assert note["calibration_id"] == stored.calibration_id and note["made_because"] == "test"
    o_before, o_after = before.forecast.outlook, after.forecast.outlook
    for key in o_after.keys:
        mean_before = o_before.balance_paths(key).mean(axis=0)
        np.testing.assert_allclose(o_after.balance_paths(key).mean(axis=0), mean_before, atol=1e-3)
        assert np.all(_width(o_after, key) >= _width(o_before, key) - 1e-6)
    assert any(_width(o_after, k).sum() > 1.05 * _width(o_before, k).sum() for k in o_after.keys)
    assert set(o_after.flows["category"]) >= {CATEGORY}
    assert run_forecast(ws, n_paths=80, quality="fast").cached
    raw = run_forecast(ws, n_paths=80, quality="fast", bands="raw").forecast
    assert "calibration" not in raw.provenance
    np.testing.assert_allclose(
        raw.outlook.balance_paths(raw.outlook.keys[0]),
        o_before.balance_paths(o_before.keys[0]),
    )


def test_a_stored_calibration_reads_back_exactly(ws: Workspace, made) -> None:
    _, stored = made
    again = latest_calibration(ws)
    assert again is not None and again.calibration_id == stored.calibration_id
    a, b = stored.calibration, again.calibration
    assert set(a.real_q) == set(b.real_q) and a.origins == b.origins
    for key in a.real_q:
        np.testing.assert_allclose(a.real_q[key], b.real_q[key], atol=1e-5)
        np.testing.assert_allclose(a.widening(key, 0.8), b.widening(key, 0.8), rtol=1e-4)
    assert Calibration.from_json(a.to_json()).summary() == a.summary()
    assert [c.calibration_id for c in calibration_history(ws)] == [stored.calibration_id]


def test_the_weekly_report_names_the_calibration(made) -> None:
    from tools.monitoring.report import _model_rows

    _, stored = made
    rows = _model_rows([], stored)
    assert rows[0] == "No forecast model changed this week."
    assert stored.calibration_id in rows[1] and "80 % bands widened" in rows[1]
    held = stored.calibration.coverage_before["80"]
    assert f"raw 80 % bands held {held:.0%}" in rows[1]


def test_an_old_calibration_is_not_applied(ws: Workspace, made) -> None:
    before, stored = made
    later = before.forecast.outlook.as_of + timedelta(days=60)
    moved = before.forecast.outlook.with_paths(before.forecast.outlook.paths)
    object.__setattr__(moved, "as_of", later)
    import dataclasses

    out = apply_stored(dataclasses.replace(before.forecast, outlook=moved), stored)
    note = out.provenance["calibration"]
    assert note["calibrated"] is False and "more than 35 days" in note["reason"]
    assert calibration_due(ws, stored.as_of) is None
    assert "scheduled" in str(calibration_due(ws, stored.as_of + timedelta(days=14)))


def test_a_longer_horizon_keeps_the_last_weeks_widening(ws: Workspace, made) -> None:
    long = run_forecast(ws, horizon_days=182, n_paths=60, quality="fast").forecast.outlook
    assert long.provenance["calibration"]["calibrated"]
    swept = set(long.provenance["swept_positions"])
    assert all(long.paths[(k, CATEGORY)].shape[1] == 182 for k in long.keys if k not in swept)


def test_the_daily_job_calibrates_when_due_and_reuses_otherwise(
    demo_workspace: Workspace, tmp_path
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace.root, root)
    fresh = open_workspace(root)
    opts = DailyOptions(n_paths=60, recalibration_budget=0.5)
    first = run_checks(fresh, opts, now=NOW)
    steps = {s.step: s for s in first.steps}
    assert steps["bands"].status == "done" and "no calibration stored yet" in steps["bands"].detail
    assert first.bands is not None and first.bands["calibrated"]
    forecast = run_forecast(fresh, horizon_days=91, n_paths=60, quality="fast")
    assert forecast.cached  # the job's forecast already carries the new calibration
    assert (
        forecast.forecast.provenance["calibration"]["calibration_id"]
        == (first.bands["calibration_id"])
    )
    second = run_checks(fresh, opts, now=NOW + timedelta(hours=1))
    assert {s.step: s.status for s in second.steps}["bands"] == "skipped"
    assert len(calibration_history(fresh)) == 1


def test_cli_calibrate_stores_and_raw_bands_opt_out(ws: Workspace) -> None:
    runner = CliRunner()
    got = runner.invoke(app, ["forecast", "-w", str(ws.root), "--fast", "--paths", "60"])
    assert got.exit_code == 0, got.output
    assert "calibrated on backtests from 6 earlier dates" in " ".join(got.output.split())
    raw = runner.invoke(
        app, ["forecast", "-w", str(ws.root), "--fast", "--paths", "60", "--raw-bands"]
    )
    assert raw.exit_code == 0 and "the sample paths' own" in " ".join(raw.output.split())
