"""The demo company's treasury policy, sized to its revenue and consistent with its floors."""

from __future__ import annotations

from datetime import date

from tools.domain.policy import (
    ApprovalRule,
    InstrumentLimit,
    InvestmentPolicy,
    MinimumCash,
    Policy,
)

from .constants import REPORTING_CURRENCY, operating_account
from .treasury import Facility

# Share of annual group revenue (USD) each bank may hold of our investments.
_COUNTERPARTIES = {
    "JPMorgan Chase Bank, N.A.": 0.15,
    "Deutsche Bank AG": 0.12,
    "Bank of America, N.A.": 0.10,
    "Commerzbank AG": 0.08,
    "BNP Paribas S.A.": 0.08,
}


def _round(x: float, unit: float) -> float:
    return max(round(x / unit), 1) * unit


def build_policy(
    *, effective: date, facilities: dict[str, Facility], revenue_usd: float, eurusd: float
) -> Policy:
    """Minimum cash equals the floors the simulated treasurer defends with the revolvers."""
    floors = {e: f.floor / 100 for e, f in facilities.items()}
    group = sum(v * (eurusd if facilities[e].currency == "EUR" else 1) for e, v in floors.items())
    return Policy(
        version="1",
        effective_date=effective.isoformat(),
        reporting_currency=REPORTING_CURRENCY,
        minimum_cash=MinimumCash(
            group=_round(group, 250_000),
            entities=floors,
            accounts={operating_account(e): v for e, v in floors.items()},
        ),
        investment=InvestmentPolicy(
            instruments={
                "overnight": InstrumentLimit(max_share=1.0),
                "mmf": InstrumentLimit(max_amount=_round(revenue_usd * 0.05, 1e6), max_share=0.5),
                "deposit_1w": InstrumentLimit(max_share=0.5),
                "deposit_1m": InstrumentLimit(max_share=0.4),
                "deposit_3m": InstrumentLimit(max_share=0.25),
                "tbill_3m": InstrumentLimit(max_share=0.3),
            },
            counterparty_limits={
                bank: _round(revenue_usd * share, 1e6) for bank, share in _COUNTERPARTIES.items()
            },
            max_tenor_days=92,
            confidence=0.95,
        ),
        approval_matrix=(
            ApprovalRule(action="payment_run", up_to=250_000, approvers=1),
            ApprovalRule(action="payment_run", up_to=None, approvers=2),
            ApprovalRule(action="investment_order", up_to=1_000_000, approvers=1),
            ApprovalRule(action="investment_order", up_to=None, approvers=2),
            ApprovalRule(action="credit_line_draw", up_to=None, approvers=2),
            ApprovalRule(action="credit_limit_change", up_to=50_000, approvers=1),
            ApprovalRule(action="credit_limit_change", up_to=None, approvers=2),
            ApprovalRule(action="*", up_to=100_000, approvers=1),
            ApprovalRule(action="*", up_to=None, approvers=2),
        ),
    )
