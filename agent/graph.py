"""The agent graph: guard_input -> plan <-> run_tools -> check_policy -> await_approval
-> execute -> respond.

The graph may only *propose*. ``check_policy`` stores proposals in the ledger (idempotent:
the same content is one proposal) and ``await_approval`` pauses with ``interrupt()``.
A resume carries no authority: ``execute`` asks the executor, which checks the ledger's
approvals and runs each proposal at most once, so replays, stale checkpoints and
concurrent resumes cannot execute twice or early.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.adapters import run_adapter
from agent.answer import Answer, compose_answer, grounded_text
from agent.context import Context
from agent.ledger import ExecutionRefused
from agent.planner.base import Plan, PlannedCall, Turn, detect_language
from agent.prompts import NO_RESULTS
from agent.results import ToolResult
from agent.state import AgentState
from tools.domain.proposals import ProposedAction
from tools.errors import WcmError

__all__ = ["build_graph"]

_INJECTION = re.compile(
    r"ignore (all |any )?(previous|prior|above) instructions|system prompt|you are now|"
    r"already approved|skip (the )?approval|without approval|忽略.*指令|已经批准|不用审批",
    re.IGNORECASE,
)
MAX_QUESTION = 4000


def guard_input(state: AgentState) -> dict[str, Any]:
    question = (state.get("question") or "").strip()[:MAX_QUESTION]
    flags = ["possible_injection"] if _INJECTION.search(question) else []
    return {
        "question": question,
        "language": detect_language(question),
        "flags": flags,
        "plan": None,
        "steps": 0,
        "results": [],
        "proposals": [],
        "executions": [],
        "answer": None,
    }


def plan(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    history = [Turn.model_validate(t) for t in state.get("history", [])]
    results = [ToolResult.model_validate(r) for r in state.get("results", [])]
    decided = ctx.planner.plan(
        state["question"], language=state["language"], history=history, results=results
    )
    return {"plan": decided.model_dump(mode="json"), "steps": state.get("steps", 0) + 1}


def route_plan(
    state: AgentState, runtime: Runtime[Context]
) -> Literal["run_tools", "check_policy", "respond"]:
    p = Plan.model_validate(state["plan"])
    if p.kind == "tools" and p.calls and state.get("steps", 0) <= runtime.context.max_steps:
        return "run_tools"
    if any(r.get("proposals") for r in state.get("results", [])):
        return "check_policy"
    return "respond"


def run_tools(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    p = Plan.model_validate(state["plan"])
    done = list(state.get("results", []))
    for call in p.calls:
        call_id = f"c{len(done) + 1}"
        done.append(
            run_adapter(call.name, dict(call.args), runtime.context.session, call_id).model_dump(
                mode="json"
            )
        )
    return {"results": done}


def check_policy(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    stored = []
    for r in state.get("results", []):
        for raw in r.get("proposals", []):
            body = {k: v for k, v in raw.items() if k != "fingerprint"}
            record = ctx.ledger.propose(
                ProposedAction.model_validate(body),
                requester=state.get("user", "unknown"),
                channel=ctx.channel,
                thread_id=ctx.thread_id,
            )
            stored.append(record.summary())
    draft = _answer(state, stored)
    return {"proposals": stored, "answer": draft.model_dump(mode="json")}


def await_approval(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    # Everything before interrupt() re-runs on resume: it only reads the ledger.
    ledger = runtime.context.ledger
    waiting = [
        p for p in state.get("proposals", []) if ledger.get(p["proposal_id"]).status == "pending"
    ]
    if not waiting:
        return {}
    decision = interrupt(
        {
            "answer": state.get("answer"),
            "waiting_for": [p["proposal_id"] for p in waiting],
        }
    )
    return {"flags": [*state.get("flags", []), f"resumed:{str(decision)[:80]}"]}


def route_approval(state: AgentState, runtime: Runtime[Context]) -> Literal["execute", "respond"]:
    ledger = runtime.context.ledger
    statuses = {ledger.get(p["proposal_id"]).status for p in state.get("proposals", [])}
    return "execute" if statuses & {"approved", "executing"} else "respond"


def execute(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    runs = []
    for p in state.get("proposals", []):
        try:
            record = ctx.executor.execute(p["proposal_id"], actor=ctx.user, channel=ctx.channel)
            runs.append(record.model_dump(mode="json"))
        except ExecutionRefused as exc:
            runs.append({"proposal_id": p["proposal_id"], "status": "refused", "error": str(exc)})
        except WcmError as exc:
            runs.append({"proposal_id": p["proposal_id"], "status": "failed", "error": str(exc)})
    return {"executions": runs}


def route_execute(
    state: AgentState, runtime: Runtime[Context]
) -> Literal["await_approval", "respond"]:
    ledger = runtime.context.ledger
    statuses = {ledger.get(p["proposal_id"]).status for p in state.get("proposals", [])}
    return "await_approval" if "pending" in statuses else "respond"


def respond(state: AgentState, runtime: Runtime[Context]) -> dict[str, Any]:
    ledger = runtime.context.ledger
    proposals = [ledger.get(p["proposal_id"]).summary() for p in state.get("proposals", [])]
    answer = _answer(state, proposals)
    for run in state.get("executions", []):
        files = ", ".join(a.get("path", "") for a in run.get("artifacts", []))
        line = f"{run['proposal_id']}: {run['status']}" + (f" ({files})" if files else "")
        answer = answer.model_copy(update={"answer": answer.answer + "\n" + line})
    results = [ToolResult.model_validate(r) for r in state.get("results", [])]
    fixed = (state.get("plan") or {}).get("kind") in ("clarify", "decline")
    if not fixed and answer.grounded and grounded_text(answer, results):
        answer = compose_answer(results, language=state["language"], proposals=proposals)
    turn = Turn(
        question=state["question"],
        language=state["language"],
        calls=tuple(PlannedCall(name=r.name, args=r.args) for r in results),
    )
    return {"answer": answer.model_dump(mode="json"), "history": [turn.model_dump(mode="json")]}


def _answer(state: AgentState, proposals: list[dict[str, Any]]) -> Answer:
    p = Plan.model_validate(state["plan"]) if state.get("plan") else Plan(kind="answer")
    results = [ToolResult.model_validate(r) for r in state.get("results", [])]
    language = state.get("language", "en")
    if p.kind in ("clarify", "decline"):
        return compose_answer([], language=language, proposals=[], message=p.message)
    answer = compose_answer(results, language=language, proposals=proposals, draft=p.message)
    if not results and not p.message:
        answer = answer.model_copy(update={"answer": NO_RESULTS[language]})
    return answer


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; pass a checkpointer for durable threads and approvals."""
    builder = StateGraph(AgentState, context_schema=Context)
    builder.add_node("guard_input", guard_input)
    builder.add_node("plan", plan)
    builder.add_node("run_tools", run_tools)
    builder.add_node("check_policy", check_policy)
    builder.add_node("await_approval", await_approval)
    builder.add_node("execute", execute)
    builder.add_node("respond", respond)
    builder.add_edge(START, "guard_input")
    builder.add_edge("guard_input", "plan")
    builder.add_conditional_edges("plan", route_plan)
    builder.add_edge("run_tools", "plan")
    builder.add_edge("check_policy", "await_approval")
    builder.add_conditional_edges("await_approval", route_approval)
    builder.add_conditional_edges("execute", route_execute)
    builder.add_edge("respond", END)
    return builder.compile(checkpointer=checkpointer)
