"""Knowledge-base retrieval quality and speed on the shipped Northwind Components content.

``python -m evals.retrieval [--chunks 10000] [--json]``: a labelled set of finance
questions (``evals/data/retrieval_questions.jsonl``), each mapped to the document
sections that answer it, is asked of a fresh store holding the shipped policies,
playbooks, glossary and decisions. Reported per method (ours: hybrid dense + BM25 with
reciprocal rank fusion; baselines: dense only, BM25 only): recall@5 and MRR@10 on the
real content, then again after filler chunks bring the store to ``--chunks`` (default
10,000), with the p95 query latency on that store. Ingestion throughput (chunks/s,
through the real file path: read, chunk, hash, embed, store) is measured on the filler,
beside the raw ``model.encode`` throughput on a sample of the same chunks measured just
before (``encode_only_chunks_per_s``): on a shared machine their ratio is the comparable
figure, since both move with the load.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evals.common import emit, peak_rss_mb
from knowledge import KnowledgeStore, SearchFilters, SearchHit, ingest_demo_content, ingest_paths
from knowledge.chunking import chunk_blocks
from knowledge.ingest import DocumentMeta, chunk_metadata
from knowledge.readers import read_document
from knowledge.retrieval import Method, keyword_index, rebuild_keyword_index, search

__all__ = ["main"]

QUESTIONS = Path(__file__).resolve().parent / "data" / "retrieval_questions.jsonl"
METHODS: tuple[Method, ...] = ("hybrid", "dense", "keyword")
SECTIONS_PER_FILE = 25
ENCODE_SAMPLE = 512  # filler chunks embedded alone for the encode-only baseline


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _relevant(hit: SearchHit, answers: list[dict[str, str]]) -> bool:
    return any(
        hit.doc_id == a["doc_id"]
        and a.get("section", "") in hit.section
        and a.get("version", hit.version) == hit.version
        for a in answers
    )


def _filters(raw: dict[str, Any] | None) -> SearchFilters | None:
    if not raw:
        return None
    if "as_of" in raw:
        raw = {**raw, "as_of": date.fromisoformat(raw["as_of"])}
    return SearchFilters(**raw)


def score(store: KnowledgeStore, questions: list[dict[str, Any]], method: Method) -> dict[str, Any]:
    """recall@5, MRR@10 and per-query latencies of one method over the labelled set."""
    found, reciprocal, millis = 0, 0.0, []
    misses = []
    for q in questions:
        started = time.perf_counter()
        hits = search(
            store, q["question"], k=10, filters=_filters(q.get("filters")), method=method
        ).hits
        millis.append((time.perf_counter() - started) * 1000)
        ranks = [i for i, h in enumerate(hits, 1) if _relevant(h, q["answers"])]
        if ranks and ranks[0] <= 5:
            found += 1
        else:
            misses.append(q["id"])
        reciprocal += 1 / ranks[0] if ranks else 0.0
    n = len(questions)
    return {
        "recall_at_5": round(found / n, 4),
        "mrr": round(reciprocal / n, 4),
        "millis": millis,
        "misses": misses,
    }


_WORDS = {
    "party": [
        "Harbor Freight Partners",
        "Lindqvist Tooling AB",
        "Meridian Plastics",
        "Aurora Metals",
        "Sunrise Packaging",
        "Bergmann Elektro GmbH",
        "Pacific Fasteners",
        "Oakline Logistics",
    ],
    "topic": [
        "delivery schedule",
        "price increase",
        "quality claim",
        "framework agreement",
        "forecast call",
        "rebate programme",
        "tooling invoice",
        "freight surcharge",
        "warehouse move",
        "audit request",
        "IT ticket",
        "sales pipeline",
    ],
    "verb": ["discussed", "agreed", "rejected", "postponed", "reviewed", "escalated", "confirmed"],
    "thing": [
        "the revised volumes",
        "the new price list",
        "a credit note",
        "the quarterly review",
        "the shipping window",
        "the spare parts order",
        "the packaging change",
        "the trade fair budget",
        "the service contract",
        "the onboarding checklist",
    ],
}


def _filler_section(rng: random.Random, n: int) -> str:
    w = {k: rng.choice(v) for k, v in _WORDS.items()}
    return (
        f"## {w['topic'].capitalize()} with {w['party']} ({n})\n\n"
        f"In the meeting on {rng.randint(1, 28)} {rng.choice(['March', 'June', 'October'])} "
        f"the team {w['verb']} {w['thing']} with {w['party']}. "
        f"Reference {rng.randint(10000, 99999)}; "
        f"amount {rng.randint(1, 900) * 100:,} {rng.choice(['USD', 'EUR'])}. Follow-up owner: "
        f"{rng.choice(['sales', 'operations', 'purchasing', 'quality', 'IT'])}, next review in "
        f"{rng.randint(1, 8)} weeks. {w['topic'].capitalize()} notes are filed in the "
        "shared drive.\n\n"
    )


def encode_only(store: KnowledgeStore, files: list[Path], limit: int = ENCODE_SAMPLE) -> float:
    """Chunks/s of the bare sentence model on up to ``limit`` chunks of ``files``, as
    ingestion would embed them (same text, batch size and normalisation)."""
    texts: list[str] = []
    for path in files:
        parsed = read_document(path)
        meta = DocumentMeta(parsed.properties, path, "documents")
        for chunk in chunk_blocks(parsed.blocks):
            texts.append(chunk_metadata(meta, chunk, content_hash="", source_path="")[1])
        if len(texts) >= limit:
            break
    texts = texts[:limit]
    model = store.embedder.model
    started = time.perf_counter()
    model.encode(
        texts,
        batch_size=store.embedder.batch_size,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return len(texts) / (time.perf_counter() - started)


def add_filler(
    store: KnowledgeStore, target: int, folder: Path, *, seed: int = 11
) -> dict[str, Any]:
    """Write meeting-note files and ingest them until the store holds ``target`` chunks."""
    rng = random.Random(seed)
    missing = max(target - store.count(), 0)
    if not missing:
        return {"filler": "already in the store; ingestion not measured"}
    files = -(-missing // SECTIONS_PER_FILE)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        count = min(SECTIONS_PER_FILE, missing - i * SECTIONS_PER_FILE)
        body = "".join(_filler_section(rng, i * SECTIONS_PER_FILE + j) for j in range(count))
        (folder / f"notes-{i:04d}.md").write_text(f"---\ntitle: Meeting notes {i}\n---\n{body}")
    print("encode-only baseline ...", file=sys.stderr)
    baseline = encode_only(store, sorted(folder.glob("*.md")))
    print(f"ingesting {files} filler files ...", file=sys.stderr)
    started = time.perf_counter()
    report = ingest_paths(store, [folder], collection="documents")
    seconds = time.perf_counter() - started
    rate = report.chunks / seconds
    return {
        "chunks": report.chunks,
        "seconds": round(seconds, 1),
        "chunks_per_s": round(rate, 1),
        "encode_only_chunks_per_s": round(baseline, 1),
        "ingest_to_encode_ratio": round(rate / baseline, 3),
    }


def run(chunks: int, keep: Path | None = None) -> dict[str, Any]:
    questions = load_questions()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = keep or Path(scratch)
        store = KnowledgeStore.open(Path(tmp) / "chroma")
        store.embedder(["warm up"])
        started = time.perf_counter()
        demo = ingest_demo_content(store)
        demo_s = time.perf_counter() - started
        print(f"shipped content: {store.count()} chunks in {demo_s:.1f} s", file=sys.stderr)
        small = {m: score(store, questions, m) for m in METHODS}
        ingest: dict[str, Any] = {
            "shipped_chunks": store.count(),
            "reused_store": keep is not None,
            "shipped_seconds": round(demo_s, 1),
        }
        if chunks > store.count():
            print(f"adding filler to {chunks} chunks ...", file=sys.stderr)
            ingest |= add_filler(store, chunks, Path(tmp) / "filler")
        started = time.perf_counter()
        rebuild_keyword_index(store)
        ingest["keyword_index_rebuild_s"] = round(time.perf_counter() - started, 2)
        keyword_index(store)  # saved beside the store
        fresh = KnowledgeStore.open(Path(tmp) / "chroma")  # as a new process would
        started = time.perf_counter()
        keyword_index(fresh)
        ingest["keyword_index_load_s"] = round(time.perf_counter() - started, 2)
        total = store.count()
        print(f"scoring on {total} chunks ...", file=sys.stderr)
        large = {m: score(store, questions + questions, m) for m in METHODS}
    results = {}
    for m in METHODS:
        results[m] = {
            "recall_at_5": small[m]["recall_at_5"],
            "mrr": small[m]["mrr"],
            "p95_ms": round(float(np.percentile(large[m]["millis"], 95)), 1),
            "median_ms": round(float(np.median(large[m]["millis"])), 1),
            "recall_at_5_large": large[m]["recall_at_5"],
            "mrr_large": large[m]["mrr"],
        }
    results["hybrid"]["ingest_chunks_per_s"] = ingest.get("chunks_per_s")
    results["hybrid"]["ingest_to_encode_ratio"] = ingest.get("ingest_to_encode_ratio")
    return {
        "dataset": f"northwind knowledge base: {len(questions)} questions; "
        f"{ingest['shipped_chunks']} shipped chunks; {total} chunks with filler",
        "primary": "hybrid",
        "results": results,
        "ingestion": ingest | {"demo_files": len(demo.files)},
        "misses": {m: small[m]["misses"] for m in METHODS},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.retrieval", description=__doc__)
    parser.add_argument("--chunks", type=int, default=10_000, help="store size for latency")
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="keep the store in this folder and reuse it next time (ingestion figures then "
        "cover only what was missing)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    doc = run(args.chunks, args.store)
    lines = [
        f"{m:8s} recall@5={r['recall_at_5']:.3f} MRR={r['mrr']:.3f} "
        f"p95={r['p95_ms']:.0f} ms (recall@5 at {args.chunks} chunks: {r['recall_at_5_large']:.3f})"
        for m, r in doc["results"].items()
    ]
    lines.append(f"ingestion: {doc['ingestion']}")
    emit(doc, as_json=args.json, lines=lines)


if __name__ == "__main__":
    main()
