"""Conversion into the reporting currency with the latest fixing on or before a date."""

from __future__ import annotations

import pandas as pd

from tools.errors import DataError, Problem

__all__ = ["fx_to_reporting"]


def fx_to_reporting(
    fx_rates: pd.DataFrame, currencies: set[str], reporting: str, as_of: pd.Timestamp
) -> dict[str, float]:
    """Units of ``reporting`` per unit of each currency, from the latest fixing <= ``as_of``.

    Direct quotes, inverse quotes and crosses through one third currency are used.

    Raises:
        DataError: a currency has no usable rate (names the pair to import).
    """
    latest = fx_rates.loc[fx_rates["date"] <= as_of].sort_values("date")
    latest = latest.drop_duplicates(["base", "quote"], keep="last")
    pairs: dict[tuple[str, str], float] = {}
    for base, quote, rate in latest[["base", "quote", "rate"]].itertuples(index=False):
        pairs[(base, quote)] = float(rate)
        pairs[(quote, base)] = 1.0 / float(rate)
    out = {reporting: 1.0}
    missing = []
    for ccy in sorted(currencies - {reporting}):
        if (ccy, reporting) in pairs:
            out[ccy] = pairs[(ccy, reporting)]
            continue
        via = [
            pairs[(ccy, mid)] * pairs[(mid, reporting)]
            for (a, mid) in pairs
            if a == ccy and (mid, reporting) in pairs
        ]
        if via:
            out[ccy] = via[0]
        else:
            missing.append(ccy)
    if missing:
        raise DataError(
            [
                Problem(
                    file="fx_rates",
                    column="rate",
                    message=f"no FX rate from {c} to {reporting} on or before {as_of:%Y-%m-%d}",
                    expected=f"an fx_rates row with base {c}, quote {reporting}",
                )
                for c in missing
            ]
        )
    return out
