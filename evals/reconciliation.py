"""Cash-application accuracy on the demo-company simulator, against its ground truth.

``python -m evals.reconciliation [--seeds 3] [--json]``: for each seed, the simulator's
ledger is cut 45 days before its end; the bank lines after the cut are made as messy as
real ones (references dropped or re-spaced, names in capitals without legal form, bank
fees deducted, two invoices paid in one transfer) and matched to the open items. Scored
on (bank line, document) pairs against the simulator's truth; the baseline matches
only an exact reference with an exact amount.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.simulator import SimConfig, generate_company
from tools.kpi.working_capital import open_at
from tools.reconcile import reconcile

__all__ = ["main"]

CUT_DAYS = 45


def _ledger(tables: dict[str, pd.DataFrame], cut: pd.Timestamp) -> tuple[pd.DataFrame, ...]:
    ar = tables["ar_invoices"].copy()
    for col in ("issue_date", "due_date", "settled_date"):
        ar[col] = pd.to_datetime(ar[col])
    receipts = tables["ar_receipts"].assign(
        payment_date=lambda f: pd.to_datetime(f["payment_date"])
    )
    ar = ar.loc[ar["doc_type"] == "invoice"]
    opened = open_at(
        ar.assign(settled_date=pd.NaT).drop(columns="open_amount"),
        cut,
        settled="settled_date",
        receipts=receipts,
    )
    # Invoices issued after the cut are open for their full amount.
    ar = ar.assign(open_amount=np.where(ar["issue_date"] > cut, ar["amount"], opened))
    ap = tables["ap_bills"].copy()
    for col in ("issue_date", "due_date", "paid_date"):
        ap[col] = pd.to_datetime(ap[col])
    ap = ap.loc[ap["doc_type"] == "bill"]
    ap = ap.assign(
        open_amount=np.where(ap["paid_date"].isna() | (ap["paid_date"] > cut), ap["amount"], 0.0)
    )
    return ar, ap


def _messy_lines(
    bank: pd.DataFrame, cut: pd.Timestamp, rng: np.random.Generator
) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    lines = bank.assign(booking_date=pd.to_datetime(bank["booking_date"]))
    lines = lines.loc[lines["booking_date"] > cut].reset_index(drop=True)
    paying = lines["category"].isin(["customer_receipt", "supplier_payment"])
    truth = {
        (t, r)
        for t, r in zip(lines.loc[paying, "txn_id"], lines.loc[paying, "reference"], strict=True)
    }
    lines = _merge_pairs(lines, paying, rng, truth)
    paying = lines["category"].isin(["customer_receipt", "supplier_payment"])
    n = len(lines)
    drop = paying & (rng.random(n) < 0.35)
    lines.loc[drop, ["reference"]] = None
    lines.loc[drop, "description"] = "Payment"
    respace = paying & ~drop & (rng.random(n) < 0.15)
    lines.loc[respace, "reference"] = lines.loc[respace, "reference"].str.replace("-", " ")
    lines.loc[respace, "description"] = "Zahlung " + lines.loc[respace, "reference"].str.lower()
    fee = paying & ~drop & (lines["amount"] > 100) & (rng.random(n) < 0.05)
    lines.loc[fee, "amount"] = (
        lines.loc[fee, "amount"] - rng.uniform(5, 25, int(fee.sum()))
    ).round(2)
    shout = paying & (rng.random(n) < 0.2)
    lines.loc[shout, "counterparty"] = (
        lines.loc[shout, "counterparty"]
        .str.upper()
        .str.replace(r"[,.]? (INC|LLC|LTD|GMBH|AG|CORP)\.?$", "", regex=True)
    )
    return lines, truth


def _merge_pairs(
    lines: pd.DataFrame, paying: pd.Series, rng: np.random.Generator, truth: set[tuple[str, str]]
) -> pd.DataFrame:
    """Half of the same-day receipts from one customer become one transfer."""
    receipts = lines.loc[paying & (lines["amount"] > 0)]
    drop = []
    for _, group in receipts.groupby(["booking_date", "counterparty", "account_id"]):
        if len(group) < 2 or rng.random() < 0.5:
            continue
        first, second = group.index[:2]
        a, b = lines.loc[first], lines.loc[second]
        lines.loc[first, "amount"] = round(a["amount"] + b["amount"], 2)
        lines.loc[first, "description"] = f"{a['reference']} {b['reference']}"
        truth.discard((b["txn_id"], b["reference"]))
        truth.add((a["txn_id"], b["reference"]))
        drop.append(second)
    return lines.drop(index=drop).reset_index(drop=True)


def _pairs(matches: list[tuple[str, tuple[str, ...]]]) -> set[tuple[str, str]]:
    return {(t, d) for t, docs in matches for d in docs}


def _baseline(lines: pd.DataFrame, ar: pd.DataFrame, ap: pd.DataFrame) -> set[tuple[str, str]]:
    remaining = dict(zip(ar["invoice_id"], ar["open_amount"], strict=True))
    remaining.update(zip(ap["bill_id"], ap["open_amount"], strict=True))
    out = set()
    for t, ref, amount in lines[["txn_id", "reference", "amount"]].itertuples(index=False):
        if isinstance(ref, str) and abs(remaining.get(ref, -1) - abs(amount)) <= 0.005:
            out.add((t, ref))
            remaining[ref] = 0.0
    return out


def _score(pred: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hit = len(pred & truth)
    return {
        "precision": round(hit / len(pred), 4) if pred else 0.0,
        "recall": round(hit / len(truth), 4) if truth else 0.0,
    }


def run(seed: int) -> dict[str, dict[str, float]]:
    company = generate_company(SimConfig(seed=seed))
    t = company.tables
    cut = pd.Timestamp(company.config.end - timedelta(days=CUT_DAYS))
    rng = np.random.default_rng(seed)
    ar, ap = _ledger(t, cut)
    lines, truth = _messy_lines(t["bank_transactions"], cut, rng)
    fx = t["fx_rates"].assign(date=lambda f: pd.to_datetime(f["date"]))
    result = reconcile(
        lines, ar, ap, customers=t["customers"], suppliers=t["suppliers"], fx_rates=fx
    )
    ours = _score(_pairs([(m.txn_id, m.documents) for m in result.matches]), truth)
    ours["exception_share"] = round(len(result.exceptions) / len(lines), 4)
    return {"reconcile": ours, "exact_reference": _score(_baseline(lines, ar, ap), truth)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="simulator seeds to run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    runs = []
    for seed in range(1, args.seeds + 1):
        print(f"seed {seed}", file=sys.stderr)
        runs.append(run(seed))
    results = {
        m: {k: round(float(np.mean([r[m][k] for r in runs])), 4) for k in runs[0][m]}
        for m in runs[0]
    }
    doc = {
        "dataset": f"simulator, {args.seeds} seeds, last {CUT_DAYS} days of bank lines",
        "primary": "reconcile",
        "results": results,
    }
    emit(doc, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
