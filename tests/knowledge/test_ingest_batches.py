"""Batched ingestion: one embedding call and one write per collection for many files, with
the per-file outcomes that ingesting the files one after another would give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge import KnowledgeStore, SearchFilters, ingest_paths, search
from knowledge.ingest import prepare_file
from knowledge.readers import read_bytes
from tests.knowledge.files import open_store
from tools.errors import ConfigError


def _note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _doc(doc_id: str, version: str, body: str, effective: str = "2024-01-01") -> str:
    return (
        f"---\ndoc_id: {doc_id}\nversion: '{version}'\neffective_date: {effective}\n---\n"
        f"## Rule\n\n{body}\n"
    )


class _Counting:
    """Counts the sentence model's encode calls (by anyone, Chroma included) and a store's
    revision changes."""

    def __init__(self, store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.embed_calls: list[int] = []
        self.touched: list[str] = []
        model = store.embedder.model
        encode, touch = model.encode, store.touch

        def counted_encode(texts: Any, **kwargs: Any) -> Any:
            self.embed_calls.append(len(texts))
            return encode(texts, **kwargs)

        def counted_touch(name: str) -> None:
            self.touched.append(name)
            touch(name)

        monkeypatch.setattr(model, "encode", counted_encode)
        monkeypatch.setattr(store, "touch", counted_touch)


def test_many_files_are_embedded_in_one_call_and_written_once_per_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "kb")
    folder = tmp_path / "notes"
    for i in range(30):
        body = f"## Topic {i}\n\nItem {i} was agreed.\n\n## More\n\nNext {i}."
        _note(folder, f"n{i:02d}.md", body)
    _note(folder / "policies", "p.md", "## Floor\n\nKeep a floor.\n")
    counting = _Counting(store, monkeypatch)
    report = ingest_paths(store, [folder])
    assert report.count("ingested") == 31 and report.chunks == 61
    assert counting.embed_calls == [61]  # every chunk of every file in one call
    assert sorted(counting.touched) == ["documents", "policies"]  # one revision change each
    assert store.count(["documents"]) == 60
    counting.embed_calls.clear()
    again = ingest_paths(store, [folder])
    assert again.count("unchanged") == 31 and counting.embed_calls == []
    assert {f.chunks for f in again.files if f.file.endswith("n07.md")} == {2}


def test_flushes_bound_each_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path / "kb")
    monkeypatch.setattr("knowledge.ingest.FLUSH_CHUNKS", 4)
    for i in range(5):
        _note(tmp_path / "d", f"n{i}.md", f"## A\n\nAlpha {i}.\n\n## B\n\nBeta {i}.\n")
    counting = _Counting(store, monkeypatch)
    report = ingest_paths(store, [tmp_path / "d"])
    assert report.chunks == 10 and counting.embed_calls == [4, 4, 2]


def test_stored_rows_are_those_of_the_one_file_path(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kb")
    path = _note(tmp_path, "rules.md", "# Rules\n\n## Floor\n\nKeep USD 1,000,000.\n")
    ingest_paths(store, [path])
    digest = store.chunks_where("documents", {"doc_id": "rules"})[1][0]["content_hash"]
    want = prepare_file(read_bytes(path), path, collection=None, content_hash=str(digest)).rows
    got = store.collection("documents").get(ids=[r[0] for r in want])
    assert got["documents"] == [r[1] for r in want]
    assert [dict(m) for m in got["metadatas"] or []] == [r[2] for r in want]
    assert [r[2]["section"] for r in want] == ["Floor"]  # the title heading left out


def test_outcomes_match_one_file_at_a_time(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kb")
    d = tmp_path / "docs"
    _note(d, "a1.md", _doc("fx", "1", "Hedge firm commitments."))
    _note(d, "a2.md", _doc("fx", "1", "Hedge forecast flows."))  # same version: replaces a1
    _note(d, "b.md", "## Copy\n\nIdentical text.\n")
    _note(d, "b2.md", "## Copy\n\nIdentical text.\n")  # same content as b.md
    _note(d, "c.md", _doc("fx", "2", "Hedge nothing.", effective="2025-01-01"))
    _note(d, "d.md", "---\ncollection: secrets\n---\nText.\n")
    report = ingest_paths(store, [d])
    status = {Path(f.file).name: f for f in report.files}
    assert [Path(f.file).name for f in report.files] == sorted(status)  # files in order
    assert (status["a1.md"].status, status["a2.md"].status) == ("ingested", "ingested")
    assert (status["b2.md"].status, status["b2.md"].doc_id) == ("unchanged", "b")
    assert status["b2.md"].chunks == status["b.md"].chunks == 1
    assert status["d.md"].status == "skipped" and "d.md" in (status["d.md"].reason or "")
    v1 = search(store, "hedge", filters=SearchFilters(doc_id="fx", version="1")).hits
    assert [h.text for h in v1] == ["Hedge forecast flows."]  # a1's chunk was replaced
    versions = {d.version: d.is_current for d in store.list_documents() if d.doc_id == "fx"}
    assert versions == {"1": False, "2": True}

    # a3 holds the stored content of fx 1, but a1 (earlier in the same call) replaces it
    (d / "a2.md").rename(d / "a3.md")
    (d / "a1.md").write_text(_doc("fx", "1", "Hedge only forwards."))
    again = {Path(f.file).name: f.status for f in ingest_paths(store, [d]).files}
    assert again["a1.md"] == "ingested" and again["a3.md"] == "ingested"
    assert again["b.md"] == again["b2.md"] == again["c.md"] == "unchanged"
    v1 = search(store, "hedge", filters=SearchFilters(doc_id="fx", version="1")).hits
    assert [h.text for h in v1] == ["Hedge forecast flows."]


def test_a_file_that_cannot_be_written_is_skipped_and_the_rest_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "kb")
    model = store.embedder.model
    encode = model.encode

    def refuse_poison(texts: Any, **kwargs: Any) -> Any:
        if any("POISON" in t for t in texts):
            raise ConfigError("the embedding model refused this text; remove the marker")
        return encode(texts, **kwargs)

    monkeypatch.setattr(model, "encode", refuse_poison)
    d = tmp_path / "docs"
    _note(d, "a.md", "## A\n\nFine text.\n")
    _note(d, "b.md", "## B\n\nPOISON text.\n")
    _note(d, "b2.md", "## B\n\nPOISON text.\n")
    _note(d, "c.md", "## C\n\nMore fine text.\n")
    status = {Path(f.file).name: f for f in ingest_paths(store, [d]).files}
    assert {n: f.status for n, f in status.items()} == {
        "a.md": "ingested",
        "b.md": "skipped",
        "b2.md": "skipped",
        "c.md": "ingested",
    }
    assert "b.md: the embedding model refused" in (status["b.md"].reason or "")
    assert "b2.md: the embedding model refused" in (status["b2.md"].reason or "")
    assert {d.doc_id for d in store.list_documents()} == {"a", "c"}


def test_stored_copies_are_found_with_one_query_per_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "kb")
    d = tmp_path / "docs"
    for i in range(12):
        _note(d, f"n{i}.md", f"## N\n\nNote {i}.\n")
    ingest_paths(store, [d])
    queries: list[str] = []
    where = store.chunks_where

    def counted(name: str, clause: Any) -> Any:
        queries.append(name)
        return where(name, clause)

    monkeypatch.setattr(store, "chunks_where", counted)
    assert ingest_paths(store, [d]).count("unchanged") == 12
    assert queries == ["policies", "decisions", "playbooks", "glossary", "documents"]
