"""The treasury policy file (``policy.yaml``): the numbers that drive tools and approvals."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.errors import ConfigError, DataError, Problem

__all__ = [
    "ACTION_TYPES",
    "ApprovalRule",
    "InstrumentLimit",
    "InvestmentPolicy",
    "MinimumCash",
    "Policy",
    "dump_policy",
    "load_policy",
]

ACTION_TYPES = (
    "payment_run",
    "credit_limit_change",
    "investment_order",
    "dunning_campaign",
    "purchase_plan_change",
    "discount_offer",
    "credit_line_draw",
    "report_distribution",
)
Instrument = Literal["overnight", "mmf", "deposit_1w", "deposit_1m", "deposit_3m", "tbill_3m"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MinimumCash(_Frozen):
    """Cash floors in each currency's own units; the tools treat them as hard limits."""

    group: float = Field(default=0, ge=0, description="Floor for the group, reporting currency")
    entities: dict[str, float] = Field(default_factory=dict)
    accounts: dict[str, float] = Field(default_factory=dict)


class InstrumentLimit(_Frozen):
    max_amount: float | None = Field(default=None, ge=0)
    max_share: float = Field(default=1.0, ge=0, le=1)


class InvestmentPolicy(_Frozen):
    instruments: dict[Instrument, InstrumentLimit] = Field(default_factory=dict)
    counterparty_limits: dict[str, float] = Field(default_factory=dict)
    max_tenor_days: int = Field(default=92, ge=1)
    confidence: float = Field(default=0.95, gt=0, lt=1, description="Liquidity confidence")


class ApprovalRule(_Frozen):
    """How many distinct approvers an action needs up to an amount (reporting currency)."""

    action: Literal[*ACTION_TYPES, "*"]  # type: ignore[valid-type]
    up_to: float | None = Field(default=None, ge=0, description="None: no upper bound")
    approvers: int = Field(ge=1, le=5)
    roles: tuple[str, ...] = ("approver",)


class CreditPolicy(_Frozen):
    max_limit_change_pct: float = Field(default=25, ge=0, le=100)
    review_days: int = Field(default=90, ge=1)


class EarlyWarningPolicy(_Frozen):
    warning_probability: float = Field(default=0.2, gt=0, lt=1)
    critical_probability: float = Field(default=0.5, gt=0, lt=1)
    horizon_days: int = Field(default=91, ge=1)


class Policy(_Frozen):
    """A company's treasury policy as numbers."""

    version: str = "1"
    effective_date: str | None = None
    reporting_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    minimum_cash: MinimumCash = MinimumCash()
    investment: InvestmentPolicy = InvestmentPolicy()
    approval_matrix: tuple[ApprovalRule, ...] = (
        ApprovalRule(action="*", up_to=100_000, approvers=1),
        ApprovalRule(action="*", up_to=None, approvers=2),
    )
    credit: CreditPolicy = CreditPolicy()
    early_warning: EarlyWarningPolicy = EarlyWarningPolicy()

    @model_validator(mode="after")
    def _matrix_covers_every_amount(self) -> Policy:
        for action in {r.action for r in self.approval_matrix}:
            rules = [r for r in self.approval_matrix if r.action in (action, "*")]
            if not any(r.up_to is None for r in rules):
                raise ValueError(
                    f"approval_matrix: action {action!r} has no rule without 'up_to', "
                    "so large amounts would need no approval; add one"
                )
        return self

    def required_approvers(self, action: str, amount: float) -> int:
        """Distinct approvers needed for ``action`` of ``amount`` (most specific rule wins)."""
        for wanted in (action, "*"):
            rules = sorted(
                (r for r in self.approval_matrix if r.action == wanted),
                key=lambda r: float("inf") if r.up_to is None else r.up_to,
            )
            for rule in rules:
                if rule.up_to is None or amount <= rule.up_to:
                    return rule.approvers
        raise ValueError(f"approval_matrix has no rule for action {action!r}")


def load_policy(path: Path) -> Policy:
    """Read and validate ``policy.yaml``.

    Raises:
        ConfigError: the file is missing or not YAML.
        DataError: a field is invalid; each problem names the field path.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: policy file not found; run 'wcm init' to create one") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise DataError(
            [
                Problem(
                    file=str(path),
                    column=".".join(str(p) for p in err["loc"]) or None,
                    message=err["msg"],
                    value=None if err.get("input") is None else str(err["input"])[:80],
                )
                for err in exc.errors()
            ]
        ) from None


def dump_policy(policy: Policy) -> str:
    """The policy as YAML text, in the shape ``load_policy`` reads."""
    return yaml.safe_dump(policy.model_dump(mode="json"), sort_keys=False)
