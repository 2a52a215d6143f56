"""camt ``Ntry`` elements to canonical entries, batches split per transaction when possible.

Elements are matched on local names only, so camt.052/053/054 of every version from
.001.02 to .001.08 read the same way. Each entry (and each of its ``TxDtls``) is walked
once into a ``{"local/name/path": text}`` map, which is several times faster than one
ElementPath search per field on files of 100,000 entries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.bank.common import fail, squash
from tools.bank.models import Entry

__all__ = ["Fields", "camt_amount", "camt_date", "entries_of", "flatten", "text_at"]

Element = Any  # lxml.etree._Element; lxml ships no type stubs
Fields = dict[str, str]

_NOT_PROVIDED = {"NOTPROVIDED", "NONREF", ""}
_REPEATED = ("Ustrd",)  # repeated leaves whose texts are joined; others keep the first


def _walk(element: Element, prefix: str, out: Fields, skip: tuple[str, ...]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        local = tag[tag.rfind("}") + 1 :]
        if local in skip:
            continue
        path = prefix + local
        if len(child):
            _walk(child, path + "/", out, ())
            continue
        text = (child.text or "").strip()
        if not text:
            continue
        if path not in out:
            out[path] = text
        elif local in _REPEATED:
            out[path] += " " + text


def flatten(element: Element, *, skip: tuple[str, ...] = ()) -> Fields:
    """Leaf texts under ``element`` by local-name path (``"BookgDt/Dt"``); ``skip`` names
    direct children left out (the ``TxDtls`` of an entry are read one by one)."""
    out: Fields = {}
    _walk(element, "", out, skip)
    return out


def text_at(element: Element, path: str) -> str | None:
    """Stripped text at ``path`` (``{*}``-qualified); ``None`` when absent or blank."""
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def camt_date(fields: Fields, path: str, file: str, *, row: int | None) -> date | None:
    """The date at ``path``/Dt or ``path``/DtTm (date part), or ``None`` when absent."""
    text = fields.get(path + "/Dt") or fields.get(path + "/DtTm")
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise fail(
            file, "not a date", row=row, column=path, value=text, expected="YYYY-MM-DD"
        ) from None


def camt_amount(element: Element, file: str) -> tuple[Decimal, str | None]:
    """A non-negative ``Amt`` element's value and its ``Ccy`` attribute."""
    text = (element.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise fail(
            file,
            "not an amount",
            row=element.sourceline,
            column="Amt",
            value=text,
            expected="a non-negative number such as 1234.56 (the sign is in CdtDbtInd)",
        )
    return value, element.get("Ccy")


def _sign(fields: Fields, file: str, *, row: int | None, default: int | None = None) -> int:
    indicator = fields.get("CdtDbtInd")
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    if indicator is None and default is not None:
        return default
    raise fail(
        file,
        "missing or unknown credit/debit indicator",
        row=row,
        column="CdtDbtInd",
        value=indicator,
        expected="CRDT or DBIT",
    )


def _code(fields: Fields) -> str | None:
    """``PMNT-RCDT-ESCT`` from the ISO domain/family/sub-family, else the proprietary code."""
    domain = fields.get("BkTxCd/Domn/Cd")
    if domain:
        family = fields.get("BkTxCd/Domn/Fmly/Cd")
        sub = fields.get("BkTxCd/Domn/Fmly/SubFmlyCd")
        return "-".join(p for p in (domain, family, sub) if p)
    return fields.get("BkTxCd/Prtry/Cd")


def _party(fields: Fields, role: str) -> tuple[str | None, str | None]:
    """Name and account (IBAN or other id) of ``Dbtr`` or ``Cdtr`` in a ``TxDtls``."""
    name = (
        fields.get(f"RltdPties/{role}/Nm")
        or fields.get(f"RltdPties/{role}/Pty/Nm")  # .001.08: Party40Choice
        or fields.get(f"RltdPties/Ultmt{role}/Nm")
        or fields.get(f"RltdPties/Ultmt{role}/Pty/Nm")
    )
    account = fields.get(f"RltdPties/{role}Acct/Id/IBAN") or fields.get(
        f"RltdPties/{role}Acct/Id/Othr/Id"
    )
    return squash(name), account


def _reference(fields: Fields) -> str | None:
    """The creditor's structured reference first (it names the invoice), else end-to-end id."""
    for path in ("RmtInf/Strd/CdtrRefInf/Ref", "Refs/EndToEndId"):
        value = fields.get(path)
        if value and value.upper() not in _NOT_PROVIDED:
            return value
    return None


def _details(tx: Element, amount: Decimal, entry_info: str | None) -> dict[str, Any]:
    """Counterparty, references and text of one ``TxDtls``; the counterparty is the payer
    of money received and the payee of money paid."""
    fields = flatten(tx)
    name, account = _party(fields, "Dbtr" if amount >= 0 else "Cdtr")
    details: dict[str, Any] = {
        "counterparty": name,
        "counterparty_account": account,
        "reference": _reference(fields),
        "description": squash(fields.get("RmtInf/Ustrd"))
        or squash(fields.get("AddtlTxInf"))
        or entry_info,
    }
    bank_reference = fields.get("Refs/AcctSvcrRef")
    if bank_reference:
        details["bank_reference"] = bank_reference
    code = _code(fields)
    if code:
        details["code"] = code
    return details


def entries_of(
    ntry: Element, *, file: str, account_currency: str | None
) -> tuple[list[Entry], str | None]:
    """The canonical entries of one ``Ntry`` and its status (BOOK, PDNG...): one entry per
    ``TxDtls`` when a batch's amounts add up to the entry amount in its currency, else one
    for the whole entry.

    Raises:
        DataError: a missing or malformed amount, sign or booking date (naming the line).
    """
    row = ntry.sourceline
    amt = ntry.find("{*}Amt")
    if amt is None:
        raise fail(file, "entry has no amount", row=row, column="Amt")
    value, currency = camt_amount(amt, file)
    currency = currency or account_currency
    if currency is None:
        raise fail(file, "entry amount has no currency", row=amt.sourceline, column="Ccy")
    fields = flatten(ntry, skip=("NtryDtls",))
    sign = _sign(fields, file, row=row)
    valued = camt_date(fields, "ValDt", file, row=row)
    booked = camt_date(fields, "BookgDt", file, row=row) or valued
    if booked is None:
        raise fail(file, "entry has neither booking nor value date", row=row)
    base: dict[str, Any] = {
        "booking_date": booked,
        "value_date": valued,
        "currency": currency,
        "bank_reference": fields.get("AcctSvcrRef") or fields.get("NtryRef"),
        "code": _code(fields),
    }
    status = fields.get("Sts") or fields.get("Sts/Cd")
    entry_info = squash(fields.get("AddtlNtryInf"))
    txs = list(ntry.iterfind("{*}NtryDtls/{*}TxDtls"))
    if len(txs) > 1:
        split = _split(txs, file=file, sign=sign, total=value, currency=currency)
        if split is not None:
            return [
                Entry(**base | _details(tx, amount, entry_info), amount=amount, line=tx.sourceline)
                for tx, amount in split
            ], status
    details = (
        _details(txs[0], sign * value, entry_info)
        if len(txs) == 1
        else {"description": entry_info, "reference": _batch_reference(ntry)}
    )
    return [Entry(**base | details, amount=sign * value, line=row)], status


def _split(
    txs: list[Element], *, file: str, sign: int, total: Decimal, currency: str
) -> list[tuple[Element, Decimal]] | None:
    """Signed amounts per ``TxDtls``, or ``None`` when they do not account for the entry."""
    parts = []
    for tx in txs:
        amount = tx.find("{*}Amt")
        if amount is None:
            amount = tx.find("{*}AmtDtls/{*}TxAmt/{*}Amt")
        if amount is None:
            return None
        value, ccy = camt_amount(amount, file)
        if ccy is not None and ccy != currency:
            return None
        indicator = {"CdtDbtInd": text} if (text := text_at(tx, "{*}CdtDbtInd")) else {}
        parts.append((tx, _sign(indicator, file, row=tx.sourceline, default=sign) * value))
    return parts if sum(a for _, a in parts) == sign * total else None


def _batch_reference(ntry: Element) -> str | None:
    return text_at(ntry, "{*}NtryDtls/{*}Btch/{*}PmtInfId") or text_at(
        ntry, "{*}NtryDtls/{*}Btch/{*}MsgId"
    )
