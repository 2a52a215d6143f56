"""Scenario text a treasurer would type, turned into specs.

Understood (case does not matter; clauses joined by "and", ";" or ","):

- ``collections -15% for 6 weeks`` / ``receipts down 15 % for 42 days starting in 2 weeks``
- ``supplier payments +10%``, ``payroll +5% for 3 months`` (any flow category)
- ``revenue -20%`` / ``sales drop 20% for 8 weeks``
- ``fx -10%`` / ``EUR -10%`` / ``usd +5%``
- ``credit line cut 50%`` / ``credit line cut 50% for DE01``
- ``customer C10058 pays 45 days late``
- ``supplier S20004 demands prepayment`` / ``supplier S20004 wants payment 30 days earlier``
- ``tighten terms for C10058 by 15 days`` / ``customer C10058 terms -15 days``
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import ValidationError

from tools.errors import ConfigError
from tools.scenarios.spec import (
    CreditCut,
    FlowShock,
    FxShock,
    LatePayment,
    Prepayment,
    RevenueShock,
    Scenario,
    ScenarioSpec,
    TermsChange,
)

__all__ = ["parse_scenario", "parse_spec"]

_CATEGORY_WORDS = {
    "collections": "customer_receipt",
    "collection": "customer_receipt",
    "receipts": "customer_receipt",
    "customer receipts": "customer_receipt",
    "customer payments": "customer_receipt",
    "supplier payments": "supplier_payment",
    "payables": "supplier_payment",
    "payments to suppliers": "supplier_payment",
    "payroll": "payroll",
    "salaries": "payroll",
    "wages": "payroll",
    "tax": "tax",
    "taxes": "tax",
    "fees": "fees",
    "other": "other",
    "other flows": "other",
}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
_PCT = (
    r"(?P<sign>[-+]|down |up |drops? (?:by )?|falls? (?:by )?|cut (?:by )?|rises? (?:by )?)?"
    r"\s*(?P<pct>\d+(?:\.\d+)?)\s*%"
)
_SPAN = r"(?:\s+(?:for|over)\s+(?P<n>\d+)\s*(?P<unit>days?|weeks?|months?))?"
_START = r"(?:\s+starting\s+in\s+(?P<sn>\d+)\s*(?P<sunit>days?|weeks?|months?))?"
_EXAMPLES = (
    '"collections -15% for 6 weeks", "revenue -20%", "fx -10%", "credit line cut 50%", '
    '"customer C10058 pays 45 days late", "supplier S20004 demands prepayment"'
)


def _signed(m: re.Match[str]) -> float:
    word = (m.group("sign") or "").strip()
    value = float(m.group("pct"))
    negative = word in ("-", "down") or word.startswith(("drop", "fall", "cut"))
    return -value if negative else value


def _days(n: str | None, unit: str | None) -> int | None:
    return None if n is None else int(n) * _UNIT_DAYS[str(unit)]


def _flow(m: re.Match[str]) -> ScenarioSpec:
    return FlowShock(
        category=_CATEGORY_WORDS[m.group("what").lower()],
        pct=_signed(m),
        days=_days(m.group("n"), m.group("unit")),
        start_day=_days(m.group("sn"), m.group("sunit")) or 0,
    )


def _revenue(m: re.Match[str]) -> ScenarioSpec:
    return RevenueShock(
        pct=_signed(m),
        days=_days(m.group("n"), m.group("unit")),
        start_day=_days(m.group("sn"), m.group("sunit")) or 0,
    )


def _fx(m: re.Match[str]) -> ScenarioSpec:
    ccy = m.group("ccy").upper()
    return FxShock(pct=_signed(m), currency=None if ccy == "FX" else ccy)


def _credit(m: re.Match[str]) -> ScenarioSpec:
    return CreditCut(pct=float(m.group("pct")), entity=m.group("entity"))


def _late(m: re.Match[str]) -> ScenarioSpec:
    return LatePayment(customer_id=m.group("id").upper(), days=int(m.group("days")))


def _prepay(m: re.Match[str]) -> ScenarioSpec:
    days = m.group("days")
    return Prepayment(supplier_id=m.group("id").upper(), days=int(days) if days else None)


def _terms(m: re.Match[str]) -> ScenarioSpec:
    return TermsChange(customer_id=m.group("id").upper(), days=int(m.group("days")))


_WHAT = "|".join(sorted((re.escape(w) for w in _CATEGORY_WORDS), key=len, reverse=True))
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], ScenarioSpec]], ...] = tuple(
    (re.compile(p, re.IGNORECASE), f)
    for p, f in (
        (rf"^(?P<what>{_WHAT})\s*(?:by\s+)?{_PCT}{_SPAN}{_START}$", _flow),
        (rf"^(?:revenue|sales)\s*(?:by\s+)?{_PCT}{_SPAN}{_START}$", _revenue),
        (r"^(?P<ccy>fx|[a-z]{3})\s*(?:rate\s*)?" + _PCT + "$", _fx),
        (
            r"^credit\s+lines?\s+(?:cut|reduced|down)\s+(?:by\s+)?(?P<pct>\d+(?:\.\d+)?)\s*%"
            r"(?:\s+(?:for|at|of)\s+(?P<entity>[a-z0-9_-]+))?$",
            _credit,
        ),
        (r"^customer\s+(?P<id>\S+)\s+pays\s+(?P<days>\d+)\s+days?\s+late(?:r)?$", _late),
        (
            r"^supplier\s+(?P<id>\S+)\s+(?:demands|wants|requires|asks for)\s+"
            r"(?:prepayment|payment\s+(?P<days>\d+)\s+days?\s+earlier)$",
            _prepay,
        ),
        (r"^tighten\s+terms\s+(?:for|of)\s+(?P<id>\S+)\s+by\s+(?P<days>\d+)\s+days?$", _terms),
        (r"^customer\s+(?P<id>\S+)\s+terms\s+-\s*(?P<days>\d+)\s+days?$", _terms),
    )
)


def parse_spec(text: str) -> ScenarioSpec:
    """One clause, e.g. ``"collections -15% for 6 weeks"``, as a spec.

    Raises:
        ConfigError: the clause matches no known form (the message lists examples).
    """
    clause = re.sub(r"\s+", " ", text.strip().rstrip(".")).replace("−", "-")
    for pattern, build in _RULES:
        m = pattern.match(clause)
        if m:
            try:
                return build(m)
            except ValidationError as exc:
                err = exc.errors()[0]
                raise ConfigError(
                    f"scenario {text!r}: {'.'.join(map(str, err['loc']))} {err['msg'].lower()}"
                ) from None
    raise ConfigError(f"scenario {text!r} not understood; write it like {_EXAMPLES}")


def parse_scenario(text: str, *, name: str | None = None) -> Scenario:
    """Scenario text with one or more clauses (joined by "and", ";" or ",").

    Raises:
        ConfigError: a clause is not understood, or the text is empty.
    """
    clauses = [c for c in re.split(r"\s*(?:;|,|\band\b)\s*", text, flags=re.IGNORECASE) if c]
    if not clauses:
        raise ConfigError(f"empty scenario; write it like {_EXAMPLES}")
    return Scenario(
        name=name or text.strip(),
        parts=tuple(parse_spec(c) for c in clauses),
        text=text,
    )
