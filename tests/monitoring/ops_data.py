"""A small simulated company delivered in two batches, as the daily job would see it:
its exports up to ``FIRST`` and then up to ``SECOND`` (four weeks later)."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company, write_company
from tools.data.simulator.company import Company

FIRST, SECOND = date(2026, 2, 27), date(2026, 3, 27)


@functools.cache
def company() -> Company:
    return generate_company(
        SimConfig(
            seed=5,
            start=date(2025, 1, 1),
            end=date(2026, 3, 31),
            n_customers=30,
            n_suppliers=12,
            n_skus=5,
        )
    )


def write_exports(folder: Path, as_of: date) -> list[Path]:
    """The company's exports as its ERP and bank knew them at the end of ``as_of``."""
    c = company()
    known = Company(
        config=c.config, tables=tables_as_of(c.tables, as_of), policy=c.policy, truth={}
    )
    return write_company(known, folder)
