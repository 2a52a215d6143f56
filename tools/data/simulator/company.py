"""Generate the whole demo company: master data, ledgers, bank statements, policy, truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.domain.schemas import TABLES

from .bills import goods_bills, number_bills, opex_bills
from .config import SimConfig
from .constants import ENTITIES
from .corporate import corporate_flows
from .dates import Horizon
from .demand import build_orders, number_orders
from .facilities import facilities, facility_table, opening_balances
from .flows import concat_flows
from .inventory import Inventory, simulate_inventory
from .ledgers import payable_tables, receivable_tables
from .market import build_market
from .master import Master, build_master
from .operations import (
    inventory_tables,
    master_tables,
    purchase_order_ids,
    purchase_order_table,
    sales_order_table,
)
from .payables import schedule_payments
from .payroll import payroll_flows
from .receivables import build_invoices, settlement_events
from .shock_truth import ShockEffects, describe_shocks
from .shocks import credit_hold, resolve_defaults, resolve_prepayments, withhold
from .streams import rng
from .taxes import credit_note_tax, tax_flows
from .treasury import run_treasury
from .treasury_policy import build_policy
from .truth import build_truth


@dataclass(frozen=True, eq=False)
class Company:
    """A simulated company: canonical tables, its policy and the truth behind the data."""

    config: SimConfig
    tables: dict[str, pd.DataFrame]
    policy: Policy
    truth: dict[str, Any]


def _bills(
    h: Horizon,
    m: Master,
    orders: pd.DataFrame,
    stock: Inventory,
    prepay: dict[int, int],
    seed: int,
) -> pd.DataFrame:
    """Goods and operating bills issued by the end, numbered, with their payment plan."""
    shipped = {}  # list value shipped per entity and day: what freight bills follow
    for spec in ENTITIES:
        mask = (stock.ship_day >= 0) & (orders["entity_id"].to_numpy() == spec.entity_id)
        shipped[spec.entity_id] = np.bincount(
            stock.ship_day[mask], weights=orders["list_value"][mask], minlength=h.n_days
        )
    pay_rng = rng(seed, "payables")
    bills = pd.concat(
        [
            goods_bills(h, stock.pos, m.skus, prepay),
            opex_bills(h, m.suppliers, m.revenue, shipped, rng=pay_rng),
        ],
        ignore_index=True,
    )
    bills = number_bills(bills[bills["issue_day"] <= h.end_idx], m.suppliers)
    return schedule_payments(h, bills, m.suppliers, rng=pay_rng)


def generate_company(config: SimConfig | None = None) -> Company:
    """Simulate the demo company for ``config`` (default ``SimConfig()``); pure and seeded.

    Raises:
        ValueError: a shock names a customer or supplier that does not exist.
    """
    config = config or SimConfig()
    seed, shocks = config.seed, config.shocks
    h = Horizon(config.start, config.end)
    market = build_market(h, rng=rng(seed, "market"), shocks=shocks)
    m = build_master(config, eurusd=float(market.eurusd[h.start_idx]))
    customers, suppliers, skus = m.customers, m.suppliers, m.skus

    orders, dropped = build_orders(
        h, skus, customers, market, rng=rng(seed, "demand"), shocks=shocks
    )
    defaults, resolved = resolve_defaults(shocks, h, customers, orders, market)
    orders, cancelled = credit_hold(orders, h, defaults)
    orders = number_orders(orders)
    stock = simulate_inventory(h, skus, orders, rng=rng(seed, "inventory"))
    prepay, prepay_resolved = resolve_prepayments(shocks, h, suppliers, skus, stock.pos, market)

    invoices = build_invoices(h, orders, stock.ship_day, customers)
    events, disputed = settlement_events(h, invoices, customers, rng=rng(seed, "receivables"))
    events, withheld = withhold(events, invoices, h, defaults)
    bills = _bills(h, m, orders, stock, prepay, seed)
    po_ids = purchase_order_ids(stock.pos, skus)
    ar, receipts, ar_cash = receivable_tables(h, invoices, events, disputed, customers)
    ap, ap_cash, billed = payable_tables(h, bills, po_ids, suppliers)

    facs = facilities(m.revenue)
    flows = [
        ar_cash,
        ap_cash,
        payroll_flows(h, m.payroll_cost, rng=rng(seed, "payroll")),
        tax_flows(h, invoices, credit_note_tax(h, invoices, events, customers), bills, m.revenue),
        corporate_flows(h, m.revenue, market),
    ]
    treasury = run_treasury(h, concat_flows(flows), market, facs)

    tables = {
        **master_tables(m, prepay),
        "bank_transactions": treasury.transactions,
        "bank_balances": treasury.balances,
        "ar_invoices": ar,
        "ar_receipts": receipts,
        "ap_bills": ap,
        **inventory_tables(h, orders, skus, stock.on_hand_end),
        "purchase_orders": purchase_order_table(h, stock.pos, po_ids, skus, billed),
        "sales_orders": sales_order_table(
            h, orders, stock.ship_day, customers, skus, set(ar["sales_order_id"])
        ),
        "credit_facilities": facility_table(h, facs, treasury.drawn, market),
        "interest_rates": market.interest_rates,
        "fx_rates": market.fx_rates,
    }
    end_fx = float(market.eurusd[h.end_idx])
    policy = build_policy(
        effective=config.start,
        facilities=facs,
        revenue_usd=m.revenue["US01"] + m.revenue["DE01"] * end_fx,
        eurusd=end_fx,
    )
    effects = ShockEffects(resolved | prepay_resolved, cancelled, withheld, dropped)
    shock_records = describe_shocks(
        shocks,
        effects,
        h=h,
        customers=customers,
        suppliers=suppliers,
        ar=ar,
        bills=bills,
        fx=market.fx_rates,
    )
    treasury_truth = {
        "opening_balances": {k: v / 100 for k, v in opening_balances(facs).items()},
        "minimum_cash": {e: f.floor / 100 for e, f in facs.items()},
        "facility_limits": {e: f.limit / 100 for e, f in facs.items()},
        "expected_annual_revenue": {e: round(v, 2) for e, v in m.revenue.items()},
        **treasury.stats,
    }
    truth = build_truth(config, h, customers, ar, shock_records, treasury_truth)
    return Company(config, {name: tables[name] for name in TABLES}, policy, truth)
