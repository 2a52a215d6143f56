"""ERP change files, order tickets and letters: exact contents."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from email import message_from_bytes

from tools.execution import (
    CreditLimitChange,
    DunningLetter,
    InvestmentOrder,
    PurchasePlanChange,
    credit_limit_changes_csv,
    investment_order_ticket,
    letter_email,
    purchase_plan_changes_csv,
)


def test_credit_limit_file() -> None:
    text = credit_limit_changes_csv(
        [
            CreditLimitChange(
                customer_id="C1",
                customer_name='Acme, "Best" Ltd',
                entity_id="US01",
                currency="USD",
                old_limit=Decimal("40000"),
                new_limit=Decimal("30000.005"),
                effective_date=dt.date(2026, 1, 5),
                reason="DSO up 20 days",
            )
        ]
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["customer_name"] == 'Acme, "Best" Ltd'  # quoted, round-trips
    assert (rows[0]["new_credit_limit"], rows[0]["change"]) == ("30000.01", "-9999.99")


def test_purchase_plan_file() -> None:
    text = purchase_plan_changes_csv(
        [
            PurchasePlanChange(
                sku="SKU-1",
                supplier_id="S1",
                entity_id="US01",
                order_date=dt.date(2026, 2, 1),
                quantity_old=Decimal(500),
                quantity_new=Decimal(300),
                unit_cost=Decimal("12.50"),
                currency="USD",
            )
        ]
    )
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["quantity_change"], row["value_change"]) == ("-200", "-2500.00")


def test_investment_ticket() -> None:
    as_json, as_md = investment_order_ticket(
        [
            InvestmentOrder(
                order_id="INV-1",
                entity_id="US01",
                instrument="deposit_1m",
                counterparty="Bank A",
                currency="USD",
                amount=Decimal("2500000"),
                trade_date=dt.date(2026, 1, 5),
                maturity_date=dt.date(2026, 2, 5),
                rate_pct=Decimal("4.10"),
            )
        ]
    )
    assert json.loads(as_json)["orders"][0]["amount"] == "2500000.00"
    assert "| INV-1 | place | deposit_1m | Bank A | 2500000.00 USD |" in as_md


def test_dunning_letter_is_a_draft_with_the_invoices() -> None:
    raw = letter_email(
        DunningLetter(
            customer_id="C1",
            customer_name="Acme Ltd",
            to_address="ap@acme.example",
            from_address="ar@demo.example",
            company_name="Demo Group",
            currency="EUR",
            invoices=(("INV-1", dt.date(2025, 11, 30), Decimal("1200.5")),),
            stage="second_notice",
        ),
        sent_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
    )
    msg = message_from_bytes(raw)
    assert msg["Subject"] == "Second notice: 1 overdue invoice(s), 1,200.50 EUR"
    body = msg.get_payload(decode=True).decode()
    assert "INV-1" in body and "1,200.50 EUR" in body
