"""The errors the deterministic core raises, each carrying what a user needs to fix the input."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "ConfigError",
    "DataError",
    "Problem",
    "WcmError",
    "WorkspaceError",
]


class WcmError(Exception):
    """Base class for every error the product raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value of an input file.

    ``row`` is the line (CSV) or sheet row (Excel) a person sees when opening the
    file, counting the header as row 1; ``None`` when the problem is with the file as
    a whole or with a column that is missing.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DataError(WcmError):
    """Input data that cannot be used as it is; lists every problem found."""

    def __init__(self, problems: list[Problem], *, total: int | None = None) -> None:
        if not problems:
            raise ValueError("DataError needs at least one problem")
        self.problems = problems
        self.total = total if total is not None else len(problems)
        first = str(problems[0])
        more = self.total - 1
        super().__init__(first if more <= 0 else f"{first} (and {more} more problems)")


class WorkspaceError(WcmError):
    """A workspace that is missing, not initialised or inconsistent."""


class ConfigError(WcmError):
    """A setting, mapping or policy file that is invalid."""
