"""Scenario text a treasurer types, parsed into specs."""

from __future__ import annotations

import pytest

from tools.errors import ConfigError
from tools.scenarios import (
    STANDARD_LIBRARY,
    CreditCut,
    FlowShock,
    FxShock,
    LatePayment,
    Prepayment,
    RevenueShock,
    TermsChange,
    parse_scenario,
    parse_spec,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples
        ("collections -15% for 6 weeks", FlowShock(category="customer_receipt", pct=-15, days=42)),
        ("revenue -20%", RevenueShock(pct=-20)),
        ("fx -10%", FxShock(pct=-10)),
        ("credit line cut 50%", CreditCut(pct=50)),
        ("customer C10058 pays 45 days late", LatePayment(customer_id="C10058", days=45)),
        # words instead of signs, spaces, other units, a delayed start
        (
            "receipts down 15 % for 42 days starting in 2 weeks",
            FlowShock(category="customer_receipt", pct=-15, days=42, start_day=14),
        ),
        ("Supplier payments +10%", FlowShock(category="supplier_payment", pct=10)),
        ("payroll +5% for 3 months", FlowShock(category="payroll", pct=5, days=90)),
        ("sales drop 20% for 8 weeks", RevenueShock(pct=-20, days=56)),
        ("EUR -10%", FxShock(pct=-10, currency="EUR")),
        ("usd +5 %", FxShock(pct=5, currency="USD")),
        ("credit line cut by 25% for DE01", CreditCut(pct=25, entity="DE01")),
        ("supplier S20004 demands prepayment", Prepayment(supplier_id="S20004")),
        (
            "supplier s20004 wants payment 30 days earlier",
            Prepayment(supplier_id="S20004", days=30),
        ),
        ("tighten terms for C10058 by 15 days", TermsChange(customer_id="C10058", days=15)),
        ("customer C10058 terms -10 days", TermsChange(customer_id="C10058", days=10)),
        ("collections −15% for 6 weeks.", FlowShock(category="customer_receipt", pct=-15, days=42)),
    ],
)
def test_parse_spec(text: str, expected: object) -> None:
    assert parse_spec(text) == expected


def test_clauses_join_into_one_scenario() -> None:
    scenario = parse_scenario("revenue -20% and fx -10%; credit line cut 50%")
    assert scenario.parts == (RevenueShock(pct=-20), FxShock(pct=-10), CreditCut(pct=50))
    assert scenario.name == scenario.text == "revenue -20% and fx -10%; credit line cut 50%"


@pytest.mark.parametrize(
    "text",
    [
        "make it rain",  # nothing recognisable
        "collections -15",  # no percent sign
        "credit line cut 150%",  # more than all of it
        "",  # empty
    ],
)
def test_unknown_text_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_scenario(text)
    message = str(info.value)
    assert "collections -15% for 6 weeks" in message or "less than or equal to 100" in message


def test_standard_library_is_data_with_both_severities() -> None:
    names = [s.name for s in STANDARD_LIBRARY]
    assert len(names) == len(set(names)) == 10
    assert {s.severity for s in STANDARD_LIBRARY} == {"moderate", "severe"}
    assert all(s.parts and s.text for s in STANDARD_LIBRARY)
