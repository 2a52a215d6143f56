"""One entry point for every statement format: detect, dispatch, unpack zip archives."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from tools.bank.bai2 import parse_bai2
from tools.bank.camt import parse_camt
from tools.bank.common import fail
from tools.bank.detect import detect_format
from tools.bank.models import ParsedFile
from tools.bank.mt940 import parse_mt940

__all__ = ["parse_statement_file"]

_MAX_UNZIPPED = 1 << 30  # bytes per archive: a statement zip is never a gigabyte
_EXPECTED = "camt.052/053/054 XML, MT940/MT942 or BAI2 (or a zip of them)"
_REFUSED = {
    "csv": "CSV bank exports are read by the column-mapped import (wcm import), "
    "not by the statement parser",
    "ofx": "OFX files are not read; export camt.053, MT940 or BAI2 from the bank instead",
    "unknown": f"not a bank statement this parser reads; expected {_EXPECTED}",
}


def parse_statement_file(data: bytes, name: str, *, format: str | None = None) -> ParsedFile:
    """Read a bank statement file of any supported format into the canonical model.

    Args:
        data: the file's bytes.
        name: the file name, used to word warnings and errors.
        format: skip detection: ``camt`` (or ``camt.053``, ``camt.053.001.08``...),
            ``mt940``, ``mt942``, ``bai2`` or ``zip``.

    Returns:
        The statements found, the format read and warnings (statements without entries,
        balances that do not add up, unbooked entries, non-UTF-8 text...).

    Raises:
        DataError: with a one-line reason naming the file (and line where there is one)
            for empty, unknown, unreadable or malformed input.
    """
    if not data.strip():
        raise fail(name, "the file is empty")
    fmt = (format or detect_format(data, name)).lower()
    if fmt == "zip":
        return _parse_zip(data, name)
    if fmt.startswith("camt") or fmt == "xml":
        return parse_camt(data, name)
    if fmt in ("mt940", "mt942"):
        return parse_mt940(data, name)
    if fmt == "bai2":
        return parse_bai2(data, name)
    if fmt == "empty":
        raise fail(name, "the file is empty")
    raise fail(name, _REFUSED.get(fmt, f"unknown format {format!r}; expected {_EXPECTED}"))


def _parse_zip(data: bytes, name: str) -> ParsedFile:
    """Every statement file in a zip archive (nested archives and dot-files skipped)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise fail(name, f"not a readable zip archive ({exc})") from None
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not PurePosixPath(info.filename).name.startswith(".")
        and not info.filename.startswith("__MACOSX/")
    ]
    if not members:
        raise fail(name, "the zip archive holds no files")
    parsed = []
    budget = _MAX_UNZIPPED
    for info in sorted(members, key=lambda i: i.filename):
        member = f"{name}/{info.filename}"
        try:
            with archive.open(info) as handle:
                inner = handle.read(budget + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
            raise fail(member, f"cannot be unpacked ({exc})") from None
        budget -= len(inner)
        if budget < 0:
            raise fail(name, "the zip archive unpacks to more than 1 GiB; refused")
        if detect_format(inner, info.filename) == "zip":
            raise fail(member, "zip archives inside zip archives are not read")
        parsed.append(parse_statement_file(inner, member))
    formats = sorted({p.format for p in parsed})
    return ParsedFile(
        format=formats[0] if len(formats) == 1 else "zip",
        statements=tuple(s for p in parsed for s in p.statements),
        warnings=tuple(w for p in parsed for w in p.warnings),
    )
