"""What every reader returns: a document's text as heading and paragraph blocks, plus its
properties (title, version, effective date, owner...)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tools.errors import DataError, Problem

__all__ = ["Block", "ParsedDocument", "bad_file", "header_fields", "normalise_date", "plain_blocks"]


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1-6) or a paragraph (``level`` None) in reading order."""

    text: str
    level: int | None = None


@dataclass
class ParsedDocument:
    blocks: list[Block]
    properties: dict[str, Any] = field(default_factory=dict)


def bad_file(file: str, message: str, expected: str) -> DataError:
    return DataError([Problem(file=file, message=message, expected=expected)])


def normalise_date(value: Any) -> str | None:
    """An ISO date from a date, datetime or text such as 2024-07-01 / 1 July 2024."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y"):
        try:
            return datetime.strptime(text[:30], fmt).date().isoformat()
        except ValueError:
            continue
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", text)  # PDF date string
    if match:
        return f"{match[1]}-{match[2]}-{match[3]}"
    return None


_FIELD = re.compile(
    r"^\s*(document id|doc id|title|version|effective date|effective|owner|document owner|"
    r"policy owner|status)\s*[:\-–]\s*(.+?)\s*$",
    re.IGNORECASE,
)
_KEYS = {
    "document id": "doc_id",
    "doc id": "doc_id",
    "effective date": "effective_date",
    "effective": "effective_date",
    "document owner": "owner",
    "policy owner": "owner",
}


def header_fields(blocks: list[Block], *, lines: int = 12) -> dict[str, str]:
    """``Version: 3.0`` / ``Effective date: ...`` / ``Owner: ...`` lines near the top."""
    found: dict[str, str] = {}
    seen = 0
    for block in blocks:
        for line in block.text.splitlines():
            seen += 1
            if seen > lines:
                return found
            match = _FIELD.match(line)
            if match:
                key = match[1].lower()
                found.setdefault(_KEYS.get(key, key), match[2])
    return found


_NUMBERED = re.compile(r"^(\d+(?:\.\d+){0,4})\.?\s+([A-Z][^\n]{0,90})$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def plain_blocks(text: str, *, numbered: bool = True) -> list[Block]:
    """Blocks from plain or Markdown text: ``#`` headings and, with ``numbered``, numbered
    headings (``2.1 Approval limits``) start sections; blank lines separate paragraphs."""
    blocks: list[Block] = []
    para: list[str] = []
    fence = False

    def flush() -> None:
        if para:
            blocks.append(Block("\n".join(para).strip()))
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            fence = not fence
            para.append(line)
            continue
        md = None if fence else _MD_HEADING.match(line)
        num = None if fence or md or not numbered else _NUMBERED.match(line.strip())
        if md:
            flush()
            blocks.append(Block(md[2].strip(), level=len(md[1])))
        elif num and not num[2].rstrip().endswith((".", ",", ";", ":")) and len(line) < 100:
            flush()
            blocks.append(Block(line.strip(), level=min(num[1].count(".") + 1, 6)))
        elif not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    return [b for b in blocks if b.text]
