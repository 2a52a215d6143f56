"""What-if scenarios and the stress library against the baseline forecast."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentUser, ForecasterDep, WorkspaceDep
from tools.scenarios import (
    STANDARD_LIBRARY,
    ScenarioComparison,
    compare_scenarios,
    expected_receipts_from,
    parse_scenario,
    stress_test,
)

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])


class ScenarioRequest(BaseModel):
    scenario: str = Field(
        min_length=1,
        max_length=500,
        description="What-if in words, e.g. 'customer C10001 pays 30 days late and sales -10%'",
    )
    horizon_days: int = Field(default=91, ge=7, le=366)


class LibraryItem(BaseModel):
    name: str
    severity: str
    text: str | None


@router.post("", responses={400: {"description": "A clause is not understood"}})
def run_scenario(
    body: ScenarioRequest, who: CurrentUser, ws: WorkspaceDep, forecaster: ForecasterDep
) -> ScenarioComparison:
    """A scenario against the baseline: lowest cash, breach probability, shortfall."""
    scenario = parse_scenario(body.scenario)
    fc = forecaster(body.horizon_days).forecast
    return compare_scenarios(
        fc.outlook,
        ws.policy(),
        [scenario],
        expected_receipts=expected_receipts_from(fc.receivables),
    )


@router.get("/library")
def library(who: CurrentUser) -> list[LibraryItem]:
    """The standard stress scenarios."""
    return [LibraryItem(name=s.name, severity=s.severity, text=s.text) for s in STANDARD_LIBRARY]


@router.get("/stress")
def stress(
    who: CurrentUser,
    ws: WorkspaceDep,
    forecaster: ForecasterDep,
    severity: Literal["moderate", "severe"] | None = Query(default=None),
) -> ScenarioComparison:
    """The standard stress library (or its moderate or severe half) against the baseline."""
    fc = forecaster(91).forecast
    return stress_test(
        fc.outlook,
        ws.policy(),
        severity=severity,
        expected_receipts=expected_receipts_from(fc.receivables),
    )
