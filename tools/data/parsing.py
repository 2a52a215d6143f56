"""Vectorised parsing of text cells into dates, numbers and booleans, dialect by dialect.

Each parser returns the parsed series plus a boolean mask of the cells it could not
read, so the caller can name every bad row. Parsing works on the distinct values
(``factorize``), which keeps million-row exports fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.data.readers import as_text

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
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d", "%Y/%m/%d",
    "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%y", "%d/%m/%y", "%m/%d/%y",
    "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%d-%b-%y",
)  # fmt: skip
_DAY_MONTH_TWINS = {("%d/%m/%Y", "%m/%d/%Y"), ("%d/%m/%y", "%m/%d/%y")}
_TRUE = {"1", "true", "t", "yes", "y", "x", "ja", "j", "oui", "si", "sí", "是"}
_FALSE = {"0", "false", "f", "no", "n", "", "nein", "non", "否"}
# Arrow's regex engine (RE2) runs these: no look-arounds.
_SYMBOLS = r"[\s\x{00a0}\x{202f}'$€£¥]|[A-Z]{3}$|^[A-Z]{3}"


class AmbiguousFormat(ValueError):
    """Several formats read every value (day-first and month-first dates)."""


def _distinct(values: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """(stripped text, codes, distinct values) so work is done once per distinct value."""
    text = as_text(values)
    codes, uniques = pd.factorize(text)
    return text, codes, pd.Series(uniques, dtype=text.dtype)


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
    text, codes, uniques = _distinct(values)
    plain = pd.Series(uniques.to_numpy(dtype=object))
    filled = plain[plain != ""]
    if fmt is None:
        fmt = _pick_date_format(filled)
    if fmt == "excel-serial":
        nums = pd.to_numeric(plain.where(plain != ""), errors="coerce")
        parsed = pd.to_datetime("1899-12-30") + pd.to_timedelta(nums, unit="D")
    else:
        parsed = pd.to_datetime(plain.where(plain != ""), format=fmt, errors="coerce")
    table = parsed.dt.normalize().to_numpy(dtype="datetime64[ns]")
    dates = pd.Series(
        table[codes] if len(table) else np.empty(0, "datetime64[ns]"), index=values.index
    )
    bad = dates.isna().to_numpy() & (text != "").to_numpy()
    return dates, pd.Series(bad, index=values.index)


def _pick_date_format(uniques: pd.Series) -> str:
    if uniques.empty:
        return DATE_FORMATS[0]
    if uniques.str.fullmatch(r"\d{5}(\.0+)?").all():
        return "excel-serial"
    fits: list[str] = []
    best, best_bad = DATE_FORMATS[0], len(uniques) + 1
    sample = uniques if len(uniques) <= 5000 else uniques.sample(5000, random_state=0)
    for fmt in DATE_FORMATS:
        n_bad = int(pd.to_datetime(sample, format=fmt, errors="coerce").isna().sum())
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
    sample = as_text(pd.Series(text.iloc[:20000]))
    comma = sample.str.contains(r"^[^.]*\d,\d{1,2}\)?-?$|\.\d{3},\d+\)?-?$", regex=True).any()
    dot = sample.str.contains(r"\d\.\d{1,2}\)?-?$|,\d{3}\.\d+\)?-?$", regex=True).any()
    return "," if comma and not dot else "."


def parse_numbers(values: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse amounts written as ``1,234.56``, ``1.234,56``, ``(12.50)``, ``12.50-`` or ``€ 12``.

    Returns:
        (numbers, bad): floats (NaN for empty cells) and a mask of unreadable cells.
    """
    text, codes, uniques = _distinct(values)
    dec = decimal or detect_decimal(uniques)
    clean = uniques.str.replace(_SYMBOLS, "", regex=True)
    negative = (clean.str.startswith("(") & clean.str.endswith(")")) | clean.str.endswith("-")
    clean = clean.str.strip("()").str.rstrip("-")
    # A thousands separator is always followed by exactly three digits; anything else
    # (``12,50`` in a decimal-point column) is a misread waiting to happen, so refuse it.
    sep = "." if dec == "," else ","
    misplaced = clean.str.contains(rf"\{sep}(?:\d{{0,2}}(?:\D|$)|\d{{4}})", regex=True)
    if dec == ",":
        clean = clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        clean = clean.str.replace(",", "", regex=False)
    nums = pd.to_numeric(pd.Series(clean.to_numpy(dtype=object)), errors="coerce")
    table = nums.to_numpy(dtype=float)
    table[misplaced.to_numpy(dtype=bool)] = np.nan
    flip = negative.to_numpy(dtype=bool) & ~uniques.str.startswith("-").to_numpy(dtype=bool)
    table = np.where(flip, -table, table)
    out = pd.Series(table[codes] if len(table) else np.empty(0), index=values.index)
    bad = out.isna().to_numpy() & (text != "").to_numpy()
    return out, pd.Series(bad, index=values.index)


def parse_bools(
    values: pd.Series, *, mapping: dict[str, bool] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no, true/false, 1/0, X/blank (case-insensitive) into booleans.

    Returns:
        (flags, bad): empty cells are False; ``bad`` marks unrecognised cells.
    """
    text = as_text(values).str.lower()
    table = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
    if mapping:
        table.update({str(k).strip().lower(): bool(v) for k, v in mapping.items()})
    known = text.isin(list(table)).to_numpy(dtype=bool)
    true_values = [k for k, v in table.items() if v]
    flags = text.isin(true_values).to_numpy(dtype=bool)
    return pd.Series(flags, index=values.index), pd.Series(~known, index=values.index)
