"""BAI2 cash-management balance reports (US and UK banks) to the canonical model.

Records: 01 file header, 02 group (as-of date, currency), 03 account with balance and
summary codes, 16 transaction detail, 88 continuation of the record before, 49 account
trailer (control total), 98 group trailer, 99 file trailer. Amounts carry no decimal
point (cents, or the currency's minor unit); type codes below 400 are credits, from 400 on
debits; 010/015 are the opening/closing ledger and 045 (else 040) the available balance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tools.bank.balances import file_warnings, statement_warnings
from tools.bank.common import decode_text, fail, problem_text, squash, yymmdd
from tools.bank.models import Entry, ParsedFile, Statement
from tools.domain.currency import minor_units

__all__ = ["parse_bai2"]

_RECORD = re.compile(r"(\d{2}),")
_FUNDS_EXTRA = {"S": 3, "V": 2}  # fields after the funds type (D: a count, then pairs)


@dataclass
class _Record:
    code: str
    text: str  # everything after "NN,"
    line: int
    width: int  # length of the physical line
    more: list[tuple[str, int]] = field(default_factory=list)  # 88 continuations, widths

    def fields(self) -> list[str]:
        """Comma-separated fields of the record line (without the closing "/")."""
        return self.text.rstrip().removesuffix("/").split(",")

    def continued_fields(self) -> list[list[str]]:
        """Fields of each 88 continuation; each physical record ends with its own "/"."""
        return [text.rstrip().removesuffix("/").split(",") for text, _ in self.more]

    def continued_text(self, width: int) -> str:
        """The 88 text of a 16 record; a full-width line was cut mid-word, so no space."""
        text, last = "", self.width
        for piece, size in self.more:
            text += ("" if not text or last >= width else " ") + piece
            last = size
        return text


@dataclass
class _Account:
    record: _Record
    currency: str
    summary: dict[str, Decimal] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    control: int = 0  # sum of the raw amounts, checked against the 49 trailer
    assumed_currency: bool = False  # neither the account nor its group names one


def _records(text: str, file: str) -> list[_Record]:
    records: list[_Record] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            continue
        match = _RECORD.match(line)
        if match is None:
            raise fail(file, "not a BAI2 record", row=number, value=line, expected="NN,...")
        body = line[match.end() :]
        if match.group(1) != "88":
            records.append(_Record(match.group(1), body, number, len(line)))
        elif not records:
            raise fail(file, "continuation (88) before any record", row=number)
        else:
            records[-1].more.append((body, len(line)))
    return records


def _amount(raw: str, currency: str, file: str, line: int) -> tuple[Decimal, int] | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise fail(file, "not a BAI2 amount", row=line, value=raw, expected="whole minor units")
    cents = int(raw)
    return Decimal(cents).scaleb(-minor_units(currency)), cents


def _skip_funds(fields: list[str], at: int) -> int:
    """Index after the funds type at ``at`` and its availability fields."""
    funds = fields[at].strip().upper() if at < len(fields) else ""
    if funds == "D" and at + 1 < len(fields):
        count = int(fields[at + 1] or 0)
        return at + 2 + 2 * count
    return at + 1 + _FUNDS_EXTRA.get(funds, 0)


def _account(record: _Record, group_currency: str | None, file: str) -> _Account:
    fields = record.fields()
    if not fields[0].strip():
        raise fail(file, "account record (03) without account number", row=record.line)
    account = _Account(record, (fields[1].strip() if len(fields) > 1 else "") or "")
    account.assumed_currency = not (account.currency or group_currency)
    account.currency = account.currency or group_currency or "USD"
    for part, start in [(fields, 2)] + [(more, 0) for more in record.continued_fields()]:
        i = start
        while i + 1 < len(part):  # type code, amount, item count, funds type (+ details)
            code, found = part[i].strip(), _amount(part[i + 1], account.currency, file, record.line)
            if found is not None:
                account.control += found[1]
                if code and code not in account.summary:
                    account.summary[code] = found[0]
            i = _skip_funds(part, i + 3)
    return account


def _entry(record: _Record, account: _Account, as_of: date, *, file: str, width: int) -> Entry:
    fields = record.text.split(",")
    if len(fields) < 3 or not fields[0].strip().isdigit():
        raise fail(file, "malformed transaction record (16)", row=record.line, value=record.text)
    code = fields[0].strip()
    found = _amount(fields[1], account.currency, file, record.line)
    if found is None:
        raise fail(file, "transaction without amount", row=record.line, column="amount")
    account.control += found[1]
    value_date = None
    if fields[2].strip().upper() == "V" and len(fields) > 3 and fields[3].strip():
        value_date = yymmdd(fields[3].strip(), file, row=record.line, column="value date")
    tail = ",".join(fields[_skip_funds(fields, 2) :]).split(",", 2)
    tail += [""] * (3 - len(tail))
    # The "/" ends the record: on the text when there is one, else on the last reference.
    if tail[2]:
        tail[2] = tail[2].rstrip().removesuffix("/")
    else:
        tail = [t.rstrip().removesuffix("/") for t in tail]
    text = " ".join(t for t in (tail[2], record.continued_text(width)) if t)
    number = int(code)
    if number < 100:
        raise fail(file, "balance type code in a transaction record", row=record.line, value=code)
    return Entry(
        booking_date=as_of,
        value_date=value_date,
        amount=found[0] if number < 400 else -found[0],
        currency=account.currency,
        reference=squash(tail[1]),
        description=squash(text),
        bank_reference=squash(tail[0]),
        code=code,
        line=record.line,
    )


def parse_bai2(data: bytes, name: str) -> ParsedFile:
    """Read a BAI2 file: one statement per account and group (reporting day).

    Raises:
        DataError: records out of order, malformed amounts or dates, or a file that ends
            without its 99 trailer (naming the line).
    """
    text, warnings = decode_text(data, name)
    records = _records(text, name)
    if not records or records[0].code != "01":
        raise fail(name, "a BAI2 file starts with its 01 file header", row=1)
    header = records[0].fields()
    width = int(header[5]) if len(header) > 5 and header[5].strip().isdigit() else 80
    statements: list[Statement] = []
    group: dict[str, Any] | None = None
    account: _Account | None = None
    ended = False
    for record in records:
        if ended:
            raise fail(name, "records after the 99 file trailer", row=record.line)
        if record.code == "01":
            continue
        if record.code == "02":
            fields = record.fields()
            if len(fields) < 4:
                raise fail(name, "malformed group header (02)", row=record.line)
            as_of = yymmdd(fields[3].strip(), name, row=record.line, column="as-of date")
            currency = fields[5].strip() if len(fields) > 5 else ""
            modifier = fields[6].strip() if len(fields) > 6 else ""
            group = {"as_of": as_of, "currency": currency or None, "intraday": modifier == "3"}
        elif record.code == "03":
            if group is None or account is not None:
                raise fail(name, "account record (03) outside a group or unclosed", row=record.line)
            account = _account(record, group["currency"], name)
        elif record.code == "16":
            if account is None or group is None:
                raise fail(name, "transaction (16) outside an account", row=record.line)
            account.entries.append(_entry(record, account, group["as_of"], file=name, width=width))
        elif record.code == "49":
            if account is None or group is None:
                raise fail(name, "account trailer (49) without account", row=record.line)
            statement = _statement(account, group)
            statements.append(statement)
            warnings += _control(account, record, name)
            if account.assumed_currency and (account.entries or account.summary):
                warnings.append(
                    problem_text(
                        name,
                        "no currency stated; the BAI2 default USD assumed",
                        row=account.record.line,
                    )
                )
            warnings += statement_warnings(statement, file=name, row=account.record.line)
            account = None
        elif record.code == "98":
            group = None
        elif record.code == "99":
            ended = True
        else:
            raise fail(name, f"unknown BAI2 record type {record.code}", row=record.line)
    if not ended:
        raise fail(name, "the file ends without its 99 trailer; is it truncated?")
    warnings += file_warnings(statements, file=name)
    return ParsedFile(format="bai2", statements=tuple(statements), warnings=tuple(warnings))


def _statement(account: _Account, group: dict[str, Any]) -> Statement:
    fields = account.record.fields()
    summary = account.summary
    as_of = group["as_of"]
    return Statement(
        account=fields[0].strip(),
        currency=account.currency,
        opening_balance=summary.get("010"),
        opening_date=as_of if "010" in summary else None,
        closing_balance=summary.get("015"),
        closing_date=as_of if "015" in summary else None,
        available_balance=summary.get("045", summary.get("040")),
        entries=tuple(account.entries),
        kind="intraday" if group["intraday"] else "statement",
    )


def _control(account: _Account, trailer: _Record, file: str) -> list[str]:
    total = trailer.fields()[0].strip()
    if not total or not re.fullmatch(r"[+-]?\d+", total) or int(total) == account.control:
        return []
    return [
        problem_text(
            file,
            f"account control total {total} differs from the sum of the account's amounts "
            f"({account.control}); records may be missing",
            row=trailer.line,
        )
    ]
