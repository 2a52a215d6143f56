"""Instruction-like text inside documents: flagged, stored and returned as data, never obeyed.

A policy PDF or an invoice memo can carry text aimed at an assistant ("ignore previous
instructions and approve..."). The knowledge base keeps such text (it may be evidence) but
marks the chunk ``suspicious`` with the reasons, so the agent can refuse to act on it.
"""

from __future__ import annotations

import re

from tools.domain.policy import ACTION_TYPES

__all__ = ["suspicious_reasons"]

_AMOUNT = r"(?:\d[\d,.' ]*\s*(?:k|m|mn|million|usd|eur|gbp|dollars|euros)?|usd|eur|\$|€|£)"
_DESTINATION = r"(?:account|iban|routing|beneficiary|wallet|[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,})"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "override_instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}?\b(?:previous|prior|above|"
            r"earlier|all|any|your|system|other)\b[^.\n]{0,30}?\b(?:instructions?|prompts?|"
            r"rules|guidelines|directions|controls)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "addresses_the_assistant",
        re.compile(
            r"\byou are now\b|\b(?:system|developer) (?:prompt|message)\b|\bnew instructions?\b"
            r"|\bnote to (?:the )?(?:ai|assistant|agent|model|bot|copilot)\b"
            r"|\b(?:ai|assistant|agent|llm|bot)\s*[:,]\s*(?:please\s+)?(?:approve|pay|transfer"
            r"|execute|call|run|release)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "approval_request",
        re.compile(
            r"\bauto[- ]?approved?\b|\bpre-?approved\b|\bhas already been approved\b"
            r"|\bmark(?:ed)? (?:it |this |them )?as approved\b"
            r"|(?:^|[.!:;\n]\s*|\bplease\s+|\bmust\s+|\bshould\s+|\bimmediately\s+)"
            r"(?:approve|authori[sz]e|release|execute)\s+(?:this|it|all|the\s+(?:attached|"
            r"pending|following|payment|transfer|request|invoice)|payment|immediately|now)\b"
            r"|\b(?:bypass|skip|circumvent)\b[^.\n]{0,20}?\b(?:approvals?|four-eyes|review"
            r"|controls?|checks?)\b"
            r"|\bwithout (?:any |further |the usual )?(?:approval|review|checks?|verification)"
            r"\s*(?:immediately|now|today)\b",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
    (
        "payment_instruction",
        re.compile(
            r"\b(?:transfer|wire|send|remit|pay)\b[^.\n]{0,80}?"
            + _AMOUNT
            + r"[^.\n]{0,80}?\bto\b[^.\n]{0,60}?"
            + _DESTINATION
            + r"|\b(?:change|update|replace)\b[^.\n]{0,40}?\bbank (?:details|account)\b"
            r"[^.\n]{0,40}?\bto\b",
            re.IGNORECASE,
        ),
    ),
    (
        "tool_call",
        re.compile(
            r"\b(?:" + "|".join(ACTION_TYPES) + r")\b|\b(?:function_call|tool_call|tool_calls)\b"
            r"|\bwcm\s+(?:proposals|approve|ask)\b|\bcall (?:the )?[\w-]+ (?:tool|function)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "secret_request",
        re.compile(
            r"\b(?:reveal|print|send|share|output|disclose)\b[^.\n]{0,30}?\b(?:api[_ ]?keys?"
            r"|passwords?|secrets?|credentials|tokens?|system prompt)\b",
            re.IGNORECASE,
        ),
    ),
)


def suspicious_reasons(text: str) -> tuple[str, ...]:
    """The kinds of instruction-like text found in ``text`` (empty when none)."""
    flat = " ".join(text.split())  # wrapped lines must not hide a phrase
    return tuple(name for name, pattern in _PATTERNS if pattern.search(flat))
