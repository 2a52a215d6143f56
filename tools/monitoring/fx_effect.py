"""The exchange-rate part of a forecast-versus-actual variance: price against volume.

A forecast values each foreign position's cash at the rate of its own date; the actuals are
valued at the rate on the window's last day. The difference is not a flow that came or did
not come: it is what the rate did to everything held and moved in that currency, and it is
the same for all of it. So the split measures the actual amounts at the forecast's rate
(volume: timing, amount, new, missing) and the FX effect apart, once per currency:

- **translation**: each foreign position's actual window flows, and with ``revalue`` its
  balance at the forecast date, times the rate change
  (``actual foreign amount x (actual rate - forecast rate)``);
- **conversions**: where cash changed currency inside the group (an FX sweep of a dollar
  collection account into euros, an intercompany fee paid in euros and received in
  dollars), the amount received depends on the day's rate. The part beyond what the
  forecast's rates would have given is FX, not a larger or smaller flow. A conversion is a
  pair of bank lines of the group on the same day, one out and one in, in two currencies,
  of equal value at that day's fixing (within ``CONVERSION_TOLERANCE``).

The FX effect of a currency is judged against the uncertainty the forecast carried about
that rate, not against flow noise: its **surprise** is the rate's change from the forecast
date to the window's end over the standard deviation of such a change in the year before
(``fx_volatility``), signed like the cash effect. A conversion's two legs cancel (the
dollars sent fixed the value of the euros received), so what is left is the effect on the
balance held and on the other flows. An effect smaller than the materiality floor counts in
proportion to its size, so a large move on a small holding does not outrank a material
cause.

Positions held in the reporting currency have no translation effect (a dollar collection
account of a euro entity, in a dollar-reporting group); their link to the rate is the
conversions they take part in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tools.forecasting.outlook import Position
from tools.kpi.fx import fx_to_reporting
from tools.monitoring.ranking import part
from tools.monitoring.surprise import fx_volatility

__all__ = ["CONVERSION_TOLERANCE", "FxSplit", "conversions", "fx_split"]

CONVERSION_TOLERANCE = 0.02  # relative value gap of a conversion's two legs at the fixing
_ITEMISED = ("customer_receipt", "supplier_payment")


@dataclass(frozen=True)
class FxSplit:
    """The FX part of a window's variance.

    ``rows``: per foreign position, the translation of its flows (and balance) in the
    reporting currency; ``carve``: the conversion effects in the receiving position's own
    currency per ``(key, category)``, to take out of the flows measured at the forecast's
    rate; ``drivers``: one record per currency (translation plus conversions) with its
    amount, spread and surprise; ``now``: the rates at the window's end.
    """

    rows: list[dict[str, Any]]
    carve: dict[tuple[str, str], float]
    drivers: list[dict[str, Any]]
    now: dict[str, float]


def conversions(
    lines: pd.DataFrame,
    currency: Mapping[str, str],
    fixings: Mapping[pd.Timestamp, Mapping[str, float]],
    *,
    tolerance: float = CONVERSION_TOLERANCE,
) -> pd.DataFrame:
    """Pairs of bank lines that changed cash from one currency into another.

    Args:
        lines: categorized bank lines with ``key``, ``category``, ``booking_date``,
            ``amount`` (customer receipts and supplier payments are never conversions).
        currency: the currency of each position key.
        fixings: per booking day, reporting-currency units per unit of each currency.
        tolerance: largest relative gap between the two legs' values at the day's fixing.

    Returns:
        one row per conversion: ``day, out_key, out_category, out_amount, in_key,
        in_category, in_amount`` (amounts in each position's own currency).
    """
    cols = ["day", "out_key", "out_category", "out_amount", "in_key", "in_category", "in_amount"]
    cand = lines.loc[~lines["category"].isin(_ITEMISED) & lines["key"].isin(set(currency))]
    pairs: list[dict[str, Any]] = []
    for day, group in cand.groupby(pd.to_datetime(cand["booking_date"])):
        rate = fixings.get(pd.Timestamp(day))
        if rate is None:
            continue
        legs = [
            (str(k), str(c), float(x), float(x) * rate.get(currency[str(k)], np.nan))
            for k, c, x in zip(group["key"], group["category"], group["amount"], strict=True)
        ]
        ins = [leg for leg in legs if leg[2] > 0]
        for out in (leg for leg in legs if leg[2] < 0):
            # the leg received in another currency closest in value, within the tolerance
            gaps = [
                (abs(leg[3] + out[3]) / abs(out[3]), n)
                for n, leg in enumerate(ins)
                if currency[leg[0]] != currency[out[0]]
            ]
            gap, n = min(gaps, default=(np.inf, -1))
            if not gap <= tolerance:
                continue
            got = ins.pop(n)
            pairs.append(
                {
                    "day": pd.Timestamp(day),
                    "out_key": out[0],
                    "out_category": out[1],
                    "out_amount": out[2],
                    "in_key": got[0],
                    "in_category": got[1],
                    "in_amount": got[2],
                }
            )
    return pd.DataFrame(pairs, columns=cols)


def fx_split(
    positions: Sequence[Position],
    lines: pd.DataFrame,
    fx_rates: pd.DataFrame,
    *,
    reporting: str,
    as_of: pd.Timestamp,
    end: pd.Timestamp,
    floor: float,
    revalue: bool,
) -> FxSplit:
    """The FX effect of a window ``..end`` against a forecast made at ``as_of``.

    Args:
        positions: the forecast's positions (their ``fx_to_reporting`` is the forecast's
            rate, ``opening`` the balance at ``as_of``).
        lines: the window's categorized bank lines with ``key`` (internal transfers out).
        fx_rates: the fixings (``date, base, quote, rate``), up to ``end`` at least.
        floor: the materiality floor (reporting currency) below which an effect counts in
            proportion to its size.
        revalue: include the translation of the balances held at ``as_of``.
    """
    rate_then = {p.currency: p.fx_to_reporting for p in positions}
    ccy = {p.key: p.currency for p in positions}
    currencies = set(ccy.values())
    now = fx_to_reporting(fx_rates, currencies, reporting, end)
    days = sorted(pd.to_datetime(lines["booking_date"]).unique())
    fixings = {pd.Timestamp(d): fx_to_reporting(fx_rates, currencies, reporting, d) for d in days}
    conv = conversions(lines, ccy, fixings)
    flows = lines.groupby("key")["amount"].sum()
    rows: list[dict[str, Any]] = []
    carve: dict[tuple[str, str], float] = {}
    by_ccy: dict[str, dict[str, Any]] = {}

    def book(c: str) -> dict[str, Any]:
        return by_ccy.setdefault(c, {"amount": 0.0, "parts": [], "conv": 0.0})

    for p in positions:
        if p.currency == reporting:
            continue
        held = p.opening if revalue else 0.0
        moved = float(flows.get(p.key, 0.0))
        effect = (moved + held) * (now[p.currency] - rate_then[p.currency])
        if abs(effect) > 0.005:
            rows.append(part("fx", "all", p.key, None, effect, items=0))
        entry = book(p.currency)
        entry["amount"] += effect
        entry["parts"].append((p.key, held, moved))
    for r in conv.to_dict("records"):
        c_out, c_in = ccy[r["out_key"]], ccy[r["in_key"]]
        driver = c_in if c_in != reporting else c_out
        if driver == reporting:
            continue
        # what the forecast's rates would have given for what was sent
        due = -r["out_amount"] * rate_then[ccy[r["out_key"]]] / rate_then[ccy[r["in_key"]]]
        local = r["in_amount"] - due
        carve[(r["in_key"], r["in_category"])] = (
            carve.get((r["in_key"], r["in_category"]), 0.0) + local
        )
        entry = book(driver)
        entry["amount"] += local * rate_then[ccy[r["in_key"]]]
        entry["conv"] += local * rate_then[ccy[r["in_key"]]]
    n_days = int(np.busday_count(as_of.date(), (end + pd.Timedelta(days=1)).date()))
    drivers = []
    for c, entry in sorted(by_ccy.items()):
        amount = float(entry["amount"])
        if abs(amount) <= 0.005:
            continue
        r0 = rate_then[c]
        change = now[c] / r0 - 1.0
        vol = fx_volatility(fx_rates, c, reporting, as_of, n_days)
        if vol > 0:
            surprise = np.sign(amount) * abs(change) / vol * min(1.0, abs(amount) / floor)
        else:  # no rate history: as certain as a calendar flow
            surprise = amount / floor
        spread = abs(amount / surprise) if surprise else floor
        drivers.append(
            {
                "component": "fx",
                "category": "all",
                "key": f"group/{c}",
                "counterparty": None,
                "amount": amount,
                "items": 0,
                "spread": spread,
                "surprise": float(surprise),
                "why": _why(c, reporting, (r0, now[c]), vol, n_days, entry),
            }
        )
    return FxSplit(rows=rows, carve=carve, drivers=drivers, now=now)


def _why(
    c: str,
    reporting: str,
    rates: tuple[float, float],
    vol: float,
    n_days: int,
    entry: Mapping[str, Any],
) -> str:
    change = rates[1] / rates[0] - 1.0
    usual = f", {abs(change) / vol:.1f} times its usual move" if vol > 0 else ""
    held = [f"{k} {h:,.0f} {c} held" for k, h, _ in entry["parts"] if h]
    moved = [f"{k} {m:+,.0f} {c} of flows" for k, _, m in entry["parts"] if m]
    conv = [f"conversions {entry['conv']:+,.0f} {reporting}"] if entry["conv"] else []
    return (
        f"{c} rate {rates[0]:.4f} -> {rates[1]:.4f} ({change:+.1%} over {n_days} business "
        f"days{usual}) on " + "; ".join(held + moved + conv)
    )
