"""Stored forecast runs and ``wcm forecast``."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import api.cli.forecast_cmds  # noqa: F401  (registers the command)
from api.cli.forecast_cmds import parse_horizon
from api.cli.main import app
from tools.errors import ConfigError
from tools.workspace import Workspace, open_workspace
from tools.workspace.forecast_runs import load_run, previous_run, run_forecast


@pytest.fixture(scope="module")
def ws(demo_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("fc") / "ws"
    shutil.copytree(demo_workspace.root, root)
    return open_workspace(root)


def test_a_run_is_stored_and_reused(ws: Workspace) -> None:
    first = run_forecast(ws, n_paths=60, quality="fast")
    again = run_forecast(ws, n_paths=60, quality="fast")
    assert not first.cached and again.cached and again.run_id == first.run_id
    loaded = load_run(ws, first.run_id).outlook
    for key, arr in first.forecast.outlook.paths.items():
        np.testing.assert_allclose(loaded.paths[key], arr)
    assert loaded.positions == first.forecast.outlook.positions
    assert (
        loaded.scheduled["item_id"].tolist() == first.forecast.outlook.scheduled["item_id"].tolist()
    )
    other = run_forecast(ws, n_paths=60, quality="fast", seed=1)
    assert not other.cached and previous_run(ws, other) == first.run_id


def test_new_data_invalidates_the_stored_run(ws: Workspace, tmp_path: Path) -> None:
    first = run_forecast(ws, n_paths=60, quality="fast")
    from tools.workspace import import_files

    extra = tmp_path / "fx_rates.csv"
    extra.write_text("date,base,quote,rate\n2026-06-30,EUR,GBP,0.85\n")
    assert import_files(ws, [extra], user="test").ok
    assert not run_forecast(ws, n_paths=60, quality="fast").cached
    assert run_forecast(ws, n_paths=60, quality="fast").run_id != first.run_id


def test_concurrent_requests_share_one_run(ws: Workspace) -> None:
    """Questions arriving together for the same forecast compute and store it once."""
    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(lambda _: run_forecast(ws, n_paths=40, quality="fast", seed=7), range(4))
        )
    assert len({r.run_id for r in runs}) == 1
    assert sum(not r.cached for r in runs) == 1
    assert not list((ws.root / "forecasts").glob("*.tmp"))
    assert load_run(ws, runs[0].run_id).outlook.as_of == runs[0].forecast.outlook.as_of


@pytest.mark.parametrize(
    ("text", "days"),
    [("13w", 91), ("90d", 90), ("90", 90), ("3m", 91), ("12m", 365), ("1y", 365)],
)
def test_horizons(text: str, days: int) -> None:
    assert parse_horizon(text) == days


@pytest.mark.parametrize("text", ["0w", "2y", "13 weeks please", "-4w"])
def test_bad_horizons(text: str) -> None:
    with pytest.raises(ConfigError, match="horizon"):
        parse_horizon(text)


def test_cli_json_and_table(ws: Workspace) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["forecast", "-w", str(ws.root), "--fast", "--paths", "60", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["horizon_days"] == 91 and body["grain"] == "week"
    assert {p["key"] for p in body["positions"]} == {"US01/USD", "DE01/EUR", "DE01/USD"}
    assert len(body["periods"]) == 13 * 3
    text = runner.invoke(app, ["forecast", "-w", str(ws.root), "--fast", "--horizon", "6m"])
    assert text.exit_code == 0, text.output
    assert "month" in text.stdout and "What drives it" in text.stdout


def test_a_standard_run_serves_later_fast_requests(ws: Workspace) -> None:
    standard = run_forecast(ws, n_paths=40, seed=5, quality="standard", refresh=True)
    as_of = standard.forecast.outlook.as_of
    served = run_forecast(ws, as_of=as_of, n_paths=30, seed=5, quality="fast")
    assert served.cached and served.run_id == standard.run_id
    assert not run_forecast(ws, n_paths=80, seed=5, quality="fast").cached  # more paths asked


def test_the_engine_recentres_the_statistical_series(ws: Workspace) -> None:
    run = run_forecast(ws, n_paths=30, seed=6, quality="engine")
    provenance = run.forecast.provenance["statistical"]
    assert provenance["method"].startswith("engine") and provenance["chosen"]
    assert set(provenance["chosen"]) >= {"invoicing|US01/USD", "billing|US01/USD"}
    issued = run.forecast.components.query("component == 'new_documents'")["mean"]
    assert np.isfinite(issued).all()
