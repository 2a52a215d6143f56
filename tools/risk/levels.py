"""How likely a breach must be to warrant a warning, by how far ahead it is.

Within ``near_days`` business days (four weeks) the policy's ``warning_probability``
applies as it stands; from there the bar rises in a straight line to ``far_probability``
(by default the policy's ``critical_probability``) at ``far_days`` (thirteen weeks). A
forecast's spread widens and its estimates of distant flows are rough, and a breach two
months out leaves time to see it again; a breach two weeks out leaves none.
"""

from __future__ import annotations

import numpy as np

from tools.risk.models import LiquidityRisk

__all__ = ["FAR_DAYS", "NEAR_DAYS", "risk_levels", "warning_levels"]

NEAR_DAYS = 20  # business days within which the policy's warning probability applies as is
FAR_DAYS = 65  # business days (13 weeks) from which a warning needs ``far_probability``


def warning_levels(
    lead_days: np.ndarray,
    *,
    warning_probability: float,
    far_probability: float,
    near_days: int = NEAR_DAYS,
    far_days: int = FAR_DAYS,
) -> np.ndarray:
    """The breach probability a day must exceed to warrant a warning, by its distance.

    Args:
        lead_days: business days from the run's date to each day.
        warning_probability: the bar up to ``near_days``.
        far_probability: the bar from ``far_days`` on (at least ``warning_probability``).

    Returns:
        One bar per day, rising in a straight line between ``near_days`` and ``far_days``.
    """
    far = max(far_probability, warning_probability)
    span = max(far_days - near_days, 1)
    share = np.clip((np.asarray(lead_days, dtype=float) - near_days) / span, 0.0, 1.0)
    return warning_probability + (far - warning_probability) * share


def risk_levels(
    risk: LiquidityRisk,
    *,
    near_days: int = NEAR_DAYS,
    far_days: int = FAR_DAYS,
    far_probability: float | None = None,
) -> np.ndarray:
    """``warning_levels`` for each day of an assessment, from its policy thresholds."""
    th = risk.thresholds
    leads = np.busday_count(risk.as_of, np.array(risk.dates, dtype="datetime64[D]"))
    return warning_levels(
        leads,
        warning_probability=th["warning_probability"],
        far_probability=th["critical_probability"] if far_probability is None else far_probability,
        near_days=near_days,
        far_days=far_days,
    )
