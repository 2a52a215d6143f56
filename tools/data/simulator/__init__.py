"""Seeded demo-company simulator: the ERP exports, bank statements and policy of a
mid-size two-entity group (US01 in USD, DE01 in EUR), with injectable shocks and the
ground truth behind the data.

Conventions: tables use the canonical names of ``tools.domain.schemas``; dates are
``datetime64`` (blank = NaT); bank balances are given as opening and closing per account
on every business day (Mon-Fri except 1 Jan and 25 Dec); credit notes have positive
amounts and carry the ``sales_order_id`` of the invoice they settle. Nothing reads the
clock: the same ``SimConfig`` always gives the same company.
"""

from .company import Company, generate_company
from .config import SHOCK_KINDS, Shock, SimConfig
from .writer import write_company, write_truth

__all__ = [
    "SHOCK_KINDS",
    "Company",
    "Shock",
    "SimConfig",
    "generate_company",
    "write_company",
    "write_truth",
]
