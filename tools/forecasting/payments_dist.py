"""Each open invoice's payment-day distribution, given that it is still unpaid at as_of.

A distribution is ``N_ATOMS`` equally likely whole numbers of days late (sorted), plus a
probability that the invoice is never paid. Conditioning keeps the atoms that fall after
as_of; when too few survive (an invoice already later than the model expected), the
remaining delay follows the model's upper tail, counted from as_of.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Conditional", "conditional"]

_MIN_SURVIVORS = 10


@dataclass(frozen=True)
class Conditional:
    """Days late per invoice (rows) and atom (columns), and P(never paid) per invoice."""

    late: np.ndarray  # (n, n_atoms) int, sorted per row, all >= min_late
    p_never: np.ndarray  # (n,)
    tail: np.ndarray  # (n,) bool: later than the model expected, tail used
    unpaid_share: np.ndarray  # (n,) model's P(not yet paid at as_of) before conditioning

    def quantile(self, q: float) -> np.ndarray:
        """Days late at quantile ``q`` of the payment day, given it is paid."""
        m = self.late.shape[1]
        idx = int(np.clip(np.ceil(q * m - 0.5), 0, m - 1))
        return self.late[:, idx].astype(float)

    def mean(self) -> np.ndarray:
        return self.late.mean(axis=1)

    def p_after(self, days_late: np.ndarray) -> np.ndarray:
        """P(paid later than ``days_late`` past due), never paying included."""
        paid_after = np.mean(self.late > days_late[:, None], axis=1)
        return self.p_never + (1 - self.p_never) * paid_after

    def pmf(self, first: np.ndarray, horizon: int) -> np.ndarray:
        """(n, horizon) probability of payment on each day ``first + d`` days late, d < horizon."""
        n, m = self.late.shape
        offset = self.late - first[:, None]
        inside = (offset >= 0) & (offset < horizon)
        rows = np.broadcast_to(np.arange(n)[:, None], offset.shape)
        out = np.zeros((n, horizon))
        np.add.at(out, (rows[inside], offset[inside]), 1.0 / m)
        return out * (1 - self.p_never)[:, None]

    def sample(self, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """(n_paths, n) days late drawn per invoice; NaN where the draw is "never paid"."""
        n, m = self.late.shape
        pick = rng.integers(0, m, size=(n_paths, n))
        never = rng.random((n_paths, n)) < self.p_never[None, :]
        draws = self.late[np.arange(n)[None, :], pick].astype(float)
        draws[never] = np.nan
        return draws


def conditional(
    location: np.ndarray,
    scale: np.ndarray,
    atoms: np.ndarray,
    excess: np.ndarray,
    *,
    min_late: np.ndarray,
    floor_late: np.ndarray,
    p_never: np.ndarray,
) -> Conditional:
    """Condition location-scale atoms on "not paid before ``min_late`` days late".

    Args:
        location, scale: per invoice, in days late.
        atoms, excess: the model's sorted standardized errors and its upper-tail excesses.
        min_late: smallest possible days late now (the day after as_of, minus the due date).
        floor_late: smallest days late ever possible (issue date minus due date).
        p_never: probability of never paying, per invoice.
    """
    raw = np.round(location[:, None] + scale[:, None] * atoms[None, :])
    raw = np.maximum(raw, floor_late[:, None])
    m = len(atoms)
    first = np.sum(raw < min_late[:, None], axis=1)  # rows are sorted: survivors are a suffix
    survivors = m - first
    tail = survivors < _MIN_SURVIVORS
    pick = first[:, None] + (np.arange(m)[None, :] * survivors[:, None]) // m
    pick = np.minimum(pick, m - 1)
    kept = np.take_along_axis(raw, pick, axis=1)
    beyond = np.round(min_late[:, None] + scale[:, None] * excess[None, :])
    late = np.where(tail[:, None], beyond, kept)
    late = np.maximum(late, min_late[:, None]).astype(np.int64)
    return Conditional(
        late=np.sort(late, axis=1), p_never=p_never, tail=tail, unpaid_share=survivors / m
    )
