"""SWIFT MT940 statements and MT942 intraday reports, every dialect, to the canonical model.

The ``mt-940`` library reads balances and ``:61:`` lines where it can; the built-in
reader covers the layouts it fails on (ING, SNS, ASN, ...). Everything else (account,
references, the ``:86:`` text, line numbers) is read from our own tokenization, so both
paths give the same statements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from tools.bank.balances import file_warnings, statement_warnings
from tools.bank.common import IBAN_RE, decode_text, fail, problem_text, squash
from tools.bank.models import Entry, ParsedFile, Statement
from tools.bank.mt940_details import non_swift_text, read_details
from tools.bank.mt940_fields import Fields, Line61, builtin_fields
from tools.bank.mt940_library import LibraryFailure, library_fields
from tools.bank.mt940_tokens import RawBlock, Tag, tokenize
from tools.domain.currency import CURRENCIES

__all__ = ["Engine", "parse_mt940"]

Engine = Literal["auto", "library", "builtin"]

_NO_REFERENCE = {"NONREF", "NOTPROVIDED", "EREF", "PREF", "KREF", "KREF+", "EREF+", "MARF"}
_ENDS_LINE = frozenset({"20", "60F", "60M", "60", "62F", "62M", "62", "64", "65", "90D", "90C"})
_ACCOUNT = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}|P?\d{7,10}")
_CCY_AT_END = re.compile(r"(?P<account>.*?)[\s/]*(?P<ccy>[A-Z]{3})")


def parse_mt940(data: bytes, name: str, *, engine: Engine = "auto") -> ParsedFile:
    """Read an MT940 or MT942 file: one statement per ``:20:`` block, any number of accounts.

    Args:
        data: the file's bytes (UTF-8, else read as Latin-1 with a warning).
        name: the file name, used in warnings and errors.
        engine: ``auto`` tries the ``mt-940`` library and falls back to the built-in
            reader; ``library`` and ``builtin`` force one (tests compare the two).

    Raises:
        DataError: not MT940, or a statement without account or currency, or a malformed
            balance or ``:61:`` line (naming the line).
    """
    text, warnings = decode_text(data, name)
    blocks = tokenize(text, name)
    if engine == "builtin":
        fields = [builtin_fields(block, name) for block in blocks]
    else:
        try:
            fields = library_fields(text, blocks)
        except LibraryFailure as exc:
            if engine == "library":
                raise
            fields = [builtin_fields(block, name) for block in blocks]
            warnings.append(
                problem_text(
                    name, f"non-standard MT940 layout, read by the built-in parser ({exc})"
                )
            )
    statements = []
    for block, read in zip(blocks, fields, strict=True):
        statement, notes = _statement(block, read, name)
        statements.append(statement)
        warnings += notes + statement_warnings(statement, file=name, row=block.tags[0].line)
    warnings += file_warnings(statements, file=name)
    intraday = all(s.kind == "intraday" for s in statements)
    return ParsedFile(
        format="mt942" if intraday else "mt940",
        statements=tuple(statements),
        warnings=tuple(warnings),
    )


def _first(block: RawBlock, *names: str) -> Tag | None:
    return next((t for t in block.tags if t.name in names), None)


def _currency(block: RawBlock, read: Fields) -> str | None:
    for balance in (read.opening, read.closing, read.available):
        if balance is not None and balance.currency:
            return balance.currency
    for tag in block.tags:
        if tag.name == "34F" and tag.first[:3] in CURRENCIES:
            return tag.first[:3]
        if tag.name in ("90D", "90C"):
            ccy = tag.first.lstrip("0123456789")[:3]
            if ccy in CURRENCIES:
                return ccy
    account = _first(block, "25", "25P")
    match = _CCY_AT_END.fullmatch(account.first) if account else None
    return match["ccy"] if match and match["ccy"] in CURRENCIES else None


def intraday_block(block: RawBlock, read: Fields) -> bool:
    """MT942: a 942 header, or an interim report (:34F:/:13D:) without balances."""
    return block.mt942_header or (
        read.opening is None and read.closing is None and _first(block, "34F", "13D") is not None
    )


def _account(raw: str, currency: str) -> str:
    """``NL77INGB0574908765EUR`` or ``1291.99.348 EUR`` without the currency suffix."""
    match = _CCY_AT_END.fullmatch(raw)
    if match and match["ccy"] == currency and match["account"]:
        return match["account"]
    return raw


def _statement(block: RawBlock, read: Fields, file: str) -> tuple[Statement, list[str]]:
    start = block.tags[0].line
    accounts = [t for t in block.tags if t.name in ("25", "25P")]
    if not accounts or not accounts[0].first:
        raise fail(
            file,
            "statement has no :25: account identification",
            row=start,
            expected="a :25: tag with the IBAN or account number",
        )
    notes = [
        problem_text(file, f"second :25: in one statement ignored ({t.first!r})", row=t.line)
        for t in accounts[1:]
    ]
    currency = _currency(block, read)
    if currency is None:
        raise fail(
            file,
            f"statement of account {accounts[0].first} states no currency",
            row=start,
            expected="balances such as :60F:C240131EUR1234,56",
        )
    intraday = intraday_block(block, read)
    if not intraday and (read.opening is None or read.closing is None):
        missing = " and no ".join(
            name
            for name, balance in (
                ("opening (:60F:)", read.opening),
                ("closing (:62F:)", read.closing),
            )
            if balance is None
        )
        notes.append(
            problem_text(file, f"statement has no {missing} balance; is it cut short?", row=start)
        )
    reference = _first(block, "20")
    sequence = _first(block, "28C", "28")
    return Statement(
        account=_account(accounts[0].first, currency),
        currency=currency,
        statement_id=(reference.first or None) if reference else None,
        sequence=("".join(x.strip() for x in sequence.lines) or None) if sequence else None,
        opening_balance=read.opening.amount if read.opening else None,
        opening_date=read.opening.date if read.opening else None,
        closing_balance=read.closing.amount if read.closing else None,
        closing_date=read.closing.date if read.closing else None,
        available_balance=read.available.amount if read.available else None,
        entries=tuple(_entries(block, read.lines, currency)),
        kind="intraday" if intraday else "statement",
    ), notes


def _grouped(block: RawBlock) -> Iterator[tuple[Tag, list[str], list[str]]]:
    """Each ``:61:`` with the lines of the ``:86:`` and ``:NS:`` tags that follow it."""
    current: tuple[Tag, list[str], list[str]] | None = None
    for tag in block.tags:
        if tag.name == "61":
            if current:
                yield current
            current = (tag, [], [])
        elif current and tag.name == "86":
            current[1].extend(tag.lines)
        elif current and tag.name == "NS":
            current[2].extend(tag.lines)
        elif current and tag.name in _ENDS_LINE:
            yield current
            current = None
    if current:
        yield current


def _hints(line: Line61, first_line: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Counterparty, account, reference and leftover text the ``:61:`` line itself gives.

    SNS and ASN write the counterparty IBAN as customer reference and the name as details;
    Rabobank writes an account (IBAN, ``P`` + Postbank or 9-10 digit number) as details
    or, in its old layout, as reference with the name behind it on the same line.
    """
    customer, extra = line.customer_reference, squash(line.extra)
    if customer and IBAN_RE.fullmatch(customer):
        return extra, customer, None, None
    if extra and _ACCOUNT.fullmatch(extra):
        return None, extra, _reference(customer), None
    if extra and line.extra and line.extra.strip() in first_line:
        if customer and _ACCOUNT.fullmatch(customer):
            return extra, customer, None, None
        return extra, None, _reference(customer), None
    return None, None, _reference(customer), extra


def _reference(customer: str | None) -> str | None:
    return customer if customer and customer.upper() not in _NO_REFERENCE else None


def _entries(block: RawBlock, lines: tuple[Line61, ...], currency: str) -> Iterator[Entry]:
    for (tag, info, ns), line in zip(_grouped(block), lines, strict=True):
        name, account, reference, text = _hints(line, tag.lines[0])
        details = read_details(info, counterparty_account=account)
        bank = line.bank_reference
        yield Entry(
            booking_date=line.entry_date or line.value_date,
            value_date=line.value_date,
            amount=line.amount,
            currency=currency,
            counterparty=details.counterparty or name,
            counterparty_account=details.account or account,
            reference=details.reference or reference,
            description=details.description or non_swift_text(ns) or text,
            bank_reference=_reference(bank),
            code=details.code or line.type_code,
            line=tag.line,
        )
