"""Throughput of the panel forecasting engine on a synthetic daily panel.

``python -m evals.bench_forecast [--series 1000] [--horizon 90] [--history 730] [--json]``
forecasts a seeded panel of daily series (weekly and yearly patterns, trends, noise, a
share of intermittent series) with the default engine (backtest, model choice, intervals
and 100 sample paths per series), and with a SeasonalNaive-only engine run in the same
process as the baseline. Each run happens in its own child process so the peak memory is
its own. Reports seconds, series per second, the ratio to the baseline and CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit, peak_rss_mb, run_child
from tools.forecasting.engine import forecast_panel

__all__ = ["main", "synthetic_panel"]


def synthetic_panel(n_series: int, history: int, seed: int = 0) -> pd.DataFrame:
    """Daily flows: level, trend, weekday and yearly patterns, noise; every 10th is sparse."""
    rng = np.random.default_rng(seed)
    t = np.arange(history)
    week = rng.uniform(0.3, 1.7, (n_series, 7))
    level = rng.lognormal(6, 1, n_series)
    slope = rng.normal(0, 0.0005, n_series)
    year = rng.uniform(0, 0.3, n_series)
    y = level[:, None] * (1 + slope[:, None] * t) * week[:, t % 7]
    y *= 1 + year[:, None] * np.sin(2 * np.pi * t / 365.25)
    y *= rng.lognormal(0, 0.25, y.shape)
    sparse = np.arange(n_series) % 10 == 9
    y[sparse] *= rng.random((int(sparse.sum()), history)) < 0.25
    ids = np.repeat([f"S{i:05d}" for i in range(n_series)], history)
    ds = np.tile(pd.date_range("2023-01-01", periods=history, freq="D").to_numpy(), n_series)
    return pd.DataFrame({"unique_id": ids, "ds": ds, "y": y.ravel()})


def _child(series: int, horizon: int, history: int, baseline: bool) -> dict[str, Any]:
    df = synthetic_panel(series, history)
    models = ["SeasonalNaive"] if baseline else None
    cpu0, t0 = time.process_time(), time.perf_counter()
    res = forecast_panel(df, h=horizon, freq="D", season_length=7, n_paths=100, models=models)
    seconds = time.perf_counter() - t0
    children = os.times()
    return {
        "seconds": round(seconds, 2),
        "series_per_s": round(series / seconds, 1),
        "cpu_seconds": round(
            time.process_time() - cpu0 + children.children_user + children.children_system, 1
        ),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "strategy": res.provenance["strategy"],
        "models": sorted({m for ms in res.provenance["models"].values() for m in ms}),
        "neural": res.provenance["neural_models"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.bench_forecast", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--history", type=int, default=730, help="days of history per series")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.series, args.horizon, args.history, args.baseline)))
        return 0
    common = [f"--series={args.series}", f"--horizon={args.horizon}", f"--history={args.history}"]
    print(
        f"engine on {args.series} series x {args.history} days, h={args.horizon} ...",
        file=sys.stderr,
    )
    ours = run_child("evals.bench_forecast", *common)
    print("SeasonalNaive-only baseline ...", file=sys.stderr)
    base = run_child("evals.bench_forecast", *common, "--baseline")
    ours["ratio_to_seasonal_naive"] = round(ours["seconds"] / base["seconds"], 2)
    doc = {
        "dataset": f"synthetic daily panel ({args.series} series, {args.history} days, "
        f"h={args.horizon}, {os.cpu_count()} cores)",
        "primary": "engine",
        "results": {"engine": ours, "seasonal_naive_engine": base},
    }
    lines = [
        f"engine: {ours['seconds']} s ({ours['series_per_s']} series/s, "
        f"{ours['cpu_seconds']} CPU s), models {ours['models']}, strategy {ours['strategy']}",
        f"SeasonalNaive only: {base['seconds']} s ({base['series_per_s']} series/s)",
        f"ratio: {ours['ratio_to_seasonal_naive']}x",
    ]
    emit(doc, as_json=args.json, lines=lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
