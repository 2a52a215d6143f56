"""Which kind of bank file this is, from its first bytes (the name only breaks ties)."""

from __future__ import annotations

import re

__all__ = ["detect_format"]

_HEAD = 65536
_CAMT_VERSION = re.compile(r"camt\.05[234]\.001\.\d{2}")
_CAMT_MESSAGES = {
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrAcctRpt": "camt.052",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
}
_MT_TAG = re.compile(r"(?m)^:(?:13D|20|25|28C?|34F|6[02][FM]?|61|6[45]|86|NS|940|942):")
_MT942 = re.compile(r"(?m)\{2:[IO]942|^:942:")
_OPENING_BALANCE = re.compile(r"(?m)^:60[FM]?:")
_INTRADAY_TAG = re.compile(r"(?m)^:(?:34F|13D):")


def detect_format(data: bytes, name: str) -> str:
    """Name the format of a bank file.

    Args:
        data: the file's bytes (only the first 64 KiB are looked at).
        name: the file name; its extension decides only between CSV and unknown text.

    Returns:
        ``"zip"``, ``"camt.053.001.02"``-style (or ``"camt.053"`` without a versioned
        namespace), ``"mt940"``, ``"mt942"``, ``"bai2"``, ``"csv"``, ``"ofx"``, ``"xml"``
        (XML that is not camt), ``"empty"`` or ``"unknown"``.
    """
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    head = data[:_HEAD].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    if not head.strip():
        return "empty"
    if head.startswith("<"):
        version = _CAMT_VERSION.search(head)
        if version:
            return version.group(0)
        for message, fmt in _CAMT_MESSAGES.items():
            if message in head:
                return fmt
        return "ofx" if "<OFX>" in head.upper() else "xml"
    if head.startswith("OFXHEADER"):
        return "ofx"
    if head.startswith("01,"):
        return "bai2"
    if _MT_TAG.search(head) or head.startswith(("{1:F01", "{1:F21")):
        if _MT942.search(head) or (
            _INTRADAY_TAG.search(head) and not _OPENING_BALANCE.search(head)
        ):
            return "mt942"
        return "mt940"
    first = head.splitlines()[0]
    if name.lower().endswith((".csv", ".txt", ".tsv")) and max(
        first.count(","), first.count(";"), first.count("\t")
    ):
        return "csv"
    return "unknown"
