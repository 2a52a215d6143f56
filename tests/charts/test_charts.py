"""Charts render, carry their labels, mark breaches and are byte-for-byte reproducible."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.charts import cash_position_chart, ccc_trend_chart, fan_chart, pareto_chart
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook, Position, empty_scheduled

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def outlook(drift: float) -> CashOutlook:
    """One position starting at 1,000 with a daily drift; floor 900."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2026-07-01", periods=30, freq="D")
    flows = rng.normal(drift, 20.0, size=(200, len(dates)))
    pos = Position(
        key="US01/USD",
        entity_id="US01",
        currency="USD",
        opening=1000.0,
        accounts=("A1",),
        minimum=900.0,
    )
    return CashOutlook(
        as_of=date(2026, 6, 30),
        reporting_currency="USD",
        dates=dates,
        positions=(pos,),
        paths={("US01/USD", "customer_receipt"): flows},
        scheduled=empty_scheduled(),
    )


def test_fan_chart_svg_has_bands_floor_and_title() -> None:
    svg = fan_chart(outlook(0.0), "US01/USD", fmt="svg").decode()
    for label in (
        "95 % band",
        "80 % band",
        "Expected balance",
        "Minimum cash",
        "Cash forecast US01/USD (USD), as of 2026-06-30",
    ):
        assert label in svg


def test_charts_are_deterministic_and_png_is_png() -> None:
    o = outlook(0.0)
    assert fan_chart(o, "US01/USD") == fan_chart(o, "US01/USD")
    png = fan_chart(o, "US01/USD", fmt="png")
    assert png.startswith(PNG_MAGIC) and png == fan_chart(o, "US01/USD", fmt="png")


@pytest.mark.parametrize(
    ("drift", "marked"),
    [
        (-15.0, True),  # cash drains below the 900 floor: breach days are marked
        (+15.0, False),  # cash grows: no breach marker at all
    ],
)
def test_cash_position_marks_breach_days_only_when_there_are_some(
    drift: float, marked: bool
) -> None:
    svg = cash_position_chart(outlook(drift), "US01/USD").decode()
    assert "Minimum cash" in svg and "Bad day (5% quantile)" in svg
    assert ("Breach risk" in svg) is marked


def test_unknown_position_and_bad_format_say_what_to_use() -> None:
    with pytest.raises(ConfigError, match="US01/USD"):
        fan_chart(outlook(0.0), "DE01/EUR")
    with pytest.raises(ValueError, match="'png' or 'svg'"):
        fan_chart(outlook(0.0), "US01/USD", fmt="gif")  # type: ignore[arg-type]


def test_ccc_trend_draws_parts_and_rejects_unknown_scope() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2026-01-31", periods=4, freq="ME").date.tolist() * 2,
            "scope": ["group"] * 4 + ["US01"] * 4,
            "dso": [50, 52, 55, 53] * 2,
            "dio": [40, 41, 39, 38] * 2,
            "dpo": [30, 31, 29, 33] * 2,
            "ccc": [60, 62, 65, 58] * 2,
        }
    )
    svg = ccc_trend_chart(frame, scope="US01").decode()
    assert "Cash conversion cycle, US01" in svg
    assert all(label in svg for label in ("DSO", "DIO", "DPO", "CCC"))
    with pytest.raises(ConfigError, match="known: US01, group"):
        ccc_trend_chart(frame, scope="DE01")
    with pytest.raises(ConfigError, match="missing column"):
        ccc_trend_chart(frame.drop(columns="ccc"))


def test_pareto_highlights_the_chosen_plan() -> None:
    frame = pd.DataFrame(
        {
            "value": [10.0, 20.0, 25.0],
            "buffer": [300.0, 200.0, 100.0],
            "chosen": [False, True, False],
        }
    )
    svg = pareto_chart(frame, currency="USD").decode()
    assert "Chosen plan" in svg and "Buffer (USD)" in svg and "Value (USD)" in svg
    unchosen = pareto_chart(frame.assign(chosen=False)).decode()
    assert "Chosen plan" not in unchosen
