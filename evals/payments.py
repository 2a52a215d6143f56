"""Accuracy of the per-invoice payment-date model on a time-ordered split.

``python -m evals.payments [--data DIR] [--dataset ibm-ar|simulator] [--seed N] [--json]``

The split, exactly: the cut-off ``T`` is the first day of the month after
``first issue date + 70 % of the issue-date span``. The model is fitted with
``as_of = T - 1 day``, so it learns only from invoices settled before ``T`` (and, inside
that, chooses its hyper-parameters on its own latest 20 %). The test set is every invoice
issued on or after ``T`` that is settled in the data; on the simulator only invoices
issued at least 120 days before the last day of data count, so nearly all of them have
had time to settle. Each test invoice is predicted the day before its issue date
(``as_of = issue - 1``), from the customer histories known then (settlements after
``T`` feed the history as they happen; the model is not refitted).

Metrics: ``mae_days`` (days from issue to settlement; the model's median date),
``auc_late`` (paid after the due date), ``coverage_80`` (share of actual dates inside
the model's 10-90 % range). Baselines on the same information: ``customer_mean`` (mean
days to settle of the customer's settled invoices, all customers' mean for new ones;
its late probability is the customer's share of invoices paid late), ``customer_median``
and ``due_date`` (pay on the due date: no ranking, AUC 0.5).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from evals.common import emit

__all__ = ["main"]

IBM_FILE = "ibm_accounts_receivable/WA_Fn-UseC_-Accounts-Receivable.csv"
_TRAIN_SHARE = 0.7
_SIM_SETTLE_DAYS = 120


def _ibm(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The IBM export imported through the product's own importer (``ibm-ar`` preset)."""
    from tools.workspace import import_files, init_workspace

    path = data / IBM_FILE
    if not path.exists():
        path = data / Path(IBM_FILE).name  # --data may point at the dataset folder itself
    if not path.exists():
        raise SystemExit(f"error: {path} not found; pass --data DIR")
    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        report = import_files(ws, [path])
        if report.status != "imported":
            raise SystemExit(f"import failed: {report.problems[:3]}")
        return ws.read("ar_invoices"), ws.read("customers")


def _simulator(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from tools.data.simulator import SimConfig, generate_company

    company = generate_company(SimConfig(seed=seed))
    return company.tables["ar_invoices"], company.tables["customers"]


def _cutoff(invoices: pd.DataFrame) -> pd.Timestamp:
    first, last = invoices["issue_date"].min(), invoices["issue_date"].max()
    point = first + (last - first) * _TRAIN_SHARE
    return (point + pd.offsets.MonthBegin(1)).normalize()


def _baselines(invoices: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """Customer mean / median days to settle and share paid late, known the day before issue."""
    done = invoices.loc[invoices["settled_date"].notna()].sort_values("settled_date")
    dts = (done["settled_date"] - done["issue_date"]).dt.days.to_numpy(float)
    late = (done["settled_date"] > done["due_date"]).to_numpy(float)
    settled = done["settled_date"].to_numpy()
    by_customer = {c: np.asarray(idx) for c, idx in done.groupby("customer_id").indices.items()}
    rows = []
    issued = test["issue_date"].to_numpy(dtype="datetime64[ns]")
    for customer, issue in zip(test["customer_id"], issued, strict=True):
        known_at = issue - np.timedelta64(1, "D")
        n_all = int(np.searchsorted(settled, known_at, side="right"))
        idx = by_customer.get(customer, np.array([], dtype=int))
        idx = idx[settled[idx] <= known_at]
        if len(idx):
            rows.append((dts[idx].mean(), np.median(dts[idx]), late[idx].mean()))
        else:
            rows.append((dts[:n_all].mean(), np.median(dts[:n_all]), late[:n_all].mean()))
    return pd.DataFrame(rows, columns=["mean", "median", "late_share"], index=test.index)


def _predict(model: Any, invoices: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    from tools.forecasting.payments import predict_payments

    parts = []
    for day, rows in test.groupby("issue_date"):
        as_of = (cast(pd.Timestamp, day) - pd.Timedelta(days=1)).date()
        still_open = rows.assign(settled_date=pd.Series(pd.NaT, index=rows.index, dtype="M8[ns]"))
        parts.append(
            predict_payments(
                model,
                still_open,
                as_of=as_of,
                history=invoices,
                explain_drivers=False,
            )
        )
    return pd.concat(parts, ignore_index=True).set_index("invoice_id").loc[test["invoice_id"]]


def _auc(late: np.ndarray, score: np.ndarray) -> float:
    return round(float(roc_auc_score(late, score)), 4)


def evaluate(invoices: pd.DataFrame, customers: pd.DataFrame, *, simulator: bool) -> dict:
    """Fit before the cut-off, predict after it, and score model and baselines."""
    from tools.forecasting.payments import fit_payment_model

    invoices = invoices.loc[invoices["doc_type"] != "credit_note"].reset_index(drop=True)
    cut = _cutoff(invoices)
    last = max(invoices["issue_date"].max(), invoices["settled_date"].max())
    test = invoices.loc[(invoices["issue_date"] >= cut) & invoices["settled_date"].notna()]
    if simulator:
        test = test.loc[test["issue_date"] <= last - pd.Timedelta(days=_SIM_SETTLE_DAYS)]
    as_of: date = (cut - pd.Timedelta(days=1)).date()
    print(f"fitting as of {as_of}", file=sys.stderr)
    model = fit_payment_model(invoices, as_of=as_of, customers=customers, seed=0)
    print(f"predicting {len(test)} test invoices", file=sys.stderr)
    pred = _predict(model, invoices, test)
    actual = (test["settled_date"] - test["issue_date"]).dt.days.to_numpy(float)
    is_late = (test["settled_date"] > test["due_date"]).to_numpy()
    issue = test["issue_date"].to_numpy()

    def days(col: str) -> np.ndarray:
        return ((pred[col].to_numpy() - issue) / np.timedelta64(1, "D")).astype(float)

    base = _baselines(invoices, test)
    terms = (test["due_date"] - test["issue_date"]).dt.days.to_numpy(float)

    def mae(p: np.ndarray) -> float:
        return round(float(np.mean(np.abs(actual - p))), 3)

    covered = (actual >= days("date_q10")) & (actual <= days("date_q90"))
    results = {
        "model": {
            "mae_days": mae(days("date_q50")),
            "mae_days_expected_date": mae(days("expected_date")),
            "auc_late": _auc(is_late, pred["p_late"].to_numpy()),
            "coverage_80": round(float(np.mean(covered)), 3),
        },
        "customer_mean": {
            "mae_days": mae(base["mean"].to_numpy()),
            "auc_late": _auc(is_late, base["late_share"].to_numpy()),
        },
        "customer_median": {"mae_days": mae(base["median"].to_numpy())},
        "due_date": {"mae_days": mae(terms), "auc_late": 0.5},
    }
    ratio = results["model"]["mae_days"] / results["customer_mean"]["mae_days"]
    results["model"]["mae_vs_customer_mean"] = round(1 - ratio, 4)
    return {
        "results": results,
        "n_train": model.info.n_train,
        "n_test": len(test),
        "split": {
            "cutoff": str(cut.date()),
            "fit_as_of": str(as_of),
            "test_issued_from": str(cut.date()),
            "test_issued_to": str(pd.Timestamp(test["issue_date"].max()).date()),
            "test_late_share": round(float(is_late.mean()), 4),
        },
        "model_info": model.info.model_dump(mode="json"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--dataset", choices=("ibm-ar", "simulator"), default="ibm-ar")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.dataset == "ibm-ar":
        invoices, customers = _ibm(args.data)
        name = "ibm-ar"
    else:
        invoices, customers = _simulator(args.seed)
        name = f"simulator-seed-{args.seed}"
    doc = {
        "dataset": name,
        "primary": "model",
        **evaluate(invoices, customers, simulator=args.dataset == "simulator"),
    }
    emit(doc, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
