"""Read ERP exports (CSV in any common dialect, Excel) into frames of raw text cells.

Cells stay text here so nothing is lost before validation (leading zeros in invoice
numbers, decimal commas, day-first dates); ``validate`` decides what each cell means.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv

from tools.errors import DataError, Problem

__all__ = ["RawTable", "as_text", "detect_delimiter", "detect_encoding", "read_tabular"]

TEXT = pd.ArrowDtype(pa.string())


def as_text(values: pd.Series) -> pd.Series:
    """Cells as Arrow-backed text with surrounding blanks removed (vectorised string ops)."""
    if values.dtype != TEXT:
        values = values.fillna("").astype(str).astype(TEXT)
    return values.str.strip()


EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class RawTable:
    """An export's cells as text, with where each record sits in the file."""

    file: str
    frame: pd.DataFrame  # every column Arrow text, stripped, empty cells as ""
    rows: np.ndarray  # file row of each record (header = row 1)
    encoding: str | None
    delimiter: str | None
    blank_rows: int  # fully empty records dropped


def detect_encoding(head: bytes, data: bytes | None = None) -> str:
    """The text encoding of a file: BOMs first, then strict UTF-8, else Windows-1252/Latin-1."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data if data is not None else head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a sample is still UTF-8.
        if data is None and exc.start >= len(sample) - 3:
            return "utf-8"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(sample: str) -> str:
    """The field separator of a CSV sample: the candidate that splits lines consistently."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    best, best_score = ",", 0.0
    for cand in _DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=cand))) - 1 for ln in lines]
        if counts[0] == 0:
            continue
        share = sum(c == counts[0] for c in counts) / len(counts)
        score = share * 10 + min(counts[0], 9) / 10
        if score > best_score:
            best, best_score = cand, score
    return best


def read_tabular(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    skip_rows: int = 0,
) -> RawTable:
    """Read a CSV/TSV/TXT or Excel export as text cells.

    Args:
        path: the file.
        encoding: text encoding; detected (BOM, UTF-8, Windows-1252) when None.
        delimiter: field separator; detected among ``, ; TAB |`` when None.
        sheet: Excel sheet name or index; the first sheet when None.
        skip_rows: lines above the header to skip (report titles in some exports).

    Raises:
        DataError: the file is missing, empty or not a table.
    """
    name = str(path)
    if not path.is_file():
        raise DataError([Problem(file=name, message="file not found")])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, sheet=sheet, skip_rows=skip_rows)
    data = path.read_bytes()
    if not data.strip():
        raise DataError([Problem(file=name, message="file is empty", expected="a header row")])
    enc = encoding or detect_encoding(data[:4096], data)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(
            [
                Problem(
                    file=name,
                    message=f"cannot decode as {enc}: {exc}",
                    expected="UTF-8, UTF-8 with BOM, Windows-1252 or Latin-1",
                )
            ]
        ) from None
    text = text.lstrip("\ufeff")
    head = text[: 1 << 16].splitlines()[skip_rows : skip_rows + 50]
    sep = delimiter or detect_delimiter("\n".join(head))
    frame = None if _has_blank_lines(data) else _read_csv_fast(data, enc, sep, skip_rows)
    if frame is None:
        frame = _read_csv_careful(name, text, sep, skip_rows)
    rows = np.arange(len(frame), dtype=np.int64) + 2 + skip_rows
    return _finish(name, frame, rows, enc, sep)


def _has_blank_lines(data: bytes) -> bool:
    """Blank lines would shift Arrow's record numbers against the file's row numbers."""
    return b"\n\n" in data or b"\n\r\n" in data


def _read_csv_fast(data: bytes, enc: str, sep: str, skip_rows: int) -> pd.DataFrame | None:
    """Arrow's multi-threaded reader, every column as text; None when the file is irregular."""
    read = pacsv.ReadOptions(
        encoding="utf8" if enc.startswith("utf-8") else enc, skip_rows=skip_rows, block_size=1 << 24
    )
    parse = pacsv.ParseOptions(delimiter=sep, quote_char='"', newlines_in_values=True)
    try:
        header = pacsv.read_csv(
            _first_lines(data, skip_rows),
            read_options=pacsv.ReadOptions(encoding=read.encoding, skip_rows=skip_rows),
            parse_options=parse,
        ).column_names
        convert = pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        table = pacsv.read_csv(
            pa.BufferReader(data), read_options=read, parse_options=parse, convert_options=convert
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if len(set(table.column_names)) != len(table.column_names):
        return None  # repeated headers: let pandas name them apart
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _first_lines(data: bytes, skip_rows: int) -> Any:
    end = 0
    for _ in range(skip_rows + 2):
        nxt = data.find(b"\n", end)
        if nxt < 0:
            end = len(data)
            break
        end = nxt + 1
    return pa.BufferReader(data[:end])


def _read_csv_careful(name: str, text: str, sep: str, skip_rows: int) -> pd.DataFrame:
    """pandas' reader: keeps blank lines so row numbers match what a person sees."""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skiprows=skip_rows,
            engine="c",
            quotechar='"',
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(
            [Problem(file=name, message=f"not a readable {sep!r}-separated table: {exc}".strip())]
        ) from None
    return frame


def _read_excel(path: Path, *, sheet: str | int | None, skip_rows: int) -> RawTable:
    try:
        frame = pd.read_excel(
            path,
            sheet_name=sheet if sheet is not None else 0,
            dtype=str,
            keep_default_na=False,
            skiprows=skip_rows,
        )
    except (ValueError, KeyError, OSError) as exc:
        raise DataError(
            [Problem(file=str(path), message=f"not a readable Excel workbook: {exc}")]
        ) from None
    frame = frame.fillna("")
    rows = np.arange(len(frame), dtype=np.int64) + 2 + skip_rows
    label = f"{path}[{sheet}]" if sheet is not None else str(path)
    return _finish(label, frame, rows, None, None)


def _finish(
    name: str, frame: pd.DataFrame, rows: np.ndarray, enc: str | None, sep: str | None
) -> RawTable:
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    unnamed = [c for c in frame.columns if c.startswith("Unnamed: ")]
    empty_unnamed = [c for c in unnamed if not frame[c].astype(str).str.strip().any()]
    frame = frame.drop(columns=empty_unnamed)  # trailing separators make empty columns
    if frame.shape[1] == 0:
        raise DataError(
            [
                Problem(
                    file=name,
                    message="no columns found",
                    expected="a header row naming the columns",
                )
            ]
        )
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        frame[col] = as_text(frame[col])
        blank &= (frame[col] == "").to_numpy()
    n_blank = int(blank.sum())
    if n_blank:
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return RawTable(
        file=name, frame=frame, rows=rows, encoding=enc, delimiter=sep, blank_rows=n_blank
    )
