"""PDF (pypdf) and Word (python-docx) documents, with their document properties."""

from __future__ import annotations

import io
import re
from typing import Any
from zipfile import BadZipFile

from lxml import etree

from knowledge.readers.base import (
    Block,
    ParsedDocument,
    bad_file,
    header_fields,
    normalise_date,
    plain_blocks,
)

__all__ = ["read_docx", "read_pdf"]

_PDF_KEYS = {
    "/Title": "title",
    "/Author": "owner",
    "/Owner": "owner",
    "/Version": "version",
    "/EffectiveDate": "effective_date",
    "/DocId": "doc_id",
    "/Subject": "subject",
}


def read_pdf(data: bytes, file: str) -> ParsedDocument:
    """A PDF with a text layer; encrypted or image-only PDFs are refused with the fix."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise bad_file(
                file,
                "PDF is password-protected",
                "an unprotected PDF (save a copy without a password)",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
        raw_meta = dict(reader.metadata or {})
    except PyPdfError as exc:
        message = str(exc) or type(exc).__name__
        if "decrypt" in message.lower() or "encrypt" in message.lower():
            raise bad_file(file, f"PDF is encrypted ({message})", "an unprotected PDF") from None
        raise bad_file(file, f"not a readable PDF ({message})", "a valid PDF file") from None
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise bad_file(file, f"not a readable PDF ({exc})", "a valid PDF file") from None
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        raise bad_file(
            file,
            "PDF has no text layer (scanned image?)",
            "a PDF with selectable text; run OCR on scans first",
        )
    blocks = plain_blocks(text)
    props: dict[str, Any] = dict(header_fields(blocks))
    for key, name in _PDF_KEYS.items():
        value = raw_meta.get(key)
        if value:
            props[name] = str(value)
    if "effective_date" not in props:
        created = normalise_date(raw_meta.get("/CreationDate"))
        if created:
            props["effective_date"] = created
    return ParsedDocument(blocks, props)


_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


def read_docx(data: bytes, file: str) -> ParsedDocument:
    """A Word document: ``Heading N`` styles start sections, tables become rows of text."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, BadZipFile, etree.XMLSyntaxError, KeyError, ValueError) as exc:
        raise bad_file(
            file,
            f"not a readable Word document ({type(exc).__name__}: {exc})",
            "a .docx file (Word 2007 or later)",
        ) from None
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = _HEADING_STYLE.match(item.style.name if item.style is not None else "")
            level = None if style is None else int(style[1] or 1)
            blocks.append(Block(text, level=level))
        elif isinstance(item, Table):
            rows = [" | ".join(c.text.strip() for c in row.cells) for row in item.rows]
            if rows:
                blocks.append(Block("\n".join(rows)))
    core = document.core_properties
    props: dict[str, Any] = dict(header_fields(blocks))
    if core.title:
        props["title"] = core.title
    if core.author:
        props["owner"] = core.author
    if core.version:
        props["version"] = core.version
    elif core.revision and "version" not in props:
        props["version"] = str(core.revision)
    if core.identifier:
        props["doc_id"] = core.identifier
    if core.category:
        props["doc_type"] = core.category
    if "effective_date" not in props and core.created is not None:
        props["effective_date"] = normalise_date(core.created)
    return ParsedDocument(blocks, props)
