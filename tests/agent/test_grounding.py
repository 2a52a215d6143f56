"""The grounding check: numbers and dates in an answer must come from the tools."""

from __future__ import annotations

from agent.grounding import ungrounded_numbers
from agent.results import Figure, ToolResult


def _result() -> ToolResult:
    return ToolResult(
        call_id="c1",
        name="forecast_cash",
        figures=(
            Figure(
                key="closing",
                label="Expected cash on 2026-04-01",
                label_zh="2026-04-01 预计现金",
                value=1_250_000.0,
                unit="money",
                currency="USD",
            ),
            Figure(
                key="lo95",
                label="95% band, low",
                label_zh="95% 区间下限",
                value=900_000.0,
                unit="money",
                currency="USD",
            ),
        ),
    )


def test_an_answer_quoting_figure_labels_is_grounded() -> None:
    text = "Expected cash on 2026-04-01: 1,250,000 USD (95% band, low: 900,000 USD)."
    assert ungrounded_numbers(text, [_result()]) == []


def test_a_number_no_tool_returned_is_refused() -> None:
    text = "Expected cash on 2026-04-01: 1,250,000 USD, and 3,400,000 USD by 2026-05-15."
    assert ungrounded_numbers(text, [_result()]) == ["2026-05-15", "3.4e+06"]
