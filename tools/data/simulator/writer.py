"""Write a simulated company as the files a user would import, and its truth apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from tools.domain.policy import dump_policy
from tools.domain.schemas import TABLES, Kind, Table

from .camt import write_camt053

if TYPE_CHECKING:
    from .company import Company


def export_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Text the way an ERP export writes it: ISO dates, 2-decimal amounts, true/false."""
    out = frame.copy()
    for name in out.columns:
        kind = table.column(name).kind
        col = out[name]
        if kind == Kind.DATE:
            out[name] = pd.to_datetime(col).dt.strftime("%Y-%m-%d")
        elif kind == Kind.AMOUNT:
            out[name] = [("" if pd.isna(v) else f"{v:.2f}") for v in col]
        elif kind == Kind.BOOL:
            out[name] = col.map({True: "true", False: "false"})
    return out


BANK_TABLES = ("bank_transactions", "bank_balances")


def write_company(
    company: Company, directory: Path | str, *, bank_format: Literal["csv", "camt053"] = "csv"
) -> list[Path]:
    """``<table>.csv`` for every canonical table, then ``policy.yaml`` (the last path).

    With ``bank_format="camt053"`` the bank lines and balances come as the bank sends them:
    ISO 20022 camt.053 statements in ``statements/``, one file per account and month.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    if bank_format == "camt053":
        paths += write_camt053(
            company.tables["bank_transactions"],
            company.tables["bank_balances"],
            directory / "statements",
        )
    for name, table in TABLES.items():
        if bank_format == "camt053" and name in BANK_TABLES:
            continue
        path = directory / f"{name}.csv"
        export_frame(company.tables[name], table).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n"
        )
        paths.append(path)
    policy = directory / "policy.yaml"
    policy.write_text(dump_policy(company.policy), encoding="utf-8")
    paths.append(policy)
    return paths


def write_truth(company: Company, path: Path | str) -> Path:
    """The ground truth as JSON; keep it out of the folder a user imports from."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(company.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path
