"""Open items and the document numbers a bank line's text mentions.

Payers write invoice numbers in their own way: re-spaced ("INV US01 000123"), in lower
case, inside a sentence, or with one character wrong. Exact numbers are found by joining
neighbouring words; a number with one typo (a character changed, dropped, added or two
swapped) is found through its one-deletion neighbourhood and kept only when one
document alone is that close.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["DocumentIndex", "OpenItem", "load_items", "norm_ref", "present"]

_MIN_FUZZY = 8  # shorter numbers are too easily one typo away from another one


class OpenItem:
    """A document and what is still open on it while a run applies lines."""

    __slots__ = ("currency", "discount", "doc_id", "due", "issued", "party", "remaining", "side")

    def __init__(
        self,
        doc_id: str,
        side: str,
        party: str,
        currency: str,
        remaining: float,
        due: pd.Timestamp,
        issued: pd.Timestamp | None,
        discount: float,
    ) -> None:
        self.doc_id, self.side, self.party, self.currency = doc_id, side, party, currency
        self.remaining, self.due, self.issued, self.discount = remaining, due, issued, discount

    @property
    def is_open(self) -> bool:
        return self.remaining > 0.005

    def known_on(self, day: pd.Timestamp) -> bool:
        """Whether the document existed on ``day`` (nobody pays an invoice not yet issued)."""
        return self.issued is None or pd.isna(self.issued) or self.issued <= day

    def settles(self, paid: float, tolerance: float) -> bool:
        """Whether ``paid`` settles the item in full, with or without its cash discount."""
        if abs(self.remaining - paid) <= tolerance:
            return True
        net = self.remaining * (1 - self.discount / 100)
        return self.discount > 0 and abs(net - paid) <= max(tolerance, 0.01)


def load_items(frame: pd.DataFrame | None, side: str, key: str, party: str) -> list[OpenItem]:
    """Every document of one side; settled ones still identify lines already applied."""
    if frame is None or frame.empty:
        return []
    live = frame.loc[frame["amount"] > 0] if "amount" in frame else frame
    discount = live["discount_pct"].fillna(0.0) if "discount_pct" in live else 0.0
    issued = pd.to_datetime(
        live["issue_date"] if "issue_date" in live else pd.Series(pd.NaT, index=live.index)
    )
    live = live.assign(_discount=discount, _issued=issued)
    cols = [key, party, "currency", "open_amount", "due_date", "_issued", "_discount"]
    return [
        OpenItem(str(r[0]), side, str(r[1]), str(r[2]), float(r[3]), r[4], r[5], float(r[6]))
        for r in live[cols].itertuples(index=False)
    ]


def norm_ref(text: str) -> str:
    """A document number without spaces, dashes or case: 'inv us01-000123' -> 'INVUS01000123'."""
    return re.sub(r"[^0-9A-Z]", "", str(text).upper())


def present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def line_text(line: Any) -> str:
    return " ".join(
        str(v)
        for v in (getattr(line, "reference", None), getattr(line, "description", None))
        if present(v)
    )


class DocumentIndex:
    """Document numbers by their normalised form, and by the form with one character less."""

    def __init__(self, items: list[OpenItem]) -> None:
        self.by_norm = {norm_ref(d.doc_id): d for d in items}
        self._deletes: dict[str, set[str]] = {}
        for key in self.by_norm:
            if len(key) >= _MIN_FUZZY and any(c.isdigit() for c in key):
                for variant in _deletions(key) | {key}:
                    self._deletes.setdefault(variant, set()).add(key)

    def exact(self, text: str, side: str) -> list[OpenItem]:
        """Documents of ``side`` whose number appears in the text, oldest due first."""
        found: dict[str, OpenItem] = {}
        for candidate in _candidates(text):
            doc = self.by_norm.get(candidate)
            if doc is not None and doc.side == side:
                found[doc.doc_id] = doc
        return sorted(found.values(), key=lambda d: (d.due, d.doc_id))

    def one_typo(self, text: str, side: str) -> list[OpenItem]:
        """Open documents of ``side`` one typo away from a number in the text; several
        when the text is that close to more than one (the caller must not guess)."""
        close: set[str] = set()
        for candidate in _candidates(text):
            if len(candidate) < _MIN_FUZZY or candidate in self.by_norm:
                continue
            for variant in _deletions(candidate) | {candidate}:
                for key in self._deletes.get(variant, ()):
                    if _one_edit(candidate, key):
                        close.add(key)
        docs = [self.by_norm[k] for k in sorted(close)]
        return [d for d in docs if d.side == side and d.is_open]


def _candidates(text: str) -> set[str]:
    """Runs of one to four neighbouring words, joined: 'INV US01 000123' and 'INV-US01-...'."""
    words = re.findall(r"[0-9A-Za-z]+", text)
    return {
        norm_ref("".join(words[i : i + size]))
        for size in range(1, 5)
        for i in range(len(words) - size + 1)
    }


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of two neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
