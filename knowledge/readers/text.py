"""Markdown (with YAML front matter) and plain-text documents."""

from __future__ import annotations

from typing import Any

import yaml

from knowledge.readers.base import ParsedDocument, bad_file, header_fields, plain_blocks

__all__ = ["read_markdown", "read_text"]


def _decode(data: bytes, file: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise bad_file(file, "text is not UTF-8 or Windows-1252", "a UTF-8 text file")


def _front_matter(text: str, file: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        raise bad_file(file, "front matter opened with '---' is never closed", "a closing '---'")
    try:
        meta = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError as exc:
        raise bad_file(file, f"front matter is not valid YAML: {exc}", "YAML key: value") from None
    if not isinstance(meta, dict):
        raise bad_file(file, "front matter is not a mapping", "YAML key: value lines")
    body = text[end + 4 :]
    return {str(k): v for k, v in meta.items()}, body.split("\n", 1)[1] if "\n" in body else ""


def read_markdown(data: bytes, file: str) -> ParsedDocument:
    """Markdown: properties from the YAML front matter, sections from ``#`` headings."""
    meta, body = _front_matter(_decode(data, file), file)
    blocks = plain_blocks(body, numbered=False)
    props: dict[str, Any] = {**header_fields(blocks), **meta}
    if "title" not in props:
        heading = next((b.text for b in blocks if b.level is not None), None)
        if heading:
            props["title"] = heading
    return ParsedDocument(blocks, props)


def read_text(data: bytes, file: str) -> ParsedDocument:
    """Plain text: numbered or ``#`` headings, ``Version:``-style header lines."""
    blocks = plain_blocks(_decode(data, file))
    props: dict[str, Any] = dict(header_fields(blocks))
    if blocks and "title" not in props:
        props["title"] = blocks[0].text.splitlines()[0][:120]
    return ParsedDocument(blocks, props)
