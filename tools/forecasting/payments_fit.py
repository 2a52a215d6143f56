"""Training the payment-date model: where each invoice's days-late distribution sits and how
wide it is, learnt from invoices settled by ``as_of``.

The model is location-scale: a gradient-boosted median of days late (L1 loss), a second
booster for the typical absolute error, and the empirical shape of the standardized
errors on a later validation period (so intervals are honest out of sample). The
hyper-parameters are chosen on that validation period only, inside the training data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import log_loss, roc_auc_score

from tools.errors import DataError, Problem
from tools.forecasting.payments_data import clean_invoices, day_number, segments_of
from tools.forecasting.payments_features import build_features, days_late
from tools.forecasting.payments_model import (
    ANCHORS,
    PaymentModel,
    PaymentModelInfo,
    anchor,
    one_thread,
)
from tools.forecasting.payments_never import unpaid_table

__all__ = ["MIN_TRAIN", "N_ATOMS", "fit_model"]

MIN_TRAIN = 30
N_ATOMS = 200
_TREES = (
    {"max_leaf_nodes": 8, "min_samples_leaf": 60},
    {"max_leaf_nodes": 31, "min_samples_leaf": 20},
)
_DEFAULT: dict[str, Any] = {"anchor": "late_median", "max_leaf_nodes": 15, "min_samples_leaf": 20}
_BOOSTING = {"loss": "absolute_error", "learning_rate": 0.05, "l2_regularization": 1.0}
_VALIDATION_SHARE = 0.2
_MIN_VALIDATION = 40


def _binnable(x: pd.DataFrame) -> pd.DataFrame:
    """Features a booster can bin: a feature with no value at all in these rows (no
    disputes ever, no trend yet) cannot be binned; as a constant it simply never splits."""
    return x.fillna(dict.fromkeys(x.columns[x.isna().all()], 0.0))


def _booster(params: dict[str, Any], max_iter: int, seed: int) -> HistGradientBoostingRegressor:
    trees = {k: v for k, v in params.items() if k != "anchor"}
    return HistGradientBoostingRegressor(
        **_BOOSTING, max_iter=max_iter, early_stopping=False, random_state=seed, **trees
    )


def _grid(tune: bool) -> list[dict[str, Any]]:
    if not tune:
        return [dict(_DEFAULT)]
    return [{"anchor": a, **trees} for a in ANCHORS for trees in _TREES]


def _select(
    x: pd.DataFrame, y: np.ndarray, a: np.ndarray, b: np.ndarray, grid: list, cap: int, seed: int
) -> tuple[list[tuple[dict[str, Any], int]], np.ndarray]:
    """The members of the location model and their average prediction (days late) on rows
    ``b`` when fitted on rows ``a``.

    Per anchor, the tree shape and boosting rounds with the lowest MAE on ``b``; then
    either the single best of those or their average, whichever scores better on ``b``.
    """
    best: dict[str, tuple[float, dict[str, Any], int, np.ndarray]] = {}
    for params in grid:
        start = anchor(x, params["anchor"])
        model = _booster(params, cap, seed).fit(_binnable(x[a]), y[a] - start[a])
        for rounds, pred in enumerate(model.staged_predict(x[b]), start=1):
            full = np.asarray(pred, dtype=float) + start[b]
            mae = float(np.mean(np.abs(y[b] - full)))
            old = best.get(params["anchor"])
            if rounds >= 10 and (old is None or mae < old[0] - 1e-9):
                best[params["anchor"]] = (mae, dict(params), rounds, full)
    single = min(best.values(), key=lambda item: item[0])
    average = np.mean([item[3] for item in best.values()], axis=0)
    if len(best) > 1 and float(np.mean(np.abs(y[b] - average))) < single[0]:
        return [(item[1], item[2]) for item in best.values()], average
    return [(single[1], single[2])], single[3]


def _training_rows(df: pd.DataFrame, t: float) -> tuple[pd.DataFrame, int]:
    settled = df.loc[df["settled_date"].notna()]
    if len(settled) < MIN_TRAIN:
        raise DataError(
            [
                Problem(
                    "ar_invoices",
                    f"only {len(settled)} invoices are settled on or before as_of; the payment "
                    f"model needs at least {MIN_TRAIN} to learn from",
                    column="settled_date",
                    expected="settled invoices with their settlement dates, or a later as_of",
                )
            ]
        )
    to_settle = day_number(settled["settled_date"]) - day_number(settled["issue_date"])
    censor = int(np.ceil(np.quantile(to_settle, 0.9)))
    kept = settled.loc[day_number(settled["issue_date"]) <= t - censor]
    if len(kept) < MIN_TRAIN:
        return settled, 0
    return kept, censor


def _known_at(invoices: pd.DataFrame, t: float, customers: pd.DataFrame | None) -> pd.DataFrame:
    """The ledger as it stood at the close of day number ``t``."""
    df = clean_invoices(invoices, need_settled=True)
    df = df.loc[day_number(df["issue_date"]) <= t].reset_index(drop=True)
    later = day_number(df["settled_date"]) > t
    df.loc[later, "open_amount"] = df.loc[later, "amount"]
    df.loc[later, "settled_date"] = pd.NaT
    df["segment"] = segments_of(df, customers)
    return df


def fit_model(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    customers: pd.DataFrame | None,
    seed: int,
    tune: bool,
    max_iter: int,
    late_classifier: bool = True,
) -> PaymentModel:
    """Fit on what is known at the close of ``as_of`` (see ``fit_payment_model``)."""
    t = float(day_number(pd.Series([pd.Timestamp(as_of)]))[0])
    df = _known_at(invoices, t, customers)
    train, censor = _training_rows(df, t)
    train = train.assign(tau=day_number(train["issue_date"]) - 1).sort_values(
        ["issue_date", "invoice_id"], kind="stable"
    )
    x, y = build_features(df, train), days_late(train)
    x = _binnable(x)
    issue = day_number(train["issue_date"])
    cut = float(np.quantile(issue, 1 - _VALIDATION_SHARE))
    b = issue >= cut
    a = day_number(train["settled_date"]) < cut
    held_out = b.sum() >= _MIN_VALIDATION and a.sum() >= MIN_TRAIN
    with one_thread():
        if held_out:
            chosen, pred_b = _select(x, y, a, b, _grid(tune), max_iter, seed)
        else:  # too little data to hold a period out: in-sample errors (narrower than honest)
            chosen, b = [(dict(_DEFAULT), max_iter)], np.ones(len(y), dtype=bool)
            start = anchor(x, _DEFAULT["anchor"])
            pred_b = _booster(_DEFAULT, max_iter, seed).fit(x, y - start).predict(x) + start
        xb, yb = x[b], y[b]
        resid = yb - pred_b
        scale, s_b, floor, constant = _fit_scale(xb, resid, seed)
        late, late_rounds, p_late_b = (
            _fit_late(x, y > 0, a if held_out else b, b, max_iter, seed)
            if late_classifier
            else (None, 0, None)
        )
        members = tuple(
            (_booster(p, r, seed).fit(x, y - anchor(x, p["anchor"])), str(p["anchor"]))
            for p, r in chosen
        )
    z = resid / s_b
    top = float(np.quantile(z, 0.9))
    unpaid = unpaid_table(df, t)
    issue_dates = pd.DatetimeIndex(train["issue_date"])
    info = PaymentModelInfo(
        as_of=as_of,
        train_issue_from=issue_dates.min().date(),
        train_issue_to=issue_dates.max().date(),
        train_settled_to=pd.Timestamp(train["settled_date"].max()).date(),
        n_train=len(train),
        n_customers=int(train["customer_id"].nunique()),
        censor_days=censor,
        params={
            **_BOOSTING,
            "members": [{**p, "max_iter": r} for p, r in chosen],
            "grid_size": len(_grid(tune)),
            "late_classifier_rounds": late_rounds,
        },
        validation_from=pd.Timestamp(cut, unit="D").date() if held_out else None,
        n_validation=int(b.sum()) if held_out else 0,
        backtest=_scores(xb, yb, pred_b, p_late_b) if held_out else {},
        unpaid_after_days=unpaid.after_days,
        seed=seed,
    )
    return PaymentModel(
        members=members,
        scale=scale,
        scale_floor=floor,
        scale_constant=constant,
        atoms=_quantiles(z, N_ATOMS),
        excess=_quantiles(np.maximum(z[z >= top] - top, 0.0), N_ATOMS),
        late=late,
        unpaid=unpaid,
        ledger=df,
        segments=_segments(df, customers),
        info=info,
    )


def _segments(df: pd.DataFrame, customers: pd.DataFrame | None) -> dict[str, str]:
    known = dict(zip(df["customer_id"], df["segment"], strict=True))
    if customers is not None and {"customer_id", "segment"} <= set(customers.columns):
        master = customers.dropna(subset=["segment"])
        known |= dict(
            zip(master["customer_id"].astype(str), master["segment"].astype(str), strict=True)
        )
    return known


def _quantiles(values: np.ndarray, n: int) -> np.ndarray:
    return np.asarray(np.quantile(values, (np.arange(n) + 0.5) / n), dtype=float)


def _late_booster(max_iter: int, seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=max_iter,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def _fit_late(
    x: pd.DataFrame, late: np.ndarray, a: np.ndarray, b: np.ndarray, cap: int, seed: int
) -> tuple[HistGradientBoostingClassifier | None, int, np.ndarray | None]:
    """A classifier of "paid after the due date", its rounds chosen by log loss on ``b``
    when fitted on ``a``, and its probabilities on ``b`` then; None when every invoice was
    paid late, or none was."""
    if late.all() or not late.any() or late[a].all() or not late[a].any():
        return None, 0, None
    probe = _late_booster(cap, seed).fit(_binnable(x[a]), late[a])
    staged = [p[:, 1] for p in probe.staged_predict_proba(x[b])]
    losses = [log_loss(late[b], np.clip(p, 1e-6, 1 - 1e-6), labels=[False, True]) for p in staged]
    rounds = int(np.argmin(losses[9:])) + 10 if len(losses) >= 10 else len(losses)
    return _late_booster(rounds, seed).fit(x, late), rounds, staged[rounds - 1]


def _scale_booster(seed: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss="absolute_error",
        learning_rate=0.05,
        max_iter=100,
        max_depth=3,
        min_samples_leaf=30,
        early_stopping=False,
        random_state=seed,
    )


def _fit_scale(
    x: pd.DataFrame, resid: np.ndarray, seed: int
) -> tuple[HistGradientBoostingRegressor | None, np.ndarray, float, float]:
    """A shallow booster for the typical absolute error, with a floor; a constant when the
    held-out period is too small to learn more.

    The scales returned for the held-out rows are cross-fitted (each half predicted by a
    booster fitted on the other half), so the standardized errors, and so the intervals,
    are not flattered by the scale model having seen them.
    """
    floor = max(0.5, float(np.quantile(np.abs(resid), 0.1)))
    constant = max(floor, float(np.median(np.abs(resid))))
    if len(resid) < 200:
        return None, np.full(len(resid), constant), floor, constant
    half = np.arange(len(resid)) % 2 == 0
    crossed = np.empty(len(resid))
    for part in (half, ~half):
        model = _scale_booster(seed).fit(_binnable(x[~part]), np.abs(resid[~part]))
        crossed[part] = model.predict(x[part])
    scale = _scale_booster(seed).fit(_binnable(x), np.abs(resid))
    return scale, np.maximum(crossed, floor), floor, constant


def _scores(
    x: pd.DataFrame, y: np.ndarray, pred: np.ndarray, p_late: np.ndarray | None
) -> dict[str, float]:
    """Out-of-sample scores on the validation period, against the customer's own mean."""
    baseline = x["late_mean"].fillna(x["segment_late_mean"]).fillna(float(np.median(y)))
    late = y > 0
    out = {
        "mae_days": round(float(np.mean(np.abs(y - pred))), 3),
        "mae_days_customer_mean": round(float(np.mean(np.abs(y - baseline))), 3),
    }
    if p_late is not None and 0 < late.sum() < len(late):
        out["auc_late"] = round(float(roc_auc_score(late, p_late)), 4)
    return out
