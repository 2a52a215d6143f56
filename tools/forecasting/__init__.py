"""Cash-flow forecasting: the direct-method cash outlook and the models behind it."""

from tools.forecasting.cash import CashForecast, build_outlook
from tools.forecasting.categorize import categorize
from tools.forecasting.outlook import CashOutlook, Position, position_key

__all__ = ["CashForecast", "CashOutlook", "Position", "build_outlook", "categorize", "position_key"]
