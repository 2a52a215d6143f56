"""Variance drivers ranked by surprise, and the plain words that name them.

The parts of a variance (``tools.monitoring.variance``) are rows of one frame: a component,
category, position and counterparty, the amount in the reporting currency, and the yardstick
of surprise (``tools.monitoring.surprise``):

- ``var``: the variance the forecast allowed the part;
- ``ref``: the shift expected anyway, where the forecast's point is known to differ from
  the company's habits (bills the forecast puts on their due dates);
- ``alt``: the shift a second, equally plausible view expected (a customer's recent paying
  record against the year the forecast drew from). What either view foresaw is no surprise;
  only the amount beyond both counts.

Rows of a driver are summed; the surprise is that amount over ``sqrt(var + floor^2)``, the
materiality floor keeping small but certain flows from outranking material causes. FX
drivers arrive already measured against the rate's own uncertainty
(``tools.monitoring.fx_effect``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

__all__ = ["COLUMNS", "Component", "VarianceDriver", "part", "rank_drivers", "summary"]

Component = Literal["timing", "amount", "missing", "new", "fx"]
COLUMNS = (
    "component",
    "category",
    "key",
    "counterparty",
    "amount",
    "items",
    "why",
    "ref",
    "alt",
    "var",
)
_NAMED = ["component", "category", "key", "counterparty", "amount", "items", "why"]


class VarianceDriver(BaseModel):
    """One cause of the variance."""

    model_config = ConfigDict(frozen=True)

    component: Component
    category: str
    key: str  # the position ("DE01/EUR"); for FX the currency held group-wide ("group/EUR")
    counterparty: str | None
    amount: float  # reporting currency; > 0: more cash than forecast
    items: int
    explanation: str
    spread: float = 0.0  # standard deviation the forecast allowed this part (reporting ccy)
    surprise: float = 0.0  # amount beyond what was expected, over spread: the ranking key


def part(
    component: str,
    category: str,
    key: str,
    party: str | None,
    amount: float,
    *,
    ref: float = 0.0,
    alt: float = 0.0,
    var: float = 0.0,
    items: int = 1,
) -> dict[str, Any]:
    """One row of the variance frame (amounts in the position's currency until translated)."""
    return {
        "component": component,
        "category": category,
        "key": key,
        "counterparty": party,
        "amount": float(amount),
        "items": items,
        "why": "",
        "ref": float(ref),
        "alt": float(alt),
        "var": float(var),
    }


def rank_drivers(
    frame: pd.DataFrame, fx: Sequence[Mapping[str, Any]], *, top: int, floor: float
) -> list[VarianceDriver]:
    """The ``top`` drivers by absolute surprise (then size).

    Args:
        frame: the variance's rows (``COLUMNS``, reporting currency); FX rows are left to
            ``fx``.
        fx: one record per currency with ``spread`` and ``surprise`` already set.
        floor: the materiality floor (reporting currency).
    """
    parts = frame.loc[frame["component"] != "fx"]
    grouped = (
        parts.fillna({"counterparty": ""})
        .groupby(["component", "category", "key", "counterparty"], as_index=False)
        .agg(
            amount=("amount", "sum"),
            items=("items", "sum"),
            why=("why", "first"),
            ref=("ref", "sum"),
            alt=("alt", "sum"),
            var=("var", "sum"),
        )
    )
    grouped = grouped.loc[grouped["amount"].abs() > 0.005]
    grouped["spread"] = np.sqrt(grouped["var"].clip(lower=0.0) + floor**2)
    beyond = grouped["amount"] - grouped["ref"]
    alt = grouped["alt"]
    beyond = beyond - beyond.clip(lower=np.minimum(alt, 0.0), upper=np.maximum(alt, 0.0))
    grouped["surprise"] = beyond / grouped["spread"]
    pieces = [grouped[[*_NAMED, "spread", "surprise"]]]
    if fx:
        pieces.append(pd.DataFrame(list(fx), columns=[*_NAMED, "spread", "surprise"]))
    pieces = [p for p in pieces if not p.empty]
    if not pieces:
        return []
    ranked = pd.concat(pieces, ignore_index=True).fillna({"counterparty": ""})
    ranked = ranked.assign(_z=ranked["surprise"].abs(), _a=ranked["amount"].abs())
    ranked = ranked.sort_values(["_z", "_a"], ascending=False).head(top)
    return [
        VarianceDriver(
            component=r["component"],
            category=r["category"],
            key=r["key"],
            counterparty=r["counterparty"] or None,
            amount=round(float(r["amount"]), 2),
            items=int(r["items"]),
            explanation=_explain({str(k): v for k, v in r.items()}),
            spread=round(float(r["spread"]), 2),
            surprise=round(float(r["surprise"]), 2),
        )
        for r in ranked.to_dict("records")
    ]


def _explain(r: Mapping[str, Any]) -> str:
    who = f" from {r['counterparty']}" if r["counterparty"] else ""
    more = "more" if r["amount"] > 0 else "less"
    cat = str(r["category"]).replace("_", " ")
    text = {
        "timing": f"{cat}{who} came at other dates than forecast ({r['items']} items)",
        "amount": f"{cat}{who} came for other amounts than forecast",  # or not by the calendar
        "missing": f"expected {cat}{who} did not arrive and nothing else came from them",
        "new": f"{cat} from documents or flows the forecast did not know item by item",
        "fx": f"the exchange rate moved ({r['why']})",
    }[str(r["component"])]
    return f"{text}: {abs(r['amount']):,.0f} {more} cash in {r['key']}"


def summary(variance: float, drivers: Sequence[VarianceDriver], ccy: str, a: date, b: date) -> str:
    """One paragraph: the variance and its main driver, with how surprising it was."""
    direction = "more" if variance >= 0 else "less"
    head = f"From {a} to {b}, {abs(variance):,.0f} {ccy} {direction} net cash than forecast."
    if not drivers:
        return head
    top = drivers[0]
    return (
        f"{head} Main driver: {top.explanation}, {abs(top.surprise):.1f} times the spread "
        "the forecast allowed it."
    )
