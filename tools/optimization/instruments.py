"""Investment instruments as cash-model variables: overnight and money-market fund
balances (same-day liquidity), fixed-term deposits and T-bills placed on business days.

Yields: overnight at the ON rate; the fund at ON + ``mmf_spread_bp``; deposits at the
curve's 1W/1M/3M rates; 3-month T-bills at the 3M rate + ``tbill_spread_bp`` (negative by
default: sovereign paper yields less than bank deposits). Deposits and bills must mature
inside the horizon, so every maturity is seen by the floor constraints. Counterparty
limits apply to what is held at each bank (overnight and deposits at the position's house
bank); fund and T-bill holdings count against their own names.

Term placements leave the liquidity reserve alone (``cash_model``): per position and day,
what they hold outstanding stays within ``CashModel.term_room``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.optimization.cash_model import SCALE, CashModel

__all__ = ["INSTRUMENTS", "InstrumentSpec", "add_investments", "house_banks"]


@dataclass(frozen=True)
class InstrumentSpec:
    name: str
    tenor_days: int  # 0: a same-day-liquid balance
    tenor: str  # curve point
    counterparty: str | None  # None: the position's house bank


INSTRUMENTS = (
    InstrumentSpec("overnight", 0, "ON", None),
    InstrumentSpec("mmf", 0, "ON", "money-market fund"),
    InstrumentSpec("deposit_1w", 7, "1W", None),
    InstrumentSpec("deposit_1m", 30, "1M", None),
    InstrumentSpec("deposit_3m", 91, "3M", None),
    InstrumentSpec("tbill_3m", 91, "3M", "government (T-bills)"),
)


def house_banks(bank_accounts: pd.DataFrame | None, keys: tuple[str, ...]) -> dict[str, str]:
    """The bank of each position's operating account (or its first account)."""
    out = {k: f"{k.split('/')[0]} house bank" for k in keys}
    if bank_accounts is None or bank_accounts.empty or "bank" not in bank_accounts:
        return out
    frame = bank_accounts.assign(
        key=bank_accounts["entity_id"].astype(str) + "/" + bank_accounts["currency"].astype(str),
        rank=(
            bank_accounts.get("purpose", pd.Series("", index=bank_accounts.index)) != "operating"
        ),
    ).sort_values(["key", "rank"])
    for key, bank in frame.groupby("key")["bank"].first().items():
        if key in out and isinstance(bank, str) and bank:
            out[str(key)] = bank
    return out


def add_investments(
    model: CashModel,
    dates: pd.DatetimeIndex,
    policy: Policy,
    curves: dict[str, dict[str, float]],
    banks: dict[str, str],
    *,
    mmf_spread_bp: float = 5.0,
    tbill_spread_bp: float = -10.0,
) -> pd.DataFrame:
    """Add every allowed instrument; returns the variable table (key, instrument, day, col)."""
    allowed = policy.investment.instruments
    if not allowed:
        raise ConfigError(
            "policy investment.instruments is empty: list the instruments treasury may use "
            "(overnight, mmf, deposit_1w, deposit_1m, deposit_3m, tbill_3m) with their limits"
        )
    h = model.horizon
    business = np.flatnonzero(np.asarray(dates.weekday) < 5)
    rows = []
    holding: list[tuple[str, str, int, np.ndarray, np.ndarray, float]] = []  # per day outstanding
    for i, led in enumerate(model.ledgers):
        curve = curves[led.currency]
        term: list[tuple[np.ndarray, np.ndarray, int]] = []  # (days, cols, tenor) per tenor
        for spec in INSTRUMENTS:
            if spec.name not in allowed or spec.tenor_days > policy.investment.max_tenor_days:
                continue
            rate = curve[spec.tenor] + (
                mmf_spread_bp / 100
                if spec.name == "mmf"
                else tbill_spread_bp / 100
                if spec.name == "tbill_3m"
                else 0.0
            )
            party = spec.counterparty or banks.get(led.key, f"{led.key} house bank")
            if spec.tenor_days == 0:
                cols = model.add_vars(h, parts={"yield": rate / 100 / 365 * SCALE * led.fx})
                model.add_stocks(np.full(h, i), np.arange(h), cols, -np.ones(h))
                for t in range(h):
                    holding.append((spec.name, party, t, cols[t : t + 1], np.ones(1), led.fx))
                days = np.arange(h)
            else:
                days = business[business + spec.tenor_days < h]
                if days.size == 0:
                    continue
                interest = rate / 100 * spec.tenor_days / 365
                cols = model.add_vars(days.size, parts={"yield": interest * SCALE * led.fx})
                term.append((days, cols, spec.tenor_days))
                ledger = np.full(days.size, i)
                model.add_flows(ledger, days, cols, -np.ones(days.size))
                model.add_flows(
                    ledger, days + spec.tenor_days, cols, np.full(days.size, 1 + interest)
                )
                for t in range(h):
                    live = (days <= t) & (t < days + spec.tenor_days)
                    if live.any():
                        holding.append(
                            (spec.name, party, t, cols[live], np.ones(int(live.sum())), led.fx)
                        )
            rows.append(
                pd.DataFrame(
                    {
                        "key": led.key,
                        "instrument": spec.name,
                        "counterparty": party,
                        "day": days,
                        "col": cols,
                        "rate_pct": rate,
                    }
                )
            )
        _reserve(model, i, term)
    _limits(model, holding, policy)
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["key", "instrument", "counterparty", "day", "col", "rate_pct"])
    )


def _reserve(model: CashModel, i: int, term: list[tuple[np.ndarray, np.ndarray, int]]) -> None:
    """Per day, what term placements hold outstanding <= the ledger's ``term_room``."""
    room = model.term_room(i)
    if room is None or not term:
        return
    h = model.horizon
    rows = model.lp.add_rows(h, ub=room / SCALE)
    for days, cols, tenor in term:
        # A placement on day d is outstanding on days d .. d + tenor - 1 (all inside).
        offset = np.tile(np.arange(tenor), days.size)
        model.lp.add_terms(rows[np.repeat(days, tenor) + offset], np.repeat(cols, tenor), 1.0)


def _limits(
    model: CashModel,
    holding: list[tuple[str, str, int, np.ndarray, np.ndarray, float]],
    policy: Policy,
) -> None:
    """Instrument amount and share caps and counterparty caps, per day, reporting currency."""
    lp = model.lp
    inv = policy.investment
    by_day: dict[int, list[tuple[str, str, np.ndarray, np.ndarray]]] = {}
    for name, party, t, cols, coef, fx in holding:
        by_day.setdefault(t, []).append((name, party, cols, coef * fx))
    for items in by_day.values():
        all_cols = np.concatenate([c for _, _, c, _ in items])
        all_coef = np.concatenate([k for _, _, _, k in items])
        for name, limit in inv.instruments.items():
            mine = [(c, k) for n, _, c, k in items if n == name]
            if not mine:
                continue
            cols = np.concatenate([c for c, _ in mine])
            coef = np.concatenate([k for _, k in mine])
            if limit.max_amount is not None:
                row = lp.add_rows(1, ub=limit.max_amount / SCALE)
                lp.add_terms(np.full(cols.size, row[0]), cols, coef)
            if limit.max_share < 1:
                row = lp.add_rows(1, ub=0.0)
                lp.add_terms(np.full(cols.size, row[0]), cols, coef)
                lp.add_terms(np.full(all_cols.size, row[0]), all_cols, -limit.max_share * all_coef)
        for party, cap in inv.counterparty_limits.items():
            mine = [(c, k) for _, p, c, k in items if p == party]
            if not mine:
                continue
            cols = np.concatenate([c for c, _ in mine])
            coef = np.concatenate([k for _, k in mine])
            row = lp.add_rows(1, ub=cap / SCALE)
            lp.add_terms(np.full(cols.size, row[0]), cols, coef)
