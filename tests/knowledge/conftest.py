"""Knowledge-base fixtures: a store shared per module (the embedding model loads once per
process, a store's collections once per module)."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeStore
from tests.knowledge.files import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    """An empty store shared by one test module."""
    return open_store(tmp_path_factory.mktemp("kb") / "chroma")
