"""Numbers stated in policy text, read from specific, recognisable statements.

Each claim is tied to a key of the policy YAML (``minimum_cash.entities.US01``,
``approval_matrix.payment_run``...). Statements are read one sentence or table row at
a time; a sentence that does not clearly say one thing is left alone rather than
guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Claim", "extract_claims", "statements"]


@dataclass(frozen=True)
class Claim:
    """One number a document states for a policy key."""

    key: str
    value: float | None
    unit: str  # currency code, "share", "days", "approvers"
    statement: str
    currency: str | None = None
    action: str | None = None
    bound: str | None = None  # approvals: "le" (up to), "gt" (above), "any"
    threshold: float | None = None


_NUM = r"\d{1,3}(?:[,' ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY = re.compile(
    rf"(?:\b(?P<c1>USD|EUR|GBP)|(?P<s1>US\$|\$|€))\s?(?P<n1>{_NUM})(?P<m1>\s?(?:million|mn|m)\b)?"
    rf"|(?P<n2>{_NUM})(?P<m2>\s?(?:million|mn|m)\b)?\s?(?P<c2>USD|EUR|GBP)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b)", re.IGNORECASE)
_ACCOUNT = re.compile(r"\b([A-Z]{2}\d{2}-[A-Z]{2}-[A-Z]{3})\b")
_ENTITY = re.compile(r"\b([A-Z]{2}\d{2})\b(?!-[A-Z])")
_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR"}
_WORDS = {"one": 1, "single": 1, "a single": 1, "two": 2, "three": 3, "1": 1, "2": 2, "3": 3}
_ACTIONS = (
    ("payment_run", r"\bpayment runs?\b"),
    ("investment_order", r"\binvestment orders?\b"),
    (
        "credit_line_draw",
        r"\bcredit[- ]line draws?\b|\bdraws? (?:on|under) (?:the |a )?(?:revolving )?credit "
        r"(?:facilit(?:y|ies)|lines?)\b|\bRCF draws?\b",
    ),
    (
        "credit_limit_change",
        r"\bcredit[- ]limit changes?\b|\bchanges? (?:to|of) (?:a )?(?:customer )?credit limits?\b",
    ),
    ("dunning_campaign", r"\bdunning campaigns?\b"),
    ("purchase_plan_change", r"\bpurchase plan changes?\b"),
    ("discount_offer", r"\bdiscount offers?\b"),
    ("*", r"\b(?:all|any) other (?:proposed )?actions?\b"),
)
_INSTRUMENTS = (
    ("mmf", r"\bmoney market funds?\b|\bMMFs?\b"),
    ("deposit_1w", r"\b(?:one|1)[- ]week (?:term )?deposits?\b"),
    ("deposit_1m", r"\b(?:one|1)[- ]month (?:term )?deposits?\b"),
    ("deposit_3m", r"\b(?:three|3)[- ]month (?:term )?deposits?\b"),
    ("tbill_3m", r"\btreasury bills?\b|\bt-bills?\b|\bbubills?\b"),
    ("overnight", r"\bovernight\b"),
)


def _number(text: str, million: str | None) -> float:
    value = float(re.sub(r"[,' ]", "", text))
    return value * 1e6 if million and million.strip() else value


def _money(text: str) -> list[tuple[float, str]]:
    out = []
    for m in _MONEY.finditer(text):
        if m["n1"]:
            cur = (m["c1"] or _SYMBOLS.get(m["s1"] or "", "")).upper()
            out.append((_number(m["n1"], m["m1"]), cur))
        else:
            out.append((_number(m["n2"], m["m2"]), m["c2"].upper()))
    return out


def _split_outside_parens(text: str) -> list[str]:
    """Clauses at ';' and ', ', except inside parentheses (lists of examples)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if depth == 0 and (ch == ";" or (ch == "," and text[i + 1 : i + 2] == " ")):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def statements(body: str) -> Iterator[str]:
    """Sentences of running text, and table rows and list items one by one."""
    for para in re.split(r"\n\s*\n", body):
        lines: list[str] = []
        for line in para.splitlines():
            if re.match(r"\s*(\||[-*] |\d+[.)] )", line) and lines:
                yield from _sentences(" ".join(lines))
                lines = []
            if line.strip().startswith("|"):
                yield line.strip()
            else:
                lines.append(line.strip())
        if lines:
            yield from _sentences(" ".join(lines))


def _sentences(text: str) -> Iterator[str]:
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text):
        if s.strip():
            yield s.strip()


def _minimum_cash(s: str) -> list[Claim]:
    if not re.search(r"\bminimum (?:operating )?cash\b|\bcash floor\b", s, re.IGNORECASE):
        return []
    amounts = _money(s)
    accounts = _ACCOUNT.findall(s)
    entities = list(dict.fromkeys(_ENTITY.findall(_ACCOUNT.sub(" ", s))))
    scopes: list[tuple[str, ...]]
    if entities:
        scopes = [
            (f"entities.{e}", *(f"accounts.{a}" for a in accounts if a.startswith(e)))
            for e in entities
        ]
    elif re.search(r"\bgroup\b", s, re.IGNORECASE):
        scopes = [("group",)]
    else:
        return []
    if len(amounts) == 1:
        pairs = [(scope, amounts[0]) for scope in scopes]
    elif len(amounts) == len(scopes):
        pairs = list(zip(scopes, amounts, strict=True))
    else:
        return []
    return [
        Claim(f"minimum_cash.{key}", value, cur, s, currency=cur)
        for scope, (value, cur) in pairs
        for key in scope
    ]


def _approvals(s: str) -> list[Claim]:
    if not re.search(r"approv", s, re.IGNORECASE):
        return []
    out: list[Claim] = []
    action: str | None = None
    last: float | None = None
    for clause in [s] if s.startswith("|") else _split_outside_parens(s):
        found = [
            (m.start(), name)
            for name, pattern in _ACTIONS
            for m in [re.search(pattern, clause, re.IGNORECASE)]
            if m
        ]
        if found:
            action = min(found)[1]
        count = re.search(
            r"\b(a single|one|single|two|three|[123])\s+(?:distinct\s+)?approvers?\b",
            clause,
            re.IGNORECASE,
        )
        if action is None or count is None:
            continue
        money = _money(clause)
        if re.search(r"\b(?:up to|not exceeding|at most)\b", clause, re.IGNORECASE) and money:
            bound, last = "le", money[0][0]
        elif re.search(r"\b(?:above|over|exceeding|more than)\b", clause, re.IGNORECASE):
            bound, last = "gt", money[0][0] if money else last
        elif re.search(r"\b(?:regardless of amount|any amount|always)\b", clause, re.I):
            bound, last = "any", None
        else:
            continue
        if bound != "any" and last is None:
            continue
        out.append(
            Claim(
                f"approval_matrix.{action}",
                float(_WORDS[count[1].lower()]),
                "approvers",
                s,
                action=action,
                bound=bound,
                threshold=last if bound != "any" else None,
            )
        )
    return out


def _investment(s: str, section: str, banks: list[str]) -> list[Claim]:
    out: list[Claim] = []
    if re.search(r"counterparty", s + " " + section, re.IGNORECASE):
        for bank in banks:
            short = bank.split(",")[0]
            at = s.find(short)
            if at < 0:
                continue
            rest = s[at + len(short) :]
            money = _money(rest)
            bare = re.search(rf"({_NUM})", rest.replace(bank[len(short) :], ""))
            if money:
                out.append(
                    Claim(f"investment.counterparty_limits.{bank}", money[0][0], money[0][1], s)
                )
            elif bare and s.startswith("|"):
                out.append(
                    Claim(f"investment.counterparty_limits.{bank}", _number(bare[1], None), "", s)
                )
    instrument = next(
        (name for name, pattern in _INSTRUMENTS if re.search(pattern, s, re.IGNORECASE)), None
    )
    limiting = re.search(r"may not exceed|maximum|at most|no more than|limit", s, re.I)
    if instrument and (limiting or "instrument" in section.lower()):
        share = _PERCENT.search(s)
        if share:
            out.append(
                Claim(
                    f"investment.instruments.{instrument}.max_share",
                    float(share[1]) / 100,
                    "share",
                    s,
                )
            )
        money = _money(s)
        if money:
            out.append(
                Claim(
                    f"investment.instruments.{instrument}.max_amount",
                    money[0][0],
                    money[0][1],
                    s,
                    currency=money[0][1],
                )
            )
    tenor = re.search(
        r"\b(?:maturity|tenor)\b[^.]*?\b(?:longer|more) than (\d+) days"
        r"|\bmaximum (?:tenor|maturity) (?:is |of )?(\d+) days",
        s,
        re.IGNORECASE,
    )
    if tenor:
        out.append(Claim("investment.max_tenor_days", float(tenor[1] or tenor[2]), "days", s))
    confidence = re.search(
        r"\bconfidence level (?:is|of) (\d+(?:\.\d+)?)\s?%", s, re.I
    ) or re.search(r"\bwith (\d+(?:\.\d+)?)\s?% confidence\b", s, re.I)
    if confidence:
        out.append(Claim("investment.confidence", float(confidence[1]) / 100, "share", s))
    return out


def _credit_and_warning(s: str) -> list[Claim]:
    out: list[Claim] = []
    if re.search(r"credit limit change", s, re.I) and re.search(
        r"exceed|more than|at most|maximum", s, re.I
    ):
        pct = _PERCENT.search(s)
        if pct:
            out.append(Claim("credit.max_limit_change_pct", float(pct[1]), "percent", s))
    review = re.search(
        r"\breviewed? at least every (\d+) days|\breviewed? every (\d+) days", s, re.I
    )
    if review and re.search(r"credit limit", s, re.I):
        out.append(Claim("credit.review_days", float(review[1] or review[2]), "days", s))
    if re.search(r"probability", s, re.I) and re.search(r"breach", s, re.I):
        pct = _PERCENT.search(s)
        level = "critical" if re.search(r"critical", s, re.I) else "warning"
        if pct and re.search(r"warning|critical", s, re.I):
            out.append(Claim(f"early_warning.{level}_probability", float(pct[1]) / 100, "share", s))
        horizon = re.search(r"\b(?:within|over) the next (\d+) days\b", s, re.I)
        if horizon:
            out.append(Claim("early_warning.horizon_days", float(horizon[1]), "days", s))
    return out


def extract_claims(body: str, *, section: str = "", banks: list[str] | None = None) -> list[Claim]:
    """Every recognisable numeric policy statement in ``body``."""
    out: list[Claim] = []
    for s in statements(body):
        out += _minimum_cash(s)
        out += _approvals(s)
        out += _investment(s, section, banks or [])
        out += _credit_and_warning(s)
    return out
