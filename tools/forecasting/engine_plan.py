"""Which series the engine backtests, on how many windows, and with which models.

Series are grouped so every model of a group fits every series of it: by the number of
backtest windows their history allows and by intermittency. All-zero series need no model;
series too short for a single backtest window get a simple fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tools.forecasting.engine_zoo import (
    INTERMITTENT_ZERO_SHARE,
    NEURAL_MODELS,
    default_models,
    intermittent_share,
)

__all__ = ["Group", "Plan", "min_train", "plan_panel"]


@dataclass(frozen=True)
class Group:
    """Series backtested together: same window count, same candidate models."""

    ids: list[str]
    n_windows: int
    intermittent: bool
    models: list[str]  # statistical candidates
    min_train: int  # shortest first-window history, which bounds the seasonal terms


@dataclass(frozen=True)
class Plan:
    groups: list[Group]
    zero: list[str]
    short: list[str]
    flags: dict[str, list[str]]


def min_train(h: int, season_length: int) -> int:
    """Fewest observations before a backtest window: a season plus two, and at least ``h``."""
    return max(season_length + 2, h, 10)


def plan_panel(
    values: dict[str, np.ndarray],
    *,
    h: int,
    season_length: int,
    n_windows: int,
    models: Sequence[str] | None,
    budget_ms: float | None = None,
) -> Plan:
    """Group the series of a panel (``values``: id -> history) for the backtest.

    ``budget_ms`` (CPU milliseconds for the statistical zoo) is shared among the groups in
    proportion to their observations; it only bounds the default zoo, not named models.
    """
    flags: dict[str, list[str]] = {}
    zero: list[str] = []
    short: list[str] = []
    keyed: dict[tuple[int, bool], list[str]] = {}
    need = min_train(h, season_length)
    for uid, y in values.items():
        if not np.any(y):
            zero.append(uid)
            flags.setdefault(uid, []).append("all_zeros")
            continue
        windows = min(n_windows, (len(y) - need) // h)
        if windows < 1:
            short.append(uid)
            flags.setdefault(uid, []).append(f"too_short:{len(y)}<{need + h}")
            continue
        if windows < n_windows:
            flags.setdefault(uid, []).append(f"fewer_backtest_windows:{windows}")
        inter = intermittent_share(y) >= INTERMITTENT_ZERO_SHARE
        if inter:
            flags.setdefault(uid, []).append("intermittent")
        keyed.setdefault((windows, inter), []).append(uid)
    groups = []
    total = sum(len(values[u]) for ids in keyed.values() for u in ids)
    for (windows, inter), ids in sorted(keyed.items()):
        lens = np.array([len(values[u]) for u in ids])
        first_train = int(lens.min()) - windows * h
        if models is None:
            share = None if budget_ms is None else budget_ms * int(lens.sum()) / total
            names = default_models(int(lens.sum()), intermittent=inter, budget_ms=share)
        else:
            names = [m for m in models if m not in NEURAL_MODELS]
        groups.append(Group(ids, windows, inter, names, first_train))
    return Plan(groups, zero, short, flags)
