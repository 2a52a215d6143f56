"""Executed dunning campaigns send their e-mails when an SMTP server is configured."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes
from pathlib import Path

import pytest

from agent.service import Assistant
from tests.agent.factory import build_company_workspace
from tools.domain.proposals import ActionItem, ProposedAction
from tools.settings import Settings


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 sink\r\n")
                for raw in lines:
                    verb = raw.split(b" ", 1)[0].strip().upper()
                    if verb == b"DATA":
                        conn.sendall(b"354 go on\r\n")
                        body = b""
                        for part in lines:
                            if part == b".\r\n":
                                break
                            body += part
                        self.messages.append(body)
                        conn.sendall(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    yield server
    server.close()


def _campaign(customer: str) -> ProposedAction:
    item = ActionItem(
        ref="INV-1",
        counterparty=customer,
        amount=12_000.0,
        date=date(2025, 11, 30),
        details={"email": "ap@customer.example", "stage": "reminder"},
    )
    return ProposedAction(
        action="dunning_campaign",
        title="Remind one customer",
        entity_id="US01",
        currency="USD",
        amount=12_000.0,
        amount_reporting=12_000.0,
        rationale="overdue",
        items=(item,),
        source="plan_collections",
        as_of=date(2025, 12, 31),
    )


def test_an_executed_campaign_is_sent_once(tmp_path: Path, sink: SmtpSink) -> None:
    ws = build_company_workspace(tmp_path / "ws")
    customer = str(ws.read("customers")["customer_id"].iloc[0])
    settings = Settings(workspace=ws.root, smtp_host="127.0.0.1", smtp_port=sink.port)
    with Assistant(ws, settings=settings) as assistant:
        record = assistant.ledger.propose(_campaign(customer), requester="ann")
        assistant.ledger.approve(record.proposal_id, "bob")
        if assistant.ledger.get(record.proposal_id).status != "approved":
            assistant.ledger.approve(record.proposal_id, "cat")
        first = assistant.executor.execute(record.proposal_id, actor="bob")
        again = assistant.executor.execute(record.proposal_id, actor="bob")
    assert first.status == "done" and again.replayed
    assert len(sink.messages) == 1  # exactly once, also when the execution is repeated
    sent = message_from_bytes(sink.messages[0])
    assert sent["To"] == "ap@customer.example" and "INV-1" in sent.as_string()
    assert (ws.root / "outbox" / record.proposal_id / "letters" / f"{customer}.eml").is_file()
