"""Cash positions at the forecast origin: balances, policy floors, credit headroom, FX."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from tools.domain.policy import Policy
from tools.errors import DataError, Problem
from tools.forecasting.outlook import Position, position_key
from tools.kpi.fx import fx_to_reporting

__all__ = ["account_keys", "cash_positions"]


def cash_positions(
    tables: Mapping[str, pd.DataFrame], policy: Policy, *, as_of: date
) -> tuple[Position, ...]:
    """One position per entity and currency holding accounts, valued at the close of ``as_of``.

    The balance of an account is its latest closing balance on or before ``as_of`` plus the
    bank lines booked after that balance up to ``as_of``.

    Raises:
        DataError: no bank accounts, or an account with neither balances nor lines.
    """
    accounts = tables.get("bank_accounts")
    if accounts is None or accounts.empty:
        raise DataError(
            [
                Problem(
                    file="bank_accounts",
                    message="no bank accounts: a cash forecast needs at least one",
                    expected="import bank_accounts.csv or bank statements",
                )
            ]
        )
    t = pd.Timestamp(as_of)
    balances = _closing(tables.get("bank_balances"), t)
    lines = tables.get("bank_transactions", pd.DataFrame(columns=["account_id", "booking_date"]))
    lines = lines.loc[pd.to_datetime(lines["booking_date"]) <= t]
    currencies = set(accounts["currency"])
    fx = fx_to_reporting(
        tables.get("fx_rates", pd.DataFrame(columns=["date", "base", "quote", "rate"])),
        currencies,
        policy.reporting_currency,
        t,
    )
    facilities = tables.get("credit_facilities", pd.DataFrame())
    out = []
    for (entity_id, ccy), group in accounts.groupby(["entity_id", "currency"], sort=True):
        entity, currency = str(entity_id), str(ccy)
        total = 0.0
        for account in group["account_id"]:
            total += _account_balance(account, balances, lines)
        floors = [policy.minimum_cash.accounts.get(a) for a in group["account_id"]]
        minimum = sum(f for f in floors if f is not None)
        base = _base_currency(tables, entity)
        if base == currency and entity in policy.minimum_cash.entities:
            minimum = max(minimum, policy.minimum_cash.entities[entity])
        limit, rate = _facility(facilities, entity, currency)
        out.append(
            Position(
                key=position_key(entity, currency),
                entity_id=str(entity),
                currency=str(currency),
                opening=round(total, 2),
                accounts=tuple(sorted(group["account_id"])),
                minimum=float(minimum),
                credit_limit=limit,
                credit_rate=rate,
                fx_to_reporting=fx[currency],
            )
        )
    return tuple(out)


def account_keys(bank_accounts: pd.DataFrame) -> dict[str, str]:
    """The cash position (``"US01/USD"``) each account belongs to."""
    return {
        str(a): position_key(str(e), str(c))
        for a, e, c in zip(
            bank_accounts["account_id"],
            bank_accounts["entity_id"],
            bank_accounts["currency"],
            strict=True,
        )
    }


def _closing(balances: pd.DataFrame | None, t: pd.Timestamp) -> pd.DataFrame:
    if balances is None or balances.empty:
        return pd.DataFrame(columns=["account_id", "date", "amount"])
    closing = balances.loc[
        (balances["balance_type"] == "closing") & (pd.to_datetime(balances["date"]) <= t)
    ]
    return closing.sort_values("date").drop_duplicates("account_id", keep="last")


def _account_balance(account: str, balances: pd.DataFrame, lines: pd.DataFrame) -> float:
    row = balances.loc[balances["account_id"] == account]
    mine = lines.loc[lines["account_id"] == account]
    if row.empty:
        if mine.empty:
            raise DataError(
                [
                    Problem(
                        file="bank_balances",
                        value=account,
                        message=f"account {account} has no balance and no bank lines",
                        expected="a closing balance (import a statement for the account)",
                    )
                ]
            )
        return float(mine["amount"].sum())  # no balance: the lines are all we know
    since = pd.Timestamp(row["date"].iloc[0])
    later = mine.loc[pd.to_datetime(mine["booking_date"]) > since, "amount"].sum()
    return float(row["amount"].iloc[0]) + float(later)


def _base_currency(tables: Mapping[str, pd.DataFrame], entity: str) -> str | None:
    entities = tables.get("entities")
    if entities is None or entities.empty:
        return None
    match = entities.loc[entities["entity_id"] == entity, "base_currency"]
    return str(match.iloc[0]) if not match.empty else None


def _facility(facilities: pd.DataFrame, entity: str, currency: str) -> tuple[float, float]:
    if facilities is None or facilities.empty:
        return 0.0, 0.0
    mine = facilities.loc[
        (facilities["entity_id"] == entity) & (facilities["currency"] == currency)
    ]
    if mine.empty:
        return 0.0, 0.0
    headroom = (mine["limit"] - mine["drawn"].fillna(0)).clip(lower=0)
    rate = float((mine["interest_rate"].fillna(0) * headroom).sum() / max(headroom.sum(), 1e-9))
    return float(headroom.sum()), rate
