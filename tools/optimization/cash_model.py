"""The cash ledger every optimizer plans against: one balance per position and day.

The balance at the chosen confidence is the outlook's lower quantile *without* the
decisions being optimised (open bills, investments, draws) plus the decisions' flows,
which are deterministic, so the quantile shifts by exactly their amount:
``base_q[t] + cumulative(decision flows)[t] + stocks[t] >= floor``. That is a chance
constraint per day at the chosen confidence, solved as one deterministic LP/MIP.

Sample paths carry the randomness the forecast models, not the error of the models
themselves, so real balances fall below the planning quantile more often than the
confidence says. Cash locked in a term placement cannot meet such a day, so term
placements are held to a **liquidity reserve**: on each day, what is outstanding in term
instruments may not exceed the headroom over the floor of a stress balance
(``stress_balance``: the planning balance less ``reserve_widening`` times the forecast's
downside spread) after every open bill is paid at its earliest allowed date
(``CashModel.term_room``). Payments, draws and same-day-liquid holdings are not held back
by the reserve: only the cash that cannot come back the same day is.

Amounts in the model are in thousands of the position's currency (numerics); objective
coefficients are in reporting-currency units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import binom

from tools.forecasting.outlook import CashOutlook
from tools.optimization.inputs import CreditLine
from tools.optimization.lp import SparseLp

__all__ = [
    "RESERVE_WIDENING",
    "SCALE",
    "CashModel",
    "Ledger",
    "ledgers_for",
    "planning_balance",
    "stress_balance",
]

SCALE = 1000.0
# Liquidity reserve under term placements, in downside spreads (chosen on simulator seeds
# 11-13 of evals.value, not on the seeds reported).
RESERVE_WIDENING = 3.0


def planning_balance(paths: np.ndarray, confidence: float, *, sure: float = 0.99) -> np.ndarray:
    """Per day, a balance the true ``1 - confidence`` quantile exceeds with probability
    ``sure``: the order statistic a binomial bound picks (distribution-free), so a few
    hundred sample paths do not make the plan optimistic. ``sure`` is high because a plan
    sits at the floor on many days: at 0.9 one tight day in ten may be optimistic, which
    held-out paths show as breaches. One path: that path."""
    n = paths.shape[0]
    if n < 2:
        return paths[0].astype(float)
    rank = int(binom.ppf(1 - sure, n, 1 - confidence)) - 1
    return np.sort(paths, axis=0)[max(rank, 0)].astype(float)


def stress_balance(
    paths: np.ndarray, confidence: float, widening: float, low: np.ndarray | None = None
) -> np.ndarray:
    """Per day, the planning balance less ``widening`` times the paths' downside spread
    (median - planning balance, the largest up to that day: a model's error does not shrink
    on days its paths happen to agree): where a balance can be when the forecast model
    itself is wrong, which its own paths do not show. ``low``: the paths'
    ``planning_balance`` when the caller has it already."""
    low = planning_balance(paths, confidence) if low is None else low
    spread = np.maximum.accumulate(np.maximum(np.median(paths, axis=0) - low, 0.0))
    return low - max(widening, 0.0) * spread


@dataclass(frozen=True)
class Ledger:
    key: str
    currency: str
    fx: float  # reporting units per unit
    base: np.ndarray  # planning balance before decisions, per day
    floor: float
    credit: CreditLine
    stress: np.ndarray | None = None  # stress balance before decisions (liquidity reserve)


def ledgers_for(
    outlook: CashOutlook,
    *,
    confidence: float,
    credit: dict[str, CreditLine],
    fixed_flows: dict[str, np.ndarray] | None = None,
    keys: tuple[str, ...] | None = None,
    reserve_widening: float | None = None,
) -> list[Ledger]:
    """One ledger per position: the ``1 - confidence`` balance quantile (conservatively
    estimated, ``planning_balance``) without scheduled items, plus ``fixed_flows``
    (scheduled items the model does not decide); with ``reserve_widening``, also the
    stress balance the liquidity reserve is held against (``stress_balance``)."""
    out = []
    for pos in outlook.positions:
        if keys is not None and pos.key not in keys:
            continue
        paths = outlook.balance_paths(pos.key, include_scheduled=False)
        values = planning_balance(paths, confidence)
        stress = (
            None
            if reserve_widening is None
            else stress_balance(paths, confidence, reserve_widening, low=values)
        )
        if fixed_flows and pos.key in fixed_flows:
            values = values + np.cumsum(fixed_flows[pos.key])
            stress = None if stress is None else stress + np.cumsum(fixed_flows[pos.key])
        line = credit.get(pos.key, CreditLine(limit=0.0, rate_pct=0.0))
        out.append(
            Ledger(pos.key, pos.currency, pos.fx_to_reporting, values, pos.minimum, line, stress)
        )
    return out


@dataclass
class CashModel:
    """Decision variables with their cash effects, built into one sparse LP."""

    ledgers: list[Ledger]
    horizon: int
    lp: SparseLp = field(default_factory=SparseLp)
    # (ledger index, day, column, coefficient): a flow changes every later balance ...
    _flows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=list
    )
    # ... a stock (outstanding draw, overnight placement) only that day's balance.
    _stocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=list
    )
    # Per ledger index: cumulative cash out if every open bill is paid at its earliest
    # allowed date (<= 0), for the liquidity reserve.
    earliest_payments: dict[int, np.ndarray] = field(default_factory=dict)
    parts: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    floor_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    draw_cols: dict[str, np.ndarray] = field(default_factory=dict)
    buffer_col: int | None = None
    shortfall_cols: dict[str, np.ndarray] = field(default_factory=dict)
    extra_cols: dict[str, int] = field(default_factory=dict)
    cum_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    buffer_keys: tuple[str, ...] | None = None

    def index(self, key: str) -> int:
        return next(i for i, led in enumerate(self.ledgers) if led.key == key)

    def add_vars(
        self,
        n: int,
        *,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = np.inf,
        parts: dict[str, np.ndarray | float] | None = None,
        integer: bool = False,
    ) -> np.ndarray:
        """Variables whose objective is the sum of named ``parts`` (reporting units each)."""
        total = np.zeros(n)
        for value in (parts or {}).values():
            total = total + np.broadcast_to(np.asarray(value, float), (n,))
        cols = self.lp.add_vars(n, lb=lb, ub=ub, obj=total, integer=integer)
        for name, value in (parts or {}).items():
            self.parts.append((name, cols, np.broadcast_to(np.asarray(value, float), (n,)).copy()))
        return cols

    def add_flows(
        self, ledger: np.ndarray, day: np.ndarray, cols: np.ndarray, coef: np.ndarray
    ) -> None:
        """Cash flows (thousands, receipts > 0) on ``day``; days outside the horizon are ignored."""
        inside = (day >= 0) & (day < self.horizon)
        self._flows.append(
            (ledger[inside], day[inside], cols[inside], np.asarray(coef, float)[inside])
        )

    def add_stocks(
        self, ledger: np.ndarray, day: np.ndarray, cols: np.ndarray, coef: np.ndarray
    ) -> None:
        self._stocks.append((ledger, day, cols, np.asarray(coef, float)))

    def term_room(self, i: int) -> np.ndarray | None:
        """Most that term placements of ledger ``i`` may hold per day (position currency):
        the stress balance's headroom over the floor once every open bill is paid at its
        earliest allowed date; None when the ledger keeps no reserve."""
        led = self.ledgers[i]
        if led.stress is None:
            return None
        paid = self.earliest_payments.get(i, np.zeros(self.horizon))
        return np.maximum(led.stress[: self.horizon] + paid - led.floor, 0.0)

    def add_draws(self, *, net_of_cost_of_funds: dict[str, float] | None = None) -> None:
        """Outstanding credit-line drawing per position and day, at the facility's cost."""
        for i, led in enumerate(self.ledgers):
            daily = SCALE * led.fx / 365 / 100
            parts: dict[str, np.ndarray | float] = {
                "credit_interest": -led.credit.rate_pct * daily,
                "commitment_fee_saved": led.credit.commitment_fee_pct * daily,
            }
            if net_of_cost_of_funds:
                parts["cost_of_funds"] = net_of_cost_of_funds.get(led.currency, 0.0) * daily
            cols = self.add_vars(self.horizon, ub=led.credit.limit / SCALE, parts=parts)
            self.draw_cols[led.key] = cols
            day = np.arange(self.horizon)
            self.add_stocks(np.full(self.horizon, i), day, cols, np.ones(self.horizon))

    def add_buffer(
        self, *, minimum: float = 0.0, weight: float = 0.0, keys: tuple[str, ...] | None = None
    ) -> int:
        """A variable for the smallest headroom over the floor (reporting units) over ``keys``."""
        col = self.add_vars(1, lb=minimum / SCALE, parts={"buffer": weight * SCALE})
        self.buffer_col = int(col[0])
        self.buffer_keys = keys
        return self.buffer_col

    def build(self, *, elastic: bool = True) -> None:
        """Balance rows: ``N[k,t] = N[k,t-1] + flows``; ``base + N + stocks (+ slack) >= floor``."""
        n_led, h = len(self.ledgers), self.horizon
        lp = self.lp
        cum = lp.add_vars(n_led * h, lb=-np.inf, ub=np.inf)
        eq = lp.add_rows(n_led * h, lb=0.0, ub=0.0)
        lp.add_terms(eq, cum, 1.0)
        prev = np.arange(n_led * h) % h > 0
        lp.add_terms(eq[prev], cum[np.flatnonzero(prev) - 1], -1.0)
        for li, day, cols, coef in self._flows:
            lp.add_terms(eq[li * h + day], cols, -coef)
        lows = np.concatenate([(led.floor - led.base[:h]) / SCALE for led in self.ledgers])
        floor = lp.add_rows(n_led * h, lb=lows)
        lp.add_terms(floor, cum, 1.0)
        for li, day, cols, coef in self._stocks:
            lp.add_terms(floor[li * h + day], cols, coef)
        if self.buffer_col is not None:
            fx = np.repeat([led.fx for led in self.ledgers], h)
            keys = np.repeat([led.key for led in self.ledgers], h)
            on = (
                np.ones(n_led * h, bool)
                if self.buffer_keys is None
                else np.isin(keys, self.buffer_keys)
            )
            lp.add_terms(floor[on], np.full(int(on.sum()), self.buffer_col), -1.0 / fx[on])
        if elastic:
            # Slack below the floor costs more than any value a unit of cash can create,
            # per day and again as the extra credit line needed (its peak).
            for i, led in enumerate(self.ledgers):
                slack = self.add_vars(h, parts={"shortfall_penalty": -led.fx * SCALE})
                extra = self.add_vars(1, parts={"shortfall_penalty": -10 * led.fx * SCALE})
                lp.add_terms(floor[i * h : (i + 1) * h], slack, 1.0)
                cap = lp.add_rows(h, ub=0.0)
                lp.add_terms(cap, slack, 1.0)
                lp.add_terms(cap, np.full(h, extra[0]), -1.0)
                self.shortfall_cols[led.key] = slack
                self.extra_cols[led.key] = int(extra[0])
        self.floor_rows = floor
        self.cum_cols = cum

    def balances(self, x: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Planning balance per position and day from a solution."""
        h = self.horizon
        rows = []
        for i, led in enumerate(self.ledgers):
            stock = np.zeros(h)
            for li, day, cols, coef in self._stocks:
                mine = li == i
                np.add.at(stock, day[mine], coef[mine] * x[cols[mine]])
            decided = x[self.cum_cols[i * h : (i + 1) * h]] + stock
            drawn = x[self.draw_cols[led.key]] if led.key in self.draw_cols else np.zeros(h)
            balance = led.base[:h] + decided * SCALE
            rows.append(
                pd.DataFrame(
                    {
                        "key": led.key,
                        "ds": dates[:h],
                        "base": led.base[:h],
                        "decisions": decided * SCALE,
                        "drawn": drawn * SCALE,
                        "balance": balance,
                        "floor": led.floor,
                        "headroom": balance - led.floor,
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)

    def shortfalls(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Per position, the daily amount the elastic model fell below the floor."""
        return {k: np.maximum(x[c], 0.0) * SCALE for k, c in self.shortfall_cols.items()}

    def objective_parts(self, x: np.ndarray) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, cols, coef in self.parts:
            if name in ("shortfall_penalty", "buffer"):
                continue
            out[name] = out.get(name, 0.0) + float(coef @ x[cols])
        return {k: round(v, 2) for k, v in out.items()}
