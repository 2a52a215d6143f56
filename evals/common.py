"""What every evaluation shares: measuring in a child process, and printing the result."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["emit", "peak_rss_mb", "run_child"]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module --child ARGS`` and return the JSON object it prints, so each
    measurement has a process (and a peak memory) of its own."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout))


def emit(doc: dict[str, Any], *, as_json: bool, lines: Iterable[str] = ()) -> None:
    """The evals contract: one JSON object on stdout with ``--json``, readable lines without."""
    if as_json:
        print(json.dumps(doc, indent=2))
        return
    printed = False
    for line in lines:
        print(line)
        printed = True
    if not printed:
        for method, res in doc["results"].items():
            print(method, ", ".join(f"{k}={v}" for k, v in res.items()))
