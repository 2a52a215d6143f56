"""Hybrid retrieval: dense (MiniLM in Chroma) and keyword (BM25) rankings fused by
reciprocal rank, filtered on collection, document type, version and effective date."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import numpy as np

from knowledge.keyword import KeywordIndex, tokenize
from knowledge.models import COLLECTIONS, SearchFilters, SearchHit, SearchResult
from knowledge.safety import suspicious_reasons
from knowledge.store import KnowledgeStore

__all__ = ["RRF_K", "chroma_where", "keyword_index", "rebuild_keyword_index", "search"]

_OVERFETCH = 4  # unfiltered neighbours asked of Chroma per result wanted
RRF_K = 60  # the usual reciprocal-rank-fusion constant: flattens the top ranks a little
Method = Literal["hybrid", "dense", "keyword"]


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
    """The filters as a Chroma ``where`` clause."""
    terms: list[dict[str, Any]] = []
    if filters.doc_types:
        terms.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.doc_id:
        terms.append({"doc_id": filters.doc_id})
    if filters.version is not None:
        terms.append({"version": filters.version})
    elif filters.as_of is not None:
        terms.append({"effective_int": {"$lte": _day(filters.as_of)}})
        terms.append({"superseded_int": {"$gt": _day(filters.as_of)}})
    elif not filters.include_superseded:
        terms.append({"is_current": True})
    if filters.effective_from is not None:
        terms.append({"effective_int": {"$gte": _day(filters.effective_from)}})
    if filters.effective_to is not None:  # undated documents are not "effective before"
        terms.append({"effective_int": {"$lte": _day(filters.effective_to)}})
        terms.append({"effective_int": {"$gt": 0}})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _mask(index: KeywordIndex, filters: SearchFilters, names: tuple[str, ...]) -> np.ndarray:
    col = index.columns
    mask = np.isin(col["collection"], list(names))
    if filters.doc_types:
        mask &= np.isin(col["doc_type"], list(filters.doc_types))
    if filters.doc_id:
        mask &= col["doc_id"] == filters.doc_id
    if filters.version is not None:
        mask &= col["version"] == filters.version
    elif filters.as_of is not None:
        day = _day(filters.as_of)
        mask &= (col["effective_int"] <= day) & (col["superseded_int"] > day)
    elif not filters.include_superseded:
        mask &= col["is_current"]
    if filters.effective_from is not None:
        mask &= col["effective_int"] >= _day(filters.effective_from)
    if filters.effective_to is not None:
        mask &= (col["effective_int"] <= _day(filters.effective_to)) & (col["effective_int"] > 0)
    return np.asarray(mask, dtype=bool)


def rebuild_keyword_index(store: KnowledgeStore) -> KeywordIndex:
    """The BM25 index built afresh from every chunk Chroma stores."""
    ids: list[str] = []
    docs: list[str] = []
    metas: list[dict[str, Any]] = []
    for name in COLLECTIONS:
        got = store.collection(name).get(include=["documents", "metadatas"])
        ids.extend(got["ids"])
        docs.extend(got["documents"] or [])
        metas.extend(dict(m) for m in got["metadatas"] or [])
    return KeywordIndex.build(ids, docs, metas)


def keyword_index(store: KnowledgeStore) -> KeywordIndex:
    """The BM25 index of every collection: from memory, else from the file saved beside an
    embedded store, else rebuilt from Chroma (when any collection has changed)."""
    revision = store.revision()
    cached = store.cache.get("keyword")
    if cached is not None and cached[0] == revision:
        return cached[1]
    if store.index_dir is not None:
        saved = KeywordIndex.load(store.index_dir, revision)
        if saved is not None:
            store.cache["keyword"] = (revision, saved)
            return saved
    index = rebuild_keyword_index(store)
    store.cache["keyword"] = (revision, index)
    if store.index_dir is not None:
        index.save(store.index_dir, revision)
    return index


def _dense(
    store: KnowledgeStore,
    index: KeywordIndex,
    query: str,
    filters: SearchFilters,
    mask: np.ndarray,
    names: tuple[str, ...],
    n: int,
) -> list[tuple[int, float]]:
    """Rows of the keyword index (which holds every chunk's text and metadata) nearest to
    the query's embedding.

    Chroma answers an unfiltered query in about a millisecond but a metadata-filtered one
    in tens, so each collection is asked for a few times ``n`` neighbours and filtered
    here with ``mask``; only a filter too selective for that goes to Chroma's ``where``.
    """
    vector = store.embedder.embed_query([query])
    found: list[tuple[int, float]] = []
    for name in names:
        in_collection = index.columns["collection"] == name
        size = int(in_collection.sum())
        allowed = int((mask & in_collection).sum())
        if not allowed:
            continue
        col = store.collection(name)
        fetch = min(size, n * _OVERFETCH)
        got = col.query(query_embeddings=vector, n_results=fetch, include=["distances"])
        kept = _rows(index, mask, got)
        if len(kept) < min(n, allowed) and fetch < size:
            where = chroma_where(filters)
            got = col.query(
                query_embeddings=vector,
                n_results=min(n, allowed),
                where=where,
                include=["distances"],
            )
            kept = _rows(index, mask, got)
        found.extend(kept)
    found.sort(key=lambda r: r[1])
    return found[:n]


def _rows(index: KeywordIndex, mask: np.ndarray, got: Any) -> list[tuple[int, float]]:
    out = []
    for cid, dist in zip(got["ids"][0], (got["distances"] or [[]])[0], strict=True):
        row = index.rows.get(cid)
        if row is not None and mask[row]:  # a chunk newer than the index waits for the next
            out.append((row, float(dist)))
    return out


def _snippet(body: str, query: str, words: int = 45) -> str:
    tokens = body.split()
    if len(tokens) <= words:
        return " ".join(tokens)
    wanted = set(tokenize(query))
    hits = np.asarray([bool(set(tokenize(t)) & wanted) for t in tokens], dtype=np.int64)
    window = np.convolve(hits, np.ones(words, dtype=np.int64), mode="valid")
    start = int(np.argmax(window)) if window.size else 0
    text = " ".join(tokens[start : start + words])
    return ("… " if start else "") + text + (" …" if start + words < len(tokens) else "")


def _hit(
    cid: str, doc: str, meta: dict[str, Any], query: str, score: float, ranks: dict[str, Any]
) -> SearchHit:
    body = doc[int(meta.get("header_chars", 0)) :].strip()
    # Checked again on the way out, so chunks stored before a detection rule existed are
    # flagged too.
    stored = [r for r in str(meta.get("suspicious_reasons", "")).split(",") if r]
    reasons = tuple(dict.fromkeys([*stored, *suspicious_reasons(doc)]))
    return SearchHit(
        chunk_id=cid,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        collection=str(meta.get("collection", "")),
        doc_type=str(meta.get("doc_type", "")),
        source=str(meta.get("source", "")),
        section=str(meta.get("section", "")),
        version=str(meta.get("version", "")),
        effective_date=str(meta.get("effective_date", "")) or None,
        owner=str(meta.get("owner", "")),
        is_current=bool(meta.get("is_current", True)),
        snippet=_snippet(body, query),
        text=body,
        suspicious=bool(reasons),
        suspicious_reasons=reasons,
        score=score,
        dense_rank=ranks.get("dense_rank"),
        keyword_rank=ranks.get("keyword_rank"),
    )


def search(
    store: KnowledgeStore,
    query: str,
    *,
    k: int = 5,
    filters: SearchFilters | None = None,
    method: Method = "hybrid",
    candidates: int = 30,
) -> SearchResult:
    """The ``k`` chunks that best answer ``query``, best first, each with its citation.

    Args:
        filters: collections, document types, version / date in force, effective dates;
            by default every collection, current versions only.
        method: ``hybrid`` (ours: dense and BM25 fused by reciprocal rank), or one side
            alone (``dense``, ``keyword``) as baselines.
        candidates: how deep each side's ranking goes before fusion.
    """
    filters = filters or SearchFilters()
    names = filters.collections or COLLECTIONS
    n = max(candidates, k)
    index = keyword_index(store)
    fused: dict[str, float] = {}
    ranks: dict[str, dict[str, Any]] = {}
    rows: dict[str, tuple[str, dict[str, Any]]] = {}
    mask = _mask(index, filters, names)
    if method in ("hybrid", "keyword"):
        for rank, (row, _) in enumerate(index.top(query, mask, n), 1):
            cid = index.ids[row]
            fused[cid] = fused.get(cid, 0.0) + 1 / (RRF_K + rank)
            ranks.setdefault(cid, {})["keyword_rank"] = rank
            rows[cid] = (index.documents[row], index.metadatas[row])
    if method in ("hybrid", "dense"):
        for rank, (row, _) in enumerate(_dense(store, index, query, filters, mask, names, n), 1):
            cid = index.ids[row]
            fused[cid] = fused.get(cid, 0.0) + 1 / (RRF_K + rank)
            ranks.setdefault(cid, {})["dense_rank"] = rank
            rows[cid] = (index.documents[row], index.metadatas[row])
    best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    hits = tuple(_hit(c, *rows[c], query, round(fused[c], 6), ranks[c]) for c in best)
    return SearchResult(query=query, method=method, filters=filters, hits=hits)
