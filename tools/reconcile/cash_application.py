"""Cash application: match bank lines to open receivables and payables.

Evidence, strongest first: document numbers in the reference or remittance text (one or
several invoices, full or partial payment, an overpayment that covers further items of
the same payer), a document number with one typo confirmed by the amount or the payer,
then the payer's name plus an amount that equals one open item or a unique combination
of a few, and last an amount that only one open item in the whole ledger has, due near
the booking date. Bank fees and FX differences are tolerated within set limits. Every
match carries a confidence and the evidence in words; what falls short of the threshold
or could be read two ways goes to the exceptions list with the reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tools.reconcile.documents import (
    DocumentIndex,
    OpenItem,
    line_text,
    load_items,
    norm_ref,
    present,
)
from tools.reconcile.evidence import Evidence, by_amount, by_reference, by_typo, by_unique_amount
from tools.reconcile.models import Match, Reconciliation, Unmatched
from tools.reconcile.names import NameIndex, normalise_name

__all__ = ["Match", "Reconciliation", "Unmatched", "reconcile"]


def reconcile(
    lines: pd.DataFrame,
    ar_invoices: pd.DataFrame,
    ap_bills: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
    suppliers: pd.DataFrame | None = None,
    fx_rates: pd.DataFrame | None = None,
    payer_names: Mapping[str, str] | None = None,
    fee_tolerance: float = 35.0,
    fx_tolerance_pct: float = 1.0,
    min_confidence: float = 0.8,
    max_combination: int = 4,
) -> Reconciliation:
    """Match bank lines (canonical ``bank_transactions`` rows) to open AR/AP documents.

    Args:
        lines: bank lines to apply; receipts (> 0) go to AR, payments (< 0) to AP.
        ar_invoices, ap_bills: documents with their current ``open_amount`` (and, when
            known, ``issue_date``: a line never pays a document issued after it).
        customers, suppliers: master data whose names identify counterparties.
        fx_rates: canonical FX fixings, for lines in another currency than the document.
        payer_names: further names a customer or supplier pays or is paid under (a parent
            company, a factor, a shared service centre), name -> customer or supplier id.
        fee_tolerance: largest shortfall accepted as a bank fee on a referenced payment.
        fx_tolerance_pct: largest difference, in percent, after converting currencies.
        min_confidence: matches below it are reported as exceptions with a suggestion.
        max_combination: most open items one payment may settle without a reference.

    Returns:
        Matches in booking order and the lines left for a person, each with a reason.
    """
    items = load_items(ar_invoices, "ar", "invoice_id", "customer_id") + load_items(
        ap_bills, "ap", "bill_id", "supplier_id"
    )
    extra = dict(payer_names or {})
    names = {
        "ar": NameIndex(_names(customers, "customer_id", extra)),
        "ap": NameIndex(_names(suppliers, "supplier_id", extra)),
    }
    evidence = Evidence(
        items=items,
        index=DocumentIndex(items),
        fx_rates=fx_rates,
        fee=fee_tolerance,
        fx_pct=fx_tolerance_pct,
        most=max_combination,
    )
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
    learned: dict[tuple[str, str], str] = {}  # (side, payer name) -> party, from references
    ordered = lines.sort_values(["booking_date", "txn_id"], kind="stable")
    line: Any
    for line in ordered.itertuples(index=False):
        amount = float(line.amount)
        if abs(amount) < 0.005:
            continue
        side = "ar" if amount > 0 else "ap"
        found = evidence.index.exact(line_text(line), side)
        if found and not any(d.is_open for d in found):
            earlier = [paid_by[d.doc_id] for d in found if d.doc_id in paid_by]
            if not earlier:
                already.append(str(line.txn_id))  # the ledger already shows these paid
            else:
                exceptions.append(_duplicate(line, found[0], earlier[0]))
            continue
        result = _evidence(line, side, found, evidence, names[side], learned)
        if isinstance(result, Unmatched):
            exceptions.append(result)
        elif result.confidence < min_confidence:
            reason = f"best reading falls short of the confidence threshold: {result.reason}"
            exceptions.append(_unmatched(line, reason, suggestion=result))
        else:
            matches.append(result)
            _book(evidence, result, paid_by)
            cp = getattr(line, "counterparty", None)
            if result.party_id and present(cp) and result.method.startswith("reference"):
                learned.setdefault((side, normalise_name(str(cp))), result.party_id)
    return Reconciliation(
        matches=tuple(matches),
        exceptions=tuple(exceptions),
        already_applied=tuple(already),
        parameters=params,
        lines=len(ordered),
    )


def _evidence(
    line: Any,
    side: str,
    found: list[OpenItem],
    evidence: Evidence,
    names: NameIndex,
    learned: Mapping[tuple[str, str], str],
) -> Match | Unmatched:
    """The strongest reading of one line, or why there is none."""
    parties = _parties(line, side, names, learned)
    if found:
        return by_reference(line, side, [d for d in found if d.is_open], evidence, parties)
    typo = by_typo(line, side, evidence, parties)
    if isinstance(typo, Match):
        return typo
    if parties:
        result = by_amount(line, side, parties, evidence)
    else:
        result = by_unique_amount(line, side, evidence)
    if isinstance(result, str):
        return _unmatched(line, f"{typo}; {result}" if typo else result)
    return result


def _parties(
    line: Any, side: str, names: NameIndex, learned: Mapping[tuple[str, str], str]
) -> set[str]:
    cp = getattr(line, "counterparty", None)
    parties, _score = names.candidates(cp if present(cp) else None)
    if not parties and present(cp):
        known = learned.get((side, normalise_name(str(cp))))
        parties = {known} if known else set()
    return parties


def _book(evidence: Evidence, match: Match, paid_by: dict[str, str]) -> None:
    for doc_id, applied in zip(match.documents, match.applied, strict=True):
        evidence.index.by_norm[norm_ref(doc_id)].remaining -= applied
        paid_by[doc_id] = match.txn_id


def _names(frame: pd.DataFrame | None, key: str, extra: Mapping[str, str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if frame is not None and not frame.empty:
        named = frame.loc[frame["name"].notna()]
        pairs = list(zip(named[key].astype(str), named["name"].astype(str), strict=True))
        ids = set(frame[key].astype(str))
        pairs += [(party, name) for name, party in extra.items() if party in ids]
    return pairs


def _duplicate(line: Any, doc: OpenItem, earlier: str) -> Unmatched:
    return _unmatched(
        line, f"names {doc.doc_id}, already paid by line {earlier}: a duplicate payment?"
    )


def _unmatched(line: Any, reason: str, *, suggestion: Match | None = None) -> Unmatched:
    cp = getattr(line, "counterparty", None)
    return Unmatched(
        txn_id=str(line.txn_id),
        amount=float(line.amount),
        currency=str(line.currency),
        counterparty=str(cp) if present(cp) else None,
        reason=reason,
        suggestion=suggestion,
    )
