"""What a user can change about the demo company: seed, period, size and injected shocks."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["SHOCK_KINDS", "Shock", "ShockKind", "SimConfig"]

ShockKind = Literal["customer_default", "supplier_prepayment", "sales_drop", "fx_move"]
SHOCK_KINDS: tuple[str, ...] = ("customer_default", "supplier_prepayment", "sales_drop", "fx_move")

# Filled in when the user leaves them out, so ``Shock(kind="sales_drop", start=...)`` just works.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "customer_default": {"customer_id": "largest"},
    "supplier_prepayment": {"supplier_id": "largest"},
    "sales_drop": {"pct": 30.0, "days": 90},
    "fx_move": {"pct": -10.0},
}
_OPTIONS = ("customer_id", "supplier_id", "pct", "days")


class Shock(BaseModel):
    """An event injected into the simulated history, recorded as ground truth.

    ``customer_default``: the customer (an id or ``"largest"``) stops paying from ``start``.
    ``supplier_prepayment``: the supplier (an id or ``"largest"``) is paid at order from
    ``start``. ``sales_drop``: demand falls by ``pct`` percent for ``days`` days.
    ``fx_move``: EURUSD steps by ``pct`` percent at ``start`` and stays there.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ShockKind
    start: date
    customer_id: str | None = None
    supplier_id: str | None = None
    pct: float | None = None
    days: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key, value in _DEFAULTS.get(str(data.get("kind")), {}).items():
                if data.get(key) is None:
                    data[key] = value
        return data

    @model_validator(mode="after")
    def _check_options(self) -> Shock:
        used = set(_DEFAULTS[self.kind])
        for name in _OPTIONS:
            if name not in used and getattr(self, name) is not None:
                raise ValueError(f"shock {self.kind!r} does not take {name!r}")
        pct = self.pct or 0.0
        if self.kind == "sales_drop" and not 0 < pct <= 100:
            raise ValueError(f"sales_drop pct must be in (0, 100], got {pct:g}")
        if self.kind == "fx_move" and (pct == 0 or not -50 < pct <= 100):
            raise ValueError(f"fx_move pct must be non-zero and in (-50, 100], got {pct:g}")
        return self


class SimConfig(BaseModel):
    """Seed, history window and size of the simulated company."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(default=7, ge=0)
    start: date = date(2024, 7, 1)
    end: date = date(2026, 6, 30)
    n_customers: int = Field(default=200, ge=10, le=5000)
    n_suppliers: int = Field(default=100, ge=12, le=2000)
    n_skus: int = Field(default=50, ge=2, le=1000)
    shocks: tuple[Shock, ...] = ()

    @model_validator(mode="after")
    def _check_window(self) -> SimConfig:
        if (self.end - self.start).days < 90:
            raise ValueError(f"end {self.end} must be at least 90 days after start {self.start}")
        for shock in self.shocks:
            if not self.start <= shock.start <= self.end:
                raise ValueError(
                    f"shock {shock.kind!r} starts {shock.start}, outside {self.start}..{self.end}"
                )
        return self
