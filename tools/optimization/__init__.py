"""Optimizers: supplier payments, receivables, inventory purchases, the investment ladder,
and the joint working-capital plan with its Pareto frontier. Each returns a frozen result
with the plan, the objective's parts, binding constraints, solver status and proposals."""

from tools.optimization.frontier import (
    FrontierWeights,
    WorkingCapitalPlan,
    optimize_working_capital,
)
from tools.optimization.inputs import CreditLine
from tools.optimization.investments import InvestmentPlan, optimize_investments
from tools.optimization.payment_plan import PaymentPlan
from tools.optimization.payments import optimize_payments
from tools.optimization.results import Binding, Relaxation, SolveInfo, SolverParams

__all__ = [
    "Binding",
    "CreditLine",
    "FrontierWeights",
    "InvestmentPlan",
    "PaymentPlan",
    "Relaxation",
    "SolveInfo",
    "SolverParams",
    "WorkingCapitalPlan",
    "optimize_investments",
    "optimize_payments",
    "optimize_working_capital",
]
