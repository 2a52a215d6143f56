"""Working-capital KPIs: DSO, DPO, DIO, CCC, ageing, cash and headroom, liquidity ratios,
and all of them as time series."""

from tools.kpi.ratios import derived_ratios, drawn_at
from tools.kpi.series import KpiSeries, inventory_at, kpi_series
from tools.kpi.working_capital import KpiReport, KpiSet, working_capital_kpis

__all__ = [
    "KpiReport",
    "KpiSeries",
    "KpiSet",
    "derived_ratios",
    "drawn_at",
    "inventory_at",
    "kpi_series",
    "working_capital_kpis",
]
