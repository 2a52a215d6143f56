"""Charts as PNG or SVG bytes: forecast fan chart, cash position with breach markers,
cash conversion cycle trend and the Pareto frontier. Pure functions of their data."""

from tools.charts.forecast import cash_position_chart, fan_chart
from tools.charts.frames import ccc_trend_chart, pareto_chart
from tools.charts.render import MEDIA_TYPES, ChartFormat, render

__all__ = [
    "MEDIA_TYPES",
    "ChartFormat",
    "cash_position_chart",
    "ccc_trend_chart",
    "fan_chart",
    "pareto_chart",
    "render",
]
