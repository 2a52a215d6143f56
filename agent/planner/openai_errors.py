"""Endpoint failures of an OpenAI-compatible server, as errors that say what to fix."""

from __future__ import annotations

import openai

from tools.errors import ConfigError

__all__ = ["endpoint_error"]

_OFFLINE = "or unset WCM_LLM_PROVIDER to use the offline planner"


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)[:200]
    return str(exc.message)[:200]


def endpoint_error(
    exc: openai.OpenAIError, *, where: str, model: str, timeout: float, retries: int
) -> ConfigError:
    """A ``ConfigError`` naming the endpoint, what went wrong and how to fix it."""
    after = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
    if isinstance(exc, openai.APITimeoutError):
        return ConfigError(
            f"{where} did not answer within {timeout:g} s{after}; check that the server is "
            f"up and not overloaded, raise WCM_LLM_TIMEOUT_SECONDS, {_OFFLINE}"
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ConfigError(
            f"{where} refused the connection ({type(cause).__name__}: {cause}); start the "
            f"endpoint or correct OPENAI_BASE_URL, {_OFFLINE}"
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ConfigError(
            f"{where} rejected the API key (HTTP {exc.status_code}: {_detail(exc)}); set "
            f"OPENAI_API_KEY to a key this endpoint accepts, {_OFFLINE}"
        )
    if isinstance(exc, openai.NotFoundError):
        return ConfigError(
            f"{where} has no model {model!r} or no /chat/completions route (HTTP 404: "
            f"{_detail(exc)}); set WCM_LLM_MODEL to a model the server serves and "
            "OPENAI_BASE_URL to its base URL (usually ending in /v1)"
        )
    if isinstance(exc, openai.RateLimitError):
        return ConfigError(
            f"{where} is rate limiting (HTTP 429{after}: {_detail(exc)}); retry later or "
            f"raise the endpoint's quota, {_OFFLINE}"
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return ConfigError(
            f"{where} failed (HTTP {exc.status_code}{after}: {_detail(exc)}); check the "
            f"server's logs and retry, {_OFFLINE}"
        )
    if isinstance(exc, openai.APIStatusError):
        return ConfigError(
            f"{where} refused the request (HTTP {exc.status_code}: {_detail(exc)}); the "
            f"model {model!r} must support tool calling (vLLM: --enable-auto-tool-choice; "
            f"llama.cpp: --jinja), {_OFFLINE}"
        )
    return ConfigError(f"{where} sent a reply that could not be read ({exc}); {_OFFLINE}")
