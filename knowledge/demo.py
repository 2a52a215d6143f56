"""The demo company's knowledge: Northwind Components' policies, playbooks, glossary and
past decisions, shipped with the product and loaded by ``wcm demo``."""

from __future__ import annotations

from pathlib import Path

from knowledge.decisions import load_decisions, record_decision
from knowledge.ingest import ingest_paths
from knowledge.models import FileResult, IngestReport
from knowledge.store import KnowledgeStore

__all__ = ["CONTENT_DIR", "DEMO_ENTITY_CURRENCIES", "ingest_demo_content"]

CONTENT_DIR = Path(__file__).resolve().parent / "content"
DEMO_ENTITY_CURRENCIES = {"US01": "USD", "DE01": "EUR"}


def ingest_demo_content(store: KnowledgeStore, *, content_dir: Path = CONTENT_DIR) -> IngestReport:
    """Load the shipped documents and seeded decisions; running it again changes nothing."""
    folders = [content_dir / name for name in ("policies", "playbooks", "glossary")]
    report = ingest_paths(store, [f for f in folders if f.is_dir()])
    results = list(report.files)
    for path in sorted((content_dir / "decisions").glob("*.y*ml")):
        records = load_decisions(path)
        for record in records:
            record_decision(store, record)
        results.append(
            FileResult(
                file=str(path), status="ingested", collection="decisions", chunks=len(records)
            )
        )
    return IngestReport(files=tuple(results), seconds=report.seconds)
