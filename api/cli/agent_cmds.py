"""``wcm ask``, ``wcm chat``, ``wcm proposals`` and ``wcm audit``: the assistant's commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, workspace_path
from api.cli.output import console, err_console, print_json, table
from tools.errors import ConfigError

proposals_app = typer.Typer(
    help="Proposed actions: list, show, approve, reject.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(proposals_app, name="proposals")
app.add_typer(audit_app, name="audit")

UserOpt = Annotated[str, typer.Option("--user", "-u", help="Who is acting (users.yaml).")]


def _assistant(workspace: Path | None) -> Any:
    from agent.service import Assistant
    from tools.workspace import open_workspace

    with err_console.status("loading the assistant"):
        return Assistant(open_workspace(workspace_path(workspace)))


def _ledger(workspace: Path | None) -> Any:
    from agent.ledger import Ledger
    from tools.workspace import open_workspace

    return Ledger.for_workspace(open_workspace(workspace_path(workspace)))


def _print_answer(answer: Any) -> None:
    console.print(answer.answer, markup=False, highlight=False)
    if answer.pending_approval:
        console.print(
            "[dim]Waiting for approval: wcm proposals approve ID --user APPROVER[/]", markup=True
        )


@app.command("ask")
@handle_errors
def ask_cmd(
    question: Annotated[
        str | None, typer.Argument(help="The question, in English or Chinese.")
    ] = None,
    workspace: WorkspaceOpt = None,
    thread: Annotated[str | None, typer.Option(help="Conversation thread id.")] = None,
    user: UserOpt = "analyst",
    batch: Annotated[
        Path | None, typer.Option(help='JSONL file: one {"question", "thread"?, "user"?} per line.')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask the assistant; answers carry figures, citations, proposals and tool calls."""
    if (question is None) == (batch is None):
        raise ConfigError("give a QUESTION or --batch FILE.jsonl (not both)")
    assistant = _assistant(workspace)
    if batch is None:
        answer = assistant.ask(question or "", thread=thread, user=user)
        if as_json:
            print_json(answer.model_dump(mode="json"))
        else:
            _print_answer(answer)
        return
    for n, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            q = str(item["question"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ConfigError(f'{batch}, line {n}: expected {{"question": ...}}') from None
        answer = assistant.ask(
            q, thread=item.get("thread") or thread, user=item.get("user") or user
        )
        if as_json:
            sys.stdout.write(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            console.print(f"[bold]> {q}[/]", markup=True)
            _print_answer(answer)


@app.command("chat")
@handle_errors
def chat_cmd(
    workspace: WorkspaceOpt = None,
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    user: UserOpt = "analyst",
) -> None:
    """A conversation in the terminal (empty line or 'exit' ends it)."""
    import uuid

    assistant = _assistant(workspace)
    thread = thread or f"chat-{uuid.uuid4().hex[:8]}"
    console.print(f"thread {thread}; ask about cash, risk, KPIs or plans. 'exit' ends.")
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            break
        if not line or line.lower() in ("exit", "quit"):
            break
        _print_answer(assistant.ask(line, thread=thread, user=user))


@proposals_app.command("list")
@handle_errors
def proposals_list(
    workspace: WorkspaceOpt = None,
    status: Annotated[str | None, typer.Option(help="pending, approved, executed...")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals, newest first."""
    records = _ledger(workspace).list(status=status)
    if as_json:
        print_json({"data": [r.summary() for r in records], "count": len(records)})
        return
    rows = [
        (
            r.proposal_id,
            r.status,
            r.action.action,
            r.action.title,
            f"{len(r.approvers)}/{r.required_approvers}",
        )
        for r in records
    ]
    console.print(table("Proposals", ["id", "status", "action", "title", "approvals"], rows))


@proposals_app.command("show")
@handle_errors
def proposals_show(
    proposal_id: str, workspace: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """One proposal with its items, approvals, execution and audit trail."""
    from agent.ledger import Executor, audit_entries

    ledger = _ledger(workspace)
    record = ledger.get(proposal_id)
    execution = Executor(ledger, lambda r: []).get(proposal_id)
    trail = audit_entries(ledger.engine, proposal_id=proposal_id)
    body = {
        **record.model_dump(mode="json"),
        "execution": None if execution is None else execution.model_dump(mode="json"),
        "audit": [e.model_dump(mode="json") for e in trail],
    }
    if as_json:
        print_json(body)
        return
    console.print(f"{record.proposal_id} [{record.status}] {record.action.title}", markup=False)
    console.print(record.action.rationale, markup=False)
    for e in trail:
        console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.event:<16} {e.actor}", markup=False)


@proposals_app.command("approve")
@handle_errors
def proposals_approve(
    proposal_id: str,
    user: UserOpt,
    workspace: WorkspaceOpt = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve; with the approvals the policy requires, the proposal executes once."""
    assistant = _assistant(workspace)
    record, execution = assistant.approve(proposal_id, user=user, reason=reason)
    body = {
        "proposal": record.summary(),
        "execution": None if execution is None else execution.model_dump(mode="json"),
    }
    if as_json:
        print_json(body)
        return
    console.print(f"{proposal_id}: {record.status}", markup=False)
    if execution is not None:
        for a in execution.artifacts:
            console.print(f"  wrote {a['path']}", markup=False)


@proposals_app.command("reject")
@handle_errors
def proposals_reject(
    proposal_id: str,
    user: UserOpt,
    workspace: WorkspaceOpt = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject (approver) or withdraw (requester); a rejected proposal never executes."""
    record = _ledger(workspace).reject(proposal_id, user, reason=reason)
    if as_json:
        print_json({"proposal": record.summary()})
    else:
        console.print(f"{proposal_id}: {record.status}", markup=False)


@audit_app.command("verify")
@handle_errors
def audit_verify(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the audit chain; exit 1 when a record was edited, deleted or reordered."""
    from agent.ledger import verify_audit

    result = verify_audit(_ledger(workspace).engine)
    if as_json:
        print_json(result.model_dump(mode="json"))
    elif result.ok:
        console.print(f"audit log intact: {result.records} records, head {result.head_hash[:16]}")
    else:
        for problem in result.problems:
            err_console.print(f"[red]tampered:[/] {problem}", markup=True)
    if not result.ok:
        raise typer.Exit(1)
