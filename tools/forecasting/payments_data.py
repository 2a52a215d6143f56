"""Checking and preparing the receivables ledger for the payment-date model.

Conventions: ``as_of`` is the close of a day. What happened on or before it is known
(an invoice settled on ``as_of`` is history); an invoice still open at ``as_of`` is paid
on ``as_of + 1`` at the earliest. Credit notes are not customer payments and are left out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tools.errors import DataError, Problem

__all__ = ["INVOICE_COLUMNS", "clean_invoices", "day_number", "open_invoices_at", "segments_of"]

TABLE = "ar_invoices"
INVOICE_COLUMNS = ("invoice_id", "customer_id", "issue_date", "due_date", "amount")
_DATE_COLUMNS = ("issue_date", "due_date", "settled_date")
_EPOCH = np.datetime64("1970-01-01", "D")


def day_number(values: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Whole days since 1970-01-01 as float (NaN for missing dates)."""
    if not pd.api.types.is_datetime64_dtype(values):  # parsing is slow: only when needed
        values = pd.to_datetime(values)
    days = np.asarray(values, dtype="datetime64[D]")
    out = (days - _EPOCH).astype("timedelta64[D]").astype(float)
    out[np.isnat(days)] = np.nan
    return out


def _problem(column: str, message: str, bad: pd.Series, ids: pd.Series, expected: str) -> Problem:
    """One problem for every row of a column that fails, naming the first invoices."""
    shown = ", ".join(map(str, ids[bad].head(3)))
    more = int(bad.sum()) - min(3, int(bad.sum()))
    suffix = f" and {more} more" if more > 0 else ""
    return Problem(
        file=TABLE,
        message=f"{message} for invoice {shown}{suffix}",
        column=column,
        value=str(ids[bad].iloc[0]),
        expected=expected,
    )


def clean_invoices(invoices: pd.DataFrame, *, need_settled: bool = False) -> pd.DataFrame:
    """The invoices (credit notes dropped) with typed columns, or a ``DataError`` naming the
    column to fix.

    Adds ``settled_date`` (empty), ``disputed`` (False), ``entity_id`` and ``currency``
    (``""``) and ``open_amount`` (the amount when not settled) when absent.

    Raises:
        DataError: a required column is missing, a due or issue date is empty or not a date,
            a due date falls before its invoice date, or an amount is negative.
    """
    required = [*INVOICE_COLUMNS, "settled_date"] if need_settled else list(INVOICE_COLUMNS)
    missing = [c for c in required if c not in invoices.columns]
    if missing:
        raise DataError(
            [
                Problem(TABLE, "column is missing", column=c, expected=f"an {TABLE} column")
                for c in missing
            ]
        )
    df = invoices.copy()
    if "doc_type" in df:
        df = df.loc[df["doc_type"].fillna("invoice").astype(str) != "credit_note"]
    df = df.reset_index(drop=True)
    ids = df["invoice_id"].astype(str)
    problems: list[Problem] = []
    for col in _DATE_COLUMNS:
        if col not in df:
            continue
        raw = df[col]
        if raw.dtype == object:  # blank cells of a text export are empty, not wrong
            raw = raw.mask(raw.astype(str).str.strip().eq(""))
        parsed = pd.to_datetime(raw, errors="coerce")
        unparsable = parsed.isna() & raw.notna()
        if unparsable.any():
            problems.append(
                _problem(col, "not a date", unparsable, ids, "a date such as 2024-03-31")
            )
        if col != "settled_date" and (parsed.isna() & ~unparsable).any():
            problems.append(
                _problem(col, "date is empty", parsed.isna() & ~unparsable, ids, "a date")
            )
        df[col] = parsed.dt.normalize()
    amount = pd.to_numeric(df["amount"], errors="coerce")
    if amount.isna().any():
        problems.append(
            _problem(
                "amount",
                "amount is empty or not a number",
                amount.isna(),
                ids,
                "an amount such as 1234.56",
            )
        )
    elif (amount < 0).any():
        problems.append(
            _problem(
                "amount",
                "amount is negative",
                amount < 0,
                ids,
                "an amount >= 0 (credit notes go in as doc_type credit_note)",
            )
        )
    if not problems:
        early = df["due_date"] < df["issue_date"]
        if early.any():
            problems.append(
                _problem(
                    "due_date",
                    "due date is before the invoice date",
                    early,
                    ids,
                    "a due date on or after issue_date",
                )
            )
    if problems:
        raise DataError(problems)
    df["amount"] = amount.astype(float)
    df["invoice_id"] = ids
    df["customer_id"] = df["customer_id"].astype(str)
    if "settled_date" not in df:
        df["settled_date"] = pd.NaT
    disputed = df["disputed"] if "disputed" in df else pd.Series(False, index=df.index)
    df["disputed"] = disputed.fillna(False).astype(bool)
    for col in ("entity_id", "currency"):
        df[col] = df[col].fillna("").astype(str) if col in df else ""
    if "open_amount" in df:
        df["open_amount"] = pd.to_numeric(df["open_amount"], errors="coerce")
    else:
        df["open_amount"] = np.nan
    fill = df["amount"].where(df["settled_date"].isna(), 0.0)
    df["open_amount"] = df["open_amount"].fillna(fill).clip(lower=0.0)
    return df


def segments_of(invoices: pd.DataFrame, customers: pd.DataFrame | None) -> pd.Series:
    """Each invoice's customer segment from the master data (``"all"`` when unknown)."""
    if customers is None or "segment" not in customers or "customer_id" not in customers:
        return pd.Series("all", index=invoices.index)
    seg = customers.assign(customer_id=customers["customer_id"].astype(str)).drop_duplicates(
        "customer_id"
    )
    mapping = seg.set_index("customer_id")["segment"]
    return invoices["customer_id"].map(mapping).fillna("all").astype(str)


def open_invoices_at(invoices: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The invoices open at the close of ``as_of``: issued by then and not settled by then.

    For a backtest on a settled history, invoices settled after ``as_of`` count as open
    for their full amount (the receipts after ``as_of`` are not known then).
    """
    df = clean_invoices(invoices)
    t = pd.Timestamp(as_of)
    settled_later = df["settled_date"].notna() & (df["settled_date"] > t)
    still_open = df["settled_date"].isna() & (df["open_amount"] > 0)
    mask = (df["issue_date"] <= t) & (settled_later | still_open)
    out = df.loc[mask].copy()
    out.loc[settled_later[mask], "open_amount"] = out.loc[settled_later[mask], "amount"]
    return out.reset_index(drop=True)
