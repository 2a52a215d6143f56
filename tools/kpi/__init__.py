"""Working-capital KPIs: DSO, DPO, DIO, CCC, ageing, cash and headroom."""

from tools.kpi.working_capital import KpiReport, KpiSet, working_capital_kpis

__all__ = ["KpiReport", "KpiSet", "working_capital_kpis"]
