"""The knowledge base on Chroma: one collection per kind of content, our own embeddings.

Embedded Chroma (a folder in the workspace) by default; a Chroma server when
``WCM_CHROMA_HOST`` is set. Every chunk carries its document id, version, effective
date and whether it is the document's current version, so searches can filter on them.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from knowledge.embeddings import PACKAGED_MODEL, MiniLMEmbeddingFunction
from knowledge.models import COLLECTIONS, CollectionName, DocumentInfo
from knowledge.readers import DEFAULT_MAX_FILE_MB
from tools.errors import ConfigError, WcmError
from tools.settings import Settings

__all__ = ["FOREVER", "KnowledgeStore", "Metadata", "version_key"]

Metadata = dict[str, str | int | float | bool]
FOREVER = 99991231  # "superseded on" of a current version
_BATCH = 1024  # rows per Chroma write (capped by the client's own limit)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of version labels: 2 < 2.1 < 10; text parts compare as text."""
    parts = re.findall(r"\d+|[A-Za-z]+", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts)


def _version_changes(chunks: list[tuple[str, Metadata]]) -> list[tuple[str, Metadata]]:
    """The chunks of one document whose current flag or supersession date must change:
    the latest-effective version is current, each other one superseded by its successor."""
    versions: dict[str, int] = {}
    for _, meta in chunks:
        versions[str(meta["version"])] = int(meta.get("effective_int", 0))
    order = sorted(versions, key=lambda v: (versions[v], version_key(v)))
    until = {v: versions[order[i + 1]] for i, v in enumerate(order[:-1])}
    out: list[tuple[str, Metadata]] = []
    for chunk_id, meta in chunks:
        version = str(meta["version"])
        want = {"is_current": version == order[-1], "superseded_int": until.get(version, FOREVER)}
        if any(meta.get(k) != v for k, v in want.items()):
            out.append((chunk_id, {**meta, **want}))
    return out


class KnowledgeStore:
    """Handle on the knowledge base: collections, writes, version bookkeeping and listing.

    Ingestion, search and the decision ledger are functions over a store (see
    ``knowledge.ingest``, ``knowledge.retrieval``, ``knowledge.decisions``); the methods
    of the same names here are shortcuts to them.
    """

    def __init__(
        self,
        client: ClientAPI,
        *,
        embedding_model: str = PACKAGED_MODEL,
        location: str = "",
        max_file_mb: float = DEFAULT_MAX_FILE_MB,
        index_dir: Path | None = None,
    ) -> None:
        self.client = client
        self.index_dir = index_dir  # where the keyword index is saved (embedded store only)
        self.embedder = MiniLMEmbeddingFunction(model_name=embedding_model)
        self.location = location
        self.max_file_mb = max_file_mb
        self._collections: dict[str, Collection] = {}
        self.cache: dict[str, Any] = {}  # derived indexes (keyword index), keyed by revision

    @classmethod
    def open(
        cls, target: Settings | Path | str | None = None, *, max_file_mb: float | None = None
    ) -> KnowledgeStore:
        """Open (creating when needed) the knowledge base.

        Args:
            target: ``Settings`` (embedded store in the workspace, or the Chroma server
                when ``chroma_host`` is set), or the folder of an embedded store.
            max_file_mb: largest file ingestion accepts; default from the settings'
                ``kb_max_file_mb`` when present, else 20 MB.

        Raises:
            ConfigError: the Chroma server cannot be reached or the folder is unusable.
        """
        settings = target if isinstance(target, Settings) else Settings()
        limit = max_file_mb or float(getattr(settings, "kb_max_file_mb", DEFAULT_MAX_FILE_MB))
        chroma = ChromaSettings(anonymized_telemetry=False)
        try:
            if isinstance(target, Settings) and settings.chroma_host:
                client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma
                )
                location = f"chroma://{settings.chroma_host}:{settings.chroma_port}"
                index_dir: Path | None = None
            else:
                path = Path(target) if isinstance(target, str | Path) else None
                folder = path or settings.resolved_chroma_path
                folder.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(folder), settings=chroma)
                location = str(folder)
                index_dir = folder
        except (OSError, ValueError) as exc:
            raise ConfigError(f"knowledge base cannot be opened: {exc}") from None
        except Exception as exc:  # chromadb raises bare Exceptions for connection problems
            raise ConfigError(
                f"knowledge base cannot be opened ({type(exc).__name__}: {exc}); check "
                "WCM_CHROMA_HOST/WCM_CHROMA_PORT or WCM_CHROMA_PATH"
            ) from None
        return cls(
            client,
            embedding_model=settings.embedding_model,
            location=location,
            max_file_mb=limit,
            index_dir=index_dir,
        )

    # -- collections ---------------------------------------------------------------------

    def collection(self, name: str) -> Collection:
        """The Chroma collection ``name``, always with our embedding function."""
        if name not in COLLECTIONS:
            raise WcmError(f"unknown collection {name!r}; expected one of {', '.join(COLLECTIONS)}")
        if name not in self._collections:
            self._collections[name] = self.client.get_or_create_collection(
                name,
                embedding_function=self.embedder,  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"revision": "0"},
            )
        return self._collections[name]

    def revision(self, names: Sequence[str] = COLLECTIONS) -> tuple[str, ...]:
        """Each collection's revision, changed by every write from any process."""
        out = []
        for name in names:
            self.collection(name)  # created on first use
            fresh = self.client.get_collection(name, embedding_function=self.embedder)  # type: ignore[arg-type]
            out.append(str((fresh.metadata or {}).get("revision", "0")))
        return tuple(out)

    def touch(self, name: str) -> None:
        """Give collection ``name`` a new revision, so derived indexes are rebuilt."""
        self.collection(name).modify(metadata={"revision": uuid.uuid4().hex})

    # -- writes --------------------------------------------------------------------------

    def add_chunks(
        self,
        name: str,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        embeddings: Sequence[np.ndarray] | None = None,
        touch: bool = True,
    ) -> None:
        """Embed (unless ``embeddings`` are given) and store chunks, replacing any with the
        same ids; ``touch=False`` leaves the revision to the caller's one ``touch``."""
        if embeddings is not None and len(embeddings) != len(ids):
            raise WcmError(f"{len(ids)} chunks but {len(embeddings)} embeddings")
        col = self.collection(name)
        step = self._write_batch()
        for start in range(0, len(ids), step):
            end = start + step
            col.upsert(
                ids=list(ids[start:end]),
                documents=list(documents[start:end]),
                metadatas=[dict(m) for m in metadatas[start:end]],
                embeddings=None if embeddings is None else list(embeddings[start:end]),
            )
        if touch:
            self.touch(name)

    def _write_batch(self) -> int:
        """Rows per Chroma write: large writes are several times faster per row."""
        if "write_batch" not in self.cache:
            self.cache["write_batch"] = max(1, min(_BATCH, self.client.get_max_batch_size()))
        return int(self.cache["write_batch"])

    def delete_ids(self, name: str, ids: Sequence[str], *, touch: bool = True) -> None:
        if ids:
            self.collection(name).delete(ids=list(ids))
            if touch:
                self.touch(name)

    def chunks_where(self, name: str, where: Mapping[str, Any]) -> tuple[list[str], list[Metadata]]:
        got = self.collection(name).get(where=dict(where), include=["metadatas"])
        metas = [cast(Metadata, dict(m)) for m in got["metadatas"] or []]
        return list(got["ids"]), metas

    def refresh_versions(self, name: str, doc_id: str) -> None:
        """Mark the latest-effective version of ``doc_id`` current and date the others'
        supersession, so searches see one version unless they ask for another."""
        self.refresh_versions_of(name, [doc_id])

    def refresh_versions_of(self, name: str, doc_ids: Sequence[str], *, touch: bool = True) -> bool:
        """``refresh_versions`` for several documents with one read and one write; True
        when any chunk changed (the revision is then touched unless ``touch=False``)."""
        if not doc_ids:
            return False
        wanted = sorted(set(doc_ids))
        where = {"doc_id": wanted[0]} if len(wanted) == 1 else {"doc_id": {"$in": wanted}}
        ids, metas = self.chunks_where(name, where)
        by_doc: dict[str, list[tuple[str, Metadata]]] = defaultdict(list)
        for chunk_id, meta in zip(ids, metas, strict=True):
            by_doc[str(meta["doc_id"])].append((chunk_id, meta))
        changed_ids: list[str] = []
        changed: list[Metadata] = []
        for chunks in by_doc.values():
            for chunk_id, meta in _version_changes(chunks):
                changed_ids.append(chunk_id)
                changed.append(meta)
        if changed_ids:
            self.collection(name).update(ids=changed_ids, metadatas=changed)  # type: ignore[arg-type]
            if touch:
                self.touch(name)
        return bool(changed_ids)

    def delete_document(self, doc_id: str, *, version: str | None = None) -> int:
        """Remove a document (every version, or one) from every collection; chunks removed."""
        removed = 0
        for name in COLLECTIONS:
            where: dict[str, Any] = {"doc_id": doc_id}
            if version is not None:
                where = {"$and": [{"doc_id": doc_id}, {"version": version}]}
            ids, _ = self.chunks_where(name, where)
            if ids:
                self.delete_ids(name, ids, touch=False)
                self.refresh_versions_of(name, [doc_id], touch=False)
                self.touch(name)
                removed += len(ids)
        return removed

    # -- reads ---------------------------------------------------------------------------

    def list_documents(self, collection: CollectionName | None = None) -> list[DocumentInfo]:
        """Every stored document version, by collection and document id."""
        out: list[DocumentInfo] = []
        for name in [collection] if collection else COLLECTIONS:
            got = self.collection(name).get(include=["metadatas"])
            groups: dict[tuple[str, str], list[Metadata]] = defaultdict(list)
            for meta in got["metadatas"] or []:
                groups[(str(meta["doc_id"]), str(meta["version"]))].append(dict(meta))  # type: ignore[arg-type]
            for (doc_id, version), metas in sorted(groups.items()):
                first = metas[0]
                out.append(
                    DocumentInfo(
                        doc_id=doc_id,
                        version=version,
                        collection=name,
                        doc_type=str(first.get("doc_type", "")),
                        title=str(first.get("title", "")),
                        source=str(first.get("source", "")),
                        owner=str(first.get("owner", "")),
                        effective_date=str(first.get("effective_date", "")) or None,
                        is_current=bool(first.get("is_current", True)),
                        chunks=len(metas),
                    )
                )
        return out

    def count(self, names: Iterable[str] = COLLECTIONS) -> int:
        return sum(self.collection(n).count() for n in names)

    # -- shortcuts -----------------------------------------------------------------------

    def ingest_paths(self, paths: Sequence[Path | str], **kwargs: Any) -> Any:
        from knowledge.ingest import ingest_paths

        return ingest_paths(self, paths, **kwargs)

    def search(self, query: str, **kwargs: Any) -> Any:
        from knowledge.retrieval import search

        return search(self, query, **kwargs)
