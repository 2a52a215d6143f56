"""Write a simulated company as the files a user would import, and its truth apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tools.domain.policy import dump_policy
from tools.domain.schemas import TABLES, Kind, Table

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


def write_company(company: Company, directory: Path | str) -> list[Path]:
    """``<table>.csv`` for every canonical table, then ``policy.yaml`` (the last path)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in TABLES.items():
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
