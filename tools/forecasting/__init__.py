"""Cash-flow forecasting: the direct-method cash outlook and the models behind it."""

from tools.forecasting.cash import CashForecast, build_outlook
from tools.forecasting.categorize import categorize
from tools.forecasting.engine import PanelForecast, forecast_panel
from tools.forecasting.outlook import CashOutlook, Position, position_key
from tools.forecasting.payments import (
    ExpectedReceipts,
    PaymentModel,
    expected_receipts,
    fit_payment_model,
    predict_payments,
)

__all__ = [
    "CashForecast",
    "CashOutlook",
    "ExpectedReceipts",
    "PanelForecast",
    "PaymentModel",
    "Position",
    "build_outlook",
    "categorize",
    "expected_receipts",
    "fit_payment_model",
    "forecast_panel",
    "position_key",
    "predict_payments",
]
