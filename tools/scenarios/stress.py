"""Scenarios side by side, and the Monte Carlo stress test over the standard library.

Each scenario transforms the outlook's sample paths; the liquidity-risk engine then reads
the same figures off every transformed outlook, so the rows compare like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk
from tools.scenarios.apply import apply_scenario
from tools.scenarios.library import STANDARD_LIBRARY
from tools.scenarios.spec import Scenario

__all__ = ["ScenarioComparison", "ScenarioResult", "compare_scenarios", "stress_test"]

BASELINE = Scenario(name="baseline", severity="baseline")


class ScenarioResult(BaseModel):
    """One row of the comparison; amounts in the reporting currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    severity: Literal["baseline", "moderate", "severe"]
    text: str | None
    group_min_balance_q05: float = Field(description="Lowest daily 5 % quantile, group")
    group_min_balance_q05_date: date
    breach_probability: float = Field(
        description="Highest P(any breach in the horizon) over the scopes with a policy floor"
    )
    breach_probability_with_credit: float
    worst_scope: str
    expected_shortfall: float = Field(description="Sum over positions, reporting currency")
    first_breach_date: date | None = Field(
        description="Earliest over the scopes with a policy floor"
    )
    first_breach_date_with_credit: date | None
    binding_scope: str
    binding_date: date
    cash_flow_at_risk: float = Field(description="Group 95 % CFaR")


class ScenarioComparison(BaseModel):
    """Scenarios compared on the same outlook, baseline first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    reporting_currency: str
    horizon_days: int
    results: tuple[ScenarioResult, ...]
    provenance: dict[str, Any]

    def frame(self) -> pd.DataFrame:
        """The comparison as a table, one row per scenario."""
        return pd.DataFrame([r.model_dump() for r in self.results])


def _earliest(values: list[date | None]) -> date | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _row(scenario: Scenario, risk: LiquidityRisk, fx: dict[str, float]) -> ScenarioResult:
    scopes = risk.policy_scopes
    worst = max(scopes, key=lambda s: s.horizon_breach_probability)
    return ScenarioResult(
        name=scenario.name,
        severity=scenario.severity,
        text=scenario.text,
        group_min_balance_q05=risk.group.min_balance_q05,
        group_min_balance_q05_date=risk.group.min_balance_q05_date,
        breach_probability=worst.horizon_breach_probability,
        breach_probability_with_credit=max(
            s.horizon_breach_probability_with_credit for s in scopes
        ),
        worst_scope=worst.scope,
        expected_shortfall=round(
            sum(p.expected_shortfall * fx[p.scope] for p in risk.positions), 2
        ),
        first_breach_date=_earliest([s.first_breach_date for s in scopes]),
        first_breach_date_with_credit=_earliest([s.first_breach_date_with_credit for s in scopes]),
        binding_scope=risk.binding.scope,
        binding_date=risk.binding.date,
        cash_flow_at_risk=risk.group.cash_flow_at_risk,
    )


def compare_scenarios(
    outlook: CashOutlook,
    policy: Policy,
    scenarios: Sequence[Scenario],
    *,
    expected_receipts: pd.DataFrame | None = None,
    include_baseline: bool = True,
) -> ScenarioComparison:
    """Minimum balance (5 % quantile), breach probability, shortfall and first breach date
    per scenario, with the unchanged outlook as the first row.

    Raises:
        ConfigError: a scenario cannot be applied (see ``apply_scenario``).
    """
    chosen = [BASELINE, *scenarios] if include_baseline else list(scenarios)
    rows = []
    horizon = 0
    for scenario in chosen:
        shocked = apply_scenario(outlook, scenario, expected_receipts=expected_receipts)
        risk = liquidity_risk(shocked, policy)
        horizon = risk.horizon_days
        fx = {p.key: p.fx_to_reporting for p in shocked.positions}
        rows.append(_row(scenario, risk, fx))
    return ScenarioComparison(
        as_of=outlook.as_of,
        reporting_currency=outlook.reporting_currency,
        horizon_days=horizon,
        results=tuple(rows),
        provenance={
            "outlook": dict(outlook.provenance),
            "n_paths": outlook.n_paths,
            "scenarios": [s.model_dump(mode="json") for s in chosen],
            "warning_probability": policy.early_warning.warning_probability,
        },
    )


def stress_test(
    outlook: CashOutlook,
    policy: Policy,
    *,
    library: Sequence[Scenario] = STANDARD_LIBRARY,
    severity: Literal["moderate", "severe"] | None = None,
    expected_receipts: pd.DataFrame | None = None,
) -> ScenarioComparison:
    """The stress library (or its moderate or severe half) against the baseline."""
    chosen = [s for s in library if severity is None or s.severity == severity]
    return compare_scenarios(outlook, policy, chosen, expected_receipts=expected_receipts)
