"""Document readers by file type: Markdown, plain text, PDF, Word and HTML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.readers.base import Block, ParsedDocument, bad_file
from knowledge.readers.html import read_html
from knowledge.readers.office import read_docx, read_pdf
from knowledge.readers.text import read_markdown, read_text

__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "READERS",
    "SUPPORTED",
    "Block",
    "ParsedDocument",
    "parse_document",
    "read_bytes",
    "read_document",
]

DEFAULT_MAX_FILE_MB = 20.0
Reader = Callable[[bytes, str], ParsedDocument]
READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".text": read_text,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED = "Markdown (.md), text (.txt), PDF (.pdf), Word (.docx) or HTML (.html)"


def read_bytes(path: Path, *, max_mb: float = DEFAULT_MAX_FILE_MB) -> bytes:
    """A file's bytes once its type, size and emptiness are acceptable.

    Raises:
        DataError: unsupported type, unreadable, too large or empty; the problem names
            the file and what is expected.
    """
    file = str(path)
    if path.suffix.lower() not in READERS:
        raise bad_file(file, f"unsupported file type {path.suffix or '(none)'!r}", SUPPORTED)
    try:
        size = path.stat().st_size
        if size > max_mb * 1024 * 1024:
            raise bad_file(
                file,
                f"file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit",
                f"a file under {max_mb:g} MB; split it into smaller documents",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise bad_file(file, f"cannot be read ({exc.strerror})", "a readable file") from None
    if not data.strip():
        raise bad_file(file, "file is empty", "a document with text")
    return data


def parse_document(data: bytes, path: Path) -> ParsedDocument:
    """Blocks and properties of a file's content, by its type.

    Raises:
        DataError: unreadable, encrypted or without text; names the file and the fix.
    """
    file = str(path)
    parsed = READERS[path.suffix.lower()](data, file)
    if not any(b.text.strip() for b in parsed.blocks if b.level is None):
        raise bad_file(file, "document has no text besides headings", "a document with text")
    return parsed


def read_document(path: Path, *, max_mb: float = DEFAULT_MAX_FILE_MB) -> ParsedDocument:
    """Read and parse one file (see ``read_bytes`` and ``parse_document``)."""
    return parse_document(read_bytes(path, max_mb=max_mb), path)
