"""Why the model expects an invoice to be paid when it does, in words a credit controller uses.

Each driver is measured, not asserted: the prediction is re-run with one group of facts
set to a neutral value (no history, no trend, not disputed, usual amount, no backlog, an
average month) and the difference in median days late is the driver's weight. The
largest weights are described with the facts behind them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tools.forecasting.payments_features import HISTORY_FEATURES

__all__ = ["explain"]

_MIN_EFFECT = 1.0  # days: smaller effects are not worth a sentence
_TOP = 3
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _neutral(x: pd.DataFrame) -> dict[str, pd.DataFrame]:
    no_history = x.copy()
    no_history.loc[:, list(HISTORY_FEATURES)] = np.nan
    no_history["hist_n"] = 0.0
    no_trend = x.copy()
    has_trend = x["late_trend"].notna()
    for col in ("late_recent", "late_last"):
        no_trend.loc[has_trend, col] = x.loc[has_trend, "late_mean"]
    no_trend.loc[has_trend, "late_trend"] = 0.0
    return {
        "history": no_history,
        "trend": no_trend,
        "dispute": x.assign(disputed=0.0),
        "amount": x.assign(amount_rel=np.where(x["amount_rel"].isna(), np.nan, 0.0)),
        "backlog": x.assign(open_count=0.0),
    }


def _season_effect(x: pd.DataFrame, base: np.ndarray, predict: Callable) -> np.ndarray:
    """Prediction minus its average over the twelve due months (same terms)."""
    shift = (x["due_month"] - x["issue_month"]) % 12
    total = np.zeros(len(x))
    for month in range(1, 13):
        moved = x.assign(
            issue_month=float(month),
            due_month=(month - 1 + shift) % 12 + 1,
            late_same_month=x["late_mean"],
        )
        total += predict(moved)
    return np.asarray(base - total / 12, dtype=float)


def _sign(days: float) -> str:
    return f"{'+' if days >= 0 else '-'}{abs(days):.0f} days"


def _late_words(days: float) -> str:
    if abs(days) < 0.5:
        return "on the due date"
    return f"{abs(days):.0f} days {'late' if days > 0 else 'early'}"


def _sentence(group: str, row: pd.Series, customer: str, effect: float) -> str:
    tail = f" ({_sign(effect)})"
    if group == "history":
        if row["hist_n"] == 0:
            return f"no payment history for {customer}: segment behaviour used"
        return (
            f"{customer} pays {_late_words(row['late_mean'])} on average "
            f"over {row['hist_n']:.0f} invoices ({_sign(effect)} vs a new customer)"
        )
    if group == "trend":
        older = row["late_recent"] - row["late_trend"]
        word = "worsening" if row["late_trend"] > 0 else "improving"
        return (
            f"trend {word}: last invoices paid {_late_words(row['late_recent'])} "
            f"vs {_late_words(older)} before{tail}"
        )
    if group == "dispute":
        return f"invoice disputed{tail}"
    if group == "amount":
        return f"amount {np.exp(row['amount_rel']):.1f}x the customer's usual{tail}"
    if group == "backlog":
        return f"{row['open_count']:.0f} other invoices of {customer} open{tail}"
    month = _MONTHS[int(row["due_month"]) - 1]
    return f"due in {month}, a {'slow' if effect > 0 else 'quick'} month for this customer{tail}"


def explain(
    x: pd.DataFrame,
    customers: pd.Series,
    overdue: np.ndarray,
    predict: Callable[[pd.DataFrame], np.ndarray],
) -> list[str]:
    """The main reasons behind each row's prediction, largest first, joined by "; "."""
    base = predict(x)
    effects = {g: base - predict(frame) for g, frame in _neutral(x).items()}
    effects["season"] = _season_effect(x, base, predict)
    names = list(effects)
    table = np.column_stack([effects[g] for g in names])
    out = []
    for i, (_, row) in enumerate(x.iterrows()):
        parts = []
        if overdue[i] > 0:
            parts.append(f"already {overdue[i]:.0f} days past due")
        order = np.argsort(-np.abs(table[i]), kind="stable")
        picked = [j for j in order[:_TOP] if abs(table[i, j]) >= _MIN_EFFECT]
        if not picked or names[picked[0]] != "history":
            picked = [names.index("history"), *[j for j in picked if names[j] != "history"]]
        customer = str(customers.iloc[i])
        parts += [_sentence(names[j], row, customer, float(table[i, j])) for j in picked]
        out.append("; ".join(parts))
    return out
