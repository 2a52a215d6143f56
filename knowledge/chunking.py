"""Chunks that follow a document's headings: one section per chunk while it fits, long
sections split at paragraph or sentence boundaries with a few words of overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.readers import Block

__all__ = ["Chunk", "chunk_blocks"]

MAX_WORDS = 180
OVERLAP_WORDS = 35
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


@dataclass(frozen=True)
class Chunk:
    """A piece of a document: its heading path and its text."""

    index: int
    section: tuple[str, ...]
    body: str

    def indexed_text(self, title: str) -> str:
        """What is embedded and keyword-indexed: the title and heading path give context."""
        head = " > ".join((title, *self.section)) if title else " > ".join(self.section)
        return f"{head}\n{self.body}" if head else self.body


def _sections(blocks: list[Block]) -> list[tuple[tuple[str, ...], list[str]]]:
    stack: list[tuple[int, str]] = []
    out: list[tuple[tuple[str, ...], list[str]]] = [((), [])]
    for block in blocks:
        if block.level is None:
            out[-1][1].append(block.text)
            continue
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        stack.append((block.level, block.text))
        out.append((tuple(t for _, t in stack), []))
    return [(path, paras) for path, paras in out if paras]


def _pieces(paragraphs: list[str], max_words: int) -> list[str]:
    """Paragraphs, with any longer than ``max_words`` cut at sentences (then words)."""
    out: list[str] = []
    for para in paragraphs:
        if len(para.split()) <= max_words:
            out.append(para)
            continue
        for sentence in _SENTENCE.split(para):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                out.append(" ".join(words[start : start + max_words]))
    return out


def _tail(text: str, words: int) -> str:
    return " ".join(text.split()[-words:])


def _split(paragraphs: list[str], max_words: int, overlap: int) -> list[str]:
    pieces = _pieces(paragraphs, max_words)
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        n = len(piece.split())
        if current and size + n > max_words:
            chunks.append("\n\n".join(current))
            carry = _tail(chunks[-1], overlap)
            current, size = ([f"… {carry}"], len(carry.split())) if overlap else ([], 0)
        current.append(piece)
        size += n
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def chunk_blocks(
    blocks: list[Block], *, max_words: int = MAX_WORDS, overlap_words: int = OVERLAP_WORDS
) -> list[Chunk]:
    """Split a document's blocks into chunks that never cross a heading."""
    if overlap_words >= max_words:
        raise ValueError("overlap_words must be smaller than max_words")
    chunks: list[Chunk] = []
    for path, paragraphs in _sections(blocks):
        for body in _split(paragraphs, max_words, overlap_words):
            chunks.append(Chunk(index=len(chunks), section=path, body=body))
    return chunks
