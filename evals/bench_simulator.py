"""Benchmark of the demo-company simulator against writing the same tables to CSV.

``python -m evals.bench_simulator [--seed N] [--json]`` times ``generate_company`` on the
default configuration (best of three), measures its peak traced memory in a separate run,
and times pandas writing the generated tables to CSV in a temporary folder as a same-run
baseline. Progress goes to stderr; ``--json`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.data.simulator import Company, SimConfig, generate_company

_RUNS = 3


def _best_of(fn: Callable[[], Any], runs: int = _RUNS) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _write_csv(company: Company, folder: Path) -> None:
    for name, frame in company.tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)


def run(seed: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The benchmark report and the row count of every generated table."""
    config = SimConfig(seed=seed)
    print(f"generate_company(seed={seed}) x{_RUNS} ...", file=sys.stderr)
    seconds, company = _best_of(lambda: generate_company(config))
    rows = sum(len(frame) for frame in company.tables.values())
    print("peak memory run ...", file=sys.stderr)
    tracemalloc.start()
    generate_company(config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"csv baseline x{_RUNS} ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        csv_seconds, _ = _best_of(lambda: _write_csv(company, Path(tmp)))
    report = {
        "dataset": "simulator",
        "primary": "generate_company",
        "results": {
            "generate_company": {
                "seconds": round(seconds, 4),
                "rows": rows,
                "peak_mb": round(peak / 2**20, 1),
                "ratio_to_csv_write": round(seconds / csv_seconds, 3),
            },
            "csv_write": {"seconds": round(csv_seconds, 4)},
        },
    }
    return report, {name: len(frame) for name, frame in company.tables.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.bench_simulator", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seed", type=int, default=7, help="simulator seed (default 7)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    report, tables = run(args.seed)
    if args.json:
        print(json.dumps(report))
        return 0
    gen, csv = report["results"]["generate_company"], report["results"]["csv_write"]
    print(
        f"generate_company: {gen['seconds']:.3f} s for {gen['rows']:,} rows, "
        f"peak {gen['peak_mb']} MB traced"
    )
    print(
        f"csv_write (pandas, same tables): {csv['seconds']:.3f} s "
        f"-> generation takes {gen['ratio_to_csv_write']:.2f}x the CSV write"
    )
    for name, n in tables.items():
        print(f"  {name:<18} {n:>8,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
