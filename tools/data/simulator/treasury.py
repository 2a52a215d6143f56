"""Simulated treasury: revolver draws and repayments, the weekly USD sweep, interest and
the resulting bank statements (transactions plus daily opening/closing balances)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .constants import ACCOUNTS, COLLECTION_ACCOUNT, COMMITMENT_FEE, SWEEP_BUFFER, operating_account
from .dates import Horizon, month_of
from .facilities import Facility, opening_balances
from .fees import bank_fee_flows
from .flows import concat_flows
from .market import Market

_TARGET, _HIGH = 1.5, 3.0  # draw back up to 1.5x the floor; repay above 3x
_DIVIDEND_MONTHS = (2, 5, 8, 11)


@dataclass(frozen=True, eq=False)
class Treasury:
    transactions: pd.DataFrame
    balances: pd.DataFrame
    drawn: dict[str, int]  # cents at the end, per entity
    stats: dict[str, Any]


def _dividend_days(h: Horizon) -> set[int]:
    months = h.months()
    months = months[np.isin(months.astype("int64") % 12 + 1, _DIVIDEND_MONTHS)]
    return {int(d) for d in h.roll_forward(h.month_day(months, 15))}


def run_treasury(
    h: Horizon, exogenous: pd.DataFrame, market: Market, facs: dict[str, Facility]
) -> Treasury:
    """Book the window's flows, fees and the treasurer's reactions day by day.

    Each morning the treasurer knows yesterday's closing balance and today's own
    payments (not today's receipts): a projection below half the floor, or a closing
    below the floor, triggers a draw back to 1.5x the floor; a projection above 3x the
    floor repays the revolver. US01 distributes half its excess cash each quarter.
    """
    lo, hi = h.start_idx, h.end_idx
    booked = exogenous[(exogenous["day"] >= lo) & (exogenous["day"] <= hi)]
    if not h.is_busday(booked["day"].to_numpy()).all():
        raise AssertionError("a simulated cash flow falls on a non-business day")
    booked = concat_flows([booked, bank_fee_flows(h, booked)])
    accounts = [a.account_id for a in ACCOUNTS]
    pos = {a: i for i, a in enumerate(accounts)}
    where = (booked["account_id"].map(pos).to_numpy(), booked["day"].to_numpy() - lo)
    cents = booked["cents"].to_numpy()
    daily = np.zeros((len(accounts), hi - lo + 1), dtype=np.int64)
    outflow = np.zeros_like(daily)
    np.add.at(daily, where, cents)
    np.add.at(outflow, where, np.minimum(cents, 0))
    opening = opening_balances(facs)
    bal = np.array([opening[a] for a in accounts], dtype=np.int64)
    drawn = dict.fromkeys(facs, 0)
    accrued = {e: [0.0, 0.0] for e in facs}  # interest, commitment fee (cents)
    peak = dict.fromkeys(facs, 0)
    lines: list[tuple] = []
    dividend_days = _dividend_days(h)
    days = h.busdays(lo, hi)
    months = month_of(h, days)
    fridays = h.weekday(days) == 4

    def book(account: str, t: int, amount: int, who: str, ref: str, text: str, cat: str) -> None:
        lines.append((account, t, int(amount), who, ref, text, cat))
        bal[pos[account]] += amount

    for i, t in enumerate(int(d) for d in days):
        label = str(h.dates(t).astype("datetime64[M]"))
        for e, f in facs.items():
            op = operating_account(e)
            if i:
                prev = int(days[i - 1])
                rate = market.one_month[f.currency][prev] + f.margin
                accrued[e][0] += drawn[e] * rate / 100 / 360 * (t - prev)
                accrued[e][1] += (f.limit - drawn[e]) * COMMITMENT_FEE / 100 / 360 * (t - prev)
                if months[i] != months[i - 1]:  # charge last month's interest and fee
                    last = str(h.dates(prev).astype("datetime64[M]"))
                    for k, what in enumerate(("Interest", "Commitment fee")):
                        if round(accrued[e][k]):
                            book(
                                op,
                                t,
                                -round(accrued[e][k]),
                                f.lender,
                                f"RCF-{e}-{what[:3].upper()}-{last}",
                                f"{what} revolving credit facility {last}",
                                "financing",
                            )
                    accrued[e] = [0.0, 0.0]
            close = int(bal[pos[op]])
            projected = close + int(outflow[pos[op], t - lo])
            amount = 0
            if close < f.floor or projected < f.floor // 2:
                need = -(-(int(f.floor * _TARGET) - projected) // f.step) * f.step
                amount = max(min(need, f.limit - drawn[e]), 0)
            elif projected > f.floor * _HIGH and drawn[e]:
                amount = -min(drawn[e], (projected - int(f.floor * _TARGET)) // f.step * f.step)
            if amount:
                what = "Drawdown" if amount > 0 else "Repayment"
                book(
                    op,
                    t,
                    amount,
                    f.lender,
                    f"RCF-{e}-{what[:4].upper()}-{t - lo:04d}",
                    f"{what} revolving credit facility",
                    "financing",
                )
                drawn[e] += amount
                peak[e] = max(peak[e], drawn[e])
            if e == "US01" and t in dividend_days and not drawn[e]:
                excess = projected + amount - int(f.floor * _HIGH)
                dividend = max(excess // 2, 0) // 1_000_000 * 1_000_000
                if dividend:
                    book(
                        op,
                        t,
                        -dividend,
                        "Shareholders (dividend)",
                        f"DIV-US01-{label}",
                        "Quarterly dividend",
                        "financing",
                    )
        usd = pos[COLLECTION_ACCOUNT]
        if fridays[i] and bal[usd] > (SWEEP_BUFFER + 50_000) * 100:
            sell = (int(bal[usd]) - SWEEP_BUFFER * 100) // 1_000_000 * 1_000_000
            rate = float(market.eurusd[t])
            ref, text = f"FX-DE01-{t - lo:04d}", f"FX sweep USD/EUR at {rate:.5f}"
            book(COLLECTION_ACCOUNT, t, -sell, "Deutsche Bank AG", ref, text, "other")
            book(
                operating_account("DE01"),
                t,
                round(sell / rate),
                "Deutsche Bank AG",
                ref,
                text,
                "other",
            )
        bal += daily[:, t - lo]
    treasury = pd.DataFrame(lines, columns=list(booked.columns))
    txns = _transactions(h, concat_flows([booked, treasury]), pos)
    stats = {
        "peak_drawn": {e: v / 100 for e, v in peak.items()},
        "draws": int(treasury["description"].str.startswith("Drawdown").sum()),
    }
    return Treasury(txns, _balances(h, txns, opening, days), drawn, stats)


def _transactions(h: Horizon, lines: pd.DataFrame, pos: dict[str, int]) -> pd.DataFrame:
    lines = lines.assign(acc_order=lines["account_id"].map(pos)).sort_values(
        ["day", "acc_order", "category", "reference"], kind="stable", ignore_index=True
    )
    currency = {a.account_id: a.currency for a in ACCOUNTS}
    stamps = h.timestamps(lines["day"].to_numpy())
    return pd.DataFrame(
        {
            "txn_id": [f"BT{i:08d}" for i in range(1, len(lines) + 1)],
            "account_id": lines["account_id"],
            "booking_date": stamps,
            "value_date": stamps,
            "amount": lines["cents"].to_numpy() / 100,
            "currency": lines["account_id"].map(currency),
            "counterparty": lines["counterparty"],
            "reference": lines["reference"],
            "description": lines["description"],
            "category": lines["category"],
        }
    )


def _balances(
    h: Horizon, txns: pd.DataFrame, opening: dict[str, int], days: np.ndarray
) -> pd.DataFrame:
    """Opening and closing balance per account and business day, from the lines themselves."""
    lo = h.start_idx
    frames = []
    stamps = h.timestamps(days)
    for acc in ACCOUNTS:
        own = txns[txns["account_id"] == acc.account_id]
        cents = np.round(own["amount"].to_numpy() * 100).astype(np.int64)
        day = (
            (own["booking_date"].to_numpy() - np.datetime64(h.start, "ns"))
            // np.timedelta64(1, "D")
        ).astype(np.int64)
        per_day = np.bincount(day, weights=cents, minlength=h.end_idx - lo + 1)[days - lo]
        closing = opening[acc.account_id] + np.cumsum(np.round(per_day).astype(np.int64))
        open_ = np.concatenate([[opening[acc.account_id]], closing[:-1]])
        for kind, values in (("opening", open_), ("closing", closing)):
            frames.append(
                pd.DataFrame(
                    {
                        "account_id": acc.account_id,
                        "date": stamps,
                        "balance_type": kind,
                        "amount": values / 100,
                        "currency": acc.currency,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True).sort_values(
        ["account_id", "date", "balance_type"],
        ascending=[True, True, False],
        kind="stable",
        ignore_index=True,
    )
