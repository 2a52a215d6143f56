"""Cash-application accuracy on the demo-company simulator, against its ground truth.

``python -m evals.reconciliation [--seeds 3] [--first-seed 1] [--json]``: for each seed,
the simulator's ledger is cut 45 days before its end; the bank lines after the cut are
made as messy as real ones (references dropped or re-spaced, names in capitals without
legal form, bank fees deducted, two invoices paid in one transfer) and matched to the
open items. Scored
on (bank line, document) pairs against the simulator's truth, overall and per category
of difficulty (``recall_<category>``); the baseline matches only an exact reference with
an exact amount. The ledger at the cut applies credit notes issued by then to their
invoices, as an ERP does (``--gross-credit-notes`` leaves them unapplied).
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


def _ledger(
    tables: dict[str, pd.DataFrame], cut: pd.Timestamp, *, net_credit_notes: bool = True
) -> tuple[pd.DataFrame, ...]:
    ar = tables["ar_invoices"].copy()
    for col in ("issue_date", "due_date", "settled_date"):
        ar[col] = pd.to_datetime(ar[col])
    receipts = tables["ar_receipts"].assign(
        payment_date=lambda f: pd.to_datetime(f["payment_date"])
    )
    notes = ar.loc[(ar["doc_type"] == "credit_note") & (ar["issue_date"] <= cut)]
    ar = ar.loc[ar["doc_type"] == "invoice"]
    opened = open_at(
        ar.assign(settled_date=pd.Series(pd.NaT, index=ar.index)).drop(columns="open_amount"),
        cut,
        settled="settled_date",
        receipts=receipts,
    )
    if net_credit_notes:
        # The ERP applies a credit note to its invoice (same sales order) when issued.
        credited = ar["sales_order_id"].map(notes.groupby("sales_order_id")["amount"].sum())
        opened = (opened - credited.fillna(0.0)).clip(lower=0.0).round(2)
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


CATEGORIES = (
    "reference",  # the document number is in the reference or text as issued
    "reference_respaced",  # ... re-spaced, in lower case inside a sentence
    "no_reference",  # no document number at all: name and amount only
    "reference_lost",  # one transfer for two invoices whose text names only the first
    "several_invoices",  # one transfer for two invoices
    "partial",  # the line pays part of what the ledger shows open (AR)
    "cash_discount",  # a supplier paid net of its discount (AP)
    "bank_fee",  # a fee deducted from the amount
    "fx",  # the line's currency differs from the document's
)


def _categories(
    raw: pd.DataFrame,
    lines: pd.DataFrame,
    truth: set[tuple[str, str]],
    ar: pd.DataFrame,
    ap: pd.DataFrame,
) -> dict[tuple[str, str], set[str]]:
    """What makes each (line, document) pair of the truth hard, from the untouched lines."""
    raw = raw.set_index("txn_id")
    messy = lines.set_index("txn_id")
    paid_by_ref = raw.groupby("reference")["amount"].apply(lambda a: float(a.abs().iloc[-1]))
    docs = pd.concat(
        [
            ar[["invoice_id", "open_amount", "currency"]].rename(columns={"invoice_id": "doc"}),
            ap[["bill_id", "open_amount", "currency"]].rename(columns={"bill_id": "doc"}),
        ]
    ).drop_duplicates("doc")
    open_amount = dict(zip(docs["doc"], docs["open_amount"].astype(float), strict=True))
    currency = dict(zip(docs["doc"], docs["currency"].astype(str), strict=True))
    per_line: dict[str, int] = {}
    for t, _ in truth:
        per_line[t] = per_line.get(t, 0) + 1
    out: dict[tuple[str, str], set[str]] = {}
    for t, d in truth:
        line, orig = messy.loc[t], raw.loc[t]
        text = f"{line['reference']} {line['description']}".upper()
        flags = set()
        if not isinstance(line["reference"], str):
            flags.add("no_reference")
        elif d.replace("-", "") not in text.replace(" ", "").replace("-", ""):
            flags.add("reference_lost")
        elif d in text:
            flags.add("reference")
        else:
            flags.add("reference_respaced")
        if per_line[t] > 1:
            flags.add("several_invoices")
        elif abs(abs(line["amount"]) - abs(orig["amount"])) > 0.005:
            flags.add("bank_fee")
        paid = abs(orig["amount"]) if orig["reference"] == d else float(paid_by_ref.get(d, 0.0))
        if d in open_amount:
            if abs(open_amount[d] - paid) > 0.01:
                flags.add("partial" if line["amount"] > 0 else "cash_discount")
            if currency[d] != line["currency"]:
                flags.add("fx")
        out[(t, d)] = flags
    return out


def _by_category(
    pred: set[tuple[str, str]], cats: dict[tuple[str, str], set[str]]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in CATEGORIES:
        pairs = {p for p, flags in cats.items() if name in flags}
        if pairs:
            out[f"recall_{name}"] = round(len(pred & pairs) / len(pairs), 4)
    return out


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


def run(
    seed: int, *, net_credit_notes: bool = True
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Scores per method on one seed, and how many truth pairs fall in each category."""
    company = generate_company(SimConfig(seed=seed))
    t = company.tables
    cut = pd.Timestamp(company.config.end - timedelta(days=CUT_DAYS))
    rng = np.random.default_rng(seed)
    ar, ap = _ledger(t, cut, net_credit_notes=net_credit_notes)
    lines, truth = _messy_lines(t["bank_transactions"], cut, rng)
    raw = t["bank_transactions"].assign(booking_date=lambda f: pd.to_datetime(f["booking_date"]))
    cats = _categories(raw.loc[raw["booking_date"] > cut], lines, truth, ar, ap)
    fx = t["fx_rates"].assign(date=lambda f: pd.to_datetime(f["date"]))
    result = reconcile(
        lines, ar, ap, customers=t["customers"], suppliers=t["suppliers"], fx_rates=fx
    )
    pred = _pairs([(m.txn_id, m.documents) for m in result.matches])
    ours = _score(pred, truth)
    ours["exception_share"] = round(len(result.exceptions) / len(lines), 4)
    ours |= _by_category(pred, cats)
    base = _baseline(lines, ar, ap)
    counts = {"all": len(truth)} | {
        name: sum(name in f for f in cats.values()) for name in CATEGORIES
    }
    methods = {
        "reconcile": ours,
        "exact_reference": _score(base, truth) | _by_category(base, cats),
    }
    return methods, counts


def _mean(runs: list[dict[str, dict[str, float]]], method: str) -> dict[str, float]:
    keys = [k for k in runs[0][method] if all(k in r[method] for r in runs)]
    return {k: round(float(np.mean([r[method][k] for r in runs])), 4) for k in keys}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="simulator seeds to run")
    parser.add_argument("--first-seed", type=int, default=1, help="first simulator seed")
    parser.add_argument(
        "--gross-credit-notes",
        action="store_true",
        help="leave credit notes unapplied in the ledger at the cut (invoices look more open)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    runs = []
    for seed in seeds:
        print(f"seed {seed}", file=sys.stderr)
        runs.append(run(seed, net_credit_notes=not args.gross_credit_notes))
    results = {m: _mean([r for r, _ in runs], m) for m in runs[0][0]}
    counts = {k: sum(c[k] for _, c in runs) for k in runs[0][1]}
    ledger = "credit notes unapplied" if args.gross_credit_notes else "credit notes applied"
    doc = {
        "dataset": (
            f"simulator, seeds {seeds.start}-{seeds.stop - 1}, last {CUT_DAYS} days of bank "
            f"lines, ledger at the cut with {ledger}; truth_pairs: (line, document) pairs "
            "per category, summed over seeds"
        ),
        "primary": "reconcile",
        "results": results,
        "truth_pairs": counts,
    }
    emit(doc, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
