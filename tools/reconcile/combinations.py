"""Which of a payer's open items add up to a payment: a bounded subset-sum search.

Pairs are searched over every open item (sorted amounts, two pointers); three or more
items only among the oldest few, as payers clear their oldest items together and the
chance that unrelated items add up by accident grows fast with the number of items. The
search stops at the smallest number of items that works and reports whether that
combination is the only one, so the caller can refuse to guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from tools.reconcile.documents import OpenItem

__all__ = ["Combination", "distinct_amounts", "find_combinations"]

Combination = tuple[OpenItem, ...]

_LIMIT = 20


def find_combinations(
    items: Sequence[OpenItem],
    target: float,
    tolerance: float,
    *,
    most: int,
    window: int = 12,
) -> list[Combination]:
    """Combinations of two to ``most`` items whose open amounts sum to ``target`` within
    ``tolerance``: those of the smallest size found, oldest items first (at most
    ``_LIMIT``, enough to tell a unique answer from an ambiguous one); empty when none."""
    fits = [d for d in items if d.remaining <= target + tolerance]
    if len(fits) < 2:
        return []
    pairs = _pairs(fits, target, tolerance)
    if pairs or most < 3:
        return pairs
    oldest = sorted(fits, key=lambda d: (d.due, d.doc_id))[:window]
    for size in range(3, most + 1):
        found: list[Combination] = []
        for combo in itertools.combinations(oldest, size):
            if abs(sum(d.remaining for d in combo) - target) <= tolerance:
                found.append(combo)
                if len(found) == _LIMIT:
                    break
        if found:
            return found
    return []


def _pairs(items: list[OpenItem], target: float, tolerance: float) -> list[Combination]:
    ordered = sorted(items, key=lambda d: (d.remaining, d.doc_id))
    out: list[Combination] = []
    lo, hi = 0, len(ordered) - 1
    while lo < hi and len(out) < _LIMIT:
        total = ordered[lo].remaining + ordered[hi].remaining
        if total < target - tolerance:
            lo += 1
        elif total > target + tolerance:
            hi -= 1
        else:
            # every partner of ``lo`` within tolerance, then move on
            k = hi
            while k > lo and ordered[lo].remaining + ordered[k].remaining >= target - tolerance:
                out.append((ordered[lo], ordered[k]))
                k -= 1
            lo += 1
    combos = [tuple(sorted(c, key=lambda d: (d.due, d.doc_id))) for c in out[:_LIMIT]]
    return sorted(combos, key=lambda c: [(d.due, d.doc_id) for d in c])


def distinct_amounts(combos: Sequence[Combination]) -> int:
    """How many different sets of amounts the combinations stand for."""
    return len({tuple(sorted(round(d.remaining, 2) for d in c)) for c in combos})
