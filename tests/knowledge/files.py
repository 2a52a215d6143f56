"""Small documents in every supported format, written in the tests themselves."""

from __future__ import annotations

import io
from pathlib import Path

from knowledge import KnowledgeStore

PDF_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def make_pdf(
    lines: list[str],
    *,
    metadata: dict[str, str] | None = None,
    password: str | None = None,
) -> bytes:
    """A one-page PDF with a text layer (one line of text per entry)."""
    from pypdf import PdfReader, PdfWriter

    ops = [b"BT /F1 11 Tf 14 TL 72 740 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        PDF_FONT,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    if metadata:
        writer.add_metadata(metadata)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_docx(
    blocks: list[tuple[int | None, str]], *, title: str = "", author: str = "", version: str = ""
) -> bytes:
    """A Word document: (level, text) pairs, level None for a paragraph."""
    import docx

    document = docx.Document()
    for level, text in blocks:
        if level is None:
            document.add_paragraph(text)
        else:
            document.add_heading(text, level=level)
    document.core_properties.title = title
    document.core_properties.author = author
    document.core_properties.version = version
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def open_store(path: Path) -> KnowledgeStore:
    return KnowledgeStore.open(path)
