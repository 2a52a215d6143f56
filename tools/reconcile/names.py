"""Counterparty names as banks print them, matched to the customer and supplier master."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

__all__ = ["NameIndex", "normalise_name"]

_LEGAL = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "oy", "ab",
    "as", "aps", "pty", "lp", "llp", "the", "und", "and", "mbh", "ohg", "ug",
}  # fmt: skip


def normalise_name(name: str) -> str:
    """Lower case, no punctuation, no legal-form words: 'ACME Tools, Inc.' -> 'acme tools'."""
    words = re.findall(r"[0-9a-zà-ÿ]+", str(name).lower())
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


class NameIndex:
    """Finds the master record a bank's counterparty text refers to."""

    def __init__(self, names: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """``names``: id -> name, or (id, name) pairs when one id goes by several names."""
        pairs = names.items() if isinstance(names, Mapping) else names
        self._by_norm: dict[str, set[str]] = {}
        for ident, name in pairs:
            self._by_norm.setdefault(normalise_name(name), set()).add(ident)
        self._keys = list(self._by_norm)

    def candidates(self, text: str | None, *, cutoff: float = 0.88) -> tuple[set[str], float]:
        """Ids whose name the text gives (several when the master repeats a name), with
        the similarity; empty when nothing is close or two different names are as close."""
        if not text:
            return set(), 0.0
        norm = normalise_name(text)
        exact = self._by_norm.get(norm)
        if exact is not None:
            return set(exact), 1.0
        close = difflib.get_close_matches(norm, self._keys, n=2, cutoff=cutoff)
        if not close:
            return set(), 0.0
        best = difflib.SequenceMatcher(None, norm, close[0]).ratio()
        if len(close) > 1 and difflib.SequenceMatcher(None, norm, close[1]).ratio() > best - 0.03:
            return set(), 0.0  # two different names about as close: refuse to guess
        return set(self._by_norm[close[0]]), best
