"""The ``mt-940`` library's reading of balances and ``:61:`` lines, in our terms.

The library parses most banks' files, but not ING's or SNS/ASN's layouts; it also keeps
nonsense such as a balance without a currency (``C020315145000,00`` read as currency
"145"). Any of that raises ``LibraryFailure`` and the caller falls back to the built-in
reader, which yields the same ``Fields`` for the files both can read.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from tools.bank.common import one_line
from tools.bank.mt940_fields import Balance, Fields, Line61
from tools.bank.mt940_tokens import RawBlock

__all__ = ["LibraryFailure", "library_fields"]

# The library logs every line it cannot match at ERROR; with no handler configured Python
# prints those to stderr, which is noise when the built-in reader takes over anyway.
logging.getLogger("mt940").addHandler(logging.NullHandler())

_OPTIONS = mt940.Options(reversal_sign=True, case_insensitive_marks=True)
# Its default :86: post-processing writes the sub-fields over the :61: customer reference;
# the :86: text is interpreted by tools.bank.mt940_details instead.
_PROCESSORS: dict[str, list[Any]] = {"post_transaction_details": []}
_CURRENCY = re.compile(r"[A-Z]{3}")
_OPENING = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")


class LibraryFailure(Exception):
    """The library could not read the file, or read it into something implausible."""


def _date(value: Any) -> date:
    return date(value.year, value.month, value.day)


def _balance(data: dict[str, Any], keys: tuple[str, ...]) -> Balance | None:
    found = next((data[k] for k in keys if k in data), None)
    if found is None:
        return None
    amount = found.amount
    currency = amount.currency
    if currency is not None and not _CURRENCY.fullmatch(currency):
        raise LibraryFailure(f"balance read with currency {currency!r}")
    return Balance(Decimal(amount.amount), _date(found.date), currency)


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _line(data: dict[str, Any]) -> Line61:
    booked = data.get("entry_date")
    type_code = _text(data.get("id"))
    return Line61(
        value_date=_date(data["date"]),
        entry_date=_date(booked) if booked is not None else None,
        amount=Decimal(data["amount"].amount),
        type_code=type_code.upper() if type_code else None,
        customer_reference=_text(data.get("customer_reference")),
        bank_reference=_text(data.get("bank_reference")),
        extra=_text(data.get("extra_details")),
    )


def library_fields(text: str, blocks: list[RawBlock]) -> list[Fields]:
    """Balances and statement lines of each block, as the ``mt-940`` library reads them.

    Raises:
        LibraryFailure: the library raised, or its statements or lines do not line up
            with the blocks the tokenizer found.
    """
    if any(not block.tags or block.tags[0].name != "20" for block in blocks):
        raise LibraryFailure("a statement does not start with :20:")
    try:
        parsed = mt940.parse_statements(io.StringIO(text), processors=_PROCESSORS, options=_OPTIONS)
        if len(parsed) != len(blocks):
            raise LibraryFailure(f"{len(parsed)} statements for {len(blocks)} :20: blocks")
        fields = []
        for block, statement in zip(blocks, parsed, strict=True):
            expected = sum(tag.name == "61" for tag in block.tags)
            if len(statement.transactions) != expected:
                raise LibraryFailure(
                    f"{len(statement.transactions)} lines where the file has {expected}"
                )
            data = statement.data
            available = "available_balance"
            fields.append(
                Fields(
                    opening=_balance(data, _OPENING),
                    closing=_balance(data, _CLOSING),
                    available=_balance(data, (available,)),
                    lines=tuple(_line(t.data) for t in statement.transactions),
                )
            )
    except LibraryFailure:
        raise
    except Exception as exc:  # whatever the third-party parser trips on: ours takes over
        raise LibraryFailure(_reason(exc)) from exc
    return fields


def _reason(exc: Exception) -> str:
    """A short, stable account of why the library failed (no object addresses)."""
    args = exc.args
    if len(args) >= 3 and hasattr(args[1], "id") and isinstance(args[2], str):
        return f"mt-940 cannot match :{args[1].id}: {one_line(args[2], limit=50)!r}"
    text = args[0] if args and isinstance(args[0], str) else str(exc)
    return f"mt-940: {type(exc).__name__}: {one_line(re.sub(r' at 0x[0-9a-f]+', '', text))}"
