"""The tool catalog in the OpenAI function-calling format, and the checks on what comes back.

Schemas come from the catalog's argument models (the same models the offline planner
fills and the adapters accept), so a tool offered to a language model can never drift
from the tool that runs. Tool results go back to the model as compact, bounded JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from agent.catalog import CATALOG, ToolSpec
from agent.planner.base import PlannedCall
from agent.results import ToolResult

__all__ = [
    "MAX_RESULT_CHARS",
    "check_call",
    "result_content",
    "tool_schema",
    "tool_schemas",
]

MAX_RESULT_CHARS = 4000
_PROPOSES = " Only proposes actions for human approval; it never executes anything."


def _strip_titles(schema: Any) -> Any:
    """The JSON schema without pydantic's generated ``title`` entries (noise for a model)."""
    if isinstance(schema, dict):
        return {
            k: _strip_titles(v)
            for k, v in schema.items()
            if not (k == "title" and isinstance(v, str))
        }
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def tool_schema(spec: ToolSpec) -> dict[str, Any]:
    """One catalog entry as an OpenAI ``{"type": "function", "function": {...}}`` tool."""
    parameters = _strip_titles(spec.args.model_json_schema())
    parameters.setdefault("properties", {})
    parameters["additionalProperties"] = False
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": spec.description + (_PROPOSES if spec.proposes else ""),
            "parameters": parameters,
        },
    }


def tool_schemas(catalog: Mapping[str, ToolSpec] = CATALOG) -> list[dict[str, Any]]:
    """Every tool of the catalog, in catalog order."""
    return [tool_schema(spec) for spec in catalog.values()]


def check_call(
    name: str, args: Any, catalog: Mapping[str, ToolSpec] = CATALOG
) -> PlannedCall | str:
    """The call with validated arguments, or a one-line reason it cannot run."""
    spec = catalog.get(name)
    if spec is None:
        return f"unknown tool {name!r} (tools: {', '.join(catalog)})"
    if not isinstance(args, dict):
        return f"{name}: arguments must be a JSON object, got {type(args).__name__}"
    unknown = sorted(set(args) - set(spec.args.model_fields))
    if unknown:
        return f"{name}: unknown argument(s) {', '.join(unknown)}"
    try:
        parsed = spec.args.model_validate(args)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
        return f"{name}: {problems}"
    # Only what the model gave (validated and coerced); the adapters hold the defaults.
    return PlannedCall(name=name, args=parsed.model_dump(include=set(args)))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _bounded(digest: dict[str, Any], limit: int) -> str:
    text = _dumps(digest)
    if len(text) <= limit:
        return text
    # Figures are what an answer may quote: keep them, shrink the rest first.
    digest = {**digest, "data": {"truncated": True}}
    for key in ("citations", "proposals", "figures"):
        text = _dumps(digest)
        while len(text) > limit and digest.get(key):
            digest = {**digest, key: digest[key][:-1], f"{key}_truncated": True}
            text = _dumps(digest)
    if len(text) > limit:  # an oversized headline or error: keep the JSON valid
        short = max(40, limit // 4)
        text = _dumps(
            {
                "ok": digest.get("ok"),
                "error": str(digest.get("error") or "")[:short] or None,
                "headline": str(digest.get("headline") or "")[:short],
                "truncated": True,
            }
        )
    return text


def result_content(result: ToolResult, limit: int = MAX_RESULT_CHARS) -> str:
    """What a tool message carries back to the model: the result's digest as compact JSON."""
    return _bounded(result.for_model(), limit)
