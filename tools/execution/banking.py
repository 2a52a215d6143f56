"""Bank identifiers and amounts as payment files need them: IBAN check digits, BIC shape,
Decimal amounts rounded to the currency's minor unit."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["bic_valid", "iban_valid", "minor_units", "normalize_iban", "to_amount"]

_BIC = re.compile(r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$")
_ZERO_DECIMALS = frozenset({"JPY", "KRW", "CLP", "ISK", "HUF", "VND", "XOF", "XAF"})
_THREE_DECIMALS = frozenset({"BHD", "KWD", "OMR", "JOD", "TND"})


def normalize_iban(value: str) -> str:
    """An IBAN without spaces, upper case."""
    return re.sub(r"\s+", "", value).upper()


def iban_valid(value: str) -> bool:
    """True when ``value`` has the IBAN shape and its ISO 7064 mod-97 check digits hold."""
    iban = normalize_iban(value)
    if not _IBAN.match(iban):
        return False
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def bic_valid(value: str) -> bool:
    """True for an 8- or 11-character BIC (ISO 9362)."""
    return bool(_BIC.match(value.strip().upper()))


def minor_units(currency: str) -> int:
    if currency in _ZERO_DECIMALS:
        return 0
    return 3 if currency in _THREE_DECIMALS else 2


def to_amount(value: Decimal | float | str, currency: str) -> Decimal:
    """``value`` as a Decimal with the currency's decimals (half up), never via binary floats."""
    exp = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(str(value)).quantize(exp, rounding=ROUND_HALF_UP)
