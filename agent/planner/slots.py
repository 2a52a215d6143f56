"""Slot extraction: horizons, dates, amounts, percentages, entities, currencies, names.

Works on English and simplified Chinese. Names are matched fuzzily against the
workspace's master data, so "Midwest Industrial" or "midwest industrail" finds C10001.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

__all__ = ["MasterData", "Slots", "extract_slots"]

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十二": 12,
}
_UNIT_DAYS = {
    "day": 1,
    "days": 1,
    "week": 7,
    "weeks": 7,
    "wk": 7,
    "wks": 7,
    "month": 30,
    "months": 30,
    "quarter": 91,
    "quarters": 91,
    "year": 365,
    "years": 365,
}
_CN_UNIT = {
    "天": 1,
    "日": 1,
    "周": 7,
    "星期": 7,
    "个月": 30,
    "月": 30,
    "个季度": 91,
    "季度": 91,
    "年": 365,
}
_CURRENCIES = {
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "$": "USD",
    "美元": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "欧元": "EUR",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "£": "GBP",
    "英镑": "GBP",
    "cny": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
    "人民币": "CNY",
    "jpy": "JPY",
    "yen": "JPY",
    "日元": "JPY",
    "chf": "CHF",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "billion": 1e9,
    "万": 1e4,
    "亿": 1e8,
    "千": 1e3,
}


@dataclass(frozen=True)
class MasterData:
    """Names the planner may recognise: entities, customers, suppliers (id -> name)."""

    entities: dict[str, str] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    suppliers: dict[str, str] = field(default_factory=dict)
    entity_countries: dict[str, str] = field(default_factory=dict)
    top_customer: str | None = None
    top_supplier: str | None = None


@dataclass
class Slots:
    horizon_days: int | None = None
    dates: list[date] = field(default_factory=list)
    amounts: list[tuple[float, str | None]] = field(default_factory=list)
    percents: list[float] = field(default_factory=list)
    days_late: int | None = None
    span_days: int | None = None
    entity: str | None = None
    currency: str | None = None
    customer_id: str | None = None
    supplier_id: str | None = None
    top_n: int | None = None
    severity: str | None = None


def _num(text: str) -> float | None:
    text = text.replace(",", "")
    if text in _CN_DIGITS:
        return float(_CN_DIGITS[text])
    try:
        return float(text)
    except ValueError:
        return None


def _horizon(q: str) -> int | None:
    low = q.lower()
    if re.search(r"next quarter|this quarter|coming quarter|下个?季度|本季度|这个季度", low):
        return 91
    if re.search(r"next month|coming month|下个月|下月", low):
        return 30
    if re.search(r"next year|coming year|明年|未来一年", low):
        return 365
    if re.search(r"next week|this week|下周|本周", low):
        return 7
    if re.search(r"half[- ]year|six months|半年", low):
        return 182
    m = re.search(
        r"(\d+|one|two|three|four|six|twelve|thirteen)\s*-?\s*(days?|weeks?|wks?|months?|quarters?|years?)\b",
        low,
    )
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12, "thirteen": 13}
    spans = bool(re.search(r"\d\s*%|percent", low)) and bool(
        m and re.search(r"(for|over)\s*$", low[: m.start()])
    )
    if (
        m
        and not spans
        and not re.search(r"late|later|early|earlier|overdue|past", low[m.end() : m.end() + 12])
    ):
        n = words.get(m.group(1)) or _num(m.group(1))
        if n:
            return int(n * _UNIT_DAYS[m.group(2)])
    m = re.search(r"(\d+|[一二两三四五六七八九十]+)\s*(个季度|季度|个月|周|星期|天|日|年)", q)
    before = q[max(0, m.start() - 3) : m.start()] if m else ""
    if (
        m
        and "晚" not in q[m.end() : m.end() + 3]
        and not re.search("晚|延迟|推迟|逾期|拖延", before)
    ):
        n = _num(m.group(1))
        if n:
            return int(n * _CN_UNIT[m.group(2)])
    return None


def _amounts(q: str) -> list[tuple[float, str | None]]:
    out: list[tuple[float, str | None]] = []
    pattern = (
        r"(?P<pre>[$€£]|usd|eur|gbp)?\s?(?P<n>\d[\d,]*(?:\.\d+)?)\s?"
        r"(?P<scale>thousand|million|billion|mm|mn|bn|k|m|b|万|亿|千)?(?![a-z])\s?(?P<post>usd|eur|gbp|dollars|euros|美元|欧元)?"
    )
    for m in re.finditer(pattern, q, flags=re.IGNORECASE):
        if not (m.group("pre") or m.group("scale") or m.group("post")):
            continue
        tail = q[m.end() : m.end() + 2]
        if tail.startswith("%") or re.match(
            r"\s*(days?|weeks?|months?|天|周|个月)", q[m.end() : m.end() + 7], re.I
        ):
            continue
        value = _num(m.group("n"))
        if value is None:
            continue
        scale = (m.group("scale") or "").lower()
        value *= _SCALE.get(scale, 1.0)
        ccy_word = (m.group("pre") or m.group("post") or "").lower()
        out.append((value, _CURRENCIES.get(ccy_word)))
    return out


def _percents(q: str) -> list[float]:
    found = [
        float(m.group(1))
        for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|percent|pct|个百分点)", q, re.I)
    ]
    for m in re.finditer(r"百分之([一二两三四五六七八九十]+|\d+)", q):
        n = _num(m.group(1))
        if n is None and len(m.group(1)) == 2 and m.group(1)[0] == "十":
            n = 10 + _CN_DIGITS.get(m.group(1)[1], 0)
        elif n is None and len(m.group(1)) == 2 and m.group(1)[1] == "十":
            n = _CN_DIGITS.get(m.group(1)[0], 0) * 10
        if n is not None:
            found.append(float(n))
    return found


def _dates(q: str, today: date | None) -> list[date]:
    out = [date.fromisoformat(m.group(0)) for m in re.finditer(r"\b\d{4}-\d{2}-\d{2}\b", q)]
    for m in re.finditer(r"(\d{4})年(\d{1,2})月(\d{1,2})日", q):
        out.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in re.finditer(
        r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})",
        q,
        re.I,
    ):
        out.append(date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))))
    return out


def _fuzzy(q: str, names: dict[str, str], cutoff: float = 0.84) -> str | None:
    low = q.lower()
    for ident in names:
        if re.search(rf"\b{re.escape(ident.lower())}\b", low):
            return ident
    words = re.findall(r"[\w&'.-]+", low)
    best, best_score = None, cutoff
    for ident, name in names.items():
        core = re.sub(
            r"\b(inc|llc|ltd|corp|co|gmbh|ag|plc|sa|srl|bv|kg|limited|corporation)\b\.?",
            "",
            name.lower(),
        )
        tokens = re.findall(r"[\w&'-]+", core)
        if not tokens:
            continue
        n = len(tokens)
        target = " ".join(tokens)
        for i in range(len(words) - n + 1):
            window = " ".join(words[i : i + n])
            score = SequenceMatcher(None, window, target).ratio()
            if score > best_score:
                best, best_score = ident, score
        if n >= 2 and tokens[0] in words and len(tokens[0]) >= 5 and best is None:
            # a distinctive first word ("Midwest") names the company on its own
            best, best_score = ident, cutoff
    return best


def _entity(q: str, master: MasterData) -> str | None:
    low = q.lower()
    for ident in master.entities:
        if re.search(rf"\b{re.escape(ident.lower())}\b", low):
            return ident
    words = {
        "DE": ("german", "germany", "德国"),
        "US": ("u.s.", "usa", "us entity", "american", "美国"),
        "GB": ("uk", "british", "英国"),
        "CN": ("china", "chinese", "中国"),
    }
    for ident, country in master.entity_countries.items():
        if any(w in low for w in words.get(country, ())):
            return ident
    return None


def _currency(q: str) -> str | None:
    low = q.lower()
    for word, code in _CURRENCIES.items():
        if len(word) == 1 or not word.isascii():
            if word in low:
                return code
        elif re.search(rf"\b{re.escape(word)}\b", low):
            return code
    return None


def extract_slots(q: str, master: MasterData, *, today: date | None = None) -> Slots:
    """Every slot the question fills; unfilled slots stay None or empty."""
    s = Slots(
        horizon_days=_horizon(q), dates=_dates(q, today), amounts=_amounts(q), percents=_percents(q)
    )
    low = q.lower()
    m = (
        re.search(r"(\d+)\s*(?:days?|d)\s*(?:late|later|overdue|behind)", low)
        or re.search(r"(?:晚|延迟|推迟|拖延)\s*(\d+)\s*天", q)
        or re.search(r"(\d+)\s*天\s*(?:才付|付款|晚)", q)
    )
    if m:
        s.days_late = int(m.group(1))
    span = re.search(r"(?:for|over)\s+(\d+)\s*(weeks?|months?|days?)", low)
    if span:
        s.span_days = int(span.group(1)) * _UNIT_DAYS[span.group(2)]
    s.entity = _entity(q, master)
    s.currency = _currency(q)
    s.customer_id = _fuzzy(q, master.customers)
    s.supplier_id = _fuzzy(q, master.suppliers)
    if s.customer_id and s.supplier_id:
        if "supplier" in low or "供应商" in q:
            s.customer_id = None
        else:
            s.supplier_id = None
    if re.search(r"(top|biggest|largest|main|key)\s+customer|最大(的)?客户|头号客户", low):
        s.customer_id = s.customer_id or master.top_customer
    if re.search(r"(top|biggest|largest|main|key)\s+supplier|最大(的)?供应商", low):
        s.supplier_id = s.supplier_id or master.top_supplier
    m = re.search(r"top\s+(\d+)|前\s*(\d+)", low)
    if m:
        s.top_n = int(m.group(1) or m.group(2))
    if re.search(r"severe|worst|extreme|严重|极端", low):
        s.severity = "severe"
    elif re.search(r"moderate|mild|温和|中度", low):
        s.severity = "moderate"
    return s
