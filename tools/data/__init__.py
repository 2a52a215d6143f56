"""Data integration: reading exports, column mappings, validation, the demo simulator."""

from tools.data.mapping import ColumnMapping, load_mapping, presets
from tools.data.readers import RawTable, read_tabular
from tools.data.validate import Validated, validate

__all__ = [
    "ColumnMapping",
    "RawTable",
    "Validated",
    "load_mapping",
    "presets",
    "read_tabular",
    "validate",
]
