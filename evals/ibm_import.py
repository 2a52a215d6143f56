"""Field-level fidelity of importing the IBM accounts-receivable export.

``python -m evals.ibm_import [--data DIR] [--json]`` imports the real IBM sample export
(``DIR/ibm_accounts_receivable``) into a fresh workspace with no options (the preset is
detected from the headers) and compares every stored field with the source file. As a
baseline it reads the same file the way a spreadsheet or ``pandas.read_csv`` does by
default (types inferred), which is how invoice numbers lose their leading zeros.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from evals.common import emit

__all__ = ["main"]

FILE = "ibm_accounts_receivable/WA_Fn-UseC_-Accounts-Receivable.csv"


def _truth(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str)
    return pd.DataFrame(
        {
            "invoice_id": raw["invoiceNumber"],
            "customer_id": raw["customerID"],
            "issue_date": pd.to_datetime(raw["InvoiceDate"], format="%m/%d/%Y"),
            "due_date": pd.to_datetime(raw["DueDate"], format="%m/%d/%Y"),
            "settled_date": pd.to_datetime(raw["SettledDate"], format="%m/%d/%Y"),
            "amount": raw["InvoiceAmount"].astype(float),
            "disputed": raw["Disputed"].eq("Yes"),
            "days_late": raw["DaysLate"].astype(int),
        }
    )


def _score(got: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Share of source rows whose field is reproduced exactly (matched by row order)."""
    got = got.reset_index(drop=True)
    out = {}
    for col in truth.columns:
        if col not in got:
            out[f"{col}_match"] = 0.0
            continue
        a, b = got[col], truth[col]
        same = (a.round(2) == b.round(2)) if b.dtype.kind == "f" else (a == b)
        out[f"{col}_match"] = round(float(same.mean()), 4)
    out["rows"] = float(len(got))
    return out


def _ours(path: Path) -> pd.DataFrame:
    from tools.workspace import import_files, init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        report = import_files(ws, [path])
        if report.status != "imported":
            raise SystemExit(f"import failed: {report.problems[:3]}")
        stored = ws.read("ar_invoices")
    order = pd.read_csv(path, dtype=str)["invoiceNumber"]
    stored = stored.set_index("invoice_id").loc[order].reset_index()
    late = (stored["settled_date"] - stored["due_date"]).dt.days.clip(lower=0)
    return stored.assign(days_late=late)


def _baseline(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path)  # default type inference, as a spreadsheet would
    return pd.DataFrame(
        {
            "invoice_id": raw["invoiceNumber"].astype(str),
            "customer_id": raw["customerID"].astype(str),
            "issue_date": pd.to_datetime(raw["InvoiceDate"], errors="coerce"),
            "due_date": pd.to_datetime(raw["DueDate"], errors="coerce"),
            "settled_date": pd.to_datetime(raw["SettledDate"], errors="coerce"),
            "amount": raw["InvoiceAmount"].astype(float),
            "disputed": raw["Disputed"].eq("Yes"),
            "days_late": raw["DaysLate"].astype(int),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    path = args.data / FILE
    if not path.exists():
        print(f"error: {path} not found; pass --data DIR", file=sys.stderr)
        return 2
    truth = _truth(path)
    print("importing", file=sys.stderr)
    results = {
        "wcm_import": _score(_ours(path), truth),
        "pandas_default_read": _score(_baseline(path), truth),
    }
    doc = {
        "dataset": "IBM accounts receivable (2,466 invoices)",
        "primary": "wcm_import",
        "results": results,
    }
    emit(doc, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
