"""Keyword search: Okapi BM25 over the chunks Chroma stores, rebuilt from them on change.

The index is a sparse matrix of BM25 term weights (chunks x terms), so a query is a sum of
a few columns. It is kept in memory, saved beside an embedded store (so a new process
loads it instead of re-reading every chunk), and rebuilt from Chroma's stored documents
when a collection's revision changes, by this process or another.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

__all__ = ["KeywordIndex", "tokenize"]

K1 = 1.2
B = 0.75
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "under",
        "up",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "within",
        "would",
        "you",
        "your",
    ]
)
_THOUSANDS = re.compile(r"(?<=\d)[,'’](?=\d{3}\b)")
_TOKEN = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)+")
_SUFFIXES = ("ing", "ed", "er", "al", "e")
_FILE = "keyword-index"


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light suffix stripper: approve/approved/approver/approvals all become ``approv``."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased word stems, numbers without thousands separators, stop words dropped;
    codes such as RCF-DE01 or INV-77120 also count as one whole token."""
    text = _THOUSANDS.sub("", text.lower())
    words = [_stem(t) for t in _TOKEN.findall(text) if t not in _STOP]
    for code in _CODE.findall(text):
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            words.append(re.sub(r"[-/.]", "", code))
    return words


@dataclass(frozen=True, eq=False)
class KeywordIndex:
    """BM25 weights of every stored chunk, with the metadata searches filter on."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix
    columns: dict[str, np.ndarray]
    rows: dict[str, int]

    @classmethod
    def build(
        cls, ids: Sequence[str], documents: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> KeywordIndex:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(ids), dtype=np.float64)
        for row, text in enumerate(documents):
            tf = Counter(tokenize(text))
            lengths[row] = sum(tf.values())
            for term, n in tf.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(n)
        n_docs = len(ids)
        tf_matrix = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float64), (rows, cols)),
            shape=(n_docs, len(vocabulary)),
        )
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocabulary))
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        avg = float(lengths.mean()) if n_docs else 0.0
        norm = K1 * (1 - B + B * lengths / avg) if avg else np.ones(n_docs)
        coo = tf_matrix.tocoo()
        data = coo.data * (K1 + 1) / (coo.data + norm[coo.row]) * idf[coo.col]
        weights = sparse.csc_matrix((data, (coo.row, coo.col)), shape=tf_matrix.shape)
        return cls._assemble(ids, documents, metadatas, vocabulary, weights)

    @classmethod
    def _assemble(
        cls,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        vocabulary: dict[str, int],
        weights: sparse.csc_matrix,
    ) -> KeywordIndex:
        columns = {
            key: np.asarray([m.get(key) for m in metadatas], dtype=object)
            for key in ("collection", "doc_type", "doc_id", "version")
        }
        for key in ("effective_int", "superseded_int"):
            columns[key] = np.asarray([int(m.get(key, 0)) for m in metadatas], dtype=np.int64)
        columns["is_current"] = np.asarray(
            [bool(m.get("is_current")) for m in metadatas], dtype=bool
        )
        rows_of = {cid: i for i, cid in enumerate(ids)}
        return cls(
            list(ids), list(documents), list(metadatas), vocabulary, weights, columns, rows_of
        )

    def save(self, folder: Path, revision: tuple[str, ...]) -> None:
        """Write the index beside the store, tagged with the revision it reflects."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{_FILE}.{os.getpid()}"
        with open(f"{tmp}.npz", "wb") as fh:
            np.savez(
                fh,
                data=self.weights.data,
                indices=self.weights.indices,
                indptr=self.weights.indptr,
                shape=np.asarray(self.weights.shape),
            )
        head = {
            "revision": list(revision),
            "ids": self.ids,
            "documents": self.documents,
            "metadatas": self.metadatas,
            "vocabulary": self.vocabulary,
        }
        Path(f"{tmp}.json").write_text(json.dumps(head), encoding="utf-8")
        os.replace(f"{tmp}.npz", folder / f"{_FILE}.npz")
        os.replace(f"{tmp}.json", folder / f"{_FILE}.json")

    @classmethod
    def load(cls, folder: Path, revision: tuple[str, ...]) -> KeywordIndex | None:
        """The saved index if it reflects ``revision``, else None (rebuild)."""
        try:
            head = json.loads((folder / f"{_FILE}.json").read_text(encoding="utf-8"))
            if tuple(head["revision"]) != revision:
                return None
            with np.load(folder / f"{_FILE}.npz") as arrays:
                weights = sparse.csc_matrix(
                    (arrays["data"], arrays["indices"], arrays["indptr"]),
                    shape=tuple(arrays["shape"]),
                )
        except (OSError, ValueError, KeyError):
            return None
        if weights.shape[0] != len(head["ids"]):
            return None
        return cls._assemble(
            head["ids"], head["documents"], head["metadatas"], head["vocabulary"], weights
        )

    def scores(self, query: str) -> np.ndarray:
        terms = {self.vocabulary[t] for t in tokenize(query) if t in self.vocabulary}
        if not terms:
            return np.zeros(len(self.ids))
        return np.asarray(self.weights[:, sorted(terms)].sum(axis=1)).ravel()

    def top(self, query: str, mask: np.ndarray, n: int) -> list[tuple[int, float]]:
        """Rows of the ``n`` best chunks among ``mask`` with a positive score."""
        scores = np.where(mask, self.scores(query), 0.0)
        positive = np.flatnonzero(scores > 0)
        if positive.size > n:
            positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
        order = positive[np.argsort(-scores[positive], kind="stable")]
        return [(int(i), float(scores[i])) for i in order]
