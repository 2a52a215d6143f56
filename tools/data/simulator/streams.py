"""Independent random streams per simulation stage, so one stage never shifts another's draws."""

from __future__ import annotations

import numpy as np

_STREAMS = (
    "market",
    "master",
    "names",
    "demand",
    "inventory",
    "receivables",
    "payables",
    "payroll",
    "treasury",
)


def rng(seed: int, stream: str) -> np.random.Generator:
    """The generator of ``stream`` for ``seed``; the same pair always gives the same draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAMS.index(stream),)))
