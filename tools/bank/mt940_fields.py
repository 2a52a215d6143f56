"""The built-in reading of MT940 balance tags and ``:61:`` statement lines.

``:61:`` is ``YYMMDD[MMDD]<mark>[funds]<amount><type>[customer ref][//bank ref]`` and an
optional line of supplementary details. Banks bend it: ING wraps the bank reference and
the details over several lines, SNS and ASN put an 18-character IBAN where 16 characters
belong, Rabobank pads the customer reference to 16 columns and writes the counterparty
behind it, Sparkassen break the line before the amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tools.bank.common import fail, yymmdd
from tools.bank.mt940_tokens import RawBlock, Tag

__all__ = [
    "Balance",
    "Fields",
    "Line61",
    "builtin_fields",
    "entry_date",
    "read_balance",
    "read_line61",
]

_YEAR_BOUNDARY_DAYS = 330  # an entry date this far from the value date is in the next year

_LINE61 = re.compile(
    r"(?P<vdate>\d{6})(?P<edate>\d{4}|\s{4})?(?P<mark>R?[DC])(?P<funds>[A-Z])?\n?"
    r"(?P<amount>\d+(?:[,.]\d*)?|,\d+)(?P<rest>[^\n]*)(?:\n(?P<more>[\s\S]*))?",
    re.IGNORECASE,
)
_TYPE = re.compile(r"[A-Z][A-Z0-9 ]{3}")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})?(?P<amount>\d+(?:[,.]\d*)?)")


@dataclass(frozen=True, slots=True)
class Balance:
    amount: Decimal  # signed
    date: date
    currency: str | None


@dataclass(frozen=True, slots=True)
class Line61:
    value_date: date
    entry_date: date | None
    amount: Decimal  # signed: C and RD > 0, D and RC < 0
    type_code: str | None
    customer_reference: str | None
    bank_reference: str | None
    extra: str | None  # supplementary details


@dataclass(frozen=True, slots=True)
class Fields:
    """What a tag-level reader (the mt-940 library or ours) gets from one statement."""

    opening: Balance | None
    closing: Balance | None
    available: Balance | None
    lines: tuple[Line61, ...]


def signed(amount: Decimal, mark: str) -> Decimal:
    """C and RD (reversal of a debit) are money in; D and RC are money out."""
    return -amount if mark.upper() in ("D", "RC") else amount


def entry_date(value_date: date, month: int, day: int) -> date:
    """The booking date ``MMDD`` of a line, in the year that puts it near the value date."""
    booked = date(value_date.year, month, day)
    if (value_date - booked).days >= _YEAR_BOUNDARY_DAYS:
        return booked.replace(year=booked.year + 1)
    if (booked - value_date).days >= _YEAR_BOUNDARY_DAYS:
        return booked.replace(year=booked.year - 1)
    return booked


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ".").rstrip(".") or "0")


def read_balance(tag: Tag, file: str) -> Balance:
    """A ``:60F:``/``:62F:``/``:64:``... value ``C240131EUR1234,56``, signed."""
    match = _BALANCE.match(tag.first.replace(" ", ""))
    if match is None:
        raise fail(
            file,
            f"malformed :{tag.name}: balance",
            row=tag.line,
            column=f":{tag.name}:",
            value=tag.first,
            expected="C or D, YYMMDD, currency, amount such as C240131EUR1234,56",
        )
    when = yymmdd(match["date"], file, row=tag.line, column=f":{tag.name}:")
    return Balance(signed(_amount(match["amount"]), match["mark"]), when, match["ccy"])


def _references(rest: str) -> tuple[str | None, str | None, str | None]:
    """Customer reference, bank reference and same-line details from after the type code."""
    if "//" in rest:
        customer, bank = rest.split("//", 1)
        return customer.strip() or None, bank.strip() or None, None
    if len(rest.rstrip()) <= 16:
        return rest.strip() or None, None, None
    if len(rest.strip()) <= 34 and not re.search(r"\s", rest.strip()):
        return rest.strip(), None, None  # SNS/ASN: the counterparty IBAN as reference
    return rest[:16].strip() or None, None, rest[16:].strip() or None  # Rabobank columns


def read_line61(tag: Tag, file: str) -> Line61:
    """One ``:61:`` statement line (possibly wrapped over several lines)."""
    text = "\n".join(tag.lines)
    match = _LINE61.match(text.lstrip(" "))
    if match is None:
        raise fail(
            file,
            "malformed :61: statement line",
            row=tag.line,
            column=":61:",
            value=tag.first,
            expected="YYMMDD[MMDD], C/D/RC/RD, amount, type code, reference",
        )
    value_date = yymmdd(match["vdate"], file, row=tag.line, column=":61:")
    booked = None
    if match["edate"] and match["edate"].strip():
        month, day = int(match["edate"][:2]), int(match["edate"][2:])
        try:
            booked = entry_date(value_date, month, day)
        except ValueError:
            booked = yymmdd(f"{value_date:%y}{match['edate']}", file, row=tag.line, column=":61:")
    rest = match["rest"]
    type_code = rest[:4].upper() if _TYPE.match(rest[:4].upper()) else None
    customer, bank, extra = _references(rest[4:] if type_code else rest)
    more = [line for line in (match["more"] or "").split("\n") if line.strip()]
    # ING wraps the bank reference: "...//00000000001" then "005"; it stays within 16x.
    while bank and more and more[0].strip().isdigit() and len(bank + more[0].strip()) <= 16:
        bank += more.pop(0).strip()
    if more:
        wrapped = "".join(line.strip() for line in more)
        extra = f"{extra} {wrapped}" if extra else wrapped
    return Line61(
        value_date=value_date,
        entry_date=booked,
        amount=signed(_amount(match["amount"]), match["mark"]),
        type_code=(type_code.strip() or None) if type_code else None,
        customer_reference=customer,
        bank_reference=bank,
        extra=extra,
    )


def builtin_fields(block: RawBlock, file: str) -> Fields:
    """Balances and statement lines of one block; of repeated balance tags the last counts."""
    balances: dict[str, Balance] = {}
    lines = []
    for tag in block.tags:
        if tag.name == "61":
            lines.append(read_line61(tag, file))
        elif tag.name in ("60F", "60M", "60", "62F", "62M", "62", "64"):
            balances[tag.name] = read_balance(tag, file)

    def pick(*names: str) -> Balance | None:
        return next((balances[n] for n in names if n in balances), None)

    return Fields(
        opening=pick("60F", "60M", "60"),
        closing=pick("62F", "62M", "62"),
        available=pick("64"),
        lines=tuple(lines),
    )
