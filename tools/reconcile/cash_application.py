"""Cash application: match bank lines to open receivables and payables.

Evidence, strongest first: document numbers in the reference or remittance text (one or
several invoices, full or partial payment), then the counterparty's name plus an amount
that equals one open item or a combination of a few. Bank fees and FX differences are
tolerated within set limits. Every match carries a confidence; what falls short of the
threshold goes to the exceptions list with the reason, never silently applied.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.errors import DataError
from tools.kpi.fx import fx_to_reporting
from tools.reconcile.names import NameIndex

__all__ = ["Match", "Reconciliation", "Unmatched", "reconcile"]

Method = Literal["reference", "reference_multi", "reference_partial", "amount_counterparty",
                 "amount_counterparty_multi"]  # fmt: skip


Converter = Callable[[str], float]  # target currency -> units of it per unit of the line's


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Match(_Frozen):
    txn_id: str
    side: Literal["ar", "ap"]
    party_id: str | None
    documents: tuple[str, ...]
    applied: tuple[float, ...] = Field(description="Amount applied to each document")
    difference: float = Field(description="Line amount minus amounts applied (fees, FX)")
    method: Method
    confidence: float


class Unmatched(_Frozen):
    txn_id: str
    amount: float
    currency: str
    counterparty: str | None
    reason: str
    suggestion: Match | None = None


class Reconciliation(_Frozen):
    matches: tuple[Match, ...]
    exceptions: tuple[Unmatched, ...]
    parameters: dict[str, float]
    already_applied: tuple[str, ...] = Field(
        default=(), description="Lines naming only documents the ledger shows as settled"
    )
    lines: int


class _Doc:
    __slots__ = ("currency", "discount", "doc_id", "due", "party", "remaining", "side")

    def __init__(
        self,
        doc_id: str,
        side: str,
        party: str,
        currency: str,
        remaining: float,
        due: pd.Timestamp,
        discount: float,
    ) -> None:
        self.doc_id, self.side, self.party, self.currency = doc_id, side, party, currency
        self.remaining, self.due, self.discount = remaining, due, discount

    def settles(self, paid: float, tolerance: float) -> bool:
        """Whether ``paid`` settles the item in full, with or without its cash discount."""
        if abs(self.remaining - paid) <= tolerance:
            return True
        return self.discount > 0 and abs(self.remaining * (1 - self.discount / 100) - paid) <= max(
            tolerance, 0.01
        )


def reconcile(
    lines: pd.DataFrame,
    ar_invoices: pd.DataFrame,
    ap_bills: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
    suppliers: pd.DataFrame | None = None,
    fx_rates: pd.DataFrame | None = None,
    fee_tolerance: float = 35.0,
    fx_tolerance_pct: float = 1.0,
    min_confidence: float = 0.8,
    max_combination: int = 4,
) -> Reconciliation:
    """Match bank lines (canonical ``bank_transactions`` rows) to open AR/AP documents.

    Args:
        lines: bank lines to apply; receipts (> 0) go to AR, payments (< 0) to AP.
        ar_invoices, ap_bills: documents with their current ``open_amount``.
        customers, suppliers: master data whose names identify counterparties.
        fx_rates: canonical FX fixings, for lines in another currency than the document.
        fee_tolerance: largest shortfall accepted as a bank fee on a referenced payment.
        fx_tolerance_pct: largest difference, in percent, after converting currencies.
        min_confidence: matches below it are reported as exceptions with a suggestion.
        max_combination: most open items one payment may settle without a reference.

    Returns:
        Matches in booking order and the lines left for a person, each with a reason.
    """
    docs = _docs(ar_invoices, "ar", "invoice_id", "customer_id") + _docs(
        ap_bills, "ap", "bill_id", "supplier_id"
    )
    by_norm = {_norm(d.doc_id): d for d in docs}
    names = {
        "ar": NameIndex(_names(customers, "customer_id")),
        "ap": NameIndex(_names(suppliers, "supplier_id")),
    }
    params = {
        "fee_tolerance": fee_tolerance,
        "fx_tolerance_pct": fx_tolerance_pct,
        "min_confidence": min_confidence,
        "max_combination": float(max_combination),
    }
    matches: list[Match] = []
    exceptions: list[Unmatched] = []
    already: list[str] = []
    paid_by: dict[str, str] = {}  # document -> the line of this run that settled it
    ordered = lines.sort_values(["booking_date", "txn_id"], kind="stable")
    line: Any
    for line in ordered.itertuples(index=False):
        amount = float(line.amount)
        if abs(amount) < 0.005:
            continue
        side = "ar" if amount > 0 else "ap"
        rate = _rate_fn(fx_rates, line.currency, pd.Timestamp(line.booking_date))
        found, settled = _by_reference(line, side, by_norm)
        result: Match | str
        if not found and settled:
            earlier = [paid_by[d.doc_id] for d in settled if d.doc_id in paid_by]
            if not earlier:
                already.append(str(line.txn_id))  # the ledger already shows these paid
                continue
            exceptions.append(
                _unmatched(
                    line,
                    f"names {settled[0].doc_id}, already paid by "
                    f"line {earlier[0]}: a duplicate payment?",
                )
            )
            continue
        if found:
            result = _apply_reference(line, side, found, rate, fee_tolerance, fx_tolerance_pct)
        else:
            parties, _score = names[side].candidates(line.counterparty)
            if not parties:
                result = "no document number in the text and the counterparty is not known"
            else:
                pool = [
                    d for d in docs if d.party in parties and d.side == side and d.remaining > 0.005
                ]
                result = _apply_amount(
                    line, side, parties, pool, rate, fx_tolerance_pct, max_combination
                )
        if isinstance(result, str):
            exceptions.append(_unmatched(line, result))
        elif result.confidence < min_confidence:
            exceptions.append(
                _unmatched(line, "match below the confidence threshold", suggestion=result)
            )
        else:
            matches.append(result)
            for doc_id, applied in zip(result.documents, result.applied, strict=True):
                by_norm[_norm(doc_id)].remaining -= applied
                paid_by[doc_id] = result.txn_id
    return Reconciliation(
        matches=tuple(matches),
        exceptions=tuple(exceptions),
        already_applied=tuple(already),
        parameters=params,
        lines=len(ordered),
    )


def _docs(frame: pd.DataFrame, side: str, key: str, party: str) -> list[_Doc]:
    """Every document; settled ones (nothing open) still identify lines already applied."""
    if frame is None or frame.empty:
        return []
    live = frame.loc[frame["amount"] > 0] if "amount" in frame else frame
    discount = live["discount_pct"].fillna(0.0) if "discount_pct" in live else 0.0
    live = live.assign(_discount=discount)
    cols = [key, party, "currency", "open_amount", "due_date", "_discount"]
    return [
        _Doc(str(r[0]), side, str(r[1]), str(r[2]), float(r[3]), r[4], float(r[5]))
        for r in live[cols].itertuples(index=False)
    ]


def _names(frame: pd.DataFrame | None, key: str) -> dict[str, str]:
    if frame is None or frame.empty:
        return {}
    named = frame.loc[frame["name"].notna()]
    return dict(zip(named[key].astype(str), named["name"].astype(str), strict=True))


def _norm(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(text).upper())


def _by_reference(line: Any, side: str, by_norm: dict[str, _Doc]) -> tuple[list[_Doc], list[_Doc]]:
    """Open and settled documents whose number appears in the reference or remittance."""
    text = " ".join(
        str(v)
        for v in (getattr(line, "reference", None), getattr(line, "description", None))
        if _present(v)
    )
    words = re.findall(r"[0-9A-Za-z]+", text)
    found: dict[str, _Doc] = {}
    for size in range(1, 5):  # "INV US01 000123" and "INV-US01-000123" alike
        for i in range(len(words) - size + 1):
            doc = by_norm.get(_norm("".join(words[i : i + size])))
            if doc is not None and doc.side == side:
                found[doc.doc_id] = doc
    ordered = sorted(found.values(), key=lambda d: (d.due, d.doc_id))
    return [d for d in ordered if d.remaining > 0.005], [d for d in ordered if d.remaining <= 0.005]


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _apply_reference(
    line: Any, side: str, docs: list[_Doc], rate: Converter, fee: float, fx_pct: float
) -> Match:
    paid = _in_doc_currency(line, docs[0].currency, rate)
    owed = sum(d.remaining for d in docs)
    tolerance = fee + (owed * fx_pct / 100 if docs[0].currency != line.currency else 0)
    party = docs[0].party if len({d.party for d in docs}) == 1 else None
    discounted = len(docs) == 1 and docs[0].settles(paid, 0.005)
    if abs(paid - owed) <= 0.005 or 0 < owed - paid <= tolerance or discounted:
        method: Method = "reference" if len(docs) == 1 else "reference_multi"
        confidence = 0.99 if abs(paid - owed) <= 0.005 else 0.95
        return _match(
            line, side, party, docs, [d.remaining for d in docs], paid, method, confidence
        )
    applied, left = [], paid
    for doc in docs:  # oldest first; a short payment leaves the newest partly open
        take = min(doc.remaining, max(left, 0.0))
        applied.append(take)
        left -= take
    confidence = 0.9 if paid < owed else 0.85  # overpaid: the rest stays unapplied
    return _match(line, side, party, docs, applied, paid, "reference_partial", confidence)


def _apply_amount(
    line: Any,
    side: str,
    parties: set[str],
    pool: list[_Doc],
    rate: Converter,
    fx_pct: float,
    max_combination: int,
) -> Match | str:
    who = ", ".join(sorted(parties))
    if not pool:
        return f"counterparty {who} has no open items"
    paid = _in_doc_currency(line, pool[0].currency, rate)
    tolerance = 0.005 if pool[0].currency == line.currency else paid * fx_pct / 100
    single = sorted(
        (d for d in pool if d.settles(paid, tolerance)), key=lambda d: (d.due, d.doc_id)
    )
    if single:
        # Several items of that amount: the oldest first, as cash application does.
        doc = single[0]
        confidence = 0.9 if len(single) == 1 else 0.8
        return _match(
            line, side, doc.party, [doc], [doc.remaining], paid, "amount_counterparty", confidence
        )
    oldest_first = sorted(pool, key=lambda d: (d.due, d.doc_id))[:12]
    for combo in _combinations(oldest_first, max_combination):
        if (
            len({d.party for d in combo}) == 1
            and abs(sum(d.remaining for d in combo) - paid) <= tolerance
        ):
            return _match(
                line,
                side,
                combo[0].party,
                list(combo),
                [d.remaining for d in combo],
                paid,
                "amount_counterparty_multi",
                0.8,
            )
    larger = [d for d in pool if d.remaining > paid]
    if len(pool) == 1 and larger:
        # The counterparty's only open item: a partial payment of it.
        return _match(line, side, larger[0].party, larger, [paid], paid, "amount_counterparty", 0.8)
    return f"amount matches no open item or combination of items of {who}"


def _combinations(docs: list[_Doc], most: int) -> Iterable[tuple[_Doc, ...]]:
    for size in range(2, most + 1):
        yield from itertools.combinations(docs, size)


def _match(
    line: Any,
    side: str,
    party: str | None,
    docs: list[_Doc],
    applied: list[float],
    paid: float,
    method: Method,
    confidence: float,
) -> Match:
    return Match(
        txn_id=str(line.txn_id),
        side=side,
        party_id=party,
        documents=tuple(d.doc_id for d in docs),
        applied=tuple(round(a, 2) for a in applied),
        difference=round(paid - sum(applied), 2),
        method=method,
        confidence=confidence,
    )


def _unmatched(line: Any, reason: str, *, suggestion: Match | None = None) -> Unmatched:
    cp = getattr(line, "counterparty", None)
    return Unmatched(
        txn_id=str(line.txn_id),
        amount=float(line.amount),
        currency=str(line.currency),
        counterparty=cp if _present(cp) else None,
        reason=reason,
        suggestion=suggestion,
    )


def _rate_fn(fx: pd.DataFrame | None, currency: str, day: pd.Timestamp) -> Converter:
    """A converter from the line's currency into a document currency on the booking date;
    NaN (so nothing matches) when there is no rate to convert with."""

    def convert(target: str) -> float:
        if target == currency:
            return 1.0
        if fx is None or fx.empty:
            return float("nan")
        try:
            return fx_to_reporting(fx, {currency}, target, day)[currency]
        except DataError:
            return float("nan")

    return convert


def _in_doc_currency(line: Any, currency: str, rate: Converter) -> float:
    return abs(float(line.amount)) * rate(currency)
