"""Cleaning a long panel before forecasting: the checks, repairs and flags every series gets.

The forecasting engine works on regular series (one row per period, no gaps, no
duplicates). Real exports are not like that: this module validates the frame at the
boundary, repairs what has an unambiguous repair (duplicated timestamps are summed, off-grid
timestamps are moved to their period, missing periods are filled) and records per series
what it did, so a forecast can say which series it had to repair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import Tick

from tools.errors import DataError, Problem

__all__ = ["FillMethod", "Panel", "prepare_panel"]

FillMethod = Literal["zero", "seasonal"]
SOURCE = "forecast input"


@dataclass(frozen=True)
class Panel:
    """A regular panel in ``unique_id, ds, y`` order, with what was repaired per series."""

    df: pd.DataFrame
    flags: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return list(self.df["unique_id"].unique())


def _problem(
    message: str, *, column: str | None = None, value: object = None, **kw: str
) -> Problem:
    return Problem(
        file=SOURCE,
        message=message,
        column=column,
        value=None if value is None else str(value),
        expected=kw.get("expected"),
    )


def _validate(df: pd.DataFrame, id_col: str, time_col: str, target_col: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError([_problem("the panel must be a pandas DataFrame", value=type(df).__name__)])
    missing = [c for c in (id_col, time_col, target_col) if c not in df.columns]
    if missing:
        raise DataError(
            [
                _problem("column missing", column=c, expected=f"columns {list(df.columns)}")
                for c in missing
            ]
        )
    if df.empty:
        raise DataError([_problem("the panel has no rows", expected="at least one series")])
    out = pd.DataFrame({"unique_id": df[id_col].astype(str)})
    try:
        out["ds"] = pd.to_datetime(df[time_col])
    except (ValueError, TypeError) as exc:
        raise DataError(
            [_problem(f"timestamps cannot be read: {exc}", column=time_col, expected="dates")]
        ) from exc
    if out["ds"].isna().any():
        bad = out.loc[out["ds"].isna(), "unique_id"].iloc[0]
        raise DataError(
            [_problem(f"series {bad!r} has an empty timestamp", column=time_col, expected="dates")]
        )
    y = pd.to_numeric(df[target_col], errors="coerce")
    bad_y = y.isna() & df[target_col].notna()
    if bad_y.any():
        row = df.loc[bad_y].iloc[0]
        raise DataError(
            [
                _problem(
                    f"series {row[id_col]!s} has a non-numeric value",
                    column=target_col,
                    value=row[target_col],
                    expected="a number",
                )
            ]
        )
    if np.isinf(y.to_numpy(dtype=float)).any():
        bad = out.loc[np.isinf(y.to_numpy(dtype=float)), "unique_id"].iloc[0]
        raise DataError(
            [_problem(f"series {bad!r} has an infinite value", column=target_col, value="inf")]
        )
    out["y"] = y.astype(float)
    return out


def _snap(ds: pd.Series, freq: str) -> pd.Series:
    """Move each timestamp to the period of ``freq`` it belongs to (a no-op on the grid)."""
    offset = to_offset(freq)
    if isinstance(offset, Tick):
        return ds.dt.floor(offset)
    uniq = pd.Series(ds.unique())
    # Week- and period-end anchored offsets label a period by its end, the others by its start.
    end_anchored = offset.name.startswith("W") or offset.name.endswith("E")
    day = uniq.dt.normalize()
    mapped = [
        d
        if offset.is_on_offset(d)
        else (offset.rollforward(d) if end_anchored else offset.rollback(d))
        for d in day
    ]
    lookup = dict(zip(uniq, mapped, strict=True))
    return ds.map(lookup)


def _fill(values: np.ndarray, method: FillMethod, season_length: int) -> np.ndarray:
    if method == "zero":
        return np.nan_to_num(values, nan=0.0)
    out = values.copy()
    m = max(season_length, 1)
    # Same point of the previous season, then of the next one, then the series level.
    for k in range(len(out)):
        if np.isnan(out[k]) and k >= m and not np.isnan(out[k - m]):
            out[k] = out[k - m]
    for k in range(len(out) - 1, -1, -1):
        if np.isnan(out[k]) and k + m < len(out) and not np.isnan(out[k + m]):
            out[k] = out[k + m]
    level = np.nanmedian(out) if np.isfinite(out).any() else 0.0
    return np.where(np.isnan(out), level, out)


def prepare_panel(
    df: pd.DataFrame,
    *,
    freq: str,
    season_length: int,
    fill: FillMethod = "zero",
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> Panel:
    """Validate and regularise a long panel.

    Args:
        df: long frame with one row per series and timestamp.
        freq: pandas frequency alias of the series (``"D"``, ``"W-SUN"``, ``"MS"``...).
        season_length: the main seasonal period, used by ``fill="seasonal"``.
        fill: how missing periods and empty values are filled: ``"zero"`` for flows (no
            booking means no cash moved), ``"seasonal"`` for levels and sampled quantities.

    Returns:
        The regular panel (``unique_id, ds, y``) and per-series flags.

    Raises:
        DataError: a column is missing, a value is unreadable, or a series has fewer than
            two observations; the message names the series and the column.
    """
    frame = _validate(df, id_col, time_col, target_col)
    flags: dict[str, list[str]] = {}
    snapped = _snap(frame["ds"], freq)
    moved = snapped != frame["ds"]
    for uid in frame.loc[moved, "unique_id"].unique():
        flags.setdefault(uid, []).append("irregular_timestamps_snapped")
    frame["ds"] = snapped
    dup = frame.duplicated(["unique_id", "ds"], keep=False)
    for uid in frame.loc[dup, "unique_id"].unique():
        flags.setdefault(uid, []).append("duplicates_aggregated")
    # Sum duplicated rows (flows booked twice on one day add up); an all-empty group stays empty.
    frame = pd.DataFrame(
        frame.groupby(["unique_id", "ds"], sort=True, as_index=False)["y"].sum(min_count=1)
    )

    counts = frame.groupby("unique_id")["y"].count()
    short = counts[counts < 2]
    if len(short):
        raise DataError(
            [
                _problem(
                    f"series {uid!r} has {int(n)} observation(s); a forecast needs at least 2",
                    column=target_col,
                    expected="two or more dated values per series, or drop the series",
                )
                for uid, n in short.items()
            ]
        )
    offset = to_offset(freq)
    parts = []
    for uid, g in frame.groupby("unique_id", sort=False):
        grid = pd.date_range(g["ds"].iloc[0], g["ds"].iloc[-1], freq=offset)
        values = g.set_index("ds")["y"].reindex(grid).to_numpy(dtype=float)
        n_missing = int(np.isnan(values).sum())
        if n_missing:
            flags.setdefault(str(uid), []).append(f"gap_filled:{n_missing}")
            if n_missing > len(grid) / 2:
                # Most periods empty: a flow booked on few dates, or a frequency mismatch.
                flags[str(uid)].append("mostly_gaps")
            values = _fill(values, fill, season_length)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": grid, "y": values}))
    out = pd.concat(parts, ignore_index=True)
    return Panel(df=out, flags=flags)
