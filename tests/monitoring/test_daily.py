"""The daily job on a real workspace: the inbox imported and emptied, every check run,
a second run the same day doing nothing, bad files set aside, alerts never repeated."""

from __future__ import annotations

import importlib
import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.monitoring.ops_data import FIRST, SECOND, company, write_exports
from tools.monitoring.alerts_store import ALERTS, list_alerts
from tools.monitoring.daily import DailyOptions, DailySummary, run_daily
from tools.monitoring.steps import WATCH_FILE
from tools.risk import WatchState
from tools.workspace import Workspace, init_workspace
from tools.workspace.db import FORECAST_RUNS

OPTIONS = DailyOptions(n_paths=100, recalibrate=False)


@dataclass
class Story:
    ws: Workspace
    first: DailySummary
    again: DailySummary
    later: DailySummary
    runs_after_again: int


def _forecast_runs(ws: Workspace) -> int:
    with ws.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(FORECAST_RUNS)).scalar_one())


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    root = tmp_path_factory.mktemp("daily") / "ws"
    ws = init_workspace(root, name="Daily Co", policy=company().policy)
    write_exports(root / "inbox", FIRST)
    first = run_daily(ws, options=OPTIONS)
    again = run_daily(ws, options=OPTIONS)
    runs = _forecast_runs(ws)
    write_exports(root / "inbox", SECOND)
    (root / "inbox" / "ar_invoices_extra.csv").write_text(
        "invoice_id,customer_id,entity_id,issue_date,due_date,amount,currency\n"
        "X-1,C1,US01,31/02/2026,2026-04-30,100.00,USD\n",
        encoding="utf-8",
    )
    later = run_daily(ws, options=OPTIONS)
    return Story(ws, first, again, later, runs)


def test_first_run_imports_the_inbox_and_runs_every_check(story: Story) -> None:
    first, inbox = story.first, story.ws.root / "inbox"
    assert first.status == "done" and first.as_of == FIRST
    assert first.imported and all(f.status == "imported" for f in first.imported)
    assert not [p for p in inbox.iterdir() if p.is_file()]  # moved out of the inbox
    state = WatchState.model_validate_json((story.ws.root / WATCH_FILE).read_text())
    assert state.as_of == story.later.as_of  # the streaks carried to the next daily run
    assert (inbox / "processed" / date.today().isoformat() / "ap_bills.csv").is_file()
    steps = {s.step: s.status for s in first.steps}
    assert steps == {
        "bands": "skipped",  # switched off in OPTIONS (recalibrate=False)
        "forecast": "done",
        "risk": "done",
        "anomalies": "done",
        "data": "done",
        "variance": "skipped",  # no earlier forecast yet
        "kpis": "done",
        "recalibration": "skipped",  # switched off in OPTIONS
    }
    dso = first.checks.kpis.kpi("dso") if first.checks and first.checks.kpis else None
    assert dso is not None and dso.value is not None and dso.previous is not None


def test_a_second_run_the_same_day_does_no_work(story: Story) -> None:
    assert story.again.status == "skipped"
    assert story.again.run_id == story.first.run_id and "nothing new" in story.again.reason
    assert story.again.new_alerts == ()
    assert story.runs_after_again == 1  # no second forecast was made


def test_new_files_are_imported_and_a_bad_one_is_set_aside(story: Story) -> None:
    later = {f.file: f for f in story.later.imported}
    bad = later.pop("ar_invoices_extra.csv")
    assert bad.status == "failed" and "issue_date" in (bad.error or "")
    assert Path(bad.moved_to).is_file() and "failed" in Path(bad.moved_to).parts
    note = Path(bad.moved_to + ".error.txt").read_text(encoding="utf-8")
    assert "row=2" in note and "31/02/2026" in note
    assert all(f.status == "imported" for f in later.values())
    assert any(a.source == "inbox" and a.scope == bad.file for a in story.later.new_alerts)


def test_four_weeks_later_variance_and_forecast_accuracy_are_measured(story: Story) -> None:
    checks = story.later.checks
    assert checks is not None and checks.as_of == SECOND
    assert checks.variance is not None and checks.variance.window == (
        date(2026, 3, 21),
        SECOND,
    )
    assert checks.kpis is not None
    accuracy, coverage = checks.kpis.kpi("forecast_accuracy"), checks.kpis.kpi("interval_coverage")
    assert accuracy.value is not None and 0 <= accuracy.value <= 1
    assert coverage.value is not None and 0 <= coverage.value <= 1
    detail = checks.kpis.provenance["accuracy"]
    assert detail["current"]["weeks"] == 4 * 3  # four weeks of the first run, 3 positions


def test_each_condition_has_one_open_alert(story: Story) -> None:
    with story.ws.engine.connect() as conn:
        repeated = conn.execute(
            sa.select(ALERTS.c.dedupe_key)
            .where(ALERTS.c.status != "resolved")
            .group_by(ALERTS.c.dedupe_key)
            .having(sa.func.count() > 1)
        ).all()
    assert repeated == []
    stored, count = list_alerts(story.ws.engine, limit=1000)
    raised = len(story.first.new_alerts) + len(story.later.new_alerts)
    assert count == raised == len(stored)
    assert story.later.repeated_alerts + story.later.resolved_alerts > 0


def test_cli_run_daily_reports_the_skipped_run_as_json(story: Story, tmp_path: Path) -> None:
    importlib.import_module("api.cli.monitor_cmds")  # registers the commands
    from api.cli import app

    copy = tmp_path / "ws"
    shutil.copytree(story.ws.root, copy)
    result = CliRunner().invoke(app, ["run-daily", "--workspace", str(copy), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] == "skipped" and body["run_id"] == story.later.run_id


def test_cli_run_daily_on_a_missing_workspace_exits_3(tmp_path: Path) -> None:
    importlib.import_module("api.cli.monitor_cmds")
    from api.cli import app

    result = CliRunner().invoke(app, ["run-daily", "--workspace", str(tmp_path), "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["type"] == "workspace_error"
