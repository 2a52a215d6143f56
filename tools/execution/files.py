"""ERP change files and order tickets: the plain files other systems import."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from tools.execution.banking import to_amount
from tools.execution.models import CreditLimitChange, InvestmentOrder, PurchasePlanChange

__all__ = ["credit_limit_changes_csv", "investment_order_ticket", "purchase_plan_changes_csv"]

CREDIT_LIMIT_COLUMNS = (
    "customer_id",
    "customer_name",
    "entity_id",
    "currency",
    "old_credit_limit",
    "new_credit_limit",
    "change",
    "effective_date",
    "reason",
)
PURCHASE_PLAN_COLUMNS = (
    "sku",
    "supplier_id",
    "entity_id",
    "order_date",
    "quantity_old",
    "quantity_new",
    "quantity_change",
    "unit_cost",
    "value_change",
    "currency",
    "reason",
)


def _csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()


def credit_limit_changes_csv(changes: Sequence[CreditLimitChange]) -> str:
    """Customer master updates (one row per customer) for the ERP's import, RFC 4180 CSV."""
    rows = [
        (
            c.customer_id,
            c.customer_name or "",
            c.entity_id,
            c.currency,
            to_amount(c.old_limit, c.currency),
            to_amount(c.new_limit, c.currency),
            to_amount(c.new_limit, c.currency) - to_amount(c.old_limit, c.currency),
            c.effective_date.isoformat(),
            c.reason,
        )
        for c in changes
    ]
    return _csv(CREDIT_LIMIT_COLUMNS, rows)


def purchase_plan_changes_csv(changes: Sequence[PurchasePlanChange]) -> str:
    """Purchase-order quantity changes per SKU and order date, RFC 4180 CSV."""
    rows = [
        (
            c.sku,
            c.supplier_id or "",
            c.entity_id,
            c.order_date.isoformat(),
            c.quantity_old,
            c.quantity_new,
            c.quantity_new - c.quantity_old,
            to_amount(c.unit_cost, c.currency),
            to_amount((c.quantity_new - c.quantity_old) * c.unit_cost, c.currency),
            c.currency,
            c.reason,
        )
        for c in changes
    ]
    return _csv(PURCHASE_PLAN_COLUMNS, rows)


def investment_order_ticket(orders: Sequence[InvestmentOrder]) -> tuple[str, str]:
    """The orders as a JSON ticket (for the dealing system) and a Markdown ticket (for people)."""
    body = [
        {
            "order_id": o.order_id,
            "side": o.side,
            "entity_id": o.entity_id,
            "instrument": o.instrument,
            "counterparty": o.counterparty,
            "currency": o.currency,
            "amount": str(to_amount(o.amount, o.currency)),
            "trade_date": o.trade_date.isoformat(),
            "maturity_date": o.maturity_date.isoformat() if o.maturity_date else None,
            "rate_pct": None if o.rate_pct is None else str(o.rate_pct),
        }
        for o in orders
    ]
    lines = [
        "# Investment order ticket",
        "",
        "| order | side | instrument | counterparty | amount | trade date | maturity | rate % |",
        "|---|---|---|---|---:|---|---|---:|",
    ]
    for o in body:
        lines.append(
            f"| {o['order_id']} | {o['side']} | {o['instrument']} | {o['counterparty']} | "
            f"{o['amount']} {o['currency']} | {o['trade_date']} | {o['maturity_date'] or ''} | "
            f"{o['rate_pct'] or ''} |"
        )
    return json.dumps({"orders": body}, indent=2) + "\n", "\n".join(lines) + "\n"
