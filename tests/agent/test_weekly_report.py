"""The weekly report as an agent tool: routing, the written report with grounded figures
and chart refs, and sending it by e-mail only as an approved, once-executed proposal."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import yaml

from agent.ledger.models import ProposalRecord
from agent.ledger.users import Users
from agent.outbox import OutboxRenderer
from agent.planner.offline import OfflinePlanner
from agent.planner.recipients import recipients
from agent.planner.slots import MasterData
from agent.report_mail import distribution_fields, report_files, resolve_recipients
from agent.service import Assistant
from agent.session import ToolSession
from evals.agent import ROLES
from tests.agent.factory import build_company_workspace
from tests.agent.test_smtp import SmtpSink
from tools.domain.proposals import ActionItem, ProposedAction
from tools.errors import DataError
from tools.monitoring.report import weekly_report
from tools.monitoring.report_pdf import write_report_pdf
from tools.settings import Settings

CFO = "cfo@test-manufacturing.example"


@pytest.mark.parametrize(
    ("question", "args"),
    [
        ("give me the weekly report", {}),  # plain request
        ("weekly cash report please", {}),  # terse
        ("周报", {}),  # Chinese, one word
        ("can I get this week's report as PDF", {"pdf": True}),  # PDF asked for
        ("send the weekly report to the CFO", {"send_to": ["CFO"]}),  # sending: a proposal
        ("把周报发给CFO和财务部", {"send_to": ["CFO", "财务部"]}),  # Chinese recipients
    ],
)
def test_report_questions_route_to_the_tool(question: str, args: dict[str, object]) -> None:
    plan = OfflinePlanner(MasterData()).plan(question, language="en", history=[], results=[])
    assert [(c.name, c.args) for c in plan.calls] == [("weekly_report", args)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("send the weekly report to the CFO and treasury", ["CFO", "treasury"]),  # two names
        ("e-mail it to ann@x.example please", ["ann@x.example"]),  # an address
        ("share this week's report with the board", ["board"]),  # share ... with
        ("send it to me as pdf", []),  # the asker is not a recipient
        ("give me the weekly report", []),  # nothing to send
    ],
)
def test_recipients_named_in_a_question(question: str, expected: list[str]) -> None:
    assert recipients(question) == expected


def test_recipients_resolve_from_users_yaml() -> None:
    users = Users.model_validate(
        {
            "users": {
                "cfo": {"roles": ["approver"], "email": CFO},
                "tina": {"roles": ["viewer"], "name": "Treasury team", "email": "t@x.example"},
                "bob": {"roles": ["approver"]},
            }
        }
    )
    found, missing = resolve_recipients(["CFO", "treasury", "bob", "a@b.example"], users)
    assert found == [("CFO", CFO), ("treasury", "t@x.example"), ("a@b.example", "a@b.example")]
    assert missing == ["bob"]  # a user without an e-mail address


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory):
    ws = build_company_workspace(tmp_path_factory.mktemp("weekly") / "ws")
    users = {name: {"roles": roles} for name, roles in ROLES.items()}
    users["cfo"] = {"roles": ["viewer"], "name": "Chief Financial Officer", "email": CFO}
    (ws.root / "users.yaml").write_text(yaml.safe_dump({"users": users}), encoding="utf-8")
    return ws


@pytest.fixture(scope="module")
def assistant(ws):
    with Assistant(ws) as a:
        yield a


def test_the_agent_writes_the_report_and_quotes_it(ws, assistant) -> None:
    a = assistant.ask("give me the weekly report", user="ann")
    assert [c["name"] for c in a.tool_calls] == ["weekly_report"] and a.grounded
    assert a.proposals == [] and not a.pending_approval
    figures = {f["key"]: f for f in a.figures}
    path = ws.root / figures["report"]["value"]
    assert path.is_file() and path.suffix == ".md" and figures["report"]["text"] in a.answer
    assert figures["group_cash"]["text"] in a.answer and figures["alerts_open"]["unit"] == "count"
    assert [c["kind"] for c in a.charts] == ["fan", "cash_position", "ccc_trend"]
    for chart in a.charts:
        assert (ws.root / chart["path"]).read_bytes()[:4] == b"\x89PNG"
    assert a.charts[0]["positions"] and a.charts[0]["call_id"] == a.tool_calls[0]["call_id"]


def test_the_agent_renders_the_pdf_when_asked(ws, assistant) -> None:
    a = assistant.ask("weekly report as PDF please", user="ann")
    pdf = next(f for f in a.figures if f["key"] == "pdf")
    assert (ws.root / pdf["value"]).read_bytes().startswith(b"%PDF-") and a.grounded


def test_an_unknown_recipient_gets_no_proposal_and_a_fix(assistant) -> None:
    a = assistant.ask("send the weekly report to the board", user="ann")
    assert a.proposals == [] and a.grounded
    assert "no e-mail address for board" in a.answer and "users.yaml" in a.answer


def test_sending_waits_for_approval_then_runs_once(ws, tmp_path: Path) -> None:
    sink = SmtpSink()
    settings = Settings(workspace=ws.root, smtp_host="127.0.0.1", smtp_port=sink.port)
    try:
        with Assistant(ws, settings=settings) as assistant:
            a = assistant.ask("send the weekly report to the CFO", user="ann")
            assert a.pending_approval and len(a.proposals) == 1 and not sink.messages
            pid = a.proposals[0]["proposal_id"]
            record, run = assistant.approve(pid, user="bob")
            again = assistant.executor.execute(pid, actor="bob")
        assert record.status == "executed" and run is not None and again.replayed
        assert len(sink.messages) == 1 and message_from_bytes(sink.messages[0])["To"] == CFO
    finally:
        sink.close()


def _attachments(msg: Message) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for part in msg.walk():
        name = part.get_filename()
        if name:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out[name] = payload
    return out


def test_the_approved_report_becomes_one_email_with_its_files(ws, tmp_path: Path) -> None:
    session = ToolSession(ws)
    report = write_report_pdf(
        weekly_report(ws, out=ws.root / "reports" / "mail.md", as_of=session.as_of())
    )
    fields = distribution_fields(report, [("CFO", CFO)], root=ws.root)
    fields["items"] = tuple(ActionItem(**i) for i in fields["items"])
    action = ProposedAction.model_validate(fields)
    record = ProposalRecord.model_construct(
        proposal_id="P-mail1",
        status="approved",
        action=action,
        requester="ann",
        channel="cli",
        thread_id=None,
        required_approvers=1,
        action_hash="0" * 64,
        approvals=(),
    )
    sink = SmtpSink()
    try:
        render = OutboxRenderer(session, smtp_host="127.0.0.1", smtp_port=sink.port)
        artifacts = render(record)
    finally:
        sink.close()
    assert [a["path"] for a in artifacts if a["kind"] == "eml"] == [
        "outbox/P-mail1/report/mail.eml"
    ]
    msg = message_from_bytes((ws.root / "outbox/P-mail1/report/mail.eml").read_bytes())
    assert msg["To"] == CFO and msg["Message-ID"] == "<P-mail1@wcm.local>"
    files = _attachments(msg)
    assert list(files) == ["mail.md", "mail.pdf", *[p.name for p in report.charts]]
    assert files["mail.md"].decode() == report.markdown  # byte for byte what was approved
    assert len(sink.messages) == 1
    # The same approved proposal renders the same bytes (a retried execution is harmless).
    assert report_files(record, ws.root, company=ws.name) == {
        "report/mail.eml": (ws.root / "outbox/P-mail1/report/mail.eml").read_bytes()
    }
    report.path.write_text(report.markdown + "\nedited after approval\n", encoding="utf-8")
    with pytest.raises(DataError, match="changed or was removed after it was approved"):
        report_files(record, ws.root, company=ws.name)
    assert date.fromisoformat(str(msg["Subject"]).rsplit(", ", 1)[1]) == report.as_of
