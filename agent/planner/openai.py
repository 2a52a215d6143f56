"""The OpenAI-compatible planner: tool calling through langchain-openai's ``ChatOpenAI``.

Works with any server that speaks ``/v1/chat/completions`` with tools: OpenAI, Azure
OpenAI (v1 API), vLLM, Ollama, llama.cpp. The model chooses tools and writes the final
text; it never executes anything, and the graph checks every figure of that text
against the tool results before it is sent.
"""

from __future__ import annotations

import re
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from agent.grounding import numbers_in
from agent.planner.base import Plan, PlannedCall, Turn
from agent.planner.openai_errors import endpoint_error
from agent.planner.openai_messages import build_messages, speaks
from agent.planner.openai_tools import check_call, tool_schemas
from agent.prompts import CALLS_REJECTED, CLARIFY
from agent.results import ToolResult
from tools.errors import ConfigError
from tools.settings import Settings

__all__ = ["DEFAULT_BASE_URL", "MAX_CALLS", "MAX_RETRIES", "OpenAIPlanner"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_RETRIES = 2  # the SDK's own back-off, on connection errors, 408, 409, 429 and 5xx
MAX_CALLS = 6  # tool calls taken from one reply
_NO_KEY = "no-key"  # local servers (vLLM, Ollama, llama.cpp) accept any key


class OpenAIPlanner:
    """Plans tool calls and writes answers with a chat model over the OpenAI protocol."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        workspace_note: str = "",
        max_retries: int = MAX_RETRIES,
        chat: Any = None,
    ) -> None:
        """Connect to the endpoint the settings name (nothing is sent before a question).

        Args:
            settings: ``llm_model``, ``openai_base_url``, ``openai_api_key`` and
                ``llm_timeout_seconds`` are read.
            workspace_note: one line on the company and entities, for the system prompt.
            max_retries: retries of the client's own back-off on connection errors,
                429 and 5xx replies.
            chat: a chat model to use instead of ``ChatOpenAI`` built from the settings
                (e.g. ``AzureChatOpenAI`` for deployments on the dated Azure API).

        Raises:
            ConfigError: no API key and no base URL, or a base URL that is not http(s).
        """
        base_url = settings.openai_base_url
        key = settings.openai_api_key
        if base_url is None and key is None:
            raise ConfigError(
                "WCM_LLM_PROVIDER=openai needs OPENAI_API_KEY for the OpenAI API, or "
                "OPENAI_BASE_URL pointing at an OpenAI-compatible server (vLLM, Ollama, "
                "llama.cpp); or unset WCM_LLM_PROVIDER to use the offline planner"
            )
        if base_url is not None and not re.match(r"https?://[^/\s]+", base_url):
            raise ConfigError(
                f"OPENAI_BASE_URL {base_url!r} is not an http(s) URL; expected something "
                "like http://127.0.0.1:8000/v1"
            )
        self.base_url = base_url or DEFAULT_BASE_URL
        self.where = (
            f"OPENAI_BASE_URL {base_url}" if base_url else f"the OpenAI API ({DEFAULT_BASE_URL})"
        )
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout_seconds
        self.max_retries = max_retries
        self.note = workspace_note
        chat = chat or ChatOpenAI(
            model=self.model,
            base_url=self.base_url,
            api_key=key or SecretStr(_NO_KEY),
            timeout=self.timeout,
            max_retries=max_retries,
            temperature=0,
            use_responses_api=False,  # chat.completions: what every compatible server has
        )
        self.llm = chat.bind_tools(tool_schemas())

    def plan(
        self, question: str, *, language: str, history: list[Turn], results: list[ToolResult]
    ) -> Plan:
        messages = build_messages(
            question, language=language, history=history, results=results, note=self.note
        )
        reply = self._ask(messages)
        calls, problems = self._calls(reply, results)
        if problems:  # one repair round: tell the model what was wrong
            note = CALLS_REJECTED.format(problems="; ".join(problems))
            reply = self._ask([*messages, HumanMessage(note)])
            calls, problems = self._calls(reply, results)
        reason = "; ".join(problems)[:300] or None
        if calls:
            return Plan(kind="tools", calls=tuple(calls[:MAX_CALLS]), reason=reason)
        if isinstance(reply, str) or reply.tool_calls or reply.invalid_tool_calls:
            # Only rejected or repeated calls: answer from what ran, or ask back.
            return self._fallback(language, results, reason or "repeated tool calls")
        text = reply.text.strip()
        if not text:
            return self._fallback(language, results, "empty reply")
        if not speaks(text, language):
            return self._fallback(language, results, f"reply not in {language}")
        dates, values = numbers_in(text)
        if not results and (dates or values):
            # Figures with no tool behind them can never be grounded: ask back instead.
            return self._fallback(language, results, "figures without a tool call")
        return Plan(kind="answer", message=text)

    def _ask(self, messages: list[BaseMessage]) -> AIMessage | str:
        """The model's reply, or what was wrong with a reply the model malformed."""
        try:
            reply = self.llm.invoke(messages)
        except openai.OpenAIError as exc:
            raise endpoint_error(
                exc,
                where=self.where,
                model=self.model,
                timeout=self.timeout,
                retries=self.max_retries,
            ) from None
        except ValidationError as exc:  # e.g. tool-call arguments that are not an object
            return f"a tool call could not be read ({exc.errors()[0]['msg'].lower()})"
        except (TypeError, LookupError, ValueError) as exc:  # not a chat completion at all
            raise ConfigError(
                f"{self.where} sent a reply that is not an OpenAI chat completion "
                f"({type(exc).__name__}: {str(exc)[:200]}); check that the server implements "
                "POST /v1/chat/completions with tool calling"
            ) from None
        if not isinstance(reply, AIMessage):  # pragma: no cover - ChatOpenAI's contract
            raise ConfigError(f"{self.where} returned {type(reply).__name__}, not a message")
        return reply

    def _calls(
        self, reply: AIMessage | str, results: list[ToolResult]
    ) -> tuple[list[PlannedCall], list[str]]:
        """Valid new calls and the problems with the others."""
        if isinstance(reply, str):
            return [], [reply]
        done = {(r.name, _key(r.args)) for r in results}
        calls: list[PlannedCall] = []
        problems = [
            f"{bad.get('name') or 'a call'}: arguments are not valid JSON"
            for bad in reply.invalid_tool_calls
        ]
        for raw in reply.tool_calls:
            checked = check_call(raw["name"], raw.get("args", {}))
            if isinstance(checked, str):
                problems.append(checked)
            elif (checked.name, _key(checked.args)) not in done and checked not in calls:
                calls.append(checked)
        return calls, problems

    @staticmethod
    def _fallback(language: str, results: list[ToolResult], reason: str) -> Plan:
        if results:  # the graph composes the answer from the tool figures
            return Plan(kind="answer", reason=reason)
        return Plan(kind="clarify", message=CLARIFY[language], reason=reason)


def _key(args: dict[str, Any]) -> str:
    return repr(sorted((k, v) for k, v in args.items() if v is not None))
