"""Batched ingestion writes: which files are already stored, and storing many files at once.

One lookup of many content hashes per collection, one embedding call for every chunk of
a batch of files, then per collection one read, one delete, one upsert, one version
refresh and one revision change, instead of that sequence for every file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.models import COLLECTIONS, FileResult
from knowledge.store import KnowledgeStore, Metadata

__all__ = ["FLUSH_CHUNKS", "PreparedFile", "stored_copies", "write_files"]

FLUSH_CHUNKS = 512  # chunks gathered from files before they are embedded and written


@dataclass(frozen=True)
class PreparedFile:
    """A parsed, chunked file ready to be written: Chroma ids, texts and metadata."""

    path: Path
    content_hash: str
    collection: str
    doc_id: str
    version: str
    rows: tuple[tuple[str, str, Metadata], ...]

    @property
    def key(self) -> tuple[str, str, str]:
        """The document version this file replaces: collection, document id, version."""
        return (self.collection, self.doc_id, self.version)

    def result(self, status: str = "ingested", *, file: Path | None = None) -> FileResult:
        return FileResult(
            file=str(file or self.path),
            status="unchanged" if status == "unchanged" else "ingested",
            doc_id=self.doc_id,
            version=self.version,
            collection=self.collection,
            chunks=len(self.rows),
            suspicious_chunks=0 if status == "unchanged" else self._suspicious(),
        )

    def _suspicious(self) -> int:
        return sum(1 for row in self.rows if row[2]["suspicious"])


@dataclass(frozen=True)
class StoredCopy:
    """Where content with a given hash is already stored."""

    collection: str
    doc_id: str
    version: str
    chunks: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.collection, self.doc_id, self.version)

    def result(self, path: Path) -> FileResult:
        return FileResult(
            file=str(path),
            status="unchanged",
            doc_id=self.doc_id,
            version=self.version,
            collection=self.collection,
            chunks=self.chunks,
        )


def stored_copies(
    store: KnowledgeStore, hashes: Sequence[str], collection: str | None
) -> dict[str, StoredCopy]:
    """The stored copy of each content hash, from one query per collection searched (the
    given collection, else every one in order; the first holding a hash wins)."""
    remaining = sorted(set(hashes))
    found: dict[str, StoredCopy] = {}
    for name in [collection] if collection else COLLECTIONS:
        if not remaining:
            break
        where = (
            {"content_hash": remaining[0]}
            if len(remaining) == 1
            else {"content_hash": {"$in": remaining}}
        )
        _, metas = store.chunks_where(name, where)
        counts: dict[str, int] = defaultdict(int)
        first: dict[str, Metadata] = {}
        for meta in metas:
            digest = str(meta["content_hash"])
            counts[digest] += 1
            first.setdefault(digest, meta)
        for digest, meta in first.items():
            found[digest] = StoredCopy(
                name, str(meta["doc_id"]), str(meta["version"]), counts[digest]
            )
        remaining = [h for h in remaining if h not in found]
    return found


def write_files(store: KnowledgeStore, files: Sequence[PreparedFile]) -> None:
    """Store ``files``, each replacing its document version's chunks; a later file of the
    same document version replaces an earlier one, as if they were written in turn.

    Every chunk is embedded first (one call), so a failure there leaves the store as it
    was; each touched collection then gets one revision change.
    """
    latest = {f.key: f for f in files}
    kept = list(latest.values())
    texts = [row[1] for f in kept for row in f.rows]
    vectors: list[np.ndarray] = list(store.embedder(texts)) if texts else []
    by_collection: dict[str, list[tuple[PreparedFile, int]]] = defaultdict(list)
    offset = 0
    for f in kept:
        by_collection[f.collection].append((f, offset))
        offset += len(f.rows)
    for name, members in by_collection.items():
        doc_ids = sorted({f.doc_id for f, _ in members})
        replaced = {(f.doc_id, f.version) for f, _ in members}
        where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}
        old_ids, old_metas = store.chunks_where(name, where)
        stale = [
            cid
            for cid, meta in zip(old_ids, old_metas, strict=True)
            if (str(meta["doc_id"]), str(meta["version"])) in replaced
        ]
        store.delete_ids(name, stale, touch=False)
        rows = [row for f, _ in members for row in f.rows]
        store.add_chunks(
            name,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            embeddings=[v for f, start in members for v in vectors[start : start + len(f.rows)]],
            touch=False,
        )
        store.refresh_versions_of(name, doc_ids, touch=False)
        store.touch(name)
