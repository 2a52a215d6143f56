"""Agent routing and safety on the simulated company.

``python -m evals.agent [--data DIR] [--json]``: the labelled questions in
``evals/data/agent_dev.jsonl`` (tuned on) and ``agent_heldout.jsonl`` (never tuned on)
are asked through the real graph with the offline planner; the result reports tool
selection accuracy, argument accuracy, grounding violations and turn latency (forecast
cached), beside a keyword-only router as the baseline. The safety run then tries to get
proposals executed without the approvals the policy requires.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.agent_safety import safety_run
from evals.common import emit

DATA = Path(__file__).parent / "data"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


ROLES = {
    "ann": ["analyst"],
    "bob": ["approver"],
    "cat": ["approver"],
    "dan": ["admin"],
    "vic": ["viewer"],
}


def small_company_workspace(
    root: Path, *, name: str, seed: int = 3, database_url: str | None = None, user: str = "eval"
) -> Any:
    """A small simulated company (40 customers, 20 suppliers, 2025) imported into a new
    workspace at ``root``, with the users of ``ROLES``."""
    from datetime import date

    from agent.ledger import write_users
    from tools.data.simulator import SimConfig, generate_company, write_company
    from tools.errors import WcmError
    from tools.workspace import import_files, init_workspace

    company = generate_company(
        SimConfig(
            seed=seed,
            n_customers=40,
            n_suppliers=20,
            n_skus=10,
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
        )
    )
    files = write_company(company, root / "exports", bank_format="csv")
    ws = init_workspace(
        root,
        name=name,
        reporting_currency=company.policy.reporting_currency,
        policy=company.policy,
        database_url=database_url,
    )
    report = import_files(ws, files, user=user)
    if not report.ok:
        raise WcmError(f"the simulated company did not import cleanly into {root}")
    write_users(root, ROLES)
    return ws


def build_workspace(root: Path) -> Any:
    """The small simulated company the agent is evaluated on (built once per folder)."""
    from tools.workspace import open_workspace

    if (root / "workspace.yaml").exists():
        return open_workspace(root)
    return small_company_workspace(root, name="Eval Manufacturing")


def load(name: str) -> list[dict[str, Any]]:
    return [
        json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()
    ]


def args_match(expected: dict[str, dict[str, Any]], calls: list[dict[str, Any]]) -> bool:
    got = {c["name"]: c["args"] for c in calls}
    for tool, want in expected.items():
        have = got.get(tool)
        if have is None:
            return False
        for key, value in want.items():
            actual = have.get(key)
            if isinstance(value, str) and isinstance(actual, str):
                if value.lower() not in actual.lower():
                    return False
            elif isinstance(value, int | float) and isinstance(actual, int | float):
                if abs(actual - value) > 1e-6 * max(1.0, abs(value)):
                    return False
            elif actual != value:
                return False
    return True


def keyword_baseline(question: str) -> list[str]:
    """The baseline: pick every intent whose keyword cues appear (no embeddings)."""
    from agent.planner.offline import _BOOST

    low = question.lower()
    hits = [i for i, cues in _BOOST.items() if any(re.search(c, low) for c in cues)]
    return [h for h in hits if h != "execute_request"][:2]


def score(rows: list[dict[str, Any]], answers: list[Any], seconds: list[float]) -> dict[str, Any]:
    tool_ok = [
        sorted(c["name"] for c in a.tool_calls) == sorted(r["tools"])
        for r, a in zip(rows, answers, strict=True)
    ]
    with_args = [
        (r, a) for r, a, ok in zip(rows, answers, tool_ok, strict=True) if r.get("args") and ok
    ]
    arg_total = sum(1 for r in rows if r.get("args"))
    arg_ok = sum(args_match(r["args"], a.tool_calls) for r, a in with_args)
    return {
        "questions": len(rows),
        "tool_accuracy": round(sum(tool_ok) / len(rows), 4),
        "arg_accuracy": round(arg_ok / max(1, arg_total), 4),
        "grounding_violations": sum(1 for a in answers if not a.grounded),
        "p50_s": round(statistics.median(seconds), 3),
        "p95_s": round(sorted(seconds)[int(0.95 * (len(seconds) - 1))], 3),
        "misses": [r["id"] for r, ok in zip(rows, tool_ok, strict=True) if not ok],
    }


def run_questions(
    assistant: Any, rows: list[dict[str, Any]], tag: str
) -> tuple[list[Any], list[float]]:
    answers, seconds = [], []
    for r in rows:
        thread = f"{tag}-{r['thread']}" if r.get("thread") else f"{tag}-{r['id']}"
        started = time.perf_counter()
        answers.append(assistant.ask(r["question"], thread=thread, user="ann"))
        seconds.append(time.perf_counter() - started)
    return answers, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.agent", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="Workspace folder to build/reuse")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-safety", action="store_true")
    opts = parser.parse_args(argv)
    root = opts.data or Path(tempfile.mkdtemp(prefix="wcm-eval-agent-")) / "ws"
    log(f"workspace {root}")
    ws = build_workspace(root)
    from agent.service import Assistant

    assistant = Assistant(ws)
    assistant.session.forecast(91)  # the cached forecast the latency target assumes
    results: dict[str, dict[str, Any]] = {}
    for split in ("dev", "heldout"):
        rows = load(f"agent_{split}.jsonl")
        log(f"{split}: {len(rows)} questions")
        answers, seconds = run_questions(assistant, rows, split)
        results[f"offline_{split}"] = score(rows, answers, seconds)
        base = [sorted(keyword_baseline(r["question"])) == sorted(r["tools"]) for r in rows]
        results[f"keyword_{split}"] = {
            "questions": len(rows),
            "tool_accuracy": round(sum(base) / len(rows), 4),
        }
    every = results["offline_dev"]["questions"] + results["offline_heldout"]["questions"]
    results["offline"] = {
        k: round(
            (
                results["offline_dev"][k] * results["offline_dev"]["questions"]
                + results["offline_heldout"][k] * results["offline_heldout"]["questions"]
            )
            / every,
            4,
        )
        for k in ("tool_accuracy", "arg_accuracy")
    } | {
        "grounding_violations": results["offline_dev"]["grounding_violations"]
        + results["offline_heldout"]["grounding_violations"],
        "p50_s": max(results["offline_dev"]["p50_s"], results["offline_heldout"]["p50_s"]),
        "p95_s": max(results["offline_dev"]["p95_s"], results["offline_heldout"]["p95_s"]),
    }
    if not opts.no_safety:
        log("safety run")
        results["safety"] = safety_run(assistant)
    doc = {
        "dataset": "agent questions on the simulated company (seed 3)",
        "primary": "offline",
        "results": results,
    }
    emit(doc, as_json=opts.json)


if __name__ == "__main__":
    main()
