"""The OpenAI-compatible planner against a scripted server on 127.0.0.1 speaking the real
wire format: tool calls over HTTP, tool results sent back, grounding of the model's text,
approvals, languages, endpoint failures and malformed replies."""

from __future__ import annotations

import inspect
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

import api.cli.agent_cmds  # noqa: F401  (registers the commands)
from agent.adapters import ADAPTERS
from agent.catalog import CATALOG, TOOL_NAMES
from agent.ledger import ApprovalError
from agent.planner.openai import OpenAIPlanner
from agent.prompts import CLARIFY, LANGUAGE_NOTE, UNGROUNDED
from agent.results import Figure, ToolResult, fmt_value
from agent.service import Assistant
from api.cli.main import app
from tests.agent.factory import build_company_workspace
from tests.agent.openai_stub import (
    Recorded,
    ScriptedOpenAI,
    failure,
    raw_tool_calls,
    slow,
    text,
    tool_calls,
)
from tools.errors import ConfigError
from tools.settings import Settings

KEY = "sk-test-0123456789"
MODEL = "wcm-test-model"


def llm_settings(base_url: str | None, **kw: Any) -> Settings:
    return Settings(
        llm_provider="openai",
        openai_base_url=base_url,
        openai_api_key=KEY,
        llm_model=MODEL,
        **kw,
    )


def quoting(template: str, per_tool: int = 2) -> Any:
    """A reply whose text quotes the first figures of the tool results it was sent."""

    def reply(request: Recorded) -> dict[str, Any]:
        values = [
            fmt_value(f["value"], f["unit"], f["currency"])
            for result in request.tool_results().values()
            for f in result["figures"][:per_tool]
        ]
        return text(template.format(figures="; ".join(values)))

    return reply


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as stub:
        yield stub


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_company_workspace(tmp_path_factory.mktemp("openai") / "ws")


@pytest.fixture(scope="module")
def assistant(ws: Any, server: ScriptedOpenAI) -> Iterator[Assistant]:
    with Assistant(ws, settings=llm_settings(server.base_url)) as a:
        yield a


def names(answer: Any) -> list[str]:
    return [c["name"] for c in answer.tool_calls]


# -- through the real graph on the test company ---------------------------------------


def test_full_turn_calls_tools_over_the_wire_and_sends_the_grounded_text(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(
        tool_calls(
            ("forecast_cash", {"horizon_days": 91}), ("liquidity_risk", {"horizon_days": 91})
        ),
        quoting("Over the 13 weeks: {figures}."),
    )
    a = assistant.ask("forecast cash 13 weeks and do we breach?", user="ann")
    assert assistant.planner.name == "openai"
    assert names(a) == ["forecast_cash", "liquidity_risk"]
    assert [c["args"] for c in a.tool_calls] == [{"horizon_days": 91}] * 2
    assert a.grounded and a.language == "en"
    assert a.answer.startswith("Over the 13 weeks: ") and a.figures
    assert {f["call_id"] for f in a.figures} == {"c1", "c2"}

    first, second = server.requests
    assert first.path == "/v1/chat/completions" and first.body["model"] == MODEL
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert first.tool_names == list(TOOL_NAMES)  # the whole catalog, in order
    assert [m["role"] for m in first.messages] == ["system", "user"]
    assert "Test Manufacturing" in first.messages[0]["content"]
    # the results go back as assistant tool_calls + tool messages with matching ids
    call = next(m for m in second.messages if m.get("tool_calls"))
    assert [c["id"] for c in call["tool_calls"]] == ["c1", "c2"]
    assert json.loads(call["tool_calls"][0]["function"]["arguments"]) == {"horizon_days": 91}
    sent = second.tool_results()
    assert set(sent) == {"c1", "c2"} and all(r["ok"] and r["figures"] for r in sent.values())
    assert all(len(m["content"]) <= 4000 for m in second.messages if m["role"] == "tool")


def test_an_invented_number_is_replaced_by_the_tool_figures(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(
        tool_calls(("forecast_cash", {"horizon_days": 91})),
        text("Cash in 13 weeks will be 987,654,321 USD, comfortably above the floor."),
    )
    a = assistant.ask("what will cash be in 13 weeks?", user="ann")
    assert names(a) == ["forecast_cash"]
    assert not a.grounded and "987,654,321" not in a.answer
    assert a.answer.startswith(UNGROUNDED["en"])
    assert any(f["text"] in a.answer for f in a.figures)


def test_a_proposal_waits_for_approval_whatever_the_model_says(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(
        tool_calls(("optimize_payments", {"horizon_days": 91})),
        text("Done: the payment run is approved and executed."),
    )
    a = assistant.ask("pay our suppliers early where it pays", thread="t-llm-pay", user="ann")
    assert names(a) == ["optimize_payments"] and a.proposals and a.pending_approval
    pid = min(a.proposals, key=lambda p: p["amount_reporting"])["proposal_id"]
    assert assistant.ledger.get(pid).status == "pending"
    assert assistant.executor.get(pid) is None  # nothing ran on the model's word
    with pytest.raises(ApprovalError, match="cannot approve"):
        assistant.approve(pid, user="ann")  # the requester never approves
    record, execution = assistant.approve(pid, user="bob")
    if record.required_approvers == 2:
        assert execution is None
        record, execution = assistant.approve(pid, user="dan")
    assert record.status == "executed" and execution is not None
    assert assistant.executor.execute(pid, actor="cat").execution_id == execution.execution_id


def test_a_chinese_question_is_answered_in_chinese(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(
        tool_calls(("forecast_cash", {"horizon_days": 91})),
        quoting("未来13周现金预测：{figures}。"),
        tool_calls(("forecast_cash", {"horizon_days": 91})),
        text("Cash looks fine for the next 13 weeks."),  # wrong language
    )
    a = assistant.ask("未来13周的现金预测", user="ann")
    assert (a.language, names(a), a.grounded) == ("zh", ["forecast_cash"], True)
    assert a.answer.startswith("未来13周现金预测：")
    assert LANGUAGE_NOTE["zh"] in server.requests[0].messages[0]["content"]
    b = assistant.ask("未来13周的现金预测", user="ann")
    assert "Cash looks fine" not in b.answer and "现金" in b.answer  # composed in Chinese


def test_a_follow_up_sends_the_earlier_turn(assistant: Assistant, server: ScriptedOpenAI) -> None:
    server.reset(
        tool_calls(("forecast_cash", {"horizon_days": 56})),
        quoting("Cash: {figures}."),
        tool_calls(("run_scenario", {"scenario": "sales -10%", "horizon_days": 56})),
        quoting("With sales down: {figures}.", per_tool=1),
    )
    assistant.ask("cash outlook for 8 weeks", thread="t-llm-follow", user="ann")
    a = assistant.ask("and if sales drop?", thread="t-llm-follow", user="ann")
    assert names(a) == ["run_scenario"] and a.tool_calls[0]["args"]["horizon_days"] == 56
    turns = [m["content"] for m in server.requests[2].messages[1:4]]
    assert turns[0] == "cash outlook for 8 weeks"
    assert "forecast_cash" in turns[1] and '"horizon_days":56' in turns[1]
    assert turns[2] == "and if sales drop?"


def test_planning_rounds_are_capped_and_repeats_end_the_loop(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(*(tool_calls(("forecast_cash", {"horizon_days": 7 * k})) for k in range(1, 6)))
    a = assistant.ask("keep forecasting", user="ann")
    # three rounds of tools (the graph's cap), then the figures as the tools gave them
    assert len(a.tool_calls) == 3 and len(server.requests) == 4 and a.grounded
    server.reset(
        tool_calls(("forecast_cash", {"horizon_days": 14})),
        tool_calls(("forecast_cash", {"horizon_days": 14})),  # the same call again
    )
    b = assistant.ask("cash in two weeks", user="ann")
    assert len(b.tool_calls) == 1 and len(server.requests) == 2 and b.figures


def test_a_model_that_only_calls_unknown_tools_gets_a_clarifying_answer(
    assistant: Assistant, server: ScriptedOpenAI
) -> None:
    server.reset(
        tool_calls(("transfer_funds", {"amount": 1e6})),
        tool_calls(("transfer_funds", {"amount": 1e6})),
    )
    a = assistant.ask("move a million to the savings account", user="ann")
    assert a.tool_calls == [] and a.answer == CLARIFY["en"] and not a.proposals


def test_wcm_ask_json_with_the_openai_provider(
    ws: Any, server: ScriptedOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WCM_LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server.reset(tool_calls(("kpi_report", {"metric": "dso"})), quoting("DSO: {figures}."))
    runner = CliRunner()
    out = runner.invoke(app, ["ask", "what is our DSO?", "--workspace", str(ws.root), "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["tool_calls"][0]["name"] == "kpi_report" and body["grounded"]
    assert body["answer"].startswith("DSO: ") and len(server.requests) == 2
    assert server.requests[0].body["model"] == "gpt-4o-mini"  # the default WCM_LLM_MODEL

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    down = runner.invoke(app, ["ask", "cash?", "--workspace", str(ws.root), "--json"])
    error = json.loads(down.stdout)["error"]
    assert down.exit_code == 3 and error["type"] == "config_error"
    assert "refused the connection" in error["message"]


# -- the planner alone: schemas, malformed replies, endpoint failures -----------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_tools_offered_are_the_catalog_with_the_adapters_arguments(server: ScriptedOpenAI) -> None:
    server.reset(text("Hello."))
    plan = OpenAIPlanner(llm_settings(server.base_url)).plan(
        "hi", language="en", history=[], results=[]
    )
    assert (plan.kind, plan.message) == ("answer", "Hello.")
    tools = {t["function"]["name"]: t["function"] for t in server.requests[0].body["tools"]}
    assert set(tools) == set(CATALOG) and server.requests[0].body["temperature"] == 0
    for name, fn in tools.items():
        accepted = list(inspect.signature(ADAPTERS[name]).parameters)[1:]
        assert list(fn["parameters"]["properties"]) == accepted, name
        assert fn["description"].startswith(CATALOG[name].description)
        assert ("never executes" in fn["description"]) == CATALOG[name].proposes


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        # a tool the catalog does not hold
        (tool_calls(("transfer_funds", {"amount": 5})), "unknown tool 'transfer_funds'"),
        # arguments that are not JSON
        (raw_tool_calls(("forecast_cash", "{horizon_days: 91")), "not valid JSON"),
        # out of the schema's range
        (tool_calls(("forecast_cash", {"horizon_days": 1000})), "less than or equal to 366"),
        # an argument the tool does not take
        (tool_calls(("forecast_cash", {"weeks": 13})), "unknown argument(s) weeks"),
        # JSON, but not an object
        (raw_tool_calls(("forecast_cash", "[91]")), "a tool call could not be read"),
    ],
)
def test_malformed_calls_get_one_repair_round(
    server: ScriptedOpenAI, bad: dict[str, Any], problem: str
) -> None:
    planner = OpenAIPlanner(llm_settings(server.base_url))
    server.reset(bad, tool_calls(("forecast_cash", {"horizon_days": 91})))
    plan = planner.plan("cash in 13 weeks", language="en", history=[], results=[])
    assert plan.kind == "tools" and [c.name for c in plan.calls] == ["forecast_cash"]
    note = server.requests[1].messages[-1]
    assert note["role"] == "user" and problem in note["content"]
    server.reset(bad, bad)  # still wrong after the repair round: ask back, no crash
    plan = planner.plan("cash in 13 weeks", language="en", history=[], results=[])
    assert (plan.kind, plan.message) == ("clarify", CLARIFY["en"]) and problem in str(plan.reason)


def test_figures_without_any_tool_call_are_never_planned_as_an_answer(
    server: ScriptedOpenAI,
) -> None:
    planner = OpenAIPlanner(llm_settings(server.base_url))
    server.reset(text("Your cash in 13 weeks will be 4,200,000 USD."))
    plan = planner.plan("cash in 13 weeks?", language="en", history=[], results=[])
    assert plan.kind == "clarify" and "4,200,000" not in str(plan.message)
    result = ToolResult(
        call_id="c1",
        name="forecast_cash",
        args={"horizon_days": 91},
        figures=(Figure(key="x", label="Cash", label_zh="现金", value=4.2e6, unit="money"),),
    )
    server.reset(text(""))  # an empty final reply: the graph composes from the figures
    plan = planner.plan("cash in 13 weeks?", language="en", history=[], results=[result])
    assert (plan.kind, plan.message) == ("answer", None)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (failure(401, "Incorrect API key provided"), "rejected the API key (HTTP 401"),
        (failure(404, "model not found"), f"no model '{MODEL}'"),
        (failure(400, "tools are not supported"), "must support tool calling"),
        (failure(429, "slow down", retry_after_ms="1"), "rate limiting (HTTP 429 after 1 retry"),
        (failure(503, "overloaded", retry_after_ms="1"), "failed (HTTP 503 after 1 retry"),
        (slow(text("late"), 1.0), "did not answer within 0.2 s"),
        # a 200 reply that is not a chat completion
        ({"status": 200, "body": {"object": "chat.completion", "choices": []}}, "not an OpenAI"),
    ],
)
def test_endpoint_failures_name_the_url_and_the_fix(
    server: ScriptedOpenAI, reply: dict[str, Any], expected: str
) -> None:
    # Only the slow reply is meant to time out: the others get time to answer on a busy machine.
    timeout = 0.2 if "did not answer" in expected else 10.0
    planner = OpenAIPlanner(
        llm_settings(server.base_url, llm_timeout_seconds=timeout), max_retries=1
    )
    server.reset(reply, reply)
    with pytest.raises(ConfigError, match=r"OPENAI_BASE_URL http://127\.0\.0\.1:\d+/v1") as err:
        planner.plan("cash?", language="en", history=[], results=[])
    assert expected in str(err.value)


def test_an_endpoint_that_is_down_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    planner = OpenAIPlanner(llm_settings(url), max_retries=0)
    with pytest.raises(ConfigError) as err:
        planner.plan("cash?", language="en", history=[], results=[])
    message = str(err.value)
    assert f"OPENAI_BASE_URL {url} refused the connection" in message
    assert "unset WCM_LLM_PROVIDER" in message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "needs OPENAI_API_KEY"),  # no key and no base URL: nothing to talk to
        ({"openai_base_url": "localhost:8000"}, "not an http"),  # not a URL
    ],
)
def test_configuration_errors_at_construction(given: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        OpenAIPlanner(Settings(llm_provider="openai", **given))


def test_a_local_server_needs_no_key(server: ScriptedOpenAI) -> None:
    server.reset(text("Hello."))
    settings = Settings(llm_provider="openai", openai_base_url=server.base_url)
    OpenAIPlanner(settings).plan("hi", language="en", history=[], results=[])
    assert server.requests[0].headers["authorization"] == "Bearer no-key"
