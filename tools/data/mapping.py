"""Column mappings: how an ERP export's headers and formats map onto a canonical table.

A mapping is a small YAML file (or a preset shipped with the product) such as::

    table: ar_invoices
    columns: {invoice_id: invoiceNumber, issue_date: InvoiceDate}
    defaults: {currency: USD, entity_id: MAIN}
    values: {disputed: {"Yes": true, "No": false}}
    date_format: "%m/%d/%Y"
    decimal: "."

Columns left out of ``columns`` are matched by name: the canonical name or a common
ERP alias, compared case- and punctuation-insensitively (``InvoiceDate`` = ``invoice_date``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.domain.schemas import TABLES, Table
from tools.errors import ConfigError

__all__ = [
    "ColumnMapping",
    "guess_table",
    "load_mapping",
    "match_columns",
    "normalise_header",
    "preset_for_headers",
    "presets",
]

_FILE_STEMS = {
    "invoices": "ar_invoices",
    "ar": "ar_invoices",
    "receivables": "ar_invoices",
    "open_items": "ar_invoices",
    "receipts": "ar_receipts",
    "payments_received": "ar_receipts",
    "bills": "ap_bills",
    "ap": "ap_bills",
    "payables": "ap_bills",
    "vendors": "suppliers",
    "items": "inventory_items",
    "skus": "inventory_items",
    "demand": "inventory_demand",
    "pos": "purchase_orders",
    "orders": "sales_orders",
    "transactions": "bank_transactions",
    "statement": "bank_transactions",
    "balances": "bank_balances",
    "accounts": "bank_accounts",
    "facilities": "credit_facilities",
    "rates": "interest_rates",
    "fx": "fx_rates",
}


class ColumnMapping(BaseModel):
    """How one export maps onto one canonical table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, description="Preset name")
    table: str | None = None
    columns: dict[str, str] = Field(default_factory=dict, description="canonical -> header")
    defaults: dict[str, Any] = Field(default_factory=dict, description="canonical -> constant")
    values: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="canonical -> {cell: value}"
    )
    date_format: str | None = None
    decimal: Literal[".", ","] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    skip_rows: int = Field(default=0, ge=0)
    match_headers: tuple[str, ...] = Field(
        default=(), description="Headers that identify an export this preset is for"
    )

    def merged(self, **overrides: Any) -> ColumnMapping:
        """A copy with command-line overrides (``--set``, ``--table``...) applied."""
        data = self.model_dump()
        for key, value in overrides.items():
            if value in (None, {}, ()):
                continue
            data[key] = {**data[key], **value} if isinstance(value, dict) else value
        return ColumnMapping.model_validate(data)


def normalise_header(header: str) -> str:
    """``InvoiceDate``, ``Invoice Date`` and ``invoice-date`` all become ``invoice_date``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(header).strip())
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def match_columns(headers: list[str], table: Table, mapping: ColumnMapping) -> dict[str, str]:
    """Canonical column -> the file's header, from the mapping first, then by name."""
    found: dict[str, str] = {}
    by_norm = {normalise_header(h): h for h in headers}
    for canonical, header in mapping.columns.items():
        if header in headers:
            found[canonical] = header
        elif normalise_header(header) in by_norm:
            found[canonical] = by_norm[normalise_header(header)]
    taken = set(found.values())
    for col in table.columns:
        if col.name in found:
            continue
        for candidate in (col.name, *col.aliases):
            hit = by_norm.get(normalise_header(candidate))
            if hit is not None and hit not in taken:
                found[col.name] = hit
                taken.add(hit)
                break
    return found


def guess_table(path: Path, headers: list[str]) -> str | None:
    """The canonical table a file most likely holds: by file name, then by its headers."""
    stem = normalise_header(path.stem)
    if stem in TABLES:
        return stem
    for word, name in _FILE_STEMS.items():
        if stem == word or stem.startswith(word + "_") or stem.endswith("_" + word):
            return name
    empty = ColumnMapping()
    scores = []
    for table in TABLES.values():
        needed = [c.name for c in table.columns if c.required and c.default is None]
        hits = match_columns(headers, table, empty)
        if all(n in hits for n in needed):
            scores.append((len(hits) / len(table.columns), table.name))
    scores.sort(reverse=True)
    if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def presets() -> dict[str, ColumnMapping]:
    """Mappings shipped with the product, by name."""
    out = {}
    for entry in resources.files("tools.data").joinpath("mappings").iterdir():
        if entry.name.endswith(".yaml"):
            mapping = _parse(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name)
            out[mapping.name or entry.name[:-5]] = mapping
    return out


def preset_for_headers(headers: list[str]) -> ColumnMapping | None:
    """The shipped preset whose identifying headers the file has, if any."""
    have = set(headers)
    for mapping in presets().values():
        if mapping.match_headers and set(mapping.match_headers) <= have:
            return mapping
    return None


def load_mapping(spec: str | Path) -> ColumnMapping:
    """A mapping from a YAML file path or a preset name.

    Raises:
        ConfigError: no such file or preset, or the mapping is invalid.
    """
    path = Path(spec)
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        return _parse(data, str(path))
    known = presets()
    if str(spec) in known:
        return known[str(spec)]
    raise ConfigError(
        f"mapping {spec!r}: no such file or preset; presets: {', '.join(sorted(known))}"
    )


def _parse(data: Any, source: str) -> ColumnMapping:
    try:
        mapping = ColumnMapping.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: mapping field {where!r}: {first['msg']}") from None
    if mapping.table is not None and mapping.table not in TABLES:
        raise ConfigError(
            f"{source}: unknown table {mapping.table!r}; expected one of {', '.join(TABLES)}"
        )
    if mapping.table is not None:
        names = set(TABLES[mapping.table].names)
        unknown = sorted((set(mapping.columns) | set(mapping.defaults)) - names)
        if unknown:
            raise ConfigError(
                f"{source}: table {mapping.table} has no column(s) "
                f"{', '.join(unknown)}; its columns: {', '.join(sorted(names))}"
            )
    return mapping
