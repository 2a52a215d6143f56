"""Fixed facts about the demo group: entities, banks, accounts, taxes and cost structure."""

from __future__ import annotations

from dataclasses import dataclass

# Documents issued before ``start`` but still open then need a simulated past; 240 days
# covers terms, lateness and most disputes.
WARMUP_DAYS = 240
REPORTING_CURRENCY = "USD"
REVENUE_PER_SKU = 1_800_000.0  # entity currency per year at the start of the warm-up

# Operating costs as a share of revenue; with ~66% cost of goods this leaves a ~7% margin.
OPEX_SHARES = {
    "rent": 0.015,
    "utilities": 0.008,
    "logistics": 0.025,
    "services": 0.035,
    "insurance": 0.005,
}
# Payroll is sized so each entity earns this operating margin on its own product mix
# (after ~2% customer discounts), so cash neither piles up nor drains whatever the seed.
TARGET_MARGIN = 0.06
AVG_DISCOUNT = 0.02
MGMT_FEE_SHARE = 0.02  # DE01 pays US01 this share of its revenue a year


@dataclass(frozen=True)
class EntitySpec:
    entity_id: str
    name: str
    currency: str
    country: str
    share: float  # of customers, suppliers and SKUs
    bank: str
    sales_tax: float  # on domestic invoices: US sales tax, German VAT
    input_tax: float  # recoverable tax on domestic supplier bills
    income_tax: float
    tax_authority: str
    sales_tax_authority: str
    sales_tax_day: int  # day of the month after the quarter the return is paid
    income_tax_months: tuple[int, ...]
    income_tax_day: int
    raise_month: int
    bonus_month: int
    rate_margin: float  # credit-facility margin over the 1M money-market rate, percent


ENTITIES = (
    EntitySpec(
        entity_id="US01",
        name="Northwind Components Inc.",
        currency="USD",
        country="US",
        share=0.6,
        bank="JPMorgan Chase Bank, N.A.",
        sales_tax=0.0625,
        input_tax=0.0,
        income_tax=0.25,
        tax_authority="Internal Revenue Service",
        sales_tax_authority="Illinois Department of Revenue",
        sales_tax_day=20,
        income_tax_months=(4, 6, 9, 12),
        income_tax_day=15,
        raise_month=1,
        bonus_month=3,
        rate_margin=1.5,
    ),
    EntitySpec(
        entity_id="DE01",
        name="Northwind Components GmbH",
        currency="EUR",
        country="DE",
        share=0.4,
        bank="Deutsche Bank AG",
        sales_tax=0.19,
        input_tax=0.19,
        income_tax=0.30,
        tax_authority="Finanzamt Frankfurt am Main",
        sales_tax_authority="Finanzamt Frankfurt am Main",
        sales_tax_day=10,
        income_tax_months=(3, 6, 9, 12),
        income_tax_day=10,
        raise_month=4,
        bonus_month=11,  # half a month's extra salary before Christmas
        rate_margin=1.75,
    ),
)
ENTITY = {e.entity_id: e for e in ENTITIES}


@dataclass(frozen=True)
class AccountSpec:
    account_id: str
    entity_id: str
    currency: str
    purpose: str
    bank: str
    bank_code: str  # German bank code inside the IBAN; empty for US accounts
    opening: float  # opening balance in account currency; operating accounts are sized later


_JPM, _DB, _CBK = "JPMorgan Chase Bank, N.A.", "Deutsche Bank AG", "Commerzbank AG"
ACCOUNTS = (
    AccountSpec("US01-OP-USD", "US01", "USD", "operating", _JPM, "", 0),
    AccountSpec("US01-PR-USD", "US01", "USD", "payroll", _JPM, "", 60_000),
    AccountSpec("DE01-OP-EUR", "DE01", "EUR", "operating", _DB, "50070010", 0),
    AccountSpec("DE01-PR-EUR", "DE01", "EUR", "payroll", _CBK, "50040000", 40_000),
    AccountSpec("DE01-CL-USD", "DE01", "USD", "collection", _DB, "50070010", 150_000),
)


def operating_account(entity_id: str) -> str:
    return f"{entity_id}-OP-{ENTITY[entity_id].currency}"


def payroll_account(entity_id: str) -> str:
    return f"{entity_id}-PR-{ENTITY[entity_id].currency}"


COLLECTION_ACCOUNT = "DE01-CL-USD"  # DE01's US-dollar customers pay here

# Treasury rules, as shares of the entity's annual revenue.
FLOOR_SHARE = 0.02  # minimum operating cash
FACILITY_SHARE = 0.12  # revolving credit limit
COMMITMENT_FEE = 0.35  # percent a year on the undrawn limit
SWEEP_BUFFER = 150_000  # USD left on the collection account after the weekly FX sweep
