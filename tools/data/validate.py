"""Validate an export's cells against a canonical table and turn them into typed columns.

Every problem names the file, the row a person sees in the file, the file's own column
header, the value and what was expected. Nothing is fixed silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tools.data.mapping import ColumnMapping, match_columns
from tools.data.parsing import AmbiguousFormat, parse_bools, parse_dates, parse_numbers
from tools.data.readers import RawTable, as_text
from tools.domain.currency import CURRENCIES
from tools.domain.schemas import Column, Kind, Table
from tools.errors import Problem

__all__ = ["MAX_PROBLEMS", "Validated", "default_column", "validate"]

MAX_PROBLEMS = 200  # kept per file; the total is still counted
_CREDIT_NOTE = "credit_note"


@dataclass
class Validated:
    """A validated, typed frame (canonical columns) and what was wrong with the rest."""

    table: Table
    file: str
    frame: pd.DataFrame
    rows: np.ndarray  # file row of each record in ``frame``
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    sources: dict[str, str] = field(default_factory=dict)  # canonical -> header
    ignored: list[str] = field(default_factory=list)  # headers not used
    statements: list[Any] = field(default_factory=list)  # what a statement file says of itself

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def flag(
        self,
        mask: pd.Series | np.ndarray,
        col: Column,
        values: pd.Series,
        message: str,
        expected: str | None = None,
    ) -> None:
        """Record a problem for every row in ``mask``."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.bad_rows |= mask
        header = self.sources.get(col.name, col.name)
        room = max(0, MAX_PROBLEMS - len(self.problems))
        for i in np.flatnonzero(mask)[:room]:
            self.problems.append(
                Problem(
                    file=self.file,
                    row=int(self.rows[i]),
                    column=header,
                    value=str(values.iloc[i]),
                    message=message,
                    expected=expected or col.expected,
                )
            )
        self.problem_count += int(mask.sum())


def validate(raw: RawTable, table: Table, mapping: ColumnMapping) -> Validated:
    """Map, parse and check ``raw`` against ``table``.

    Returns a ``Validated`` whose ``frame`` holds every row (typed) and whose
    ``bad_rows`` marks the rows with problems; the caller decides whether to refuse
    the batch or skip them.
    """
    n = len(raw.frame)
    out = Validated(
        table=table,
        file=raw.file,
        frame=pd.DataFrame(index=range(n)),
        rows=raw.rows,
        bad_rows=np.zeros(n, dtype=bool),
    )
    out.sources = match_columns(list(raw.frame.columns), table, mapping)
    out.ignored = [h for h in raw.frame.columns if h not in set(out.sources.values())]
    missing = [
        c
        for c in table.columns
        if c.name not in out.sources
        and c.name not in mapping.defaults
        and c.required
        and c.default is None
    ]
    for col in missing:
        out.add(
            Problem(
                file=raw.file,
                column=col.name,
                message="required column is missing",
                expected=f"a column '{col.name}' ({col.description}); map it from "
                f"another header or give a default in a column mapping",
            )
        )
    if missing:
        return out
    for col in table.columns:
        if col.name in out.sources:
            text = raw.frame[out.sources[col.name]].reset_index(drop=True)
            text = _apply_value_map(text, mapping.values.get(col.name))
        elif col.name in mapping.defaults:
            text = as_text(pd.Series([str(mapping.defaults[col.name])] * n))
        elif col.default is not None:
            out.frame[col.name] = default_column(col, n)
            continue
        else:
            out.frame[col.name] = default_column(col, n)
            continue
        out.frame[col.name] = _parse_column(out, col, text, mapping)
    _apply_signs(out)
    _derive(out)
    _check_rows(out)
    _check_keys(out)
    return out


def _apply_value_map(text: pd.Series, table: dict[str, object] | None) -> pd.Series:
    if not table:
        return text
    lookup = {str(k): str(v) for k, v in table.items()}
    codes, uniques = pd.factorize(as_text(text))
    mapped = np.array([lookup.get(u, u) for u in uniques.tolist()], dtype=object)
    return as_text(pd.Series(mapped[codes] if len(mapped) else [], dtype=object))


def default_column(col: Column, n: int) -> pd.Series:
    """``n`` cells of the column's default, typed as validated data is (empty when none)."""
    value = col.default
    if col.kind == Kind.DATE:
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if col.kind == Kind.BOOL:
        return pd.Series(np.full(n, bool(value)))
    if col.kind in (Kind.AMOUNT, Kind.NUMBER):
        return pd.Series(np.full(n, np.nan if value is None else float(value)))  # type: ignore[arg-type]
    if col.kind == Kind.INTEGER:
        return pd.Series([pd.NA if value is None else value] * n, dtype="Int64")
    return pd.Series([value] * n, dtype=object)


def _parse_column(
    out: Validated, col: Column, text: pd.Series, mapping: ColumnMapping
) -> pd.Series:
    stripped = as_text(text)
    empty = (stripped == "").to_numpy(dtype=bool)
    if col.kind == Kind.DATE:
        try:
            values, bad = parse_dates(stripped, fmt=mapping.date_format)
        except AmbiguousFormat as exc:
            out.add(
                Problem(file=out.file, column=out.sources.get(col.name, col.name), message=str(exc))
            )
            out.bad_rows[:] = True
            return pd.Series(np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]"))
        out.flag(bad, col, text, "not a date")
    elif col.kind in (Kind.AMOUNT, Kind.NUMBER, Kind.INTEGER):
        values, bad = parse_numbers(stripped, decimal=mapping.decimal)
        out.flag(bad, col, text, "not a number")
        finite = values.notna().to_numpy()
        inf = finite & ~np.isfinite(values.to_numpy())
        out.flag(inf, col, text, "not a finite number")
        if col.kind == Kind.INTEGER:
            frac = finite & ~inf & (values.to_numpy() % 1 != 0)
            out.flag(frac, col, text, "not a whole number")
        if col.kind == Kind.AMOUNT:
            values = values.round(2)
        _check_range(out, col, values, text)
        if col.kind == Kind.INTEGER:
            values = values.where(np.isfinite(values)).round().astype("Int64")
    elif col.kind == Kind.BOOL:
        values, bad = parse_bools(stripped)
        out.flag(bad, col, text, "not a yes/no value")
        empty = np.zeros(len(text), dtype=bool)  # empty means False
    elif col.kind == Kind.CURRENCY:
        values = stripped.str.upper()
        out.flag(~empty & ~values.isin(CURRENCIES).to_numpy(), col, text, "unknown currency code")
        values = values.where(~empty, None).astype(object)
    elif col.kind == Kind.ENUM:
        # Case and spaces do not matter ("Credit Note" = credit_note, "on" = ON).
        canonical = {a.lower().replace(" ", "_"): a for a in col.allowed}
        folded = stripped.str.lower().str.replace(" ", "_")
        out.flag(
            ~empty & ~folded.isin(list(canonical)).to_numpy(dtype=bool),
            col,
            text,
            "unexpected value",
        )
        codes, uniques = pd.factorize(folded)
        spelled = np.array([canonical.get(u) for u in uniques.tolist()] + [None], dtype=object)
        values = _objects(pd.Series(spelled[codes]), empty)
    else:
        values = _objects(stripped, empty)
    if not col.nullable:
        out.flag(empty, col, text, "value is missing")
    return values.reset_index(drop=True)


def _objects(values: pd.Series, empty: np.ndarray) -> pd.Series:
    """Python strings, None for empty cells (what the database and comparisons expect)."""
    arr = values.to_numpy(dtype=object)
    arr[empty] = None
    return pd.Series(arr, dtype=object)


def _check_range(out: Validated, col: Column, values: pd.Series, text: pd.Series) -> None:
    arr = values.to_numpy(dtype=float)
    ok = ~np.isnan(arr)
    # Credit notes may carry a minus sign; their magnitude is checked after signs are set.
    if (
        col.kind == Kind.AMOUNT
        and col.name in ("amount", "open_amount")
        and "doc_type" in out.table.names
    ):
        return
    if col.min is not None:
        low = arr <= col.min if col.min_exclusive else arr < col.min
        msg = (
            "must be positive"
            if col.min == 0 and col.min_exclusive
            else (
                "negative value not allowed" if col.min == 0 else f"below the minimum {col.min:g}"
            )
        )
        out.flag(ok & low, col, text, msg)
    if col.max is not None:
        out.flag(ok & (arr > col.max), col, text, f"above the maximum {col.max:g}")


def _apply_signs(out: Validated) -> None:
    """Credit notes are stored negative; an invoice with a negative amount is an error."""
    if "doc_type" not in out.table.names or "amount" not in out.frame:
        return
    frame = out.frame
    credit = (frame["doc_type"] == _CREDIT_NOTE).to_numpy()
    amount = frame["amount"].to_numpy(dtype=float)
    col = out.table.column("amount")
    out.flag(
        ~credit & (amount < 0),
        col,
        frame["amount"],
        "negative amount on an invoice",
        "an amount >= 0; mark credit notes with doc_type credit_note",
    )
    frame["amount"] = np.where(credit, -np.abs(amount), amount)
    opened = frame["open_amount"].to_numpy(dtype=float)
    out.flag(
        ~credit & (opened < 0),
        out.table.column("open_amount"),
        frame["open_amount"],
        "negative open amount",
    )
    frame["open_amount"] = np.where(credit, -np.abs(opened), opened)


def _derive(out: Validated) -> None:
    """Fill columns whose default depends on other columns of the same row."""
    frame = out.frame
    names = out.table.names
    if "open_amount" in names and "amount" in frame:
        settled_col = "settled_date" if "settled_date" in names else "paid_date"
        missing = frame["open_amount"].isna()
        settled = frame[settled_col].notna()
        frame.loc[missing & settled, "open_amount"] = 0.0
        frame.loc[missing & ~settled, "open_amount"] = frame.loc[missing & ~settled, "amount"]
    if out.table.name == "bank_transactions":
        frame["value_date"] = frame["value_date"].fillna(frame["booking_date"])
        missing = frame["txn_id"].isna()
        if missing.any():
            frame.loc[missing, "txn_id"] = _derived_ids(frame.loc[missing])


def _derived_ids(frame: pd.DataFrame) -> list[str]:
    """Stable ids for bank lines without one: same line, same id, on every re-import."""
    basis = (
        frame["account_id"].astype(str)
        + "|"
        + frame["booking_date"].astype(str)
        + "|"
        + frame["amount"].map("{:.2f}".format)
        + "|"
        + frame["reference"].astype(str)
        + "|"
        + frame["description"].astype(str)
    )
    occurrence = basis.groupby(basis).cumcount().astype(str)
    return [
        hashlib.sha1(f"{b}#{o}".encode()).hexdigest()[:20]
        for b, o in zip(basis, occurrence, strict=True)
    ]


def _check_rows(out: Validated) -> None:
    frame = out.frame
    for check in out.table.checks:
        left, right = frame[check.left], frame[check.right]
        if out.table.column(check.left).kind == Kind.AMOUNT:
            left, right = left.abs(), right.abs()
        both = left.notna() & right.notna()
        ops = {">=": left >= right, ">": left > right, "<=": left <= right}
        fails = (both & ~ops[check.op]).to_numpy()
        if not fails.any():
            continue
        col = out.table.column(check.right)
        shown = pd.Series("", index=frame.index, dtype=object)
        shown[fails] = (
            _show(frame.loc[fails, check.right])
            + f" vs {check.left} "
            + _show(frame.loc[fails, check.left])
        )
        out.flag(fails, col, shown, check.message, f"{check.left} {check.op} {check.right}")


def _show(values: pd.Series) -> pd.Series:
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d")
    return values.astype(str)


def _check_keys(out: Validated) -> None:
    key = list(out.table.key)
    frame = out.frame
    if frame[key].isna().any(axis=None):
        return  # missing key values are already reported
    dup = frame.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return
    first_row = (
        pd.Series(out.rows)
        .groupby([frame[k].astype(str).to_numpy() for k in key])
        .transform("min")
        .to_numpy()
    )
    later = dup & (first_row != out.rows)
    col = out.table.column(key[-1])
    values = frame[key].astype(str).agg("/".join, axis=1)
    for i in np.flatnonzero(later):
        out.add(
            Problem(
                file=out.file,
                row=int(out.rows[i]),
                column=out.sources.get(col.name, col.name),
                value=values.iloc[i],
                message=f"duplicate {'/'.join(key)} (first on row {first_row[i]})",
                expected="each key once per file",
            )
        )
    out.bad_rows |= later
