"""Client/server mode: the same store API against a Chroma server on this machine."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import KnowledgeStore, ingest_paths, search
from tools.settings import Settings

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(not CHROMA.exists() and not shutil.which("chroma"), reason="no chroma CLI")
def test_store_works_against_a_chroma_server(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        settings = Settings(chroma_host="127.0.0.1", chroma_port=port, workspace=tmp_path / "ws")
        deadline = time.monotonic() + 60
        while True:
            try:
                store = KnowledgeStore.open(settings)
                store.client.heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert store.location == f"chroma://127.0.0.1:{port}"
        doc = tmp_path / "fx.md"
        doc.write_text("---\ndoc_id: fx\n---\n## Hedging\n\nForwards hedge firm commitments.\n")
        assert ingest_paths(store, [doc]).files[0].status == "ingested"
        assert search(store, "do we hedge currency risk").hits[0].doc_id == "fx"
        assert not (tmp_path / "ws").exists()  # nothing written to the workspace
    finally:
        server.terminate()
        server.wait(timeout=30)
