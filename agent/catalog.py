"""The tool catalog: names, argument schemas and the descriptions a planner reads.

Descriptions are written for the model that chooses the tool; argument models are the
contract every planner (offline or LLM) fills in.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CATALOG", "TOOL_NAMES", "ToolSpec"]


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NoArgs(_Args):
    pass


class HorizonArgs(_Args):
    horizon_days: int = Field(default=91, ge=1, le=366, description="Calendar days ahead")
    entity: str | None = Field(default=None, description="Entity id such as US01")
    currency: str | None = Field(default=None, description="ISO currency code")


class CustomerArgs(_Args):
    customer_id: str | None = Field(default=None, description="Customer id from master data")
    horizon_days: int = Field(default=91, ge=1, le=366)
    top_n: int = Field(default=10, ge=1, le=100)


class KpiArgs(_Args):
    entity: str | None = None
    as_of: str | None = Field(default=None, description="ISO date; default latest data")
    metric: str | None = Field(default=None, description="dso, dpo, dio or ccc")


class AnomalyArgs(_Args):
    days: int = Field(default=30, ge=1, le=365, description="Look-back window in days")


class ScenarioArgs(_Args):
    scenario: str = Field(
        description="What-if in words the scenario parser reads, e.g. 'customer C10001 pays "
        "30 days late', 'collections -15% for 6 weeks', 'sales -10%'"
    )
    horizon_days: int = Field(default=91, ge=1, le=366)


class StressArgs(_Args):
    severity: str | None = Field(default=None, description="moderate, severe or None for all")
    horizon_days: int = Field(default=91, ge=1, le=366)


class InvestArgs(_Args):
    amount: float | None = Field(default=None, ge=0, description="Cash to invest, if given")
    currency: str | None = None
    horizon_days: int = Field(default=91, ge=1, le=366)


class InventoryArgs(_Args):
    budget: float | None = Field(default=None, ge=0)
    sku: str | None = None


class SearchArgs(_Args):
    query: str = Field(description="What to look up, in the user's words")


class VarianceArgs(_Args):
    weeks: int = Field(default=4, ge=1, le=52, description="Weeks of actuals to compare")


class ReportArgs(_Args):
    pdf: bool = Field(default=False, description="Also render the report as PDF")
    send_to: list[str] | None = Field(
        default=None,
        description="Who to e-mail it to, if asked: user ids or names from users.yaml "
        "(e.g. 'cfo', 'treasury') or e-mail addresses; sending waits for approval",
    )


class ProposalArgs(_Args):
    status: str | None = Field(default=None, description="pending, approved, executed...")


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[_Args]
    proposes: bool = False


_SPECS = (
    ToolSpec("data_status", "What data the workspace holds, how fresh and complete it is.", NoArgs),
    ToolSpec(
        "forecast_cash",
        "Probabilistic cash forecast per entity and currency: expected closing balance, "
        "80/95 % bands, lowest point, weekly flows. Use for 'cash in 13 weeks', 'cash outlook'.",
        HorizonArgs,
    ),
    ToolSpec(
        "predict_customer_payments",
        "When each open customer invoice will be paid (expected date, probability in the "
        "horizon), for one customer or the largest receivables.",
        CustomerArgs,
    ),
    ToolSpec("kpi_report", "DSO, DPO, DIO, cash conversion cycle, ageing and headroom.", KpiArgs),
    ToolSpec(
        "liquidity_risk",
        "Probability of breaching minimum cash per day and over the horizon, shortfall, "
        "first breach date, what drives it.",
        HorizonArgs,
    ),
    ToolSpec("early_warnings", "Early-warning alerts with lead time and cause.", HorizonArgs),
    ToolSpec(
        "detect_anomalies", "Unusual bank flows: outliers, duplicates, new payees.", AnomalyArgs
    ),
    ToolSpec(
        "run_scenario",
        "What-if on the cash outlook: late customer payments, collections or sales drops, "
        "supplier prepayment, FX moves, credit line cuts.",
        ScenarioArgs,
    ),
    ToolSpec("stress_test", "The standard stress scenarios against the baseline.", StressArgs),
    ToolSpec(
        "optimize_payments",
        "Best supplier payment dates: early-payment discounts versus cash floor; proposes "
        "a payment run.",
        HorizonArgs,
        proposes=True,
    ),
    ToolSpec(
        "plan_collections",
        "Which customers to chase first and how (dunning campaign).",
        CustomerArgs,
        proposes=True,
    ),
    ToolSpec(
        "review_credit_limits",
        "Customer credit limits to raise or cut from payment behaviour and exposure.",
        CustomerArgs,
        proposes=True,
    ),
    ToolSpec(
        "plan_inventory",
        "Purchase plan per SKU under a cash budget; proposes purchase-plan changes.",
        InventoryArgs,
        proposes=True,
    ),
    ToolSpec(
        "plan_investments",
        "Idle cash investment ladder within policy limits; proposes investment orders.",
        InvestArgs,
        proposes=True,
    ),
    ToolSpec(
        "optimize_working_capital",
        "Joint plan over payments, collections, inventory and investments; Pareto frontier.",
        HorizonArgs,
        proposes=True,
    ),
    ToolSpec(
        "search_knowledge",
        "Treasury policy, playbooks and procedures, with citations.",
        SearchArgs,
    ),
    ToolSpec("search_decisions", "Past decisions and their outcomes, with citations.", SearchArgs),
    ToolSpec(
        "explain_variance", "Forecast versus actual cash, explained by category.", VarianceArgs
    ),
    ToolSpec("list_proposals", "Proposed actions and their approval status.", ProposalArgs),
    ToolSpec(
        "weekly_report",
        "Write the weekly working-capital report (Markdown with charts, optionally PDF) into "
        "the workspace: cash outlook, breach risk, KPIs against targets, open alerts, "
        "variance, pending proposals. With send_to, proposes e-mailing it.",
        ReportArgs,
        proposes=True,
    ),
)

CATALOG: dict[str, ToolSpec] = {s.name: s for s in _SPECS}
TOOL_NAMES: tuple[str, ...] = tuple(CATALOG)
