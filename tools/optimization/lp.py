"""A sparse linear/mixed-integer program solved with HiGHS through OR-Tools' model builder.

Variables and rows are added as numpy blocks and the matrix is handed to the solver in
one piece (``fill_model_from_sparse_data``), so a model with 100k variables builds in a
fraction of a second. ``solve_rounded`` is how the optimizers get integer decisions
fast: the LP relaxation first (its objective is a valid bound), then every fractional
choice group rounded to the candidate the caller ranks safest, the continuous variables
re-optimised with the choices fixed, and a MIP solve only when that leaves a gap above
the target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder as mb
from ortools.linear_solver.python import model_builder_helper as mbh

from tools.optimization.results import SolveInfo, SolverParams

__all__ = ["LpSolution", "SparseLp"]

_STATUS = {
    "OPTIMAL": "optimal",
    "FEASIBLE": "feasible",
    "INFEASIBLE": "infeasible",
    "UNBOUNDED": "unbounded",
}


@dataclass
class LpSolution:
    status: str
    x: np.ndarray
    duals: np.ndarray
    objective: float
    bound: float
    seconds: float


@dataclass
class SparseLp:
    """Maximise ``obj @ x`` subject to ``row_lb <= A x <= row_ub`` and variable bounds."""

    lb: list[np.ndarray] = field(default_factory=list)
    ub: list[np.ndarray] = field(default_factory=list)
    obj: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    row_lb: list[np.ndarray] = field(default_factory=list)
    row_ub: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    n_vars: int = 0
    n_rows: int = 0

    def add_vars(
        self,
        n: int,
        *,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = np.inf,
        obj: float | np.ndarray = 0.0,
        integer: bool = False,
    ) -> np.ndarray:
        """``n`` new variables; returns their column indices."""
        idx = np.arange(self.n_vars, self.n_vars + n)
        self.lb.append(np.broadcast_to(np.asarray(lb, float), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, float), (n,)).copy())
        self.obj.append(np.broadcast_to(np.asarray(obj, float), (n,)).copy())
        self.integer.append(np.full(n, integer))
        self.n_vars += n
        return idx

    def add_rows(
        self, n: int, *, lb: float | np.ndarray = -np.inf, ub: float | np.ndarray = np.inf
    ) -> np.ndarray:
        """``n`` new constraint rows (terms added with ``add_terms``); returns their indices."""
        idx = np.arange(self.n_rows, self.n_rows + n)
        self.row_lb.append(np.broadcast_to(np.asarray(lb, float), (n,)).copy())
        self.row_ub.append(np.broadcast_to(np.asarray(ub, float), (n,)).copy())
        self.n_rows += n
        return idx

    def add_terms(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        rows = np.asarray(rows, int)
        cols = np.asarray(cols, int)
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, float), rows.shape).copy())

    def _arrays(self) -> tuple[np.ndarray, ...]:
        def cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

        return (
            cat(self.lb),
            cat(self.ub),
            cat(self.obj),
            cat(self.integer, bool),
            cat(self.row_lb),
            cat(self.row_ub),
        )

    def solve(
        self,
        params: SolverParams,
        *,
        integer: bool = False,
        fixed: dict[int, float] | None = None,
        time_limit: float | None = None,
        backend: str | None = None,
    ) -> LpSolution:
        """Solve once; ``integer`` keeps the integrality marks, ``fixed`` pins variables."""
        lb, ub, obj, is_int, row_lb, row_ub = self._arrays()
        if fixed:
            keys = np.fromiter(fixed.keys(), int)
            values = np.fromiter(fixed.values(), float)
            lb[keys] = values
            ub[keys] = values
        matrix = sp.csr_matrix(
            (
                np.concatenate(self.vals) if self.vals else np.zeros(0),
                (
                    np.concatenate(self.rows) if self.rows else np.zeros(0, int),
                    np.concatenate(self.cols) if self.cols else np.zeros(0, int),
                ),
            ),
            shape=(self.n_rows, self.n_vars),
        )
        model = mb.Model()
        helper = model.helper
        # The pybind stubs spell the array type as ndarray[float64[m, 1]], which mypy misreads.
        helper.fill_model_from_sparse_data(lb, ub, obj, row_lb, row_ub, matrix)  # type: ignore[arg-type]
        helper.set_maximize(True)
        if integer:
            for i in np.flatnonzero(is_int):
                helper.set_var_integrality(int(i), True)
        solver = mbh.ModelSolverHelper(backend or params.solver)
        solver.set_time_limit_in_seconds(time_limit if time_limit else params.time_limit_s)
        if backend is None:
            solver.set_solver_specific_parameters(params.specific())
        start = time.perf_counter()
        solver.solve(helper)
        seconds = time.perf_counter() - start
        status = _STATUS.get(solver.status().name, "error")
        if not solver.has_solution():
            if status in ("optimal", "feasible"):
                status = "error"
            nan = np.full(self.n_vars, np.nan)
            return LpSolution(status, nan, np.zeros(0), np.nan, np.nan, seconds)
        # Row duals come from GLOP (see ``with_duals``): HiGHS's are not exposed here.
        duals: np.ndarray = solver.dual_values() if backend == "glop" else np.zeros(0)  # type: ignore[assignment]
        return LpSolution(
            status,
            solver.variable_values(),  # type: ignore[arg-type]  # stubs: see above
            duals,
            float(solver.objective_value()),
            float(solver.best_objective_bound()),
            seconds,
        )

    def solve_rounded(
        self,
        params: SolverParams,
        groups: list[np.ndarray],
        *,
        method: str,
    ) -> tuple[LpSolution, SolveInfo]:
        """Integer choices by LP relaxation + safe rounding (+ MIP when the gap is too big).

        ``groups`` are the choice groups (one chosen variable each), each ordered so that
        its *last* member with positive LP weight is the safe pick (for payments: the
        latest date, which never lowers a cash balance).
        """
        start = time.perf_counter()
        relaxed = self.solve(params)
        if relaxed.status not in ("optimal", "feasible"):
            return relaxed, self._info(params, relaxed, relaxed, start, method, "lp")
        bound = relaxed.objective
        fixed = _round(relaxed.x, groups)
        final = relaxed
        how = "lp"
        if groups and _fractional(relaxed.x[np.concatenate(groups)]):
            final = self.solve(params, fixed=fixed)
            how = "lp+rounding"
        if final.status not in ("optimal", "feasible") or _gap(final.objective, bound) > (
            params.relative_gap
        ):
            left = max(params.time_limit_s - (time.perf_counter() - start), 0.5)
            mip = self.solve(params, integer=True, time_limit=left)
            if mip.status in ("optimal", "feasible") and (
                final.status not in ("optimal", "feasible") or mip.objective > final.objective
            ):
                final = mip
                how = "mip"
        info = self._info(params, final, relaxed, start, method, how)
        return self.with_duals(params, final, groups), info

    def with_duals(
        self, params: SolverParams, sol: LpSolution, groups: list[np.ndarray]
    ) -> LpSolution:
        """The solution with row duals (shadow prices) of the LP whose choices are fixed."""
        if sol.status not in ("optimal", "feasible") or self.n_vars > 200_000:
            return sol
        cols = np.concatenate(groups) if groups else np.zeros(0, int)
        fixed = dict(zip(cols.tolist(), np.round(sol.x[cols]).tolist(), strict=True))
        dual = self.solve(params, fixed=fixed, backend="glop")
        if dual.status != "optimal" or dual.duals.size != self.n_rows:
            return sol
        return LpSolution(sol.status, sol.x, dual.duals, sol.objective, sol.bound, sol.seconds)

    def _info(
        self,
        params: SolverParams,
        final: LpSolution,
        relaxed: LpSolution,
        start: float,
        method: str,
        how: str,
    ) -> SolveInfo:
        ok = final.status in ("optimal", "feasible")
        bound = relaxed.objective if relaxed.status == "optimal" else final.bound
        gap = _gap(final.objective, bound) if ok else None
        status = final.status
        if ok:
            status = "optimal" if gap is not None and gap <= 1e-9 else "feasible"
        return SolveInfo(
            status=status,
            method=f"{method} ({how})",
            solver=params.solver,
            objective=final.objective if ok else None,
            bound=bound if ok else None,
            gap=gap,
            seconds=round(time.perf_counter() - start, 4),
            time_limit_s=params.time_limit_s,
            workers=params.workers,
            seed=params.seed,
            relative_gap=params.relative_gap,
            n_variables=self.n_vars,
            n_constraints=self.n_rows,
        )


def _fractional(values: np.ndarray) -> bool:
    return bool(((values > 1e-6) & (values < 1 - 1e-6)).any())


def _round(x: np.ndarray, groups: list[np.ndarray]) -> dict[int, float]:
    """Each group's last member with positive LP weight set to 1, the others to 0."""
    groups = [g for g in groups if g.size]
    if not groups:
        return {}
    cols = np.concatenate(groups)
    sizes = np.fromiter((g.size for g in groups), int, len(groups))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    where = np.where(x[cols] > 1e-6, np.arange(cols.size), -1)
    last = np.maximum.reduceat(where, starts)
    values = np.zeros(cols.size)
    values[last[last >= 0]] = 1.0
    return dict(zip(cols.tolist(), values.tolist(), strict=True))


def _gap(objective: float, bound: float) -> float:
    """Relative distance to the bound (HiGHS's convention, floored at one currency unit)."""
    if not np.isfinite(objective) or not np.isfinite(bound):
        return float("inf")
    return max(bound - objective, 0.0) / max(abs(objective), abs(bound), 1.0)
