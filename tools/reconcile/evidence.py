"""Each kind of evidence a cash-application analyst weighs, as one function per kind.

Every function returns a ``Match`` (with its confidence and the evidence in words) or a
sentence saying why the line cannot be applied that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tools.errors import DataError
from tools.kpi.fx import fx_to_reporting
from tools.reconcile.combinations import distinct_amounts, find_combinations
from tools.reconcile.documents import DocumentIndex, OpenItem, line_text
from tools.reconcile.models import Match, Method

__all__ = ["Evidence", "by_amount", "by_reference", "by_typo", "by_unique_amount"]

_NEAR_DUE_DAYS = 30  # an amount alone points to an item only if it falls due about now
_TIE_MARGIN_DAYS = 14  # same-amount items: the nearest due date must stand out by this


@dataclass
class Evidence:
    """The open items of one run, how to convert currencies, and the tolerances."""

    items: list[OpenItem]
    index: DocumentIndex
    fx_rates: pd.DataFrame | None
    fee: float
    fx_pct: float
    most: int
    _by_party: dict[tuple[str, str], list[OpenItem]] = field(default_factory=dict)
    _rates: dict[tuple[str, str, pd.Timestamp], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d in self.items:
            self._by_party.setdefault((d.side, d.party), []).append(d)

    def open_items(self, side: str, day: pd.Timestamp, parties: set[str]) -> list[OpenItem]:
        """The parties' items still open and already issued on ``day``."""
        return [
            d
            for p in sorted(parties)
            for d in self._by_party.get((side, p), [])
            if d.is_open and d.known_on(day)
        ]

    def paid(self, line: Any, currency: str) -> float:
        """The line's amount in ``currency`` at the booking day's rate (NaN: no rate)."""
        amount = abs(float(line.amount))
        if currency == line.currency:
            return amount
        key = (str(line.currency), currency, pd.Timestamp(line.booking_date))
        if key not in self._rates:
            self._rates[key] = self._rate(*key)
        return amount * self._rates[key]

    def tolerance(self, line: Any, currency: str, amount: float) -> float:
        """Exact to the cent in one currency; the FX tolerance across currencies."""
        return 0.005 if currency == line.currency else amount * self.fx_pct / 100

    def _rate(self, source: str, target: str, day: pd.Timestamp) -> float:
        if self.fx_rates is None or self.fx_rates.empty:
            return float("nan")
        try:
            return fx_to_reporting(self.fx_rates, {source}, target, day)[source]
        except DataError:
            return float("nan")


def by_reference(
    line: Any, side: str, docs: list[OpenItem], ev: Evidence, parties: set[str]
) -> Match:
    """Document numbers in the text: full, fee-short, discounted, overpaid or partial."""
    paid = ev.paid(line, docs[0].currency)
    owed = sum(d.remaining for d in docs)
    fx = docs[0].currency != line.currency
    fx_tolerance = owed * ev.fx_pct / 100 if fx else 0.0
    tolerance = ev.fee + fx_tolerance
    party = docs[0].party if len({d.party for d in docs}) == 1 else None
    named = f"{_ids(docs)} named in the text"
    method: Method = "reference" if len(docs) == 1 else "reference_multi"
    full = [d.remaining for d in docs]
    if abs(paid - owed) <= 0.005:
        return _match(line, side, party, docs, full, paid, method, 0.99, f"{named}; amount equal")
    if -fx_tolerance <= owed - paid <= tolerance:
        why = "FX difference" if fx else "a bank fee"
        off = f"{owed - paid:,.2f} short" if paid < owed else f"{paid - owed:,.2f} over"
        reason = f"{named}; {off}, within the tolerance for {why}"
        return _match(line, side, party, docs, full, paid, method, 0.95, reason)
    if len(docs) == 1 and docs[0].settles(paid, 0.005):
        reason = f"{named}; paid net of its {docs[0].discount:g}% cash discount"
        return _match(line, side, party, docs, full, paid, method, 0.95, reason)
    if paid > owed and party is not None:
        rest = _rest(line, side, party, docs, paid - owed, ev)
        if rest:
            reason = (
                f"{named}; the remaining {paid - owed:,.2f} equals what is open on "
                f"{_ids(rest)} of the same payer"
            )
            applied = full + [d.remaining for d in rest]
            both = docs + rest
            return _match(
                line, side, party, both, applied, paid, "reference_and_amount", 0.9, reason
            )
    applied, left = [], paid
    for doc in docs:  # oldest first; a short payment leaves the newest partly open
        take = min(doc.remaining, max(left, 0.0))
        applied.append(take)
        left -= take
    if paid < owed:
        reason = f"{named}; a part payment of {paid:,.2f} against {owed:,.2f} open"
        return _match(line, side, party, docs, applied, paid, "reference_partial", 0.9, reason)
    reason = f"{named}; {paid - owed:,.2f} paid above what is open stays unapplied"
    return _match(line, side, party, docs, applied, paid, "reference_partial", 0.85, reason)


def by_typo(line: Any, side: str, ev: Evidence, parties: set[str]) -> Match | str:
    """A document number one typo away, confirmed by the amount and, if known, the payer.
    Returns an empty string when the text names nothing close to a document."""
    text = line_text(line)
    day = pd.Timestamp(line.booking_date)
    close = [d for d in ev.index.one_typo(text, side) if d.known_on(day)] if text else []
    if not close:
        return ""
    fits = [
        d
        for d in close
        if d.settles(
            ev.paid(line, d.currency), ev.fee + ev.tolerance(line, d.currency, d.remaining)
        )
        and (not parties or d.party in parties)
    ]
    if len(fits) != 1:
        return f"the text is one typo away from {_ids(close)}, which the amount does not settle"
    doc = fits[0]
    paid = ev.paid(line, doc.currency)
    payer = "and the payer agree" if parties else "agrees (payer not known)"
    reason = f"the text names {doc.doc_id} with one typo; the amount {payer}"
    conf = 0.9 if parties else 0.85
    return _match(
        line, side, doc.party, [doc], [doc.remaining], paid, "reference_fuzzy", conf, reason
    )


def by_amount(line: Any, side: str, parties: set[str], ev: Evidence) -> Match | str:
    """The payer's name and an amount that settles one open item or a unique combination."""
    who = ", ".join(sorted(parties))
    day = pd.Timestamp(line.booking_date)
    pool = ev.open_items(side, day, parties)
    if not pool:
        return f"counterparty {who} has no open items"
    paid = ev.paid(line, pool[0].currency)
    tolerance = ev.tolerance(line, pool[0].currency, paid)
    single = sorted(
        (d for d in pool if d.settles(paid, tolerance)), key=lambda d: (d.due, d.doc_id)
    )
    what = f"payer {who}, no document number in the text"
    if len(single) == 1:
        doc = single[0]
        reason = f"{what}; the amount settles {doc.doc_id}, its only open item of that amount"
        return _match(
            line, side, doc.party, single, [doc.remaining], paid, "amount_counterparty", 0.9, reason
        )
    if single:
        nearest = _nearest_due(single, day)
        if nearest is None:
            return f"{what}; {len(single)} open items ({_ids(single)}) have that amount"
        reason = (
            f"{what}; of {len(single)} open items of that amount, {nearest.doc_id} falls "
            "due nearest the payment date"
        )
        return _match(
            line,
            side,
            nearest.party,
            [nearest],
            [nearest.remaining],
            paid,
            "amount_counterparty",
            0.8,
            reason,
        )
    combos = [
        c
        for c in find_combinations(pool, paid, tolerance, most=ev.most)
        if len({d.party for d in c}) == 1
    ]
    if combos and distinct_amounts(combos) == 1:
        docs = list(combos[0])
        if len(combos) == 1:
            reason = f"{what}; the amount equals {_ids(docs)} together, the only combination"
            conf = 0.85 if len(docs) == 2 else 0.8
        else:  # other items of the very same amounts: the oldest, as for a single item
            reason = (
                f"{what}; the amount equals {_ids(docs)} together; other open items of the "
                "same amounts are newer"
            )
            conf = 0.8
        applied = [d.remaining for d in docs]
        return _match(
            line,
            side,
            docs[0].party,
            docs,
            applied,
            paid,
            "amount_counterparty_multi",
            conf,
            reason,
        )
    if combos:
        return f"{what}; several combinations of open items add up to the amount"
    if len(pool) == 1 and pool[0].remaining > paid:
        doc = pool[0]
        reason = f"{what}; a part payment of {doc.doc_id}, the payer's only open item"
        return _match(line, side, doc.party, pool, [paid], paid, "amount_counterparty", 0.8, reason)
    return f"amount matches no open item or combination of items of {who}"


def by_unique_amount(line: Any, side: str, ev: Evidence) -> Match | str:
    """Payer unknown (a parent company, a new name): an amount to the cent that only one
    open item of the ledger has, due within a month of the booking date."""
    day = pd.Timestamp(line.booking_date)
    fits = [
        d
        for d in ev.items
        if d.side == side
        and d.is_open
        and d.known_on(day)
        and d.currency == line.currency  # no FX tolerance without a name or a number
        and abs(d.remaining - abs(float(line.amount))) <= 0.005
    ]
    unknown = "no document number in the text and the counterparty is not known"
    if len(fits) != 1:
        return unknown if not fits else f"{unknown}; {len(fits)} open items have that amount"
    doc = fits[0]
    days = abs((doc.due - day).days)
    near = days <= _NEAR_DUE_DAYS
    reason = (
        f"{unknown}; {doc.doc_id} is the only open item of that amount, due {days} days "
        f"{'from' if near else 'away from'} the payment date"
    )
    paid = ev.paid(line, doc.currency)
    distinctive = abs(paid - round(paid)) > 0.005  # round sums recur by chance
    conf = 0.8 if near and distinctive else 0.6
    return _match(
        line, side, doc.party, [doc], [doc.remaining], paid, "amount_unique", conf, reason
    )


def _rest(
    line: Any, side: str, party: str, named: list[OpenItem], rest: float, ev: Evidence
) -> list[OpenItem]:
    """Further open items of the payer that the overpaid part settles exactly, if unique."""
    others = [
        d for d in ev.open_items(side, pd.Timestamp(line.booking_date), {party}) if d not in named
    ]
    if not others:
        return []
    tolerance = ev.tolerance(line, others[0].currency, rest)
    single = sorted(
        (d for d in others if d.settles(rest, tolerance)), key=lambda d: (d.due, d.doc_id)
    )
    if single:
        return single[:1]  # equal amounts: the oldest, as for a payment without reference
    combos = find_combinations(others, rest, tolerance, most=max(ev.most - len(named), 1))
    return list(combos[0]) if combos and distinct_amounts(combos) == 1 else []


def _nearest_due(docs: Sequence[OpenItem], day: pd.Timestamp) -> OpenItem | None:
    return min(docs, key=lambda d: (d.due, d.doc_id))


def _ids(docs: Sequence[OpenItem]) -> str:
    return ", ".join(d.doc_id for d in docs)


def _match(
    line: Any,
    side: str,
    party: str | None,
    docs: Sequence[OpenItem],
    applied: list[float],
    paid: float,
    method: Method,
    confidence: float,
    reason: str,
) -> Match:
    return Match(
        txn_id=str(line.txn_id),
        side="ar" if side == "ar" else "ap",
        party_id=party,
        documents=tuple(d.doc_id for d in docs),
        applied=tuple(round(a, 2) for a in applied),
        difference=round(paid - sum(applied), 2),
        method=method,
        confidence=confidence,
        reason=reason,
    )
