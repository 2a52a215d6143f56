"""The grounding check: every number in an answer must come from a tool result or a
cited document; an answer that states any other number is not sent."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from agent.results import ToolResult

__all__ = ["allowed_numbers", "numbers_in", "ungrounded_numbers"]

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUM = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?")
_ID = re.compile(r"\b[A-Z]{1,4}-?\d+[A-Z0-9-]*\b|\bP-[0-9a-f]+\b")


def numbers_in(text: str) -> tuple[set[str], list[float]]:
    """ISO dates and the other numbers a text states (ids such as US01 or C10001 left out)."""
    dates = set(_DATE.findall(text))
    rest = _ID.sub(" ", _DATE.sub(" ", text))
    values = []
    for m in _NUM.finditer(rest):
        raw = m.group(0).replace(",", "")
        try:
            values.append(float(raw))
        except ValueError:
            continue
    return dates, values


def _walk(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def allowed_numbers(
    results: Iterable[ToolResult], extra_text: Iterable[str] = ()
) -> tuple[set[str], list[float]]:
    """Every date and number the tool results and cited passages hold."""
    dates: set[str] = set()
    values: list[float] = []
    texts = list(extra_text)
    for r in results:
        texts += [r.headline, r.headline_zh]
        for f in r.figures:
            texts += [f.label, f.label_zh or ""]  # "Expected cash on 2026-04-01", "95% band"
            if isinstance(f.value, str):
                texts.append(f.value)
            else:
                values.append(float(f.value))
        for v in _walk([r.data, r.args, list(r.proposals), list(r.citations)]):
            if isinstance(v, bool):
                continue
            if isinstance(v, int | float):
                values.append(float(v))
            elif isinstance(v, str):
                texts.append(v)
    for t in texts:
        d, v = numbers_in(t)
        dates |= d
        values += v
    return dates, values


def _close(x: float, allowed: list[float]) -> bool:
    for a in allowed:
        for shown in (a, 100 * a, a / 1e3, a / 1e6):
            if math.isclose(x, shown, rel_tol=0.006, abs_tol=0.051) or abs(x - shown) <= 0.5:
                return True
    return False


def ungrounded_numbers(
    text: str, results: Iterable[ToolResult], extra_text: Iterable[str] = ()
) -> list[str]:
    """Numbers and dates in ``text`` that no result or cited passage holds."""
    ok_dates, ok_values = allowed_numbers(results, extra_text)
    dates, values = numbers_in(text)
    bad = sorted(dates - ok_dates)
    bad += [f"{v:g}" for v in values if not _close(v, ok_values)]
    return bad
