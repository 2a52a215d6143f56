"""Service load on 127.0.0.1: concurrent chat sessions with the offline planner, approvals
racing each other, and Slack acknowledgements measured under that load.

``python -m evals.load [--sessions 50] [--questions 2] [--seed 7] [--json]``

The service runs in a child process (uvicorn) on the demo company's workspace. Each
session asks its questions in one thread (half of them streamed); one session in ten is
an approver who approves pending proposals, overlapping with the other approvers so that
concurrent approvals of one proposal happen. Meanwhile signed Slack mentions arrive every
half second (Slack's Web API is faked on 127.0.0.1). Afterwards the ledger is checked:
every fully approved proposal executed exactly once, nothing executed without its
approvals, the audit chain intact. Baseline: the same kind of questions asked one at a
time before the load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from evals.common import emit

__all__ = ["main"]

SLACK_SECRET = "load-test-signing-secret-0123456789"
QUESTIONS = (
    "cash in 13 weeks?",
    "what is our DSO and cash conversion cycle?",
    "probability of breaching minimum cash in the next 30 days?",
    "run the stress test",
    "which customers should we chase first?",
    "what if sales drop 10%?",
)
PROPOSING = "optimize supplier payments"


def log(msg: str) -> None:
    print(f"[load] {msg}", file=sys.stderr, flush=True)


# -- the service (child process) ---------------------------------------------------------


def serve(port: int, root: Path, slack_url: str) -> None:
    import uvicorn

    from api.deps import ServiceOptions
    from api.main import create_app
    from tools.settings import Settings

    settings = Settings(
        workspace=root, slack_bot_token="xoxb-load", slack_signing_secret=SLACK_SECRET
    )
    options = ServiceOptions(
        slack_api_url=slack_url, rate_limit_per_second=1000, rate_limit_burst=1000
    )
    uvicorn.run(
        create_app(settings, options=options), host="127.0.0.1", port=port, log_level="warning"
    )


def fake_slack() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(
                {
                    "ok": True,
                    "ts": f"{time.time():.6f}",
                    "user_id": "UBOT",
                    "bot_id": "B",
                    "team_id": "T1",
                    "file_id": "F1",
                    "upload_url": f"http://{self.headers.get('Host')}/upload",
                    "files": [{"id": "F1"}],
                }
            )
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build_workspace(root: Path, seed: int, sessions: int) -> dict[str, list[str]]:
    import yaml

    from agent.ledger import write_users
    from tools.data.simulator import SimConfig, generate_company, write_company
    from tools.workspace import import_files, init_workspace

    company = generate_company(SimConfig(seed=seed))
    files = write_company(company, root / "exports", bank_format="csv")
    ws = init_workspace(root, name="Load", policy=company.policy)
    report = import_files(ws, files, user="load")
    if not report.ok:
        raise SystemExit(f"demo import failed: {report.status}")
    approvers = [f"p{i:02d}" for i in range(max(1, sessions // 10))]
    analysts = [f"a{i:02d}" for i in range(sessions)]
    write_users(
        root, {**{a: ["analyst"] for a in analysts}, **{p: ["approver"] for p in approvers}}
    )
    (root / "identities.yaml").write_text(yaml.safe_dump({"slack": {"UANALYST": "a00"}}))
    return {"approvers": approvers, "analysts": analysts}


# -- the clients -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def ask(
    client: httpx.AsyncClient,
    user: str,
    question: str,
    thread: str | None,
    stream: bool,
    out: list[dict[str, Any]],
) -> str | None:
    body = {"message": question, "thread_id": thread}
    started = time.perf_counter()
    status, thread_id = 0, thread
    try:
        if stream:
            async with client.stream(
                "POST", "/v1/chat/stream", json=body, headers={"X-WCM-User": user}
            ) as r:
                status = r.status_code
                text = ""
                async for chunk in r.aiter_text():
                    text += chunk
                if "event: error" in text or "event: done" not in text:
                    status = 599
                if status == 200:
                    first = text.split("\n\n", 1)[0]
                    thread_id = json.loads(first.split("data: ", 1)[1])["thread_id"]
        else:
            r = await client.post("/v1/chat", json=body, headers={"X-WCM-User": user})
            status = r.status_code
            if status == 200:
                thread_id = r.json()["thread_id"]
    except httpx.HTTPError as exc:
        log(f"{user}: {exc!r}")
    out.append({"status": status, "seconds": time.perf_counter() - started, "stream": stream})
    return thread_id


async def analyst(
    client: httpx.AsyncClient, user: str, index: int, questions: int, out: list[dict[str, Any]]
) -> None:
    thread = None
    for k in range(questions):
        proposing = index % 10 == 1 and k == 0
        question = PROPOSING if proposing else QUESTIONS[(index + k) % len(QUESTIONS)]
        thread = await ask(client, user, question, thread, stream=index % 2 == 1, out=out)


async def approver(
    client: httpx.AsyncClient,
    user: str,
    index: int,
    deadline: float,
    decisions: list[dict[str, Any]],
) -> None:
    done: set[str] = set()
    while time.monotonic() < deadline:
        r = await client.get(
            "/v1/proposals",
            params={"status": "pending", "limit": 500},
            headers={"X-WCM-User": user},
        )
        pending = (
            [p["proposal_id"] for p in r.json().get("data", [])] if r.status_code == 200 else []
        )
        # Approvers start at neighbouring offsets, so they race on the same proposals.
        chosen = [p for p in pending[index % 3 :] if p not in done][:3]
        for pid in chosen:
            started = time.perf_counter()
            resp = await client.post(f"/v1/proposals/{pid}/approve", headers={"X-WCM-User": user})
            decisions.append({"status": resp.status_code, "seconds": time.perf_counter() - started})
            done.add(pid)
        await asyncio.sleep(0.5)


async def slack_mentions(
    client: httpx.AsyncClient, stop: asyncio.Event, out: list[float], failures: list[float]
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event_id": f"Ev{n}",
                "event": {
                    "type": "app_mention",
                    "user": "UANALYST",
                    "channel": "C1",
                    "text": "<@UBOT> cash in 13 weeks?",
                    "ts": f"{n}.0001",
                },
            }
        )
        ts = str(int(time.time()))
        sig = (
            "v0="
            + hmac.new(
                SLACK_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256
            ).hexdigest()
        )
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            "Content-Type": "application/json",
        }
        started = time.perf_counter()
        try:
            r = await client.post("/slack/events", content=body, headers=headers)
            (out if r.status_code == 200 else failures).append(time.perf_counter() - started)
        except httpx.HTTPError:
            failures.append(1)
        await asyncio.sleep(0.5)


async def run_load(base: str, people: dict[str, list[str]], questions: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    timeout = httpx.Timeout(600.0)
    chats: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    acks: list[float] = []
    ack_failures: list[float] = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        stop = asyncio.Event()
        slack = asyncio.create_task(slack_mentions(client, stop, acks, ack_failures))
        started = time.perf_counter()
        analysts = [
            analyst(client, user, i, questions, chats)
            for i, user in enumerate(people["analysts"])
            if i % 10 != 0
        ]
        load = asyncio.gather(*analysts)
        deadline = time.monotonic() + 3600
        approvers = asyncio.gather(
            *[
                approver(client, user, i, deadline, decisions)
                for i, user in enumerate(people["approvers"])
            ]
        )
        await load
        chats_done = time.perf_counter() - started
        # Let the approvers finish the queue they see, then stop them.
        await asyncio.sleep(3)
        approvers.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await approvers
        stop.set()
        await slack
    return {
        "chats": chats,
        "decisions": decisions,
        "acks": acks,
        "ack_failures": len(ack_failures),
        "seconds": chats_done,
    }


def check_ledger(root: Path) -> dict[str, Any]:
    """Executions against approvals, read from the ledger itself."""
    import sqlalchemy as sa

    from agent.ledger import Ledger, verify_audit
    from agent.ledger.schema import AUDIT, EXECUTIONS
    from tools.workspace import open_workspace

    ledger = Ledger.for_workspace(open_workspace(root))
    records = ledger.list(limit=100_000)
    with ledger.engine.connect() as conn:
        executions = conn.execute(sa.select(EXECUTIONS.c.proposal_id, EXECUTIONS.c.status)).all()
        runs = conn.execute(
            sa.select(AUDIT.c.proposal_id, sa.func.count())
            .where(AUDIT.c.event == "execute")
            .group_by(AUDIT.c.proposal_id)
        ).all()
    executed = {pid for pid, status in executions if status == "done"}
    approved = {
        r.proposal_id
        for r in records
        if len(set(r.approvers)) >= r.required_approvers
        and not any(a.decision == "reject" for a in r.approvals)
    }
    return {
        "proposals": len(records),
        "fully_approved": len(approved),
        "executions": len(executed),
        "lost_executions": len(approved - executed),
        "executions_without_approval": len(executed - approved),
        "duplicated_executions": sum(1 for _, n in runs if n > 1),
        "audit_chain_ok": verify_audit(ledger.engine).ok,
    }


def _exception_lines(text: str) -> list[str]:
    """The last line of each traceback in a log (the exception and its message)."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or lines[j].startswith("Traceback")):
                j += 1
            if j < len(lines):
                out.append(lines[j][:300])
    return out


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else float("nan")


def measure(sessions: int, questions: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="wcm-load-") as tmp:
        root = Path(tmp) / "ws"
        log("building the demo workspace")
        people = build_workspace(root, seed, sessions)
        slack = fake_slack()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        logfile = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - closed below
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "evals.load",
                "--serve",
                str(port),
                str(root),
                f"http://127.0.0.1:{slack.server_address[1]}/api/",
            ],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            log("warming up: the first question loads the planner and builds the forecast")
            t0 = time.perf_counter()
            httpx.post(
                base + "/v1/chat",
                json={"message": QUESTIONS[0]},
                headers={"X-WCM-User": people["analysts"][0]},
                timeout=900,
            ).raise_for_status()
            warmup = time.perf_counter() - t0
            log("baseline: one question at a time")
            single = []
            for q in QUESTIONS:
                t0 = time.perf_counter()
                r = httpx.post(
                    base + "/v1/chat",
                    json={"message": q},
                    headers={"X-WCM-User": people["analysts"][1]},
                    timeout=900,
                )
                single.append((r.status_code, time.perf_counter() - t0))
            log(f"load: {sessions} sessions x {questions} questions, approvers racing, Slack acks")
            result = asyncio.run(run_load(base, people, questions))
            ledger = check_ledger(root)
        finally:
            child.terminate()
            try:
                child.wait(60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(10)
            logfile.close()
            slack.shutdown()
            server_log = (Path(tmp) / "server.log").read_text()
            errors_logged = server_log.count("Traceback")
            for line in sorted(set(_exception_lines(server_log))):
                log(f"server error: {line}")
    chats = result["chats"]
    latencies = [c["seconds"] for c in chats]
    decided = result["decisions"]
    return {
        "service_under_load": {
            "sessions": sessions,
            "chat_requests": len(chats),
            "chat_p50_s": pct(latencies, 50),
            "chat_p95_s": pct(latencies, 95),
            "chat_error_rate": round(
                sum(c["status"] != 200 for c in chats) / max(1, len(chats)), 4
            ),
            "throughput_per_s": round(len(chats) / result["seconds"], 3),
            "approve_requests": len(decided),
            "approvals_accepted": sum(d["status"] == 200 for d in decided),
            "approvals_refused_409": sum(d["status"] == 409 for d in decided),
            "approve_server_errors": sum(d["status"] >= 500 for d in decided),
            **ledger,
            "slack_acks": len(result["acks"]),
            "slack_ack_failures": result["ack_failures"],
            "slack_ack_p50_s": pct(result["acks"], 50),
            "slack_ack_p99_s": pct(result["acks"], 99),
            "server_tracebacks": errors_logged,
            "warmup_s": round(warmup, 2),
        },
        "single_session": {
            "chat_requests": len(single),
            "chat_p50_s": pct([s for _, s in single], 50),
            "chat_p95_s": pct([s for _, s in single], 95),
            "chat_error_rate": round(sum(c != 200 for c, _ in single) / len(single), 4),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m evals.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--questions", type=int, default=2, help="Questions per session")
    parser.add_argument("--seed", type=int, default=7, help="Demo company seed")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--serve", nargs=3, metavar=("PORT", "ROOT", "SLACK_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]), args.serve[2])
        return
    results = measure(args.sessions, args.questions, args.seed)
    doc = {
        "dataset": f"demo company seed {args.seed}; {args.sessions} sessions x {args.questions} "
        "questions on 127.0.0.1, offline planner",
        "primary": "service_under_load",
        "results": results,
    }
    emit(doc, as_json=args.json)


if __name__ == "__main__":
    main()
