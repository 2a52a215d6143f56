"""Canonical ledger tables: the columns every import is mapped and validated onto.

One definition drives validation at the boundary, the database tables, the column
auto-mapping of ERP exports and the documentation (``wcm schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "TABLES",
    "Check",
    "Column",
    "Kind",
    "Table",
    "table",
]


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"  # money, rounded to cents; sign rules per column
    NUMBER = "number"
    INTEGER = "integer"
    BOOL = "bool"
    CURRENCY = "currency"  # ISO 4217 alphabetic code
    ENUM = "enum"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = True  # must be present in the file (or get a default)
    nullable: bool = False  # cells may be empty
    default: object = None  # used when the column is absent from the file
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # header names real exports use

    @property
    def expected(self) -> str:
        """What a valid value looks like, in words a user understands."""
        text = {
            Kind.TEXT: "text",
            Kind.DATE: "a date such as 2024-03-31",
            Kind.AMOUNT: "an amount such as 1234.56",
            Kind.NUMBER: "a number",
            Kind.INTEGER: "a whole number",
            Kind.BOOL: "yes/no, true/false or 1/0",
            Kind.CURRENCY: "a 3-letter ISO 4217 currency code such as EUR",
            Kind.ENUM: "one of " + ", ".join(self.allowed),
        }[self.kind]
        if self.min is not None:
            text += f" {'>' if self.min_exclusive else '>='} {self.min:g}"
        if self.max is not None:
            text += f" <= {self.max:g}"
        return text


@dataclass(frozen=True)
class Check:
    """A rule between two columns of the same row: ``left op right``."""

    left: str
    op: str  # ">=", ">", "<=" (amount columns compare absolute values)
    right: str
    message: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    date_column: str | None = None  # the date that status reports ranges and gaps for
    references: dict[str, str] = field(default_factory=dict)  # column -> table
    checks: tuple[Check, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, kind: Kind, description: str, **kw: object) -> Column:
    return Column(name, kind, description, **kw)  # type: ignore[arg-type]


def _opt(name: str, kind: Kind, description: str, **kw: object) -> Column:
    kw.setdefault("required", False)
    kw.setdefault("nullable", True)
    return Column(name, kind, description, **kw)  # type: ignore[arg-type]


_ENTITY = _c(
    "entity_id",
    Kind.TEXT,
    "Legal entity the record belongs to",
    aliases=("entity", "company", "company_code", "bukrs"),
)
_CURRENCY = _c(
    "currency",
    Kind.CURRENCY,
    "ISO 4217 currency of the amounts",
    aliases=("ccy", "curr", "currency_code", "waers"),
)

CATEGORIES = (
    "customer_receipt",
    "supplier_payment",
    "payroll",
    "tax",
    "financing",
    "investment",
    "intercompany",
    "fees",
    "other",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "entities",
            "Legal entities of the group",
            (
                _c("entity_id", Kind.TEXT, "Entity code", aliases=("entity", "company_code")),
                _c("name", Kind.TEXT, "Legal name"),
                _c("base_currency", Kind.CURRENCY, "Functional currency"),
                _opt("country", Kind.TEXT, "ISO country code"),
            ),
            key=("entity_id",),
        ),
        Table(
            "bank_accounts",
            "Bank accounts held by the entities",
            (
                _c(
                    "account_id",
                    Kind.TEXT,
                    "Account identifier (IBAN or internal code)",
                    aliases=("account", "account_number"),
                ),
                _ENTITY,
                _CURRENCY,
                _opt("bank", Kind.TEXT, "Bank name or BIC"),
                _opt("iban", Kind.TEXT, "IBAN"),
                _c(
                    "purpose",
                    Kind.ENUM,
                    "What the account is used for",
                    required=False,
                    default="operating",
                    allowed=("operating", "payroll", "collection", "investment", "other"),
                ),
            ),
            key=("account_id",),
            references={"entity_id": "entities"},
        ),
        Table(
            "bank_transactions",
            "Booked bank statement lines (signed: receipts > 0)",
            (
                _opt(
                    "txn_id",
                    Kind.TEXT,
                    "Bank reference of the line; derived when absent",
                    aliases=("transaction_id", "id"),
                ),
                _c(
                    "account_id",
                    Kind.TEXT,
                    "Account the line was booked on",
                    aliases=("account", "account_number", "iban"),
                ),
                _c(
                    "booking_date",
                    Kind.DATE,
                    "Booking date",
                    aliases=("date", "book_date", "posting_date"),
                ),
                _opt(
                    "value_date",
                    Kind.DATE,
                    "Value date; booking date when absent",
                    aliases=("valuta",),
                ),
                _c("amount", Kind.AMOUNT, "Signed amount: money in > 0, money out < 0"),
                _CURRENCY,
                _opt(
                    "counterparty",
                    Kind.TEXT,
                    "Name of the other party",
                    aliases=("name", "payee", "beneficiary"),
                ),
                _opt(
                    "reference",
                    Kind.TEXT,
                    "End-to-end or customer reference",
                    aliases=("ref", "end_to_end_id"),
                ),
                _opt(
                    "description",
                    Kind.TEXT,
                    "Remittance information",
                    aliases=("memo", "details", "narrative"),
                ),
                _opt("category", Kind.ENUM, "Cash-flow category", allowed=CATEGORIES),
            ),
            key=("txn_id",),
            date_column="booking_date",
            references={"account_id": "bank_accounts"},
        ),
        Table(
            "bank_balances",
            "Statement balances per account and day",
            (
                _c("account_id", Kind.TEXT, "Account", aliases=("account", "iban")),
                _c("date", Kind.DATE, "Balance date", aliases=("balance_date",)),
                _c(
                    "balance_type",
                    Kind.ENUM,
                    "Which balance",
                    required=False,
                    default="closing",
                    allowed=("opening", "closing", "available"),
                ),
                _c(
                    "amount", Kind.AMOUNT, "Balance (negative when overdrawn)", aliases=("balance",)
                ),
                _CURRENCY,
            ),
            key=("account_id", "date", "balance_type"),
            date_column="date",
            references={"account_id": "bank_accounts"},
        ),
        Table(
            "customers",
            "Customer master data",
            (
                _c(
                    "customer_id",
                    Kind.TEXT,
                    "Customer number",
                    aliases=("customer", "customer_number", "debtor", "kunnr"),
                ),
                _opt("name", Kind.TEXT, "Customer name", aliases=("customer_name",)),
                _ENTITY,
                _opt("country", Kind.TEXT, "Country code", aliases=("country_code",)),
                _opt("currency", Kind.CURRENCY, "Invoicing currency"),
                _c(
                    "payment_terms_days",
                    Kind.INTEGER,
                    "Agreed days to pay",
                    required=False,
                    default=30,
                    min=0,
                    aliases=("terms", "payment_terms"),
                ),
                _opt("credit_limit", Kind.AMOUNT, "Credit limit", min=0),
                _opt("segment", Kind.TEXT, "Customer segment"),
            ),
            key=("customer_id",),
            references={"entity_id": "entities"},
        ),
        Table(
            "ar_invoices",
            "Accounts receivable: invoices and credit notes, open and paid",
            (
                _c(
                    "invoice_id",
                    Kind.TEXT,
                    "Invoice number (kept as text: leading zeros count)",
                    aliases=("invoice", "invoice_number", "invoice_no", "document_number", "belnr"),
                ),
                _c(
                    "customer_id",
                    Kind.TEXT,
                    "Customer number",
                    aliases=("customer", "customer_number", "debtor", "kunnr"),
                ),
                _ENTITY,
                _c(
                    "doc_type",
                    Kind.ENUM,
                    "invoice or credit_note (credit notes are stored negative)",
                    required=False,
                    default="invoice",
                    allowed=("invoice", "credit_note"),
                ),
                _c(
                    "issue_date",
                    Kind.DATE,
                    "Invoice date",
                    aliases=("invoice_date", "document_date", "date"),
                ),
                _c("due_date", Kind.DATE, "Due date", aliases=("net_due_date",)),
                _c(
                    "amount",
                    Kind.AMOUNT,
                    "Gross amount of the document",
                    min=0,
                    aliases=("invoice_amount", "gross_amount", "total"),
                ),
                _CURRENCY,
                _opt(
                    "open_amount",
                    Kind.AMOUNT,
                    "Amount still unpaid; 0 when settled, the full amount otherwise when absent",
                    min=0,
                    aliases=("open", "balance", "outstanding"),
                ),
                _opt(
                    "settled_date",
                    Kind.DATE,
                    "Date the invoice was fully paid",
                    aliases=("paid_date", "payment_date", "clearing_date"),
                ),
                _c(
                    "disputed",
                    Kind.BOOL,
                    "Whether the customer disputes the invoice",
                    required=False,
                    default=False,
                    aliases=("dispute", "in_dispute"),
                ),
                _opt("sales_order_id", Kind.TEXT, "Sales order the invoice bills"),
            ),
            key=("invoice_id",),
            date_column="issue_date",
            references={"customer_id": "customers"},
            checks=(
                Check("due_date", ">=", "issue_date", "due date is before the invoice date"),
                Check("amount", ">=", "open_amount", "open amount exceeds the invoice amount"),
            ),
        ),
        Table(
            "ar_receipts",
            "Customer payments applied to invoices (partial payments included)",
            (
                _c("receipt_id", Kind.TEXT, "Payment reference", aliases=("payment_id",)),
                _c("invoice_id", Kind.TEXT, "Invoice paid", aliases=("invoice", "invoice_number")),
                _c("customer_id", Kind.TEXT, "Customer", aliases=("customer",)),
                _c("payment_date", Kind.DATE, "Date received", aliases=("date", "value_date")),
                _c("amount", Kind.AMOUNT, "Amount applied", min=0, min_exclusive=True),
                _CURRENCY,
            ),
            key=("receipt_id",),
            date_column="payment_date",
            references={"invoice_id": "ar_invoices"},
        ),
        Table(
            "suppliers",
            "Supplier master data",
            (
                _c(
                    "supplier_id",
                    Kind.TEXT,
                    "Supplier number",
                    aliases=("supplier", "vendor", "vendor_id", "creditor", "lifnr"),
                ),
                _opt("name", Kind.TEXT, "Supplier name", aliases=("supplier_name", "vendor_name")),
                _ENTITY,
                _opt("country", Kind.TEXT, "Country code"),
                _opt("currency", Kind.CURRENCY, "Billing currency"),
                _c(
                    "payment_terms",
                    Kind.TEXT,
                    "Terms such as 'net 30' or '2/10 net 30'",
                    required=False,
                    default="net 30",
                    aliases=("terms",),
                ),
                _c(
                    "critical",
                    Kind.BOOL,
                    "Never pay late (sole source, regulated, ...)",
                    required=False,
                    default=False,
                ),
                _opt("bank_account", Kind.TEXT, "IBAN or account the supplier is paid to"),
            ),
            key=("supplier_id",),
            references={"entity_id": "entities"},
        ),
        Table(
            "ap_bills",
            "Accounts payable: supplier bills, open and paid",
            (
                _c(
                    "bill_id",
                    Kind.TEXT,
                    "Bill (supplier invoice) number",
                    aliases=("bill", "invoice_id", "invoice_number", "document_number"),
                ),
                _c(
                    "supplier_id",
                    Kind.TEXT,
                    "Supplier number",
                    aliases=("supplier", "vendor", "vendor_id", "creditor"),
                ),
                _ENTITY,
                _c(
                    "doc_type",
                    Kind.ENUM,
                    "bill or credit_note (credit notes are stored negative)",
                    required=False,
                    default="bill",
                    allowed=("bill", "credit_note"),
                ),
                _c(
                    "issue_date",
                    Kind.DATE,
                    "Bill date",
                    aliases=("invoice_date", "bill_date", "date"),
                ),
                _c("due_date", Kind.DATE, "Net due date", aliases=("net_due_date",)),
                _c(
                    "amount",
                    Kind.AMOUNT,
                    "Gross amount",
                    min=0,
                    aliases=("invoice_amount", "total"),
                ),
                _CURRENCY,
                _opt(
                    "open_amount",
                    Kind.AMOUNT,
                    "Amount still to pay",
                    min=0,
                    aliases=("open", "balance", "outstanding"),
                ),
                _opt(
                    "paid_date", Kind.DATE, "Date paid", aliases=("payment_date", "clearing_date")
                ),
                _opt(
                    "discount_pct",
                    Kind.NUMBER,
                    "Early-payment discount in percent (2 for 2/10)",
                    min=0,
                    max=100,
                ),
                _opt(
                    "discount_days",
                    Kind.INTEGER,
                    "Days from bill date the discount is valid",
                    min=0,
                ),
                _opt(
                    "purchase_order_id",
                    Kind.TEXT,
                    "Purchase order the bill relates to",
                    aliases=("po_id", "po_number"),
                ),
            ),
            key=("bill_id",),
            date_column="issue_date",
            references={"supplier_id": "suppliers"},
            checks=(
                Check("due_date", ">=", "issue_date", "due date is before the bill date"),
                Check("amount", ">=", "open_amount", "open amount exceeds the bill amount"),
            ),
        ),
        Table(
            "inventory_items",
            "Stock-keeping units",
            (
                _c("sku", Kind.TEXT, "Item code", aliases=("item", "item_id", "material", "matnr")),
                _opt("name", Kind.TEXT, "Description", aliases=("description",)),
                _ENTITY,
                _opt("supplier_id", Kind.TEXT, "Main supplier"),
                _c("unit_cost", Kind.AMOUNT, "Purchase cost per unit", min=0),
                _opt("unit_price", Kind.AMOUNT, "Selling price per unit", min=0),
                _CURRENCY,
                _c("lead_time_days", Kind.INTEGER, "Supplier lead time", min=0),
                _c("moq", Kind.NUMBER, "Minimum order quantity", required=False, default=0, min=0),
                _c("on_hand", Kind.NUMBER, "Units in stock", required=False, default=0, min=0),
                _c(
                    "holding_cost_rate",
                    Kind.NUMBER,
                    "Annual holding cost as a share of value",
                    required=False,
                    default=0.2,
                    min=0,
                ),
            ),
            key=("sku",),
            references={"entity_id": "entities"},
        ),
        Table(
            "inventory_demand",
            "Units demanded per item and day (demand history)",
            (
                _c("sku", Kind.TEXT, "Item code", aliases=("item", "item_id", "material")),
                _c("date", Kind.DATE, "Day"),
                _c("quantity", Kind.NUMBER, "Units demanded", min=0, aliases=("qty", "units")),
            ),
            key=("sku", "date"),
            date_column="date",
            references={"sku": "inventory_items"},
        ),
        Table(
            "purchase_orders",
            "Purchase orders to suppliers (one line per order)",
            (
                _c("po_id", Kind.TEXT, "Order number", aliases=("po_number", "purchase_order_id")),
                _c("supplier_id", Kind.TEXT, "Supplier", aliases=("supplier", "vendor")),
                _ENTITY,
                _opt("sku", Kind.TEXT, "Item ordered"),
                _c("order_date", Kind.DATE, "Order date"),
                _c("expected_date", Kind.DATE, "Expected receipt date", aliases=("delivery_date",)),
                _c("quantity", Kind.NUMBER, "Units", min=0, min_exclusive=True),
                _c("unit_price", Kind.AMOUNT, "Price per unit", min=0),
                _CURRENCY,
                _c(
                    "status",
                    Kind.ENUM,
                    "Order status",
                    required=False,
                    default="open",
                    allowed=("open", "received", "cancelled"),
                ),
            ),
            key=("po_id",),
            date_column="order_date",
            references={"supplier_id": "suppliers"},
            checks=(
                Check(
                    "expected_date", ">=", "order_date", "expected date is before the order date"
                ),
            ),
        ),
        Table(
            "sales_orders",
            "Customer orders (one line per order)",
            (
                _c("so_id", Kind.TEXT, "Order number", aliases=("order_id", "sales_order_id")),
                _c("customer_id", Kind.TEXT, "Customer", aliases=("customer",)),
                _ENTITY,
                _opt("sku", Kind.TEXT, "Item ordered"),
                _c("order_date", Kind.DATE, "Order date"),
                _opt("ship_date", Kind.DATE, "Shipment date"),
                _c("quantity", Kind.NUMBER, "Units", min=0, min_exclusive=True),
                _c("unit_price", Kind.AMOUNT, "Price per unit", min=0),
                _CURRENCY,
                _c(
                    "status",
                    Kind.ENUM,
                    "Order status",
                    required=False,
                    default="open",
                    allowed=("open", "shipped", "invoiced", "cancelled"),
                ),
            ),
            key=("so_id",),
            date_column="order_date",
            references={"customer_id": "customers"},
        ),
        Table(
            "credit_facilities",
            "Committed credit lines and overdrafts",
            (
                _c("facility_id", Kind.TEXT, "Facility identifier"),
                _ENTITY,
                _c("lender", Kind.TEXT, "Bank"),
                _CURRENCY,
                _c("limit", Kind.AMOUNT, "Committed amount", min=0),
                _c("drawn", Kind.AMOUNT, "Amount drawn now", required=False, default=0, min=0),
                _c(
                    "interest_rate",
                    Kind.NUMBER,
                    "All-in annual interest on drawn amounts, percent",
                    min=0,
                ),
                _c(
                    "commitment_fee",
                    Kind.NUMBER,
                    "Annual fee on the undrawn amount, percent",
                    required=False,
                    default=0,
                    min=0,
                ),
                _opt("maturity_date", Kind.DATE, "Maturity"),
            ),
            key=("facility_id",),
            references={"entity_id": "entities"},
            checks=(Check("limit", ">=", "drawn", "drawn amount exceeds the limit"),),
        ),
        Table(
            "interest_rates",
            "Money-market curve: annual rates in percent per currency and tenor",
            (
                _c("date", Kind.DATE, "Fixing date"),
                _CURRENCY,
                _c("tenor", Kind.ENUM, "Tenor", allowed=("ON", "1W", "1M", "3M", "6M", "12M")),
                _c("rate", Kind.NUMBER, "Annual rate, percent", min=-5, max=100),
            ),
            key=("date", "currency", "tenor"),
            date_column="date",
        ),
        Table(
            "fx_rates",
            "FX rates: units of quote currency per one unit of base currency",
            (
                _c("date", Kind.DATE, "Fixing date"),
                _c("base", Kind.CURRENCY, "Base currency"),
                _c("quote", Kind.CURRENCY, "Quote currency"),
                _c("rate", Kind.NUMBER, "Quote units per base unit", min=0, min_exclusive=True),
            ),
            key=("date", "base", "quote"),
            date_column="date",
        ),
    )
}


def table(name: str) -> Table:
    """The canonical table called ``name``; raises ``KeyError`` listing the valid names."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}") from None
