"""The plan made with hindsight: the joint model planned on the one path that then happens.

No plan made before the fact can realise more on that path (within the same instruments,
limits and floors), so it bounds the value an optimizer can add over any rule; the
evaluations report it as the ceiling next to the plans they compare.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.optimization.inputs import CreditLine
from tools.optimization.investments import ladder_frame
from tools.optimization.joint import prepare_joint, solve_joint
from tools.optimization.payment_plan import chosen_payments, draws_frame
from tools.optimization.results import SolverParams

__all__ = ["hindsight_plan"]


def hindsight_plan(
    outlook: CashOutlook,
    suppliers: pd.DataFrame | None,
    policy: Policy,
    *,
    rates: pd.DataFrame | None,
    payment_run_weekdays: tuple[int, ...] = (1, 3),
    credit: Mapping[str, CreditLine] | pd.DataFrame | None = None,
    bank_accounts: pd.DataFrame | None = None,
    late_fee_pct: float = 12.0,
    max_days_late: int = 14,
    solver: SolverParams | None = None,
) -> dict[str, pd.DataFrame]:
    """The value-maximising payments, placements and draws on a one-path ``outlook``.

    The path is known, so no liquidity reserve and no buffer or punctuality weight apply;
    the floor still holds on that path. Returns ``payments``, ``ladder`` and ``draws`` in the
    shapes ``realise_plan`` takes.

    Raises:
        ConfigError: the outlook has more than one path, or missing rates or policy.
        DataError: bad bills.
    """
    if outlook.n_paths != 1:
        raise ConfigError(
            f"hindsight_plan needs the one path that happened; the outlook has "
            f"{outlook.n_paths} (pick one with outlook.with_paths)"
        )
    inputs = prepare_joint(
        outlook,
        None,
        suppliers,
        policy,
        rates=rates,
        confidence=0.95,  # one path: every quantile is the path itself
        payment_run_weekdays=payment_run_weekdays,
        credit=credit,
        bank_accounts=bank_accounts,
        late_fee_pct=late_fee_pct,
        max_days_late=max_days_late,
        supplier_importance=None,
        mmf_spread_bp=5.0,
        tbill_spread_bp=-10.0,
        reserve_widening=0.0,
    )
    js = solve_joint(inputs, solver or SolverParams())
    x = js.sol.x
    return {
        "payments": chosen_payments(js.cand, inputs.bills, x, outlook.dates),
        "ladder": ladder_frame(js.inv, x, outlook.dates),
        "draws": draws_frame(js.model, x, outlook.dates),
    }
