"""Who a report should go to, as the question names them ("send it to the CFO and treasury").

Names are kept as written (minus articles); the ``weekly_report`` tool resolves them to
addresses from ``users.yaml``. E-mail addresses anywhere in the question count as well.
"""

from __future__ import annotations

import re

__all__ = ["EMAIL", "recipients"]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # an e-mail address
_EN = re.compile(
    r"(?:\b(?:send|e-?mail|mail|forward|distribute)\b.*?\bto|\bshare\b.*?\bwith)\s+"
    r"(?P<who>[^?!;]+)",
    re.I,
)
_ZH = re.compile(r"(?:发给|发送给|发送到|发到|邮件给|转发给|抄送)\s*(?P<who>[^，。,？?！!；;]+)")
_SPLIT = re.compile(r"\s*(?:,|\band\b|&|/|和|及|、)\s*", re.I)
_ARTICLE = re.compile(r"^(?:the|our|my|to)\s+", re.I)
_NOT_A_PERSON = {"me", "us", "pdf", "markdown", "them", "please", "pls", "我", "我们"}


def recipients(question: str) -> list[str]:
    """The people or addresses ``question`` asks a report to be sent to (may be empty)."""
    found = EMAIL.findall(question)
    rest = EMAIL.sub(" ", question)
    for m in (*_EN.finditer(rest), *_ZH.finditer(rest)):
        who = re.sub(
            r"\s+(?:as|in)\s+(?:a\s+)?pdf\b.*$|\s+(?:please|pls|today|now)\b.*$",
            "",
            m.group("who").strip().rstrip(".").strip(),
            flags=re.I,
        )
        for part in _SPLIT.split(who):
            name = _ARTICLE.sub("", part.strip().rstrip("."))
            if name and name.lower() not in _NOT_A_PERSON and name not in found:
                found.append(name)
    return found
