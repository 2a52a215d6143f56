"""How much the cash of new documents usually moves: the company's own record as a yardstick.

Part of a window's receipts and payments comes from invoices and bills that did not exist
when the forecast was made: goods not yet ordered, work not yet invoiced. The forecast
expects them from the company's run rate and spreads them over its sample paths; but
purchasing comes in lumps (a large stock order, a season's material) and so does invoicing,
and a model's paths can be narrower than what the company has actually seen. A treasurer
judges a gap in such flows against their record: over the year before the forecast, for
every week's date ``s``, the cash of the documents issued after ``s`` and settled in a window
as long as ``a..b`` and as far after ``s`` as ``a`` is after the forecast date; how much those
totals varied is how much new documents can move such a window without anything having
changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["new_document_variance"]

_YEAR_DAYS = 365
_STEP_DAYS = 7  # one origin a week: every window starts on the forecast's weekday
_MIN_WINDOWS = 8


def new_document_variance(
    tables: Mapping[str, pd.DataFrame],
    category: str,
    *,
    as_of: date,
    a: pd.Timestamp,
    b: pd.Timestamp,
) -> dict[str, float]:
    """Per position (``"US01/USD"``), the variance (own currency squared) of the cash that
    documents issued after a date brought in a window like ``a..b`` after it, over the
    year before ``as_of`` (only documents settled by ``as_of`` count).

    Args:
        tables: ``ar_invoices`` and ``ar_receipts`` (or the invoices' ``settled_date``) for
            ``customer_receipt``; ``ap_bills`` for ``supplier_payment``.
        category: ``customer_receipt`` or ``supplier_payment``.

    Raises:
        ValueError: another category.
    """
    if category == "customer_receipt":
        docs = _receipts(tables)
    elif category == "supplier_payment":
        docs = _payments(tables)
    else:
        raise ValueError(f"category must be customer_receipt or supplier_payment, got {category}")
    t0 = pd.Timestamp(as_of)
    gap = (a - t0).days
    length = (b - a).days + 1
    last = t0 - pd.Timedelta(days=gap + length - 1)  # latest origin whose window is known
    origins = pd.date_range(
        end=last, periods=max((_YEAR_DAYS - gap - length) // _STEP_DAYS, 0), freq=f"{_STEP_DAYS}D"
    )
    if len(origins) < _MIN_WINDOWS or docs.empty:
        return {}
    issue = docs["issue"].to_numpy("datetime64[D]")
    settle = docs["settle"].to_numpy("datetime64[D]")
    amount = docs["amount"].to_numpy(float)
    out = {}
    for key, rows in docs.groupby("key").indices.items():
        totals = []
        for s in origins.to_numpy("datetime64[D]"):
            lo = s + np.timedelta64(gap, "D")
            hi = lo + np.timedelta64(length - 1, "D")
            inside = (issue[rows] > s) & (settle[rows] >= lo) & (settle[rows] <= hi)
            totals.append(float(amount[rows][inside].sum()))
        out[str(key)] = float(np.var(totals, ddof=1))
    return out


def _receipts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    inv = tables.get("ar_invoices")
    if inv is None or inv.empty or "issue_date" not in inv:
        return _empty()
    receipts = tables.get("ar_receipts")
    if receipts is not None and not receipts.empty:
        issued = inv.set_index("invoice_id")
        keys = issued["entity_id"].astype(str) + "/" + issued["currency"].astype(str)
        ids = receipts["invoice_id"]
        known = ids.isin(issued.index)
        return _frame(
            keys.reindex(ids[known]).to_numpy(),
            issued["issue_date"].reindex(ids[known]).to_numpy(),
            receipts.loc[known, "payment_date"].to_numpy(),
            receipts.loc[known, "amount"].to_numpy(),
        )
    return _frame(
        (inv["entity_id"].astype(str) + "/" + inv["currency"].astype(str)).to_numpy(),
        inv["issue_date"].to_numpy(),
        inv["settled_date"].to_numpy(),
        inv["amount"].to_numpy(),
    )


def _payments(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    bills = tables.get("ap_bills")
    if bills is None or bills.empty or "issue_date" not in bills:
        return _empty()
    return _frame(
        (bills["entity_id"].astype(str) + "/" + bills["currency"].astype(str)).to_numpy(),
        bills["issue_date"].to_numpy(),
        bills["paid_date"].to_numpy(),
        bills["amount"].to_numpy(),
    )


def _frame(
    key: np.ndarray, issue: np.ndarray, settle: np.ndarray, amount: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "key": key,
            "issue": pd.to_datetime(issue),
            "settle": pd.to_datetime(settle),
            "amount": pd.to_numeric(amount, errors="coerce"),
        }
    )
    return frame.dropna()


def _empty() -> pd.DataFrame:
    return _frame(np.array([]), np.array([]), np.array([]), np.array([]))
