"""Optimizer inputs checked at the boundary: open bills, credit lines, money-market rates.

Errors name the table, row, column and value, and say how to fix them; nothing is dropped
silently (settled bills and zero balances are not errors: there is nothing to pay).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.domain.terms import parse_terms
from tools.errors import ConfigError, DataError, Problem
from tools.forecasting.outlook import CashOutlook, position_key
from tools.optimization.results import rows

__all__ = [
    "BILL_COLUMNS",
    "CreditLine",
    "check_confidence",
    "check_reserve_widening",
    "credit_lines",
    "money_market_rates",
    "normalize_bills",
]

BILL_COLUMNS = (
    "key",
    "bill_id",
    "supplier_id",
    "amount",
    "due_date",
    "discount_date",
    "discount_pct",
    "critical",
)
TENORS = ("ON", "1W", "1M", "3M", "6M", "12M")


class CreditLine(BaseModel):
    """Undrawn committed credit available to a cash position."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    limit: float = Field(ge=0, description="Undrawn amount, position currency")
    rate_pct: float = Field(ge=0, description="Annual interest on drawings, percent")
    commitment_fee_pct: float = Field(default=0.0, ge=0, description="Annual fee on undrawn")


def check_confidence(confidence: float) -> float:
    if not 0.5 <= confidence < 1:
        raise ConfigError(
            f"confidence {confidence!r} is outside [0.5, 1); use e.g. 0.95 for 'the balance "
            "stays above the floor on 95 % of simulated days'"
        )
    return float(confidence)


def check_reserve_widening(widening: float) -> float:
    if widening < 0:
        raise ConfigError(
            f"reserve_widening {widening} is negative; use 0 to keep no liquidity "
            "reserve beyond the planning confidence"
        )
    return float(widening)


def credit_lines(
    outlook: CashOutlook, facilities: pd.DataFrame | None = None
) -> dict[str, CreditLine]:
    """Credit per position: from the ``credit_facilities`` table when given, else the outlook's."""
    if facilities is None or facilities.empty:
        return {
            p.key: CreditLine(limit=max(p.credit_limit, 0.0), rate_pct=p.credit_rate)
            for p in outlook.positions
        }
    out: dict[str, CreditLine] = {
        p.key: CreditLine(limit=0.0, rate_pct=0.0) for p in outlook.positions
    }
    for i, row in enumerate(rows(facilities)):
        key = position_key(str(row.entity_id), str(row.currency))
        if key not in out:
            continue
        undrawn = float(row.limit) - float(getattr(row, "drawn", 0.0) or 0.0)
        rate = getattr(row, "interest_rate", None)
        if rate is None or pd.isna(rate):
            raise DataError(
                [
                    Problem(
                        file="credit_facilities",
                        row=i + 2,
                        column="interest_rate",
                        message=f"facility {row.facility_id} has no interest rate",
                        expected="the all-in annual rate in percent",
                    )
                ]
            )
        fee = float(getattr(row, "commitment_fee", 0.0) or 0.0)
        prev = out[key]
        total = prev.limit + max(undrawn, 0.0)
        blended = (
            (prev.rate_pct * prev.limit + float(rate) * max(undrawn, 0.0)) / total
            if total
            else float(rate)
        )
        out[key] = CreditLine(limit=total, rate_pct=blended, commitment_fee_pct=fee)
    return out


def money_market_rates(
    rates: pd.DataFrame | None, as_of: date, currencies: set[str]
) -> dict[str, dict[str, float]]:
    """Latest rate (percent) per currency and tenor on or before ``as_of``.

    Raises:
        ConfigError: no rates, or a currency without an overnight rate.
    """
    if rates is None or rates.empty:
        raise ConfigError(
            "money-market rates are missing: import the interest_rates table (date, currency, "
            "tenor, rate) or pass explicit rates"
        )
    frame = rates.assign(date=pd.to_datetime(rates["date"]))
    frame = frame.loc[frame["date"] <= pd.Timestamp(as_of)].sort_values("date")
    latest = frame.groupby(["currency", "tenor"])["rate"].last()
    out: dict[str, dict[str, float]] = {}
    for ccy in sorted(currencies):
        if (ccy, "ON") not in latest.index:
            raise ConfigError(
                f"interest_rates has no overnight (ON) rate for {ccy} on or before {as_of}; "
                "import the money-market curve for that currency"
            )
        curve = {t: float(latest[(ccy, t)]) for t in TENORS if (ccy, t) in latest.index}
        # Missing tenors fall back to the nearest shorter one: a conservative yield.
        last = curve["ON"]
        for tenor in TENORS:
            last = curve.setdefault(tenor, last)
        out[ccy] = curve
    return out


def _problem(row: int, column: str, message: str, value: object, expected: str) -> Problem:
    return Problem(
        file="bills",
        row=row + 2,
        column=column,
        message=message,
        value=str(value),
        expected=expected,
    )


def normalize_bills(
    outlook: CashOutlook, bills: pd.DataFrame | None, suppliers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Open supplier bills in one shape: ``BILL_COLUMNS`` with positive amounts to pay.

    ``bills`` is either the outlook's ``scheduled`` frame (key, item_id, counterparty_id,
    negative amounts) or the canonical ``ap_bills`` table (open ones are kept); None means
    the outlook's scheduled supplier payments.

    Raises:
        DataError: a bill without a due date, a wrong sign, a bad discount, a duplicate id,
            or a position the outlook does not cover; every problem is listed.
    """
    if bills is None:
        bills = outlook.scheduled
        bills = bills.loc[bills["category"].fillna("supplier_payment") == "supplier_payment"]
    frame = _from_scheduled(bills) if "item_id" in bills.columns else _from_ap(bills)
    critical = _supplier_flags(suppliers)
    if critical:
        frame["critical"] = frame["critical"] | frame["supplier_id"].map(critical).fillna(False)
    problems: list[Problem] = []
    keys = set(outlook.keys)
    for i, row in enumerate(rows(frame)):
        if pd.isna(row.due_date):
            problems.append(
                _problem(
                    i,
                    "due_date",
                    f"bill {row.bill_id} has no due date",
                    "",
                    "a date such as 2024-03-31",
                )
            )
        if not np.isfinite(row.amount) or row.amount < 0:
            problems.append(
                _problem(
                    i,
                    "amount",
                    f"bill {row.bill_id} has a negative amount to pay",
                    row.amount,
                    "open bills to pay; net supplier credit notes against their bills first",
                )
            )
        if not 0 <= row.discount_pct < 100:
            problems.append(
                _problem(
                    i,
                    "discount_pct",
                    f"bill {row.bill_id}: discount out of range",
                    row.discount_pct,
                    "a percent in [0, 100)",
                )
            )
        if row.key not in keys:
            problems.append(
                _problem(
                    i,
                    "key",
                    f"bill {row.bill_id} is in a position the outlook does not cover",
                    row.key,
                    "one of " + ", ".join(sorted(keys)),
                )
            )
    dup = frame["bill_id"].duplicated(keep=False)
    for i in np.flatnonzero(dup.to_numpy())[:20]:
        problems.append(
            _problem(
                int(i), "bill_id", "duplicate bill id", frame["bill_id"].iloc[i], "one row per bill"
            )
        )
    if problems:
        raise DataError(problems[:50], total=len(problems))
    frame = frame.loc[frame["amount"] > 0].reset_index(drop=True)
    has_discount = (frame["discount_pct"] > 0) & frame["discount_date"].notna()
    frame.loc[~has_discount, "discount_pct"] = 0.0
    frame.loc[~has_discount, "discount_date"] = pd.NaT
    return frame[list(BILL_COLUMNS)]


def _from_scheduled(bills: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": bills["key"].astype(str).to_numpy(),
            "bill_id": bills["item_id"].astype(str).to_numpy(),
            "supplier_id": bills["counterparty_id"].astype(str).to_numpy(),
            "amount": -pd.to_numeric(bills["amount"], errors="coerce").to_numpy(float),
            "due_date": pd.to_datetime(bills["due_date"]).to_numpy(),
            "discount_date": pd.to_datetime(bills["discount_date"]).to_numpy(),
            "discount_pct": pd.to_numeric(bills["discount_pct"], errors="coerce")
            .fillna(0)
            .to_numpy(float),
            "critical": bills["critical"].fillna(False).astype(bool).to_numpy(),
        }
    )


def _from_ap(bills: pd.DataFrame) -> pd.DataFrame:
    missing = {"bill_id", "supplier_id", "entity_id", "currency", "due_date"} - set(bills.columns)
    if missing:
        raise DataError(
            [
                Problem(
                    file="bills",
                    column=c,
                    message="column missing",
                    expected="the ap_bills columns",
                )
                for c in sorted(missing)
            ]
        )
    open_ = bills
    if "doc_type" in bills:
        open_ = open_.loc[open_["doc_type"].fillna("bill") == "bill"]
    if "paid_date" in bills:
        open_ = open_.loc[open_["paid_date"].isna()]
    amount = open_["open_amount"] if "open_amount" in open_ else open_["amount"]
    amount = pd.to_numeric(amount, errors="coerce")
    if "amount" in open_:
        amount = amount.fillna(pd.to_numeric(open_["amount"], errors="coerce"))
    pct = pd.to_numeric(
        open_.get("discount_pct", pd.Series(0.0, index=open_.index)), errors="coerce"
    ).fillna(0)
    days = pd.to_numeric(
        open_.get("discount_days", pd.Series(0, index=open_.index)), errors="coerce"
    ).fillna(0)
    issue = pd.to_datetime(open_.get("issue_date", pd.Series(pd.NaT, index=open_.index)))
    disc_date = (issue + pd.to_timedelta(days, unit="D")).where(pct > 0)
    return pd.DataFrame(
        {
            "key": [
                position_key(str(e), str(c))
                for e, c in zip(open_["entity_id"], open_["currency"], strict=True)
            ],
            "bill_id": open_["bill_id"].astype(str).to_numpy(),
            "supplier_id": open_["supplier_id"].astype(str).to_numpy(),
            "amount": amount.to_numpy(float),
            "due_date": pd.to_datetime(open_["due_date"]).to_numpy(),
            "discount_date": pd.to_datetime(disc_date).to_numpy(),
            "discount_pct": pct.to_numpy(float),
            "critical": np.zeros(len(open_), bool),
        }
    )


def _supplier_flags(suppliers: pd.DataFrame | None) -> Mapping[str, bool]:
    if suppliers is None or suppliers.empty or "critical" not in suppliers:
        return {}
    return dict(
        zip(
            suppliers["supplier_id"].astype(str),
            suppliers["critical"].fillna(False).astype(bool),
            strict=True,
        )
    )


def supplier_terms(suppliers: pd.DataFrame | None) -> dict[str, int]:
    """Net days per supplier from its payment terms (30 when the terms are unreadable)."""
    if suppliers is None or suppliers.empty:
        return {}
    out: dict[str, int] = {}
    for sid, text in zip(
        suppliers["supplier_id"].astype(str),
        suppliers.get("payment_terms", pd.Series("net 30", index=suppliers.index)),
        strict=True,
    ):
        try:
            out[sid] = parse_terms(str(text)).net_days
        except ValueError:
            out[sid] = 30
    return out
