"""The ledger as known on a past date: credit facilities drawn as they were then."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.data.asof import facilities_as_of, tables_as_of


def _tables(drawn: float, lines: list[tuple[str, float, str]]) -> dict[str, pd.DataFrame]:
    return {
        "credit_facilities": pd.DataFrame(
            {"facility_id": ["F1"], "entity_id": ["US01"], "currency": ["USD"], "drawn": [drawn]}
        ),
        "bank_accounts": pd.DataFrame({"account_id": ["A1"], "entity_id": ["US01"]}),
        "bank_transactions": pd.DataFrame(
            {
                "account_id": "A1",
                "booking_date": pd.to_datetime([d for d, _, _ in lines]),
                "amount": [a for _, a, _ in lines],
                "currency": "USD",
                "description": [t for _, _, t in lines],
            }
        ),
    }


def test_drawings_and_repayments_after_the_date_are_undone() -> None:
    tables = _tables(
        1_700_000.0,
        [
            ("2026-01-10", 1_000_000.0, "Drawdown revolving credit facility"),
            ("2026-02-10", 1_000_000.0, "Drawdown revolving credit facility"),
            ("2026-03-10", -500_000.0, "Repayment revolving credit facility"),
            ("2026-03-12", 2_000_000.0, "Customer receipt INV-1"),  # not a drawing
            ("2026-03-15", 200_000.0, "DRAWING RCF 2026/7"),
        ],
    )
    assert facilities_as_of(tables, date(2026, 1, 31))["drawn"].tolist() == [1_000_000.0]
    assert facilities_as_of(tables, date(2026, 3, 31))["drawn"].tolist() == [1_700_000.0]
    assert facilities_as_of(tables, date(2025, 12, 31))["drawn"].tolist() == [0.0]  # floored
    assert tables_as_of(tables, date(2026, 2, 28))["credit_facilities"]["drawn"].tolist() == [
        2_000_000.0
    ]


def test_tables_without_bank_lines_keep_the_facilities_as_exported() -> None:
    tables = _tables(700_000.0, [])
    only = {"credit_facilities": tables["credit_facilities"]}
    assert tables_as_of(only, date(2026, 1, 1))["credit_facilities"]["drawn"].tolist() == [
        700_000.0
    ]
