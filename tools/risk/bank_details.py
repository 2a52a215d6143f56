"""Supplier payments sent to bank details other than the supplier master's (payment fraud).

What the check needs: the account a payment went to. Canonical bank lines have no column
for it, so it is taken, in order, from a ``counterparty_account`` or ``counterparty_iban``
column when the export carries one (camt.053 ``CdtrAcct``, MT940 field 86 ``/BENM/``
details mapped by the user), else from an IBAN or a US ``routing-account`` number quoted in
the line's description or reference. Lines with neither cannot be checked; the result says
how many were checked so "no findings" is never mistaken for "all clear".
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from tools.reconcile.names import NameIndex

__all__ = ["ACCOUNT_COLUMNS", "account_paid", "bank_detail_changes", "normalise_account"]

ACCOUNT_COLUMNS = ("counterparty_account", "counterparty_iban")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?)\b")
_US = re.compile(r"\b(\d{9}-\d{4,17})\b")


def normalise_account(value: object) -> str | None:
    """Upper case without spaces or dots; None for blanks."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = re.sub(r"[\s.]", "", str(value)).upper()
    return text or None


def _valid_iban(value: object) -> str | None:
    """The IBAN without spaces when its ISO 13616 mod-97 checksum holds, else None."""
    text = normalise_account(value)
    if text is None or not 15 <= len(text) <= 34:
        return None
    moved = text[4:] + text[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return text if int(digits) % 97 == 1 else None


def account_paid(lines: pd.DataFrame) -> pd.Series:
    """The account each line paid, from an account column or the line's text; None when
    the line does not say."""
    out = pd.Series([None] * len(lines), index=lines.index, dtype=object)
    for col in ACCOUNT_COLUMNS:
        if col in lines:
            out = out.where(out.notna(), lines[col].map(normalise_account))
    for col in ("description", "reference"):
        if col not in lines:
            continue
        text = lines[col].fillna("").astype(str)
        iban = text.str.upper().str.extract(_IBAN, expand=False).map(_valid_iban)
        us = text.str.extract(_US, expand=False).map(normalise_account)
        out = out.where(out.notna(), iban.where(iban.notna(), us))
    return out


def bank_detail_changes(
    recent: pd.DataFrame, history: pd.DataFrame, suppliers: pd.DataFrame | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Recent outgoing payments whose account differs from the supplier master's
    ``bank_account`` or, without one, from the account the supplier was paid before.

    Returns the findings (dicts for ``Anomaly``) and what could be checked.
    """
    out_recent = recent.loc[recent["amount"] < 0]
    paid = account_paid(out_recent)
    checked = int(paid.notna().sum())
    coverage: dict[str, Any] = {
        "payments": len(out_recent),
        "with_account": checked,
        "source": "counterparty account column, or an IBAN / routing-account in the text",
    }
    if checked == 0:
        coverage["status"] = "not_checked"
        coverage["reason"] = (
            "the bank lines carry no counterparty account: add a counterparty_account column "
            "(camt.053 CdtrAcct) to the bank export to enable this check"
        )
        return [], coverage
    coverage["status"] = "checked"
    master: dict[str, str] = {}
    index = None
    if suppliers is not None and not suppliers.empty and "bank_account" in suppliers:
        index = NameIndex(dict(zip(suppliers["supplier_id"], suppliers["name"], strict=True)))
        master = {
            s: a
            for s, a in zip(
                suppliers["supplier_id"],
                suppliers["bank_account"].map(normalise_account),
                strict=True,
            )
            if a
        }
    before = history.loc[history["amount"] < 0]
    seen = before.assign(acct=account_paid(before)).dropna(subset=["acct"])
    previous: dict[str, set[str]] = {}
    for who_before, acct_before in zip(seen["counterparty"].fillna(""), seen["acct"], strict=True):
        previous.setdefault(str(who_before), set()).add(str(acct_before))
    findings = []
    for idx, acct in paid.dropna().items():
        line = out_recent.loc[idx]  # type: ignore[call-overload]
        who = str(line.get("counterparty") or "")
        ids, _ = index.candidates(who) if index is not None else (set(), 0.0)
        expected = {master[i] for i in ids if i in master}
        basis = "supplier master"
        if not expected:
            expected = set(previous.get(who, set()))
            basis = "earlier payments"
        if expected and acct not in expected:
            findings.append(
                {
                    "line": idx,
                    "score": 1.0,
                    "reason": f"paid to {acct}, not to the {basis}'s {', '.join(sorted(expected))}",
                    "data": {
                        "account_paid": acct,
                        "expected": sorted(expected),
                        "basis": basis,
                        "supplier_ids": sorted(ids),
                    },
                }
            )
    return findings, coverage
