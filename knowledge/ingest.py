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
from knowledge.models import COLLECTIONS, CollectionName, FileResult, IngestReport
from knowledge.readers import ParsedDocument, parse_document, read_bytes
from knowledge.readers.base import normalise_date
from knowledge.safety import suspicious_reasons
from knowledge.store import FOREVER, KnowledgeStore, Metadata
from tools.errors import DataError, WcmError

__all__ = ["CHUNKER_VERSION", "DocumentMeta", "chunk_metadata", "ingest_paths", "slug"]

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


def _unchanged(store: KnowledgeStore, content_hash: str, collection: str | None) -> str | None:
    for name in [collection] if collection else COLLECTIONS:
        ids, _ = store.chunks_where(name, {"content_hash": content_hash})
        if ids:
            return name
    return None


def store_document(
    store: KnowledgeStore,
    parsed: ParsedDocument,
    path: Path,
    *,
    collection: str | None,
    content_hash: str,
) -> FileResult:
    """Replace a document version's chunks with those of ``parsed``."""
    meta = DocumentMeta(parsed.properties, path, collection)
    chunks = [_without_title(c, meta.title) for c in chunk_blocks(parsed.blocks)]
    rows = [
        chunk_metadata(meta, c, content_hash=content_hash, source_path=str(path)) for c in chunks
    ]
    old, _ = store.chunks_where(
        meta.collection, {"$and": [{"doc_id": meta.doc_id}, {"version": meta.version}]}
    )
    store.delete_ids(meta.collection, old)
    store.add_chunks(
        meta.collection, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    )
    store.refresh_versions(meta.collection, meta.doc_id)
    return FileResult(
        file=str(path),
        status="ingested",
        doc_id=meta.doc_id,
        version=meta.version,
        collection=meta.collection,
        chunks=len(rows),
        suspicious_chunks=sum(1 for r in rows if r[2]["suspicious"]),
    )


def ingest_file(
    store: KnowledgeStore, path: Path, *, collection: CollectionName | None = None
) -> FileResult:
    """Ingest one file; problems come back as a ``skipped`` result, never raised."""
    try:
        data = read_bytes(path, max_mb=store.max_file_mb)
        content_hash = hashlib.sha256(data + CHUNKER_VERSION.encode()).hexdigest()
        found = _unchanged(store, content_hash, collection)
        if found is not None:
            ids, metas = store.chunks_where(found, {"content_hash": content_hash})
            return FileResult(
                file=str(path),
                status="unchanged",
                doc_id=str(metas[0]["doc_id"]),
                version=str(metas[0]["version"]),
                collection=found,
                chunks=len(ids),
            )
        parsed = parse_document(data, path)
        return store_document(store, parsed, path, collection=collection, content_hash=content_hash)
    except DataError as exc:
        return FileResult(file=str(path), status="skipped", reason=str(exc.problems[0]))
    except WcmError as exc:
        return FileResult(file=str(path), status="skipped", reason=f"{path}: {exc}")


def ingest_paths(
    store: KnowledgeStore,
    paths: Sequence[Path | str],
    *,
    collection: CollectionName | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively); one result per file, bad files skipped.

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
    results = []
    for path in _files(paths):
        if not path.exists():
            results.append(
                FileResult(file=str(path), status="skipped", reason=f"{path}: file not found")
            )
            continue
        results.append(ingest_file(store, path, collection=collection))
    return IngestReport(files=tuple(results), seconds=round(time.perf_counter() - started, 3))
