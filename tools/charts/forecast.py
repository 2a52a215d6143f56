"""Charts of one cash position's forecast: the fan chart and the breach view."""

from __future__ import annotations

import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from tools.charts.render import ChartFormat, render
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook

__all__ = ["cash_position_chart", "fan_chart"]

_BANDS = ((0.025, 0.975, "95 % band", 0.18), (0.10, 0.90, "80 % band", 0.32))


def _check_key(outlook: CashOutlook, key: str) -> None:
    if key not in outlook.keys:
        raise ConfigError(
            f"no cash position {key!r} in the forecast; choose one of {', '.join(outlook.keys)}"
        )


def _dates_axis(ax: object) -> None:
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[attr-defined]


def fan_chart(outlook: CashOutlook, key: str, *, fmt: ChartFormat = "svg") -> bytes:
    """Fan chart of a position's end-of-day balance: mean, 80 % and 95 % bands, cash floor.

    Args:
        outlook: the cash forecast (``build_outlook(...).outlook``).
        key: the position, e.g. ``US01/USD``.
        fmt: ``svg`` or ``png``.

    Raises:
        ConfigError: no such position.
    """
    _check_key(outlook, key)
    position = outlook.position(key)
    paths = outlook.balance_paths(key)
    dates = outlook.dates.to_pydatetime()
    mean = paths.mean(axis=0)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        for lo, hi, label, alpha in _BANDS:
            ax.fill_between(
                dates,
                np.quantile(paths, lo, axis=0),
                np.quantile(paths, hi, axis=0),
                color="#1f77b4",
                alpha=alpha,
                linewidth=0,
                label=label,
            )
        ax.plot(dates, mean, color="#1f4e79", linewidth=1.6, label="Expected balance")
        ax.axhline(
            position.minimum, color="#c0392b", linestyle="--", linewidth=1.2, label="Minimum cash"
        )
        ax.set_title(f"Cash forecast {key} ({position.currency}), as of {outlook.as_of}")
        ax.set_ylabel(f"Balance ({position.currency})")
        _dates_axis(ax)
        ax.legend(loc="upper left", fontsize=8, frameon=False)

    return render(draw, fmt)


def cash_position_chart(
    outlook: CashOutlook, key: str, *, quantile: float = 0.05, fmt: ChartFormat = "svg"
) -> bytes:
    """Expected and bad-day balance of a position, with a marker on each day the bad-day
    balance (``quantile`` of the paths, 0.05 = a 1-in-20 day) is below the cash floor.

    Raises:
        ConfigError: no such position, or ``quantile`` outside (0, 0.5].
    """
    _check_key(outlook, key)
    if not 0 < quantile <= 0.5:
        raise ConfigError(f"quantile {quantile}: expected a value in (0, 0.5], e.g. 0.05")
    position = outlook.position(key)
    paths = outlook.balance_paths(key)
    dates = outlook.dates.to_pydatetime()
    mean = paths.mean(axis=0)
    low = np.quantile(paths, quantile, axis=0)
    breach = low < position.minimum
    share = (paths < position.minimum).mean(axis=0)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        ax.plot(dates, mean, color="#1f4e79", linewidth=1.6, label="Expected balance")
        ax.plot(
            dates,
            low,
            color="#7f8c8d",
            linewidth=1.0,
            label=f"Bad day ({quantile:.0%} quantile)",
        )
        ax.axhline(
            position.minimum, color="#c0392b", linestyle="--", linewidth=1.2, label="Minimum cash"
        )
        if breach.any():
            ax.scatter(
                np.asarray(dates)[breach],
                low[breach],
                color="#c0392b",
                marker="v",
                s=18,
                zorder=3,
                label=f"Breach risk ({int(breach.sum())} days, max {share.max():.0%})",
            )
        ax.set_title(f"Cash position {key} ({position.currency}) and breach days")
        ax.set_ylabel(f"Balance ({position.currency})")
        _dates_axis(ax)
        ax.legend(loc="upper left", fontsize=8, frameon=False)

    return render(draw, fmt)
