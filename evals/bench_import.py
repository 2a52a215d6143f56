"""Import throughput and peak memory for a large AR export.

``python -m evals.bench_import [--rows N] [--json]`` writes a seeded AR invoice export of
N rows (default 1,000,000), imports it into a fresh SQLite workspace (validation, reference
checks, one transaction) and, as same-run baselines, loads the same file the naive way
(``pandas.read_csv`` + ``DataFrame.to_sql``) and reads it with ``pandas.read_csv`` alone.
Each measurement runs in its own process so peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evals.common import emit, peak_rss_mb, run_child

__all__ = ["main", "make_export"]


def make_export(path: Path, rows: int, *, seed: int = 0) -> None:
    """A seeded AR open-items export with realistic columns and values."""
    rng = np.random.default_rng(seed)
    issue = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
    due = issue + pd.to_timedelta(rng.choice([30, 45, 60], rows), unit="D")
    paid = rng.random(rows) < 0.8
    settled = (due + pd.to_timedelta(rng.integers(-10, 40, rows), unit="D")).strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "invoice_id": np.char.add("INV", np.arange(rows).astype(str)),
            "customer_id": np.char.add("C", rng.integers(0, 5000, rows).astype(str)),
            "entity_id": rng.choice(["US01", "DE01"], rows),
            "issue_date": issue.strftime("%Y-%m-%d"),
            "due_date": due.strftime("%Y-%m-%d"),
            "amount": np.round(rng.lognormal(7, 1.2, rows), 2),
            "currency": rng.choice(["USD", "EUR"], rows),
            "settled_date": np.where(paid, settled, ""),
            "disputed": np.where(rng.random(rows) < 0.05, "yes", "no"),
        }
    )
    frame.to_csv(path, index=False)


def _ours(path: Path, workdir: Path) -> dict[str, float]:
    from tools.workspace import import_files, init_workspace

    ws = init_workspace(workdir / "ws")
    start = time.perf_counter()
    report = import_files(ws, [path])
    seconds = time.perf_counter() - start
    assert report.status == "imported", report.problems[:3]
    return {"seconds": seconds}


def _naive(path: Path, workdir: Path) -> dict[str, float]:
    import sqlite3

    start = time.perf_counter()
    frame = pd.read_csv(path, dtype={"invoice_id": str})
    with sqlite3.connect(workdir / "naive.db") as conn:
        frame.to_sql("ar_invoices", conn, index=False, chunksize=100_000)
    return {"seconds": time.perf_counter() - start}


def _read_only(path: Path, _workdir: Path) -> dict[str, float]:
    start = time.perf_counter()
    pd.read_csv(path, dtype=str, keep_default_na=False)
    return {"seconds": time.perf_counter() - start}


_METHODS = {"wcm_import": _ours, "pandas_to_sql": _naive, "pandas_read_csv": _read_only}


def _child(method: str, path: str, workdir: str) -> None:
    result = _METHODS[method](Path(path), Path(workdir))
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ar_invoices.csv"
        print(f"writing {args.rows:,} rows", file=sys.stderr)
        make_export(path, args.rows)
        for method in _METHODS:
            print(f"running {method}", file=sys.stderr)
            work = Path(tmp) / method
            work.mkdir()
            res = run_child("evals.bench_import", method, str(path), str(work))
            res["rows_per_second"] = args.rows / res["seconds"]
            results[method] = {k: round(v, 2) for k, v in res.items()}
    base = results["pandas_to_sql"]["rows_per_second"]
    results["wcm_import"]["speed_ratio_to_pandas_to_sql"] = round(
        results["wcm_import"]["rows_per_second"] / base, 3
    )
    doc = {
        "dataset": f"synthetic AR export, {args.rows} rows",
        "primary": "wcm_import",
        "results": results,
    }
    emit(
        doc,
        as_json=args.json,
        lines=(
            f"{method:16s} {res['rows_per_second']:>12,.0f} rows/s  "
            f"{res['peak_rss_mb']:>8,.0f} MB peak RSS"
            for method, res in results.items()
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
