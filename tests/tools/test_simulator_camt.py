"""The demo company's bank data as camt.053 statements: every line and balance round-trips."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tools.bank import check_balances, parse_statement_file, to_frames
from tools.data.simulator import SimConfig, generate_company, write_company


def test_camt053_statements_round_trip(tmp_path: Path) -> None:
    company = generate_company(SimConfig(seed=3, n_customers=20, n_suppliers=15, n_skus=5))
    paths = write_company(company, tmp_path, bank_format="camt053")
    statements = [p for p in paths if p.suffix == ".xml"]
    assert statements and not (tmp_path / "bank_transactions.csv").exists()
    lines, balances = [], []
    for path in statements:
        parsed = parse_statement_file(path.read_bytes(), path.name)
        assert parsed.format == "camt.053.001.08"
        assert all(check_balances(s) == [] for s in parsed.statements)
        txns, bals = to_frames(parsed, file=str(path))
        lines.append(txns)
        balances.append(bals)
    got = pd.concat(lines)
    want = company.tables["bank_transactions"]
    assert len(got) == len(want)
    assert abs(got["amount"].sum() - want["amount"].sum()) < 0.01
    assert sorted(got["reference"].dropna()) == sorted(want["reference"].dropna())
    assert len(pd.concat(balances)) == len(company.tables["bank_balances"])
