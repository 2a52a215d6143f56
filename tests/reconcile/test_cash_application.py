"""Cash application: each kind of evidence, tolerances, and what is left for a person."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tools.reconcile import reconcile
from tools.reconcile.names import NameIndex, normalise_name

D = pd.Timestamp


def invoices(*rows: tuple[str, str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "invoice_id": i,
                "customer_id": c,
                "open_amount": a,
                "currency": ccy,
                "due_date": D("2024-03-01") + pd.Timedelta(days=n),
            }
            for n, (i, c, a, ccy) in enumerate(rows)
        ]
    )


def bills(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "bill_id": b,
                "supplier_id": s,
                "open_amount": a,
                "currency": "USD",
                "due_date": D("2024-03-01"),
                "discount_pct": pct,
            }
            for b, s, a, pct in rows
        ]
    )


CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3"],
        "name": ["Acme Tools, Inc.", "Blue River GmbH", "Acme Tooling Ltd"],
    }
)
SUPPLIERS = pd.DataFrame({"supplier_id": ["S1"], "name": ["Steel Works LLC"]})


def line(
    txn: str,
    amount: float,
    *,
    ref: str | None = None,
    text: str | None = None,
    who: str | None = None,
    ccy: str = "USD",
) -> dict[str, object]:
    return {
        "txn_id": txn,
        "booking_date": D("2024-03-05"),
        "amount": amount,
        "currency": ccy,
        "reference": ref,
        "description": text,
        "counterparty": who,
    }


def run(
    lines: list[dict[str, object]], ar: pd.DataFrame, ap: pd.DataFrame | None = None, **kw: Any
):
    ap = ap if ap is not None else bills()
    return reconcile(pd.DataFrame(lines), ar, ap, customers=CUSTOMERS, suppliers=SUPPLIERS, **kw)


AR = invoices(
    ("INV-1", "C1", 100.0, "USD"), ("INV-2", "C1", 250.0, "USD"), ("INV-3", "C2", 80.0, "USD")
)


@pytest.mark.parametrize(
    ("bank_line", "documents", "method"),
    [
        # exact reference and amount
        (line("T1", 100.0, ref="INV-1"), ("INV-1",), "reference"),
        # reference re-spaced inside remittance text
        (line("T1", 100.0, text="payment inv 1 thanks"), ("INV-1",), "reference"),
        # one transfer for two invoices
        (line("T1", 350.0, text="INV-1 INV-2"), ("INV-1", "INV-2"), "reference_multi"),
        # a bank fee deducted from a referenced payment
        (line("T1", 85.0, ref="INV-1"), ("INV-1",), "reference"),
        # a partial payment of a referenced invoice
        (line("T1", 40.0, ref="INV-2"), ("INV-2",), "reference_partial"),
        # no reference: the name and the exact amount of one open item
        (line("T1", 250.0, who="ACME TOOLS"), ("INV-2",), "amount_counterparty"),
        # no reference: the amount of two open items together
        (line("T1", 350.0, who="Acme Tools Inc"), ("INV-1", "INV-2"), "amount_counterparty_multi"),
    ],
)
def test_evidence(bank_line, documents, method) -> None:
    result = run([bank_line], AR)
    assert [(m.documents, m.method) for m in result.matches] == [(documents, method)]
    assert result.exceptions == ()


def test_applied_amounts_and_difference() -> None:
    result = run([line("T1", 85.0, ref="INV-1")], AR)
    match = result.matches[0]
    assert match.applied == (100.0,)
    assert match.difference == -15.0  # the fee


def test_an_item_is_not_paid_twice() -> None:
    result = run([line("T1", 100.0, ref="INV-1"), line("T2", 100.0, ref="INV-1")], AR)
    assert [m.txn_id for m in result.matches] == ["T1"]
    assert result.exceptions[0].txn_id == "T2"
    assert "duplicate payment" in result.exceptions[0].reason


def test_lines_for_documents_the_ledger_shows_paid_are_set_aside() -> None:
    ar = pd.concat([AR, invoices(("INV-OLD", "C1", 0.0, "USD")).assign(amount=50.0)])
    result = run([line("T1", 50.0, ref="INV-OLD")], ar.assign(amount=ar["amount"].fillna(1)))
    assert result.already_applied == ("T1",)
    assert result.matches == result.exceptions == ()


@pytest.mark.parametrize(
    ("bank_line", "reason"),
    [
        # nobody we know, no document number
        (line("T1", 100.0, who="Stranger Things Co"), "counterparty is not known"),
        # known customer with several open items, amount fits none of them
        (line("T1", 77.0, who="Acme Tools"), "amount matches no open item"),
    ],
)
def test_exceptions_say_why(bank_line, reason) -> None:
    result = run([bank_line], AR)
    assert result.matches == ()
    assert reason in result.exceptions[0].reason


def test_part_payment_of_the_only_open_item() -> None:
    result = run([line("T1", 30.0, who="Blue River")], AR)
    assert (result.matches[0].documents, result.matches[0].applied) == (("INV-3",), (30.0,))


def test_supplier_payment_with_cash_discount_settles_the_bill() -> None:
    ap = bills(("B-1", "S1", 1000.0, 2.0))
    result = run([line("T1", -980.0, who="STEEL WORKS")], AR, ap)
    match = result.matches[0]
    assert (match.side, match.documents, match.applied) == ("ap", ("B-1",), (1000.0,))
    assert match.difference == -20.0


def test_foreign_currency_payment_within_fx_tolerance() -> None:
    ar = invoices(("INV-9", "C2", 1000.0, "EUR"))
    fx = pd.DataFrame(
        {"date": [D("2024-03-04")], "base": ["EUR"], "quote": ["USD"], "rate": [1.10]}
    )
    result = run([line("T1", 1105.0, ref="INV-9", ccy="USD")], ar, fx_rates=fx)
    assert result.matches[0].documents == ("INV-9",)


def test_names() -> None:
    assert normalise_name("ACME Tools, Inc.") == "acme tools"
    index = NameIndex({"C1": "Acme Tools, Inc.", "C2": "Acme Tools LLC", "C3": "Zeta AG"})
    assert index.candidates("ACME TOOLS")[0] == {"C1", "C2"}  # same name twice in the master
    assert index.candidates("Zeta")[0] == {"C3"}
    assert index.candidates("Omega")[0] == set()


# Long document numbers, as ERPs issue them, for the typo and combination cases.
LONG = invoices(
    ("INV-US01-004711", "C1", 1234.56, "USD"),
    ("INV-US01-004712", "C1", 800.00, "USD"),
    ("INV-US01-004713", "C1", 800.00, "USD"),
    ("INV-US01-004714", "C2", 310.45, "USD"),
    ("INV-US01-004715", "C2", 150.00, "USD"),
    ("INV-US01-004716", "C2", 160.45, "USD"),
    ("INV-US01-004717", "C2", 320.90, "USD"),
)


@pytest.mark.parametrize(
    ("bank_line", "documents", "method"),
    [
        # two digits swapped in the number; the amount confirms it
        (line("T1", 1234.56, ref="INV-US01-007411"), ("INV-US01-004711",), "reference_fuzzy"),
        # a digit dropped, the payer's name confirms it
        (
            line("T1", 1234.56, text="inv us01 04711", who="Acme Tools"),
            ("INV-US01-004711",),
            "reference_fuzzy",
        ),
        # one invoice named, the rest of the transfer equals another open item of the payer
        (
            line("T1", 2034.56, ref="INV-US01-004711", who="Acme Tools"),
            ("INV-US01-004711", "INV-US01-004712"),
            "reference_and_amount",
        ),
        # two open items of the same amount: the older one, as cash application does
        (line("T1", 800.0, who="ACME TOOLS"), ("INV-US01-004712",), "amount_counterparty"),
        # equal amounts again, now in a combination: the oldest pair of that shape
        (
            line("T1", 2034.56, who="Acme Tools"),
            ("INV-US01-004711", "INV-US01-004712"),
            "amount_counterparty_multi",
        ),
        # an amount only one open item of the whole ledger has, payer unknown, due soon
        (line("T1", 1234.56, who="Acme Holding plc"), ("INV-US01-004711",), "amount_unique"),
    ],
)
def test_more_evidence(bank_line, documents, method) -> None:
    result = run([bank_line], LONG)
    assert [(m.documents, m.method) for m in result.matches] == [(documents, method)]
    assert result.matches[0].reason  # every match says why


@pytest.mark.parametrize(
    ("bank_line", "reason"),
    [
        # 310.45 + 160.45 or 150.00 + 320.90: two readings with different amounts
        (line("T1", 470.90, who="Blue River"), "several combinations"),
        # a typo that points to a document the amount does not settle
        (line("T1", 99.0, ref="INV-US01-007411"), "one typo away"),
        # a round amount from an unknown payer proves nothing
        (line("T1", 800.0, who="Somebody Else"), "counterparty is not known"),
    ],
)
def test_ambiguous_lines_are_not_guessed(bank_line, reason) -> None:
    result = run([bank_line], LONG)
    assert result.matches == ()
    assert reason in result.exceptions[0].reason


def test_a_round_amount_from_an_unknown_payer_is_only_a_suggestion() -> None:
    ar = invoices(("INV-US01-004799", "C1", 5000.0, "USD"))
    result = run([line("T1", 5000.0, who="Somebody Else")], ar)
    assert result.exceptions[0].suggestion is not None
    assert result.exceptions[0].suggestion.documents == ("INV-US01-004799",)


def test_a_parent_company_pays_under_its_own_name() -> None:
    lines = [line("T1", 800.0, who="Acme Holding plc")]
    result = run(lines, LONG, payer_names={"Acme Holding plc": "C1"})
    assert result.matches[0].documents == ("INV-US01-004712",)
    assert result.matches[0].method == "amount_counterparty"


def test_a_payer_name_seen_with_a_reference_is_remembered() -> None:
    first = line("T1", 1234.56, ref="INV-US01-004711", who="ACME EUROPE BRANCH")
    later = line("T2", 800.0, who="Acme Europe Branch") | {"booking_date": D("2024-03-06")}
    result = run([first, later], LONG)
    assert [m.documents for m in result.matches] == [("INV-US01-004711",), ("INV-US01-004712",)]


def test_documents_issued_after_the_payment_are_not_candidates() -> None:
    ar = LONG.assign(issue_date=D("2024-02-01"))
    ar.loc[ar["invoice_id"] == "INV-US01-004712", "issue_date"] = D("2024-04-01")
    result = run([line("T1", 800.0, who="Acme Tools")], ar)
    assert result.matches[0].documents == ("INV-US01-004713",)
    assert "only open item of that amount" in result.matches[0].reason
