"""Knowledge base on Chroma: policies, playbooks, glossary and past decisions, with citations.

    store = KnowledgeStore.open(settings)          # or KnowledgeStore.open(Path("kb"))
    ingest_paths(store, ["policies/"])            # per-file report; unchanged files skipped
    result = search(store, "minimum cash for US01?", k=5)
    for hit in result.hits: print(hit.citation, hit.suspicious, hit.quoted())

Retrieved text is data, never instructions: chunks with instruction-like text carry
``suspicious=True`` and their reasons.
"""

from knowledge.consistency import ConsistencyFinding, ConsistencyReport, check_policy_consistency
from knowledge.decisions import (
    DecisionRecord,
    get_decision,
    load_decisions,
    record_decision,
    update_outcome,
)
from knowledge.demo import CONTENT_DIR, DEMO_ENTITY_CURRENCIES, ingest_demo_content
from knowledge.embeddings import MiniLMEmbeddingFunction, load_sentence_model
from knowledge.ingest import ingest_paths
from knowledge.models import (
    COLLECTIONS,
    DocumentInfo,
    FileResult,
    IngestReport,
    SearchFilters,
    SearchHit,
    SearchResult,
)
from knowledge.retrieval import search
from knowledge.safety import suspicious_reasons
from knowledge.store import KnowledgeStore

__all__ = [
    "COLLECTIONS",
    "CONTENT_DIR",
    "DEMO_ENTITY_CURRENCIES",
    "ConsistencyFinding",
    "ConsistencyReport",
    "DecisionRecord",
    "DocumentInfo",
    "FileResult",
    "IngestReport",
    "KnowledgeStore",
    "MiniLMEmbeddingFunction",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "check_policy_consistency",
    "get_decision",
    "ingest_demo_content",
    "ingest_paths",
    "load_decisions",
    "load_sentence_model",
    "record_decision",
    "search",
    "suspicious_reasons",
    "update_outcome",
]
