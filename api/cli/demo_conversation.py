"""The demo's conversation: a question, a proposal, two approvals, the payment file, the audit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from api.cli.output import console as _console
from api.cli.output import err_console
from tools.errors import WcmError
from tools.settings import Settings
from tools.workspace import Workspace

__all__ = ["DEMO_USERS", "prepare_demo_workspace", "run_conversation"]

DEMO_USERS = {
    "demo": ["analyst"],
    "alice": ["approver"],
    "bob": ["approver"],
    "admin": ["admin"],
}

QUESTIONS = (
    "Forecast our cash for the next 13 weeks and tell me if we breach the minimum.",
    "What does our treasury policy say about the minimum cash balance?",
    "Optimize our supplier payments for the next 13 weeks.",
)


def prepare_demo_workspace(ws: Workspace, settings: Settings) -> int:
    """Demo users (``demo`` asks; ``alice`` and ``bob`` approve) and the shipped policies in
    the knowledge base; returns the number of chunks stored."""
    from agent.ledger import write_users
    from knowledge import KnowledgeStore, ingest_demo_content

    write_users(ws.root, DEMO_USERS)
    store = KnowledgeStore.open(settings.model_copy(update={"workspace": ws.root}))
    report = ingest_demo_content(store)
    return int(getattr(report, "chunks", 0) or 0)


def run_conversation(ws: Workspace, settings: Settings, *, show: bool = True) -> dict[str, Any]:
    """Ask, propose, approve with the approvers the policy needs, execute, verify the audit.

    ``show=False`` prints nothing (the demo's ``--json`` mode returns the transcript)."""
    console = _console if show else Console(file=io.StringIO())
    from agent.ledger.audit import verify_audit
    from agent.service import Assistant

    assistant = Assistant(ws, settings=settings.model_copy(update={"workspace": ws.root}))
    thread = None
    transcript: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    for question in QUESTIONS:
        with err_console.status(f"asking: {question}"):
            answer = assistant.ask(question, thread=thread, user="demo")
        thread = answer.thread_id
        console.print(f"[bold]demo>[/] {question}", highlight=False)
        console.print(answer.answer, highlight=False, markup=False)
        for c in answer.citations[:3]:
            console.print(f"  [dim]source: {_cite(c)}[/]", highlight=False)
        console.print()
        transcript.append(answer.model_dump(mode="json"))
        proposals = answer.proposals or proposals
    executed: dict[str, Any] = {}
    payment = next((p for p in proposals if p.get("action") == "payment_run"), None)
    if payment is not None:
        pid = str(payment.get("proposal_id") or payment.get("id"))
        record = assistant.ledger.get(pid)
        console.print(
            f"[bold]Approval[/]: {record.action.title} needs {record.required_approvers} "
            "approver(s) other than the requester 'demo'."
        )
        execution = None
        for approver in ("alice", "bob")[: max(1, record.required_approvers)]:
            try:
                record, execution = assistant.approve(pid, user=approver, reason="demo")
            except WcmError as exc:  # a rerun of the demo: the same plan was decided before
                console.print(f"  {approver} cannot approve: {exc}")
                break
            console.print(f"  {approver} approves -> proposal is {record.status}")
        if execution is not None:
            files = [str(a.get("path", a)) for a in execution.artifacts]
            console.print(f"  executed once ({execution.execution_id}); files written:")
            for f in files:
                console.print(f"    {f}", highlight=False)
            executed = {"proposal_id": pid, "execution_id": execution.execution_id, "files": files}
    audit = verify_audit(assistant.ledger.engine)
    console.print(f"[bold]Audit[/]: {_audit_line(audit)}")
    return {"transcript": transcript, "executed": executed, "audit_ok": bool(audit.ok)}


def _cite(c: dict[str, Any]) -> str:
    doc = c.get("document") or c.get("source") or "document"
    section = c.get("section")
    version = c.get("version")
    return (
        f"{Path(str(doc)).name}"
        + (f" / {section}" if section else "")
        + (f" (v{version})" if version else "")
    )


def _audit_line(audit: Any) -> str:
    if audit.ok:
        return f"hash chain verified ({getattr(audit, 'records', '?')} records)"
    return "BROKEN: " + "; ".join(audit.problems[:3])
