"""Charts drawn from frames: the cash conversion cycle trend and the Pareto frontier."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from tools.charts.render import ChartFormat, render
from tools.errors import ConfigError

__all__ = ["ccc_trend_chart", "pareto_chart"]

_KPI_LINES = (("dso", "DSO", "#1f77b4"), ("dio", "DIO", "#2ca02c"), ("dpo", "DPO", "#ff7f0e"))


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{what}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"
        )
    if frame.empty:
        raise ConfigError(f"{what}: no rows to draw")


def ccc_trend_chart(
    frame: pd.DataFrame, *, scope: str = "group", fmt: ChartFormat = "svg"
) -> bytes:
    """Cash conversion cycle over time with its parts (DSO + DIO - DPO).

    Args:
        frame: one row per date and scope, columns ``date, scope, ccc`` and, when known,
            ``dso, dio, dpo`` (``tools.kpi.kpi_series(...).frame()``).
        scope: ``group`` or an entity id.

    Raises:
        ConfigError: columns missing, or no row of ``scope``.
    """
    _require(frame, ("date", "scope", "ccc"), "CCC trend")
    mine = frame.loc[frame["scope"] == scope].sort_values("date")
    if mine.empty:
        known = ", ".join(sorted(frame["scope"].astype(str).unique()))
        raise ConfigError(f"CCC trend: no rows for scope {scope!r}; known: {known}")
    dates = pd.DatetimeIndex(pd.to_datetime(mine["date"])).to_pydatetime()

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        for column, label, color in _KPI_LINES:
            if column in mine:
                ax.plot(dates, mine[column], color=color, linewidth=1.0, alpha=0.8, label=label)
        ax.plot(dates, mine["ccc"], color="#111111", linewidth=2.0, marker="o", ms=3, label="CCC")
        ax.set_title(f"Cash conversion cycle, {scope}")
        ax.set_ylabel("Days")
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=4)

    return render(draw, fmt)


def pareto_chart(
    frame: pd.DataFrame,
    *,
    x: str = "buffer",
    y: str = "value",
    currency: str = "",
    fmt: ChartFormat = "svg",
) -> bytes:
    """Pareto frontier of plans: value created against the cash buffer kept; the chosen
    plan (column ``chosen``, when present) is highlighted.

    Args:
        frame: one row per plan (``WorkingCapitalPlan.frontier`` as a frame).
        x, y: the columns to plot.
        currency: shown in the axis labels.

    Raises:
        ConfigError: columns missing or no rows.
    """
    _require(frame, (x, y), "Pareto frontier")
    points = frame.sort_values(x)
    unit = f" ({currency})" if currency else ""

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        ax.plot(points[x], points[y], color="#1f4e79", linewidth=1.2, marker="o", label="Frontier")
        if "chosen" in points:
            chosen = points.loc[points["chosen"].astype(bool)]
            if not chosen.empty:
                ax.scatter(
                    chosen[x], chosen[y], s=90, color="#c0392b", zorder=3, label="Chosen plan"
                )
        ax.set_title("Working-capital trade-off: value against cash buffer")
        ax.set_xlabel(f"{x.replace('_', ' ').capitalize()}{unit}")
        ax.set_ylabel(f"{y.replace('_', ' ').capitalize()}{unit}")
        ax.legend(loc="best", fontsize=8, frameon=False)

    return render(draw, fmt)
