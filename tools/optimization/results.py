"""Result shapes every optimizer shares: solver settings, solve status, binding constraints,
relaxations of infeasible problems, and a frozen base that serialises its frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_serializer

__all__ = ["Binding", "OptimizationResult", "Relaxation", "SolveInfo", "SolverParams", "rows"]

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "error", "no_decision"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolverParams(_Frozen):
    """Pinned solver settings, recorded with every result so a plan can be reproduced."""

    solver: Literal["highs", "scip"] = "highs"
    time_limit_s: float = Field(default=10.0, gt=0)
    workers: int = Field(default=2, ge=1, description="Threads for SCIP; HiGHS uses its own pool")
    seed: int = Field(default=0, ge=0)
    relative_gap: float = Field(default=0.005, ge=0, lt=1, description="Target optimality gap")

    def specific(self) -> str:
        """Backend parameters in the solver's own syntax."""
        if self.solver == "highs":
            # No "threads": HiGHS sizes one thread pool per process on first use and refuses
            # every later solve that asks for another size (a server runs many solves).
            return "\n".join(
                (
                    f"mip_rel_gap={self.relative_gap}",
                    f"random_seed={self.seed}",
                    "output_flag=false",
                    "log_to_console=false",
                )
            )
        return "\n".join(
            (
                f"limits/gap = {self.relative_gap}",
                f"parallel/maxnthreads = {self.workers}",
                f"randomization/randomseedshift = {self.seed}",
                "display/verblevel = 0",
            )
        )


class SolveInfo(_Frozen):
    """What the solver did: status, objective, its bound and the gap between them."""

    status: Status
    method: str = Field(description="Model and how integer decisions were reached")
    solver: str
    objective: float | None = None
    bound: float | None = Field(default=None, description="Best bound on the objective")
    gap: float | None = Field(default=None, description="(bound - objective) / |objective|")
    seconds: float = 0.0
    time_limit_s: float
    workers: int
    seed: int
    relative_gap: float
    n_variables: int = 0
    n_constraints: int = 0


class Binding(_Frozen):
    """A constraint that limits the plan, and what relaxing it by one unit would be worth."""

    constraint: str
    key: str | None = None
    date: dt.date | None = None
    detail: str
    shadow_price: float | None = Field(
        default=None, description="Objective gained per unit of relaxation (LP dual)"
    )


class Relaxation(_Frozen):
    """The smallest change that makes an infeasible problem feasible."""

    constraint: str
    key: str | None = None
    currency: str | None = None
    amount: float = Field(ge=0)
    first_date: dt.date | None = None
    week: int | None = Field(default=None, description="Horizon week (1 = first) of first need")
    message: str


class OptimizationResult(BaseModel):
    """Frozen base: frames serialise to records in ``model_dump(mode='json')``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    @field_serializer("*", mode="wrap")
    def _frames(self, value: Any, handler: Any) -> Any:
        if isinstance(value, pd.DataFrame):
            return frame_records(value)
        return handler(value)

    @property
    def feasible(self) -> bool:
        info = getattr(self, "solve", None)
        return isinstance(info, SolveInfo) and info.status in ("optimal", "feasible")


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (dates as ISO strings, NaN as None)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), None)
    return [
        {str(k): (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in out.to_dict(orient="records")
    ]


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """A frame's rows as named tuples (typed loosely: columns vary by table)."""
    return iter(frame.itertuples(index=False))
