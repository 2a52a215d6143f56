"""What-if scenarios on the cash outlook: shocks, events, counterparty reactions, and the
stress library compared side by side."""

from tools.scenarios.apply import apply_scenario, apply_spec, expected_receipts_from
from tools.scenarios.library import STANDARD_LIBRARY, standard_library
from tools.scenarios.parse import parse_scenario, parse_spec
from tools.scenarios.spec import (
    CreditCut,
    FlowShock,
    FxShock,
    LatePayment,
    Prepayment,
    RevenueShock,
    Scenario,
    ScenarioSpec,
    TermsChange,
)
from tools.scenarios.stress import (
    ScenarioComparison,
    ScenarioResult,
    compare_scenarios,
    stress_test,
)

__all__ = [
    "STANDARD_LIBRARY",
    "CreditCut",
    "FlowShock",
    "FxShock",
    "LatePayment",
    "Prepayment",
    "RevenueShock",
    "Scenario",
    "ScenarioComparison",
    "ScenarioResult",
    "ScenarioSpec",
    "TermsChange",
    "apply_scenario",
    "apply_spec",
    "compare_scenarios",
    "expected_receipts_from",
    "parse_scenario",
    "parse_spec",
    "standard_library",
    "stress_test",
]
