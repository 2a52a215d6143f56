"""ISO 20022 bank-to-customer messages: camt.053 statements, camt.052 intraday reports and
camt.054 debit/credit notifications, every version, streamed so large files stay small.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree

from tools.bank.balances import file_warnings, statement_warnings
from tools.bank.camt_entries import camt_amount, camt_date, entries_of, flatten, text_at
from tools.bank.common import fail, one_line, problem_text
from tools.bank.models import Entry, ParsedFile, Statement, StatementKind
from tools.errors import DataError

__all__ = ["parse_camt"]

Element = Any  # lxml.etree._Element

# message element -> (message number, statement element, kind)
_MESSAGES: dict[str, tuple[str, str, StatementKind]] = {
    "BkToCstmrStmt": ("053", "Stmt", "statement"),
    "BkToCstmrAcctRpt": ("052", "Rpt", "intraday"),
    "BkToCstmrDbtCdtNtfctn": ("054", "Ntfctn", "notification"),
}
_VERSION = re.compile(r"camt\.\d{3}\.\d{3}\.\d{2}")
_OPENING = ("OPBD", "PRCD")
_CLOSING = {"statement": ("CLBD",), "intraday": ("CLBD", "ITBD"), "notification": ("CLBD",)}
_AVAILABLE = ("CLAV", "ITAV")


def _xml_error(exc: etree.XMLSyntaxError, file: str) -> DataError:
    text = one_line(exc.msg or str(exc), limit=160)
    if "not proper UTF-8" in text or "Invalid bytes in character encoding" in text:
        message = (
            "the bytes are not valid UTF-8 although the XML declares (or defaults to) "
            f"UTF-8; re-export the file as UTF-8 or fix its encoding declaration ({text})"
        )
    elif "Premature end of data" in text or "not found" in text or "Document is empty" in text:
        message = f"the XML ends before its elements are closed; is the file truncated? ({text})"
    else:
        message = f"not well-formed XML: {text}"
    return fail(file, message, row=exc.lineno or None)


def _iterparse(data: bytes, **kw: Any) -> Any:
    return etree.iterparse(io.BytesIO(data), resolve_entities=False, no_network=True, **kw)


def _message(data: bytes, file: str) -> tuple[str, str]:
    """Local name and namespace of the bank-to-customer element near the document root."""
    names = []
    try:
        for depth, (_, element) in enumerate(_iterparse(data, events=("start",))):
            qname = etree.QName(element)
            if qname.localname in _MESSAGES:
                return qname.localname, qname.namespace or ""
            names.append(qname.localname)
            if depth >= 2:
                break
    except etree.XMLSyntaxError as exc:
        raise _xml_error(exc, file) from None
    raise fail(
        file,
        "XML but not a camt.052/053/054 bank-to-customer message",
        value="/".join(names),
        expected="Document/BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn",
    )


def parse_camt(data: bytes, name: str) -> ParsedFile:
    """Read a camt.052, camt.053 or camt.054 file (any version, namespace-agnostic).

    Args:
        data: the file's bytes.
        name: the file name, used in warnings and errors.

    Returns:
        One statement per ``Stmt``/``Rpt``/``Ntfctn``, with warnings for a file without
        entries, entries not booked yet and balances that do not add up.

    Raises:
        DataError: malformed, truncated or wrongly encoded XML, or a missing account,
            amount, sign or date (naming the line).
    """
    message, namespace = _message(data, name)
    number, container, kind = _MESSAGES[message]
    version = _VERSION.search(namespace)
    fmt = version.group(0) if version else f"camt.{number}"
    statements: list[Statement] = []
    warnings: list[str] = []
    pending: list[Entry] = []
    unbooked: Counter[str] = Counter()
    holder: Element | None = None
    currency: str | None = None
    try:
        for _, element in _iterparse(data, events=("end",), tag=("{*}Ntry", "{*}" + container)):
            if etree.QName(element).localname == "Ntry":
                parent = element.getparent()
                if parent is not holder:  # the account currency, read once per statement
                    holder, currency = parent, text_at(parent, "{*}Acct/{*}Ccy")
                entries, status = entries_of(element, file=name, account_currency=currency)
                pending += entries
                if status and status != "BOOK":
                    unbooked[status] += 1
                element.clear()
                parent.remove(element)
                continue
            statement = _statement(element, pending, file=name, kind=kind)
            if statement is None:
                warnings.append(
                    problem_text(
                        name,
                        "statement has no entries, no balances and no currency; skipped",
                        row=element.sourceline,
                    )
                )
            else:
                statements.append(statement)
                warnings += statement_warnings(statement, file=name, row=element.sourceline)
            if unbooked:
                states = ", ".join(f"{n} {s}" for s, n in sorted(unbooked.items()))
                warnings.append(
                    problem_text(
                        name,
                        f"entries not booked yet are included ({states}); they may still change",
                        row=element.sourceline,
                    )
                )
            pending, unbooked = [], Counter()
            element.clear()
    except etree.XMLSyntaxError as exc:
        raise _xml_error(exc, name) from None
    warnings += file_warnings(statements, file=name)
    return ParsedFile(format=fmt, statements=tuple(statements), warnings=tuple(warnings))


def _statement(
    element: Element, entries: list[Entry], *, file: str, kind: StatementKind
) -> Statement | None:
    account = text_at(element, "{*}Acct/{*}Id/{*}IBAN") or text_at(
        element, "{*}Acct/{*}Id/{*}Othr/{*}Id"
    )
    if account is None:
        raise fail(file, "statement names no account (Acct/Id)", row=element.sourceline)
    balances = _balances(element, file)
    currency = (
        text_at(element, "{*}Acct/{*}Ccy")
        or next((ccy for _, _, ccy in balances.values() if ccy), None)
        or next((e.currency for e in entries), None)
    )
    if currency is None:
        return None
    opening = _pick(balances, _OPENING)
    if opening and "OPBD" not in balances and opening[1] is not None:
        # PRCD is dated the day it closed; it opens the statement's first day
        start = _first_day(element) or opening[1] + timedelta(days=1)
        opening = (opening[0], start, opening[2])
    closing = _pick(balances, _CLOSING[kind])
    available = _pick(balances, _AVAILABLE)
    return Statement(
        account=account,
        currency=currency,
        statement_id=text_at(element, "{*}Id"),
        sequence=text_at(element, "{*}ElctrncSeqNb") or text_at(element, "{*}LglSeqNb"),
        opening_balance=opening[0] if opening else None,
        opening_date=opening[1] if opening else None,
        closing_balance=closing[0] if closing else None,
        closing_date=closing[1] if closing else None,
        available_balance=available[0] if available else None,
        entries=tuple(entries),
        kind=kind,
    )


Balance = tuple[Decimal, Any, str | None]  # signed amount, date or None, currency


def _balances(element: Element, file: str) -> dict[str, Balance]:
    """The first balance of each type code (OPBD, CLBD, CLAV, ...), signed."""
    found: dict[str, Balance] = {}
    for bal in element.iterfind("{*}Bal"):
        code = text_at(bal, "{*}Tp/{*}CdOrPrtry/{*}Cd") or text_at(
            bal, "{*}Tp/{*}CdOrPrtry/{*}Prtry"
        )
        amt = bal.find("{*}Amt")
        if code is None or amt is None or code in found:
            continue
        value, currency = camt_amount(amt, file)
        indicator = text_at(bal, "{*}CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise fail(
                file,
                "balance without a valid credit/debit indicator",
                row=bal.sourceline,
                column="CdtDbtInd",
                value=indicator,
                expected="CRDT or DBIT",
            )
        signed = value if indicator == "CRDT" else -value
        found[code] = (signed, camt_date(flatten(bal), "Dt", file, row=bal.sourceline), currency)
    return found


def _first_day(element: Element) -> date | None:
    """The day the statement starts (``FrToDt/FrDtTm``), if it says so legibly."""
    text = text_at(element, "{*}FrToDt/{*}FrDtTm") or ""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _pick(balances: dict[str, Balance], codes: tuple[str, ...]) -> Balance | None:
    return next((balances[c] for c in codes if c in balances), None)
