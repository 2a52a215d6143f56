"""HTML pages: ``h1``-``h6`` start sections; ``<meta>`` tags give the properties."""

from __future__ import annotations

from typing import Any

from lxml import etree
from lxml import html as lxml_html

from knowledge.readers.base import (
    Block,
    ParsedDocument,
    bad_file,
    header_fields,
    plain_blocks,
)

__all__ = ["read_html"]

_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_TEXT = {"p", "li", "pre", "blockquote", "tr", "dt", "dd", "figcaption", "caption"}
_SKIP = {"script", "style", "nav", "noscript", "template", "head"}
_META = {
    "author": "owner",
    "owner": "owner",
    "version": "version",
    "effective-date": "effective_date",
    "effective_date": "effective_date",
    "doc-id": "doc_id",
    "doc_id": "doc_id",
    "doc-type": "doc_type",
}


def _inside(el: Any, names: set[str]) -> bool:
    parent = el.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and parent.tag.lower() in names:
            return True
        parent = parent.getparent()
    return False


def read_html(data: bytes, file: str) -> ParsedDocument:
    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise bad_file(file, f"not readable HTML ({exc})", "an HTML page") from None
    blocks: list[Block] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag not in _HEADINGS and tag not in _TEXT:
            continue
        if _inside(el, _SKIP) or _inside(el, _TEXT):
            continue
        if tag == "tr":
            text = " | ".join(
                " ".join(c.text_content().split()) for c in el if isinstance(c.tag, str)
            )
        elif tag == "pre":
            text = el.text_content().strip()
        else:
            text = " ".join(el.text_content().split())
        if text:
            blocks.append(Block(text, level=_HEADINGS.get(tag)))
    body = root.find(".//body")
    if not blocks and body is not None:  # text written straight into <div>s
        blocks = plain_blocks(body.text_content(), numbered=False)
    props: dict[str, Any] = dict(header_fields(blocks))
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name in _META and meta.get("content"):
            props[_META[name]] = meta.get("content")
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        props["title"] = title.text_content().strip()
    return ParsedDocument(blocks, props)
