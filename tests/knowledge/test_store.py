"""Ingestion into Chroma: every format, idempotent re-ingest, replacement, deletion,
policy versions, and bad files skipped with a reason while the batch goes on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge import KnowledgeStore, SearchFilters, ingest_paths, search
from tests.knowledge.files import make_docx, make_pdf, open_store


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _policy(version: str, effective: str, floor: str) -> str:
    return (
        f"---\ndoc_id: cash-rules\ntitle: Cash Rules\nversion: '{version}'\n"
        f"effective_date: {effective}\nowner: Treasury\n---\n# Cash Rules\n\n"
        f"## Floor\n\nThe cash floor of Acme is {floor}.\n"
    )


def test_every_format_is_ingested_and_bad_files_are_skipped(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    _write(folder, "notes.md", "---\ntitle: Notes\n---\n## Terms\n\nSuppliers on net 30.\n")
    _write(folder, "memo.txt", "Memo\n\n1. Holds\nCustomers over limit go on hold.\n")
    _write(folder, "page.html", "<h1>Sweep</h1><p>Balances above the buffer are swept.</p>")
    _write(folder, "rules.pdf", make_pdf(["1. Deposits", "Deposits mature within 92 days."]))
    _write(folder, "ap.docx", make_docx([(1, "Runs"), (None, "Payment runs on Tuesdays.")]))
    _write(folder, "empty.md", "")
    _write(folder, "image.png", b"\x89PNG\r\n")
    _write(folder, "locked.pdf", make_pdf(["secret"], password="pw"))
    report = ingest_paths(store, [folder, tmp_path / "missing.md"])
    status = {Path(f.file).name: f for f in report.files}
    assert {n for n, f in status.items() if f.status == "ingested"} == {
        "notes.md",
        "memo.txt",
        "page.html",
        "rules.pdf",
        "ap.docx",
    }
    assert all(status[n].chunks >= 1 for n in ("notes.md", "rules.pdf", "ap.docx"))
    skipped = {n: f.reason or "" for n, f in status.items() if f.status == "skipped"}
    assert set(skipped) == {"empty.md", "image.png", "locked.pdf", "missing.md"}
    for name, reason in skipped.items():
        assert name in reason  # each reason names its file
    assert "file is empty" in skipped["empty.md"]
    assert "expected Markdown (.md), text (.txt), PDF" in skipped["image.png"]
    assert "password-protected" in skipped["locked.pdf"]
    assert status["notes.md"].collection == "documents"
    hit = search(store, "when do payment runs happen", k=3).hits
    assert any(h.source == "ap.docx" for h in hit)


def test_reingest_is_a_no_op_and_changed_content_replaces(
    store: KnowledgeStore, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "policies", "fx.md", "---\ndoc_id: fx\n---\n## Hedging\n\nNo speculation.\n"
    )
    first = ingest_paths(store, [path]).files[0]
    assert (first.status, first.collection) == ("ingested", "policies")  # folder name decides
    again = ingest_paths(store, [path]).files[0]
    assert (again.status, again.chunks) == ("unchanged", first.chunks)
    path.write_text("---\ndoc_id: fx\n---\n## Hedging\n\nForwards hedge firm commitments.\n")
    changed = ingest_paths(store, [path]).files[0]
    assert changed.status == "ingested"
    texts = [h.text for h in search(store, "hedging", filters=SearchFilters(doc_id="fx")).hits]
    assert texts == ["Forwards hedge firm commitments."]  # the old chunk is gone


def test_delete_by_document(store: KnowledgeStore, tmp_path: Path) -> None:
    path = _write(tmp_path, "temp.md", "---\ndoc_id: temp-note\n---\n## Zebra\n\nZebra stripes.\n")
    ingest_paths(store, [path])
    assert any(d.doc_id == "temp-note" for d in store.list_documents())
    assert store.delete_document("temp-note") == 1
    assert not any(d.doc_id == "temp-note" for d in store.list_documents())
    assert store.delete_document("temp-note") == 0
    hits = search(store, "zebra stripes", k=10, method="keyword").hits
    assert all(h.doc_id != "temp-note" for h in hits)


def test_only_the_current_version_is_retrieved_unless_asked(tmp_path: Path) -> None:
    store = open_store(tmp_path / "versions")
    old = _write(tmp_path, "cash-v1.md", _policy("1.0", "2023-01-01", "USD 1,000,000"))
    new = _write(tmp_path, "cash-v2.md", _policy("2.0", "2024-07-01", "USD 1,250,000"))
    ingest_paths(store, [old, new], collection="policies")
    docs = {d.version: d.is_current for d in store.list_documents("policies")}
    assert docs == {"1.0": False, "2.0": True}

    def floors(filters: SearchFilters | None = None) -> list[tuple[str, str]]:
        return [(h.version, h.text) for h in search(store, "cash floor", filters=filters).hits]

    assert floors() == [("2.0", "The cash floor of Acme is USD 1,250,000.")]
    assert floors(SearchFilters(version="1.0")) == [
        ("1.0", "The cash floor of Acme is USD 1,000,000.")
    ]
    assert floors(SearchFilters(as_of=date(2023, 6, 30)))[0][0] == "1.0"
    assert floors(SearchFilters(as_of=date(2024, 7, 1)))[0][0] == "2.0"
    assert floors(SearchFilters(as_of=date(2022, 1, 1))) == []  # nothing was in force yet
    assert {v for v, _ in floors(SearchFilters(include_superseded=True))} == {"1.0", "2.0"}
    # deleting the current version makes the previous one current again
    assert store.delete_document("cash-rules", version="2.0") == 1
    assert floors() == [("1.0", "The cash floor of Acme is USD 1,000,000.")]


def test_unknown_collection_is_refused(store: KnowledgeStore, tmp_path: Path) -> None:
    from tools.errors import WcmError

    path = _write(tmp_path, "x.md", "---\ncollection: secrets\n---\nText.\n")
    result = ingest_paths(store, [path]).files[0]
    assert result.status == "skipped" and "collection 'secrets' is unknown" in (result.reason or "")
    with pytest.raises(WcmError, match="unknown collection"):
        ingest_paths(store, [path], collection="secrets")  # type: ignore[arg-type]


def test_empty_store_and_hidden_files(tmp_path: Path) -> None:
    store = open_store(tmp_path / "empty")
    assert search(store, "anything at all").hits == ()
    assert store.list_documents() == []
    _write(tmp_path / "docs" / ".git", "config.md", "## Hidden\n\nnot a document\n")
    assert ingest_paths(store, [tmp_path / "docs"]).files == ()


def test_collections_use_our_embedding_function(store: KnowledgeStore) -> None:
    from knowledge import MiniLMEmbeddingFunction

    ef = store.collection("policies")._embedding_function
    assert isinstance(ef, MiniLMEmbeddingFunction)
    assert ef.name() == "wcm_minilm"
    rebuilt = MiniLMEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.get_config() == {"model_name": "all-MiniLM-L6-v2", "batch_size": 64}
    vectors = ef(["minimum cash", "cash floor"])
    assert len(vectors) == 2 and len(vectors[0]) == 384
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4  # unit vectors for cosine space


def test_keyword_index_is_saved_and_follows_other_processes(tmp_path: Path) -> None:
    first = open_store(tmp_path / "shared")
    ingest_paths(first, [_write(tmp_path, "a.md", "## Walrus\n\nWalrus accounts close monthly.\n")])
    assert search(first, "walrus", method="keyword").hits[0].doc_id == "a"
    assert (tmp_path / "shared" / "keyword-index.npz").exists()
    second = open_store(tmp_path / "shared")  # another process: loads the saved index
    assert search(second, "walrus", method="keyword").hits[0].doc_id == "a"
    ingest_paths(second, [_write(tmp_path, "b.md", "## Narwhal\n\nNarwhal fees are waived.\n")])
    assert search(first, "narwhal", method="keyword").hits[0].doc_id == "b"  # saw the write
