"""Cash-flow categories for bank lines: which flows are receipts, supplier payments, payroll...

Banks do not say what a payment was for; the direct-method forecast needs it. The rules run
in order and the first that fires wins, so every line gets exactly one category and a
reason a user can check:

1. the line already carries a category (a CSV export with one, or a user's correction);
2. transfers between the group's own accounts of one entity are ``internal`` (they net to
   zero in the entity's position and are left out of the forecast), between two entities
   ``intercompany``;
3. the reference or text quotes an AR invoice -> ``customer_receipt``, an AP bill ->
   ``supplier_payment``;
4. words banks and ERPs print for payroll, tax, fees, financing and investments;
5. the counterparty is a known customer (money in) or supplier (money out);
6. ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from tools.reconcile.names import normalise_name

__all__ = ["INTERNAL", "categorize"]

INTERNAL = "internal"

_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE))
    for category, pattern in (
        ("payroll", r"\b(?:salar(?:y|ies)|payroll|wages?|lohn|gehalt|gehälter|net pay)\b"),
        (
            "tax",
            r"\b(?:tax(?:es)?|irs|internal revenue|finanzamt|vat|umsatzsteuer|lohnsteuer|steuer|"
            r"hmrc|social security|sozialversicherung|contributions)\b",
        ),
        ("fees", r"\b(?:fees?|charges?|commission|gebühr(?:en)?|entgelt|kontoführung)\b"),
        (
            "financing",
            r"\b(?:interest|loan|revolv\w*|rcf|drawdown|repayment|facility|zinsen|darlehen|"
            r"tilgung|kredit)\b",
        ),
        (
            "investment",
            r"\b(?:deposit|money market|mmf|t-?bill|treasury bill|maturity|investment|"
            r"festgeld|anlage)\b",
        ),
    )
)


def categorize(bank_transactions: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The lines with ``category`` filled and ``category_reason`` saying which rule fired.

    Args:
        bank_transactions: canonical bank lines (``category`` may be absent or empty).
        tables: the other canonical tables: ``bank_accounts``, ``entities``, ``ar_invoices``,
            ``ap_bills``, ``customers``, ``suppliers`` (any may be missing or empty).
    """
    lines = bank_transactions.copy()
    n = len(lines)
    category = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)

    def fill(mask: np.ndarray, value: str | np.ndarray, why: str) -> None:
        todo = mask & pd.isna(category)
        category[todo] = value if isinstance(value, str) else value[todo]
        reason[todo] = why

    if "category" in lines:
        given = lines["category"].notna().to_numpy() & (lines["category"].astype(str) != "")
        fill(given, lines["category"].astype(object).to_numpy(), "given")

    text = (
        lines.get("reference", pd.Series("", index=lines.index)).fillna("").astype(str)
        + " "
        + lines.get("description", pd.Series("", index=lines.index)).fillna("").astype(str)
    )
    counterparty = lines.get("counterparty", pd.Series("", index=lines.index)).fillna("")
    payee = counterparty.astype(str)
    norm = payee.map(normalise_name).to_numpy()
    amount = lines["amount"].to_numpy(float)

    own_entity = _account_entities(tables)
    line_entity = lines["account_id"].map(own_entity).to_numpy()
    entity_of = _entity_matcher(tables)
    party_entity = np.array(
        [entity_of(c, k, e) for c, k, e in zip(payee, norm, line_entity, strict=True)],
        dtype=object,
    )
    own = pd.notna(party_entity)
    fill(own & (party_entity == line_entity), INTERNAL, "transfer between own accounts")
    fill(own & (party_entity != line_entity), "intercompany", "counterparty is a group entity")

    for table, column, value in (
        ("ar_invoices", "invoice_id", "customer_receipt"),
        ("ap_bills", "bill_id", "supplier_payment"),
    ):
        ids = _ids(tables, table, column)
        if ids:
            quoted = _quotes_any(text, ids)
            fill(quoted, value, f"quotes a {table[:-1].replace('_', ' ')}")

    # The payee says who was paid: "Finanzamt" on "payroll taxes" is tax, not payroll.
    for value, pattern in _KEYWORDS:
        fill(payee.str.contains(pattern).to_numpy(), value, f"'{value}' payee")
    for value, pattern in _KEYWORDS:
        fill(text.str.contains(pattern).to_numpy(), value, f"'{value}' wording")

    customers = _names(tables, "customers", "customer_id")
    suppliers = _names(tables, "suppliers", "supplier_id")
    fill(np.isin(norm, list(customers)) & (amount > 0), "customer_receipt", "known customer")
    fill(np.isin(norm, list(suppliers)) & (amount < 0), "supplier_payment", "known supplier")
    fill(np.ones(n, dtype=bool), "other", "no rule matched")

    lines["category"] = category
    lines["category_reason"] = reason
    return lines


def _account_entities(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    accounts = tables.get("bank_accounts")
    if accounts is None or accounts.empty:
        return {}
    return dict(zip(accounts["account_id"], accounts["entity_id"], strict=True))


def _entity_matcher(
    tables: Mapping[str, pd.DataFrame],
) -> Callable[[str, str, object], str | None]:
    """The group entity a counterparty names (given as printed and ``normalise_name``d), or
    None.

    Group entities often share a name up to the legal form ("Northwind Components Inc." and
    "... GmbH"), so the name as printed, legal form included, decides first; a name that
    only matches once legal forms are dropped is the line's own entity when that is one of
    the candidates, else the single candidate, else unknown.
    """
    entities = tables.get("entities")
    if entities is None or entities.empty:
        return lambda _name, _norm, _entity: None
    exact: dict[str, str] = {}
    loose: dict[str, set[str]] = {}
    for entity, name in zip(entities["entity_id"], entities["name"], strict=True):
        exact[_spelled(name)] = entity
        loose.setdefault(normalise_name(name), set()).add(entity)

    def entity_of(name: str, norm: str, line_entity: object) -> str | None:
        # the same words as printed give the same normalised name: most lines stop here
        candidates = loose.get(norm)
        if not name or candidates is None:
            return None
        if (hit := exact.get(_spelled(name))) is not None:
            return hit
        if line_entity in candidates:
            return str(line_entity)
        return next(iter(candidates)) if len(candidates) == 1 else None

    return entity_of


def _spelled(name: object) -> str:
    """A name compared as printed: case, punctuation and spacing aside."""
    return " ".join(re.findall(r"[0-9a-zà-ÿ]+", str(name).lower()))


def _ids(tables: Mapping[str, pd.DataFrame], table: str, column: str) -> set[str]:
    frame = tables.get(table)
    if frame is None or frame.empty:
        return set()
    return {str(v) for v in frame[column].dropna() if len(str(v)) >= 4}


def _names(tables: Mapping[str, pd.DataFrame], table: str, column: str) -> set[str]:
    frame = tables.get(table)
    if frame is None or frame.empty or "name" not in frame:
        return set()
    return {normalise_name(v) for v in frame["name"].dropna()}


def _quotes_any(text: pd.Series, ids: set[str]) -> np.ndarray:
    """Whether each text contains one of ``ids`` as a whole token (set lookup per token)."""
    tokens = text.str.findall(r"[A-Za-z0-9][A-Za-z0-9\-_/.]*[A-Za-z0-9]")
    return np.fromiter((any(t in ids for t in toks) for toks in tokens), bool, len(text))
