"""The demo-company simulator: schema conformance, internal consistency, behaviour, shocks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.data.simulator import (
    Company,
    Shock,
    SimConfig,
    generate_company,
    write_company,
    write_truth,
)
from tools.domain.policy import load_policy
from tools.domain.schemas import TABLES, Kind
from tools.domain.terms import parse_terms

SMALL = {
    "seed": 3,
    "start": date(2025, 1, 1),
    "end": date(2025, 12, 31),
    "n_customers": 40,
    "n_suppliers": 24,
    "n_skus": 8,
}
SHOCK_DAY = date(2025, 7, 1)

# References the schema does not declare but the data must still honour.
EXTRA_REFERENCES = [
    ("ar_invoices", "entity_id", "entities", "entity_id"),
    ("ar_invoices", "sales_order_id", "sales_orders", "so_id"),
    ("ar_receipts", "customer_id", "customers", "customer_id"),
    ("ap_bills", "entity_id", "entities", "entity_id"),
    ("ap_bills", "purchase_order_id", "purchase_orders", "po_id"),
    ("purchase_orders", "sku", "inventory_items", "sku"),
    ("purchase_orders", "entity_id", "entities", "entity_id"),
    ("sales_orders", "sku", "inventory_items", "sku"),
    ("sales_orders", "entity_id", "entities", "entity_id"),
    ("inventory_items", "supplier_id", "suppliers", "supplier_id"),
]


@pytest.fixture(scope="module")
def company() -> Company:
    return generate_company(SimConfig())


@pytest.fixture(scope="module")
def small() -> Company:
    return generate_company(SimConfig(**SMALL))


def _cents(values: pd.Series) -> pd.Series:
    return (values * 100).round().astype("int64")


def _shocked(**shock: object) -> Company:
    return generate_company(SimConfig(**SMALL, shocks=(Shock(start=SHOCK_DAY, **shock),)))


# --- determinism -------------------------------------------------------------------------


def test_same_seed_gives_identical_company(small: Company) -> None:
    again = generate_company(SimConfig(**SMALL))
    for name, frame in small.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)
    assert again.truth == small.truth
    assert again.policy == small.policy


def test_different_seed_gives_different_company(small: Company) -> None:
    other = generate_company(SimConfig(**{**SMALL, "seed": 4}))
    for name in ("ar_invoices", "bank_transactions", "customers", "fx_rates"):
        assert not small.tables[name].equals(other.tables[name]), name


# --- schema conformance --------------------------------------------------------------------


def test_emits_every_canonical_table(company: Company) -> None:
    assert list(company.tables) == list(TABLES)


@pytest.mark.parametrize("name", list(TABLES))
def test_columns_kinds_and_enums_follow_schema(company: Company, name: str) -> None:
    table, frame = TABLES[name], company.tables[name]
    assert len(frame), name
    assert set(frame.columns) <= set(table.names), set(frame.columns) - set(table.names)
    for col in table.columns:
        if col.required and col.default is None:
            assert col.name in frame.columns, f"{name}.{col.name} is required"
        if col.name not in frame.columns:
            continue
        values = frame[col.name]
        if not col.nullable:
            assert values.notna().all(), f"{name}.{col.name} has blanks"
        present = values.dropna()
        if col.kind == Kind.DATE:
            assert pd.api.types.is_datetime64_any_dtype(values), f"{name}.{col.name}"
        elif col.kind == Kind.ENUM:
            assert set(present) <= set(col.allowed), f"{name}.{col.name}"
        elif col.kind == Kind.CURRENCY:
            assert present.isin(["USD", "EUR"]).all(), f"{name}.{col.name}"
        elif col.kind == Kind.BOOL:
            assert present.isin([True, False]).all(), f"{name}.{col.name}"
        elif col.kind in (Kind.AMOUNT, Kind.NUMBER, Kind.INTEGER):
            assert pd.api.types.is_numeric_dtype(present), f"{name}.{col.name}"
            if col.kind == Kind.AMOUNT:
                assert np.allclose(present, present.round(2)), f"{name}.{col.name} not cents"
            if col.kind == Kind.INTEGER:
                assert (present == present.round()).all(), f"{name}.{col.name}"
            if col.min is not None:
                low = present > col.min if col.min_exclusive else present >= col.min
                assert low.all(), f"{name}.{col.name} below {col.min}"
            if col.max is not None:
                assert (present <= col.max).all(), f"{name}.{col.name} above {col.max}"


def test_fills_most_optional_columns(company: Company) -> None:
    for name, table in TABLES.items():
        optional = [c.name for c in table.columns if not c.required]
        present = [c for c in optional if c in company.tables[name].columns]
        assert len(present) >= len(optional) * 0.75, (name, set(optional) - set(present))


@pytest.mark.parametrize("name", list(TABLES))
def test_keys_are_unique(company: Company, name: str) -> None:
    key = list(TABLES[name].key)
    assert not company.tables[name].duplicated(key).any(), name


def test_references_resolve(company: Company) -> None:
    tables = company.tables
    declared = [
        (name, col, target, TABLES[target].key[0])
        for name, table in TABLES.items()
        for col, target in table.references.items()
    ]
    for name, col, target, key in declared + EXTRA_REFERENCES:
        values = tables[name][col].dropna()
        missing = set(values) - set(tables[target][key])
        assert not missing, f"{name}.{col} -> {target}: {sorted(missing)[:5]}"


@pytest.mark.parametrize("name", [n for n, t in TABLES.items() if t.checks])
def test_row_checks_hold(company: Company, name: str) -> None:
    frame = company.tables[name]
    for check in TABLES[name].checks:
        left, right = frame[check.left], frame[check.right]
        ok = left >= right if check.op == ">=" else left > right
        assert (ok | right.isna()).all(), f"{name}: {check.message}"


def test_supplier_terms_parse_and_skus_have_suppliers(company: Company) -> None:
    suppliers = company.tables["suppliers"]
    terms = [parse_terms(t) for t in suppliers["payment_terms"]]
    assert any(t.discount_pct for t in terms)
    assert suppliers["critical"].any() and not suppliers["critical"].all()
    assert suppliers["bank_account"].str.len().gt(10).all()


# --- internal consistency ----------------------------------------------------------------


def test_receipts_and_credit_notes_reconcile_to_invoices(company: Company) -> None:
    ar, receipts = company.tables["ar_invoices"], company.tables["ar_receipts"]
    invoices = ar[ar["doc_type"] == "invoice"].set_index("invoice_id")
    notes = ar[ar["doc_type"] == "credit_note"]
    paid = receipts.assign(c=_cents(receipts["amount"])).groupby("invoice_id")["c"].sum()
    # a credit note settles the invoice of the same sales order
    by_order = notes.assign(c=_cents(notes["amount"])).groupby("sales_order_id")["c"].sum()
    credited = invoices["sales_order_id"].map(by_order).fillna(0).astype("int64")
    settled = paid.reindex(invoices.index, fill_value=0) + credited
    expected = _cents(invoices["amount"]) - _cents(invoices["open_amount"])
    pd.testing.assert_series_equal(settled, expected, check_names=False)
    assert notes["sales_order_id"].isin(invoices["sales_order_id"]).all()


def test_open_items_at_end(company: Company) -> None:
    end = pd.Timestamp(company.config.end)
    ar, ap = company.tables["ar_invoices"], company.tables["ap_bills"]
    assert ((ar["open_amount"] > 0) == ar["settled_date"].isna()).all()
    assert (ar["settled_date"].dropna() <= end).all()
    assert ((ap["open_amount"] > 0) == ap["paid_date"].isna()).all()
    assert (ap["paid_date"].dropna() <= end).all()
    pos = company.tables["purchase_orders"]
    assert (pos.loc[pos["expected_date"] > end, "status"] == "open").all()
    orders = company.tables["sales_orders"]
    assert (orders["ship_date"].isna() == (orders["status"] != "invoiced")).all()


def test_bank_balances_reconcile_to_transactions(company: Company) -> None:
    txns, balances = company.tables["bank_transactions"], company.tables["bank_balances"]
    for account, lines in txns.groupby("account_id"):
        bal = balances[balances["account_id"] == account].pivot(
            index="date", columns="balance_type", values="amount"
        )
        daily = _cents(lines["amount"]).groupby(lines["booking_date"]).sum()
        moves = daily.reindex(bal.index, fill_value=0)
        closing = _cents(bal["opening"]).iloc[0] + moves.cumsum()
        pd.testing.assert_series_equal(closing, _cents(bal["closing"]), check_names=False)
        assert (
            _cents(bal["opening"]).iloc[1:].to_numpy()
            == _cents(bal["closing"]).iloc[:-1].to_numpy()
        ).all()
        assert set(daily.index) <= set(bal.index), f"{account}: lines on days without balance"
    assert (txns["booking_date"].dt.dayofweek < 5).all()
    currency = company.tables["bank_accounts"].set_index("account_id")["currency"]
    assert (txns["currency"] == txns["account_id"].map(currency)).all()


def test_every_receipt_and_payment_is_a_bank_line(company: Company) -> None:
    txns = company.tables["bank_transactions"]
    names = company.tables["customers"].set_index("customer_id")["name"]
    receipts = company.tables["ar_receipts"]
    lines = txns[txns["category"] == "customer_receipt"]
    got = lines.groupby(["reference", "booking_date", "counterparty"])["amount"].sum().round(2)
    want = (
        receipts.assign(counterparty=receipts["customer_id"].map(names))
        .groupby(["invoice_id", "payment_date", "counterparty"])["amount"]
        .sum()
        .round(2)
    )
    assert got.to_dict() == want.to_dict()
    # on the account of the invoice's entity and currency (DE01's dollars: the USD account)
    invoices = company.tables["ar_invoices"].set_index("invoice_id")
    accounts = company.tables["bank_accounts"].set_index("account_id")
    assert (lines["currency"] == lines["reference"].map(invoices["currency"])).all()
    entity = lines["account_id"].map(accounts["entity_id"])
    assert (entity == lines["reference"].map(invoices["entity_id"])).all()
    assert lines["account_id"].map(accounts["purpose"]).eq("collection").any()
    bills = company.tables["ap_bills"]
    paid = bills[bills["paid_date"].notna()].set_index("bill_id")
    out = txns[txns["category"] == "supplier_payment"].set_index("reference")
    assert set(out.index) == set(paid.index)
    assert (out["booking_date"] == paid.loc[out.index, "paid_date"]).all()
    discount = paid.loc[out.index, "amount"] + out["amount"]  # paid amount is negative
    assert (discount.round(2) >= 0).all()
    assert (discount > 0).sum() > 0, "some early-payment discounts are taken"


def test_balances_are_realistic(company: Company) -> None:
    balances = company.tables["bank_balances"]
    closing = balances[balances["balance_type"] == "closing"]
    assert (closing["amount"] > 0).mean() > 0.99
    floors = company.policy.minimum_cash.accounts
    for account, floor in floors.items():
        amounts = closing.loc[closing["account_id"] == account, "amount"]
        assert (amounts >= floor).mean() > 0.9, account
        assert amounts.max() < 40 * floor, account
    facilities = company.tables["credit_facilities"]
    assert (facilities["drawn"] <= facilities["limit"]).all()
    assert company.truth["treasury"]["draws"] > 0


def test_market_data_is_on_business_days_and_mostly_upward(company: Company) -> None:
    fx, rates = company.tables["fx_rates"], company.tables["interest_rates"]
    assert (fx["date"].dt.dayofweek < 5).all() and (rates["date"].dt.dayofweek < 5).all()
    assert fx["rate"].between(0.8, 1.5).all()
    curve = rates.pivot_table(index=["date", "currency"], columns="tenor", values="rate")
    assert (curve["12M"] > curve["ON"]).mean() > 0.8
    assert len(curve) == 2 * len(fx)


# --- behaviour -----------------------------------------------------------------------------


def test_archetypes_show_in_days_late(company: Company) -> None:
    archetype = {c["customer_id"]: c["archetype"] for c in company.truth["customers"]}
    ar = company.tables["ar_invoices"]
    settled = ar[(ar["doc_type"] == "invoice") & ar["settled_date"].notna()]
    late = (settled["settled_date"] - settled["due_date"]).dt.days
    by = late.groupby(settled["customer_id"].map(archetype)).mean()
    assert by["chronic_late"] > by["on_time"] + 10
    assert by["disputing"] > by["on_time"] + 10
    assert by["seasonal"] > by["on_time"]
    deteriorating = settled["customer_id"].map(archetype) == "deteriorating"
    first_year = settled["due_date"] < pd.Timestamp(company.config.start) + pd.Timedelta(days=365)
    assert late[deteriorating & ~first_year].mean() > late[deteriorating & first_year].mean() + 5
    disputing = ar["customer_id"].map(archetype) == "disputing"
    share = ar.loc[disputing & (ar["doc_type"] == "invoice"), "disputed"].mean()
    assert 0.15 < share < 0.35
    summary = company.truth["archetypes"]
    assert summary["chronic_late"]["mean_days_late"] > summary["on_time"]["mean_days_late"]


def test_revenue_is_concentrated_in_few_customers(company: Company) -> None:
    ar = company.tables["ar_invoices"]
    revenue = ar[ar["currency"] == "USD"].groupby("customer_id")["amount"].sum()
    top = revenue.sort_values(ascending=False)
    assert top.iloc[: len(top) // 10].sum() / top.sum() > 0.35


def test_volumes_are_mid_size(company: Company) -> None:
    tables = company.tables
    assert len(tables["ar_invoices"]) > 10_000
    assert len(tables["ap_bills"]) > 3_000
    assert len(tables["bank_transactions"]) > 20_000
    assert tables["bank_transactions"]["category"].nunique() >= 8
    demand = tables["inventory_demand"]
    assert demand["date"].nunique() == (company.config.end - company.config.start).days + 1


def test_truth_is_json(company: Company) -> None:
    text = json.dumps(company.truth)
    assert json.loads(text)["seed"] == 7
    assert len(company.truth["customers"]) == len(company.tables["customers"])


@settings(max_examples=5, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_consistency_holds_for_any_seed(seed: int) -> None:
    company = generate_company(SimConfig(**{**SMALL, "seed": seed}))
    test_references_resolve(company)
    test_receipts_and_credit_notes_reconcile_to_invoices(company)
    test_open_items_at_end(company)
    test_bank_balances_reconcile_to_transactions(company)
    test_every_receipt_and_payment_is_a_bank_line(company)


# --- shocks --------------------------------------------------------------------------------


def test_customer_default_stops_receipts(small: Company) -> None:
    shocked = _shocked(kind="customer_default")
    (truth,) = shocked.truth["shocks"]
    cid = truth["customer_id"]
    receipts = shocked.tables["ar_receipts"]
    mine = receipts[receipts["customer_id"] == cid]
    assert not (mine["payment_date"] >= pd.Timestamp(SHOCK_DAY)).any()
    base = small.tables["ar_receipts"]
    assert (base.loc[base["customer_id"] == cid, "payment_date"] >= pd.Timestamp(SHOCK_DAY)).any()

    def open_amount(c: Company) -> float:
        ar = c.tables["ar_invoices"]
        return float(ar.loc[ar["customer_id"] == cid, "open_amount"].sum())

    assert open_amount(shocked) > 3 * open_amount(small)
    assert truth["receipts_withheld"] > 0 and truth["open_at_end"] == pytest.approx(
        open_amount(shocked)
    )
    assert truth["orders_cancelled"] > 0


def test_customer_default_by_id_and_unknown_id() -> None:
    shocked = _shocked(kind="customer_default", customer_id="C10003")
    assert shocked.truth["shocks"][0]["customer_id"] == "C10003"
    with pytest.raises(ValueError, match="unknown customer_id"):
        _shocked(kind="customer_default", customer_id="NOPE")


def test_supplier_prepayment_pays_before_delivery(small: Company) -> None:
    shocked = _shocked(kind="supplier_prepayment")
    sid = shocked.truth["shocks"][0]["supplier_id"]

    def goods_bills(c: Company) -> pd.DataFrame:
        bills = c.tables["ap_bills"]
        pos = c.tables["purchase_orders"].set_index("po_id")
        own = bills[(bills["supplier_id"] == sid) & bills["purchase_order_id"].notna()]
        return own.join(pos[["order_date", "expected_date"]], on="purchase_order_id")

    after = goods_bills(shocked)
    after = after[after["order_date"] >= pd.Timestamp(SHOCK_DAY)]
    assert len(after) > 0
    assert (after["paid_date"] < after["expected_date"]).all()
    assert (after["due_date"] == after["issue_date"]).all()
    base = goods_bills(small).dropna(subset=["paid_date"])
    assert len(base) > 0 and (base["paid_date"] >= base["expected_date"]).all()
    terms = shocked.tables["suppliers"].set_index("supplier_id").loc[sid, "payment_terms"]
    assert parse_terms(terms).net_days == 0


def test_sales_drop_cuts_demand_in_its_window(small: Company) -> None:
    shocked = _shocked(kind="sales_drop", pct=50, days=60)
    window = pd.Timestamp(SHOCK_DAY), pd.Timestamp(SHOCK_DAY) + pd.Timedelta(days=59)

    def units(c: Company, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
        d = c.tables["inventory_demand"]
        return float(d.loc[d["date"].between(lo, hi), "quantity"].sum())

    assert units(shocked, *window) < 0.65 * units(small, *window)
    before = pd.Timestamp(SMALL["start"]), pd.Timestamp(SHOCK_DAY) - pd.Timedelta(days=1)
    assert units(shocked, *before) == units(small, *before)
    assert shocked.truth["shocks"][0]["orders_removed"] > 0


def test_fx_move_steps_eurusd(small: Company) -> None:
    shocked = _shocked(kind="fx_move", pct=-10)
    cut = pd.Timestamp(SHOCK_DAY)
    base, moved = small.tables["fx_rates"], shocked.tables["fx_rates"]
    assert base[base["date"] < cut]["rate"].equals(moved[moved["date"] < cut]["rate"])
    ratio = moved.loc[moved["date"] >= cut, "rate"] / base.loc[base["date"] >= cut, "rate"]
    assert ratio.to_numpy() == pytest.approx(0.9, abs=1e-4)
    truth = shocked.truth["shocks"][0]
    assert truth["rate_after"] < truth["rate_before"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # options that belong to another shock kind
        ({"kind": "sales_drop", "customer_id": "C10001"}, "does not take"),
        # a drop of more than everything
        ({"kind": "sales_drop", "pct": 150}, "pct"),
        # a zero FX move is no shock
        ({"kind": "fx_move", "pct": 0}, "pct"),
    ],
)
def test_shock_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Shock(start=SHOCK_DAY, **kwargs)


def test_shock_outside_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="outside"):
        SimConfig(**SMALL, shocks=(Shock(kind="fx_move", start=date(2030, 1, 1)),))


# --- files ---------------------------------------------------------------------------------


def _parse(text: pd.Series, kind: Kind) -> pd.Series:
    blank = text == ""
    if kind == Kind.DATE:
        return pd.to_datetime(text.where(~blank), format="%Y-%m-%d")
    if kind in (Kind.AMOUNT, Kind.NUMBER, Kind.INTEGER):
        return pd.to_numeric(text.where(~blank))
    if kind == Kind.BOOL:
        return text.map({"true": True, "false": False})
    return text.where(~blank, None)


def test_written_files_round_trip(small: Company, tmp_path: Path) -> None:
    paths = write_company(small, tmp_path / "import")
    assert [p.name for p in paths] == [f"{n}.csv" for n in TABLES] + ["policy.yaml"]
    for name, table in TABLES.items():
        raw = pd.read_csv(
            tmp_path / "import" / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8"
        )
        frame = small.tables[name]
        assert list(raw.columns) == list(frame.columns), name
        for col in frame.columns:
            kind = table.column(col).kind
            back, orig = _parse(raw[col], kind), frame[col]
            if kind in (Kind.AMOUNT, Kind.NUMBER, Kind.INTEGER):
                assert np.allclose(back, orig, equal_nan=True, atol=0.005), f"{name}.{col}"
            elif kind == Kind.DATE:
                assert back.equals(orig.astype(back.dtype)), f"{name}.{col}"
            else:
                assert back.tolist() == [None if pd.isna(v) else v for v in orig], f"{name}.{col}"
    assert load_policy(paths[-1]) == small.policy
    truth = write_truth(small, tmp_path / "truth" / "truth.json")
    assert json.loads(truth.read_text(encoding="utf-8")) == small.truth
