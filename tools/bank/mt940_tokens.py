"""SWIFT MT940/MT942 text cut into statements of tags, each remembering its line.

Tolerates what real bank files do: SWIFT envelopes (``{1:...}{4:``), bank preambles,
``-}`` trailers, tags split over two lines (``:`` then ``86:``), wrapped values, and
text inside ``:86:`` that looks like a tag (``:12:...``). A tag-like line the format does
not know, outside a tag's value, means the file is not MT940 and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.bank.common import fail

__all__ = ["RawBlock", "Tag", "tokenize"]

# :13D: :20: :21: :25: :25P: :28C: :34F: :60F/M: :61: :62F/M: :64: :65: :86: :90C/D: :NS:
KNOWN_TAGS = re.compile(r"13D?|2[015]|25P|28C?|34F|6[02][FM]?|61|6[45]|86|90[CD]|NS")
HEADER_TAGS = frozenset({"940", "942"})  # Rabobank starts its files with ":940:"
_TAG = re.compile(r"^:(?P<tag>[0-9A-Z]{1,5}):(?P<rest>.*)$")
_SPLIT_TAG = re.compile(r"^(?:\d{2}[A-Z]?|NS):")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TERMINATOR = re.compile(r"^-\}|^\{[1-5]:|^-$")


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag with its value lines (right-stripped, blank lines dropped)."""

    name: str
    lines: tuple[str, ...]
    line: int  # where the tag starts

    @property
    def first(self) -> str:
        return self.lines[0].strip() if self.lines else ""


@dataclass
class RawBlock:
    """The tags of one statement: from a ``:20:`` to the next (or the file's end)."""

    tags: list[Tag] = field(default_factory=list)
    mt942_header: bool = False


def _clean_lines(text: str) -> list[tuple[int, str]]:
    """Numbered, right-stripped lines; a lone ``:`` before ``86:...`` joined to it."""
    raw = [_CONTROL.sub("", line).rstrip() for line in text.splitlines()]
    out: list[tuple[int, str]] = []
    skip = False
    for i, line in enumerate(raw):
        if skip:
            skip = False
            continue
        if line == ":" and i + 1 < len(raw) and _SPLIT_TAG.match(raw[i + 1]):
            out.append((i + 1, ":" + raw[i + 1]))
            skip = True
        else:
            out.append((i + 1, line))
    return out


def _ends_message(lines: list[tuple[int, str]], i: int, current: str | None) -> bool:
    """Whether line ``i`` closes the SWIFT message (``-}``, ``{5:``, or a lone ``-``).

    A lone ``-`` inside ``:86:`` is text (ING wraps ``MND-EV01`` as ``MND``, ``-``,
    ``EV01``) unless a tag, an envelope or the end of the file follows.
    """
    text = lines[i][1]
    if not _TERMINATOR.match(text):
        return False
    if text != "-" or current not in ("86", "NS"):
        return True
    following = next((lines[j][1] for j in range(i + 1, len(lines)) if lines[j][1]), "")
    return not following or following.startswith((":", "{"))


def tokenize(text: str, file: str) -> list[RawBlock]:
    """Cut MT940/MT942 text into statement blocks of tags.

    Raises:
        DataError: no MT940 tags at all, or an unknown tag outside any tag's value
            (``:9401:`` at the top of a file that is not MT940).
    """
    lines = _clean_lines(text)
    blocks: list[RawBlock] = []
    block: RawBlock | None = None
    name: str | None = None  # the tag being read; None between messages
    start = 0
    values: list[str] = []
    mt942 = False

    def close() -> None:
        nonlocal name
        if name is not None and block is not None:
            block.tags.append(Tag(name, tuple(v for v in values if v), start))
        name = None

    for i, (number, line) in enumerate(lines):
        if not line:
            continue
        if "{2:I942" in line or "{2:O942" in line:
            mt942 = True
        match = _TAG.match(line)
        tag = match["tag"] if match else None
        if match and KNOWN_TAGS.fullmatch(match["tag"]):
            close()
            if match["tag"] == "20" or block is None:
                block = RawBlock(mt942_header=mt942)
                blocks.append(block)
            name, start, values = match["tag"], number, [match["rest"]]
        elif tag in HEADER_TAGS:
            close()
            mt942 = mt942 or tag == "942"
        elif _ends_message(lines, i, name):
            close()
        elif name is not None:
            values.append(line)  # a wrapped value, or text that merely looks like a tag
        elif tag is not None:
            raise fail(
                file,
                f"':{tag}:' is not an MT940/MT942 tag, so this is not a SWIFT statement",
                row=number,
                value=line,
                expected="a statement starting with :20: (or a SWIFT {1:...} header)",
            )
    close()
    if not blocks:
        raise fail(file, "no MT940/MT942 tags found (such as :20:, :25:, :60F:, :61:)")
    return blocks
