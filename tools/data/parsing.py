"""Vectorised parsing of text cells into dates, numbers and booleans, dialect by dialect.

Each parser returns the parsed series plus a boolean mask of the cells it could not
read, so the caller can name every bad row. Parsing works on the unique values, which
keeps million-row exports fast.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "DATE_FORMATS",
    "AmbiguousFormat",
    "detect_decimal",
    "parse_bools",
    "parse_dates",
    "parse_numbers",
]

# Tried in this order; a format is chosen when it reads every value of the column.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%y",
)
_DAY_MONTH_TWINS = {("%d/%m/%Y", "%m/%d/%Y"), ("%d/%m/%y", "%m/%d/%y")}
_TRUE = {"1", "true", "t", "yes", "y", "x", "ja", "j", "oui", "si", "sí", "是"}
_FALSE = {"0", "false", "f", "no", "n", "", "nein", "non", "否"}
_SYMBOLS = re.compile(r"[\s\u00a0\u202f'$€£¥]|[A-Z]{3}$|^[A-Z]{3}")


class AmbiguousFormat(ValueError):
    """Several formats read every value (day-first and month-first dates)."""


def parse_dates(values: pd.Series, *, fmt: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse a text column into ``datetime64`` dates (time of day dropped).

    Args:
        values: text cells; empty cells become NaT and are not errors.
        fmt: a ``strptime`` format; detected from ``DATE_FORMATS`` (or Excel serial
            day numbers) when None.

    Returns:
        (dates, bad): ``bad`` marks non-empty cells that are not dates in the format.

    Raises:
        AmbiguousFormat: both day-first and month-first read every value.
    """
    text = values.astype(str).str.strip()
    uniques = pd.Series(text.unique())
    uniques = uniques[uniques != ""]
    if fmt is None:
        fmt = _pick_date_format(uniques)
    if fmt == "excel-serial":
        nums = pd.to_numeric(uniques, errors="coerce")
        parsed = pd.to_datetime("1899-12-30") + pd.to_timedelta(nums, unit="D")
    else:
        parsed = pd.to_datetime(uniques, format=fmt, errors="coerce")
    lookup = pd.Series(parsed.dt.normalize().to_numpy(), index=uniques.to_numpy())
    dates = pd.Series(text.map(lookup).to_numpy(dtype="datetime64[ns]"), index=values.index)
    bad = dates.isna() & (text != "")
    return dates, bad


def _pick_date_format(uniques: pd.Series) -> str:
    if uniques.empty:
        return DATE_FORMATS[0]
    if uniques.str.fullmatch(r"\d{5}(\.0+)?").all():
        return "excel-serial"
    fits: list[str] = []
    best, best_bad = DATE_FORMATS[0], len(uniques) + 1
    for fmt in DATE_FORMATS:
        n_bad = int(pd.to_datetime(uniques, format=fmt, errors="coerce").isna().sum())
        if n_bad == 0:
            fits.append(fmt)
        if n_bad < best_bad:
            best, best_bad = fmt, n_bad
    if len(fits) > 1 and tuple(fits[:2]) in _DAY_MONTH_TWINS:
        raise AmbiguousFormat(
            f"dates such as {uniques.iloc[0]!r} read both day-first and month-first; "
            f"set date_format to {fits[0]!r} or {fits[1]!r} in the column mapping"
        )
    return fits[0] if fits else best


def detect_decimal(text: pd.Series) -> str:
    """The decimal separator a number column uses: ``','`` only on clear evidence."""
    sample = pd.Series(text.unique()[:5000]).astype(str).str.strip()
    comma = sample.str.contains(r"^[^.]*\d,\d{1,2}\)?-?$|\.\d{3},\d+\)?-?$", regex=True).any()
    dot = sample.str.contains(r"\d\.\d{1,2}\)?-?$|,\d{3}\.\d+\)?-?$", regex=True).any()
    return "," if comma and not dot else "."


def parse_numbers(values: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse amounts written as ``1,234.56``, ``1.234,56``, ``(12.50)``, ``12.50-`` or ``€ 12``.

    Returns:
        (numbers, bad): floats (NaN for empty cells) and a mask of unreadable cells.
    """
    text = values.astype(str).str.strip()
    uniques = pd.Series(text.unique())
    dec = decimal or detect_decimal(uniques)
    clean = uniques.str.replace(_SYMBOLS, "", regex=True)
    negative = clean.str.startswith("(") & clean.str.endswith(")") | clean.str.endswith("-")
    clean = clean.str.strip("()").str.rstrip("-")
    # A thousands separator is always followed by exactly three digits; anything else
    # (``12,50`` in a decimal-point column) is a misread waiting to happen, so refuse it.
    sep = "." if dec == "," else ","
    misplaced = clean.str.contains(rf"\{sep}(?!\d{{3}}(?:\D|$))", regex=True)
    if dec == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    nums = pd.to_numeric(clean, errors="coerce").to_numpy(dtype=float)
    nums[misplaced.to_numpy()] = np.nan
    nums = np.where(negative.to_numpy() & ~uniques.str.startswith("-").to_numpy(), -nums, nums)
    lookup = pd.Series(nums, index=uniques.to_numpy())
    out = pd.Series(text.map(lookup).to_numpy(dtype=float), index=values.index)
    bad = out.isna() & (text != "")
    return out, bad


def parse_bools(
    values: pd.Series, *, mapping: dict[str, bool] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no, true/false, 1/0, X/blank (case-insensitive) into booleans.

    Returns:
        (flags, bad): empty cells are False; ``bad`` marks unrecognised cells.
    """
    text = values.astype(str).str.strip().str.lower()
    table = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    if mapping:
        table.update({str(k).strip().lower(): bool(v) for k, v in mapping.items()})
    known = text.isin(list(table))
    true_values = [k for k, v in table.items() if v]
    return pd.Series(text.isin(true_values).to_numpy(), index=values.index), ~known
