"""Ingestion: files and folders into the knowledge base, one report line per file.

A file whose content is already stored is left alone (content hash); a changed file
replaces its document version; a file that cannot be used is skipped with the reason and
the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.chunking import Chunk, chunk_blocks
from knowledge.ingest_writes import FLUSH_CHUNKS, PreparedFile, stored_copies, write_files
from knowledge.models import COLLECTIONS, CollectionName, FileResult, IngestReport
from knowledge.readers import parse_document, read_bytes
from knowledge.readers.base import normalise_date
from knowledge.safety import suspicious_reasons
from knowledge.store import FOREVER, KnowledgeStore, Metadata
from tools.errors import DataError, WcmError

__all__ = [
    "CHUNKER_VERSION",
    "DocumentMeta",
    "chunk_metadata",
    "ingest_paths",
    "prepare_file",
    "slug",
]

CHUNKER_VERSION = "1"  # part of the content hash: a new chunker re-ingests everything
_TYPE_OF = {
    "policies": "policy",
    "playbooks": "playbook",
    "glossary": "glossary",
    "decisions": "decision",
    "documents": "document",
}
_COLLECTION_OF = {v: k for k, v in _TYPE_OF.items()} | {"practice_note": "playbooks"}


def slug(text: str) -> str:
    """A document id from a name: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


class DocumentMeta:
    """A document's identity and properties, from its front matter or file properties."""

    def __init__(self, props: dict[str, Any], path: Path, collection: str | None) -> None:
        doc_type = str(props.get("doc_type") or props.get("type") or "").strip().lower()
        chosen = collection or str(props.get("collection") or "").strip().lower() or None
        if chosen is None:
            chosen = _COLLECTION_OF.get(doc_type) or (
                path.parent.name if path.parent.name in COLLECTIONS else "documents"
            )
        if chosen not in COLLECTIONS:
            raise WcmError(
                f"collection {chosen!r} is unknown; expected one of {', '.join(COLLECTIONS)}"
            )
        self.collection: str = chosen
        self.doc_type = doc_type or _TYPE_OF[chosen]
        self.doc_id = slug(str(props.get("doc_id") or props.get("id") or path.stem))
        self.title = str(props.get("title") or path.stem.replace("_", " ").replace("-", " "))
        self.version = str(props.get("version") or "1").strip()
        self.effective_date = normalise_date(props.get("effective_date")) or ""
        self.owner = str(props.get("owner") or "")
        self.source = path.name


def chunk_metadata(
    meta: DocumentMeta, chunk: Chunk, *, content_hash: str, source_path: str
) -> tuple[str, str, Metadata]:
    """Chroma id, stored text and metadata of one chunk."""
    text = chunk.indexed_text(meta.title)
    reasons = suspicious_reasons(text)
    effective = int(meta.effective_date.replace("-", "")) if meta.effective_date else 0
    return (
        f"{meta.doc_id}@{meta.version}#{chunk.index:03d}",
        text,
        {
            "doc_id": meta.doc_id,
            "title": meta.title,
            "collection": meta.collection,
            "doc_type": meta.doc_type,
            "source": meta.source,
            "source_path": source_path,
            "section": " > ".join(chunk.section),
            "chunk_index": chunk.index,
            "header_chars": len(text) - len(chunk.body),
            "version": meta.version,
            "effective_date": meta.effective_date,
            "effective_int": effective,
            "superseded_int": FOREVER,
            "is_current": True,
            "owner": meta.owner,
            "content_hash": content_hash,
            "suspicious": bool(reasons),
            "suspicious_reasons": ",".join(reasons),
        },
    )


def _without_title(chunk: Chunk, title: str) -> Chunk:
    """A document's top heading usually repeats its title: keep it out of section paths."""
    if chunk.section and chunk.section[0].strip().lower() in title.strip().lower():
        return Chunk(index=chunk.index, section=chunk.section[1:], body=chunk.body)
    return chunk


def _files(paths: Sequence[Path | str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            out.append(path)
    return out


_GROUP_FILES = 64  # files whose content hashes are looked up together
_GROUP_BYTES = 64 * 1024 * 1024  # ... unless their bytes reach this first


def _skipped(path: Path, exc: WcmError) -> FileResult:
    reason = str(exc.problems[0]) if isinstance(exc, DataError) else f"{path}: {exc}"
    return FileResult(file=str(path), status="skipped", reason=reason)


def prepare_file(
    data: bytes, path: Path, *, collection: str | None, content_hash: str
) -> PreparedFile:
    """Parse and chunk one file's content into the rows it will be stored as.

    Raises:
        DataError: the content cannot be parsed (names the file and the fix).
        WcmError: its front matter names an unknown collection.
    """
    parsed = parse_document(data, path)
    meta = DocumentMeta(parsed.properties, path, collection)
    chunks = [_without_title(c, meta.title) for c in chunk_blocks(parsed.blocks)]
    rows = tuple(
        chunk_metadata(meta, c, content_hash=content_hash, source_path=str(path)) for c in chunks
    )
    return PreparedFile(path, content_hash, meta.collection, meta.doc_id, meta.version, rows)


class _Ingestion:
    """One ingestion call: files are hashed and looked up in groups, and written in
    batches of about ``FLUSH_CHUNKS`` chunks, with the outcome each file would have had
    if the files were ingested one after another."""

    def __init__(self, store: KnowledgeStore, collection: str | None, total: int) -> None:
        self.store = store
        self.collection = collection
        self.results: list[FileResult | None] = [None] * total
        self.pending: list[tuple[int, PreparedFile]] = []
        self.errors: dict[int, WcmError] = {}
        self.written: dict[str, tuple[int, PreparedFile]] = {}  # content hash -> its writer
        self.latest: dict[tuple[str, str, str], str] = {}  # document version -> last hash
        self.copies: list[tuple[int, Path, int, PreparedFile]] = []  # repeats of earlier files

    def run(self, files: list[Path]) -> list[FileResult]:
        group: list[tuple[int, Path, bytes, str]] = []
        size = 0
        for i, path in enumerate(files):
            if not path.exists():
                self.results[i] = FileResult(
                    file=str(path), status="skipped", reason=f"{path}: file not found"
                )
                continue
            try:
                data = read_bytes(path, max_mb=self.store.max_file_mb)
            except WcmError as exc:
                self.results[i] = _skipped(path, exc)
                continue
            digest = hashlib.sha256(data + CHUNKER_VERSION.encode()).hexdigest()
            group.append((i, path, data, digest))
            size += len(data)
            if len(group) >= _GROUP_FILES or size >= _GROUP_BYTES:
                self._take(group)
                group, size = [], 0
        self._take(group)
        self._flush()
        return self._outcomes(files)

    def _take(self, group: list[tuple[int, Path, bytes, str]]) -> None:
        if not group:
            return
        stored = stored_copies(self.store, [g[3] for g in group], self.collection)
        for i, path, data, digest in group:
            earlier = self.written.get(digest)
            if earlier is not None and self.latest.get(earlier[1].key) == digest:
                self.copies.append((i, path, *earlier))  # same content as an earlier file
                continue
            copy = stored.get(digest)
            if copy is not None and copy.key not in self.latest:
                self.results[i] = copy.result(path)
                continue
            try:
                prepared = prepare_file(data, path, collection=self.collection, content_hash=digest)
            except WcmError as exc:
                self.results[i] = _skipped(path, exc)
                continue
            self.latest[prepared.key] = digest
            if prepared.rows:
                self.written[digest] = (i, prepared)
            self.pending.append((i, prepared))
            if sum(len(p.rows) for _, p in self.pending) >= FLUSH_CHUNKS:
                self._flush()

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            write_files(self.store, [p for _, p in batch])
        except WcmError as exc:
            if len(batch) == 1:
                self.errors[batch[0][0]] = exc
                self.results[batch[0][0]] = _skipped(batch[0][1].path, exc)
                return
            for one in batch:  # alone, so that only a file that cannot be written fails
                self.pending = [one]
                self._flush()
            return
        for i, prepared in batch:
            self.results[i] = prepared.result()

    def _outcomes(self, files: list[Path]) -> list[FileResult]:
        for i, path, first, prepared in self.copies:
            failed = self.errors.get(first)
            if failed is not None:
                self.results[i] = _skipped(path, failed)
            else:
                self.results[i] = prepared.result("unchanged", file=path)
        out = [r for r in self.results if r is not None]
        assert len(out) == len(files), "every file has an outcome"
        return out


def ingest_paths(
    store: KnowledgeStore,
    paths: Sequence[Path | str],
    *,
    collection: CollectionName | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively); one result per file, bad files skipped.

    Files are embedded and written in batches (see ``knowledge.ingest_writes``); each
    file's outcome is what ingesting the files one after another would give.

    Args:
        collection: put everything in this collection; by default each document's front
            matter (``collection`` or ``doc_type``) or its folder name decides, else
            ``documents``.
    """
    if collection is not None and collection not in COLLECTIONS:
        raise WcmError(
            f"unknown collection {collection!r}; expected one of {', '.join(COLLECTIONS)}"
        )
    started = time.perf_counter()
    files = _files(paths)
    results = _Ingestion(store, collection, len(files)).run(files)
    return IngestReport(files=tuple(results), seconds=round(time.perf_counter() - started, 3))
