"""Liquidity ratios defined from what a working-capital ledger holds.

The ledger has no balance sheet, so the classic ratios are built from its parts and named
for what they are:

- **current ratio** = (cash + open AR + inventory) / (open AP + drawn credit lines);
- **quick ratio** = (cash + open AR) / (open AP + drawn credit lines);
- **working capital** = open AR + inventory - open AP; **working capital / revenue** divides
  it by the window's revenue annualised (x 365 / window days);
- **bad-debt rate** = AR more than 90 days past due / annualised revenue: a provision
  proxy, since ledgers rarely carry write-offs;
- **days cash on hand** = cash / average daily operating outflows over the window;
  **cash runway** = cash / average daily net operating outflow, ``None`` while operating
  flows are net positive (nothing is burning);
- **liquidity headroom** = cash - minimum cash + undrawn committed credit.
"""

from __future__ import annotations

import re

import pandas as pd

from tools.kpi.working_capital import KpiSet

__all__ = [
    "DRAW_PATTERN",
    "OPERATING_CATEGORIES",
    "derived_ratios",
    "drawn_at",
    "operating_flows",
    "ratio",
]

OPERATING_CATEGORIES = ("customer_receipt", "supplier_payment", "payroll", "tax", "fees")
# Bank texts of revolver drawings and repayments (as opposed to interest and fees).
DRAW_PATTERN = re.compile(r"\b(?:draw(?:down|ing)?|repayment|tilgung|ziehung)\b", re.IGNORECASE)


def ratio(num: float | None, den: float | None, digits: int = 3) -> float | None:
    """``num / den`` rounded, or None when either is missing or ``den`` is not positive."""
    if num is None or den is None or den <= 0:
        return None
    return round(num / den, digits)


def drawn_at(
    facilities: pd.DataFrame,
    bank_transactions: pd.DataFrame,
    accounts: pd.DataFrame,
    t: pd.Timestamp,
) -> pd.DataFrame:
    """Facilities with ``drawn`` as of ``t``: today's drawn amount less the drawings (net
    of repayments) booked after ``t``, found as financing lines whose text names a drawing
    or repayment, on the facility entity's accounts in its currency."""
    if facilities.empty:
        return facilities
    out = facilities.copy()
    lines = bank_transactions
    if lines.empty or "description" not in lines:
        return out
    text = lines["description"].fillna("").astype(str)
    is_draw = text.str.contains(DRAW_PATTERN)
    if "category" in lines:
        is_draw &= lines["category"].fillna("financing").eq("financing")
    later = lines.loc[is_draw & (pd.to_datetime(lines["booking_date"]) > t)]
    later = later.merge(accounts[["account_id", "entity_id"]], on="account_id", how="left")
    net = later.groupby(["entity_id", "currency"])["amount"].sum()
    keys = list(zip(out["entity_id"], out["currency"], strict=True))
    after = pd.Series([float(net.get(k, 0.0)) for k in keys], index=out.index)
    out["drawn"] = (out["drawn"].fillna(0.0) - after).clip(lower=0.0)
    return out


def operating_flows(lines: pd.DataFrame, start: pd.Timestamp, t: pd.Timestamp) -> pd.DataFrame:
    """Bank lines of the window that are operating flows (by category when the lines have
    one; every line otherwise)."""
    when = pd.to_datetime(lines["booking_date"])
    window = lines.loc[(when > start) & (when <= t)]
    if "category" in window and window["category"].notna().any():
        window = window.loc[window["category"].isin(OPERATING_CATEGORIES)]
    return window


def derived_ratios(
    k: KpiSet,
    *,
    window_days: int,
    drawn: float | None,
    outflow: float | None,
    net_flow: float | None,
    minimum: float | None,
) -> dict[str, float | None]:
    """The ratios above for one scope; ``outflow`` and ``net_flow`` are the window's
    operating totals (outflow positive), amounts in the reporting currency."""
    annual = k.revenue * 365 / window_days if k.revenue > 0 else None
    inventory = k.inventory_value or 0.0
    cash = k.cash
    liabilities = k.ap_open + (drawn or 0.0)
    working = k.ar_open + inventory - k.ap_open
    daily_out = outflow / window_days if outflow else None
    burn = -net_flow / window_days if net_flow is not None and net_flow < 0 else None
    headroom = None
    if cash is not None:
        headroom = cash - (minimum or 0.0) + (k.credit_headroom or 0.0)
    return {
        "drawn_credit": None if drawn is None else round(drawn, 2),
        "working_capital": round(working, 2),
        "working_capital_to_revenue": ratio(working, annual, 4),
        "bad_debt_rate": ratio(k.ar_ageing.get("over_90", 0.0), annual, 4),
        "current_ratio": ratio(None if cash is None else cash + k.ar_open + inventory, liabilities),
        "quick_ratio": ratio(None if cash is None else cash + k.ar_open, liabilities),
        "days_cash_on_hand": ratio(cash, daily_out, 1),
        "cash_runway_days": ratio(cash, burn, 1),
        "liquidity_headroom": None if headroom is None else round(headroom, 2),
    }
