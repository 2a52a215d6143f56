"""Customer master data with payment-behaviour archetypes and a heavy-tailed size mix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import COLLECTION_ACCOUNT, ENTITIES, operating_account

ARCHETYPES = ("on_time", "chronic_late", "seasonal", "deteriorating", "disputing")
_ARCHETYPE_SHARES = (0.42, 0.20, 0.13, 0.12, 0.13)
_SEGMENTS = ("key_account", "enterprise", "mid_market", "small")
_SEGMENT_CUTS = (0.05, 0.20, 0.60)  # cumulative share of customers by size rank
_SEGMENT_DISCOUNT = {"key_account": 0.06, "enterprise": 0.03, "mid_market": 0.0, "small": 0.0}
# Big customers negotiate long terms.
_TERMS_P = {
    "key_account": (0.1, 0.4, 0.5),
    "enterprise": (0.3, 0.4, 0.3),
    "mid_market": (0.6, 0.3, 0.1),
    "small": (0.6, 0.3, 0.1),
}
_COUNTRIES = {
    ("US01", "USD"): (("US", "CA", "MX"), (0.85, 0.10, 0.05)),
    ("DE01", "EUR"): (("DE", "FR", "NL", "AT", "IT"), (0.6, 0.1, 0.1, 0.1, 0.1)),
    ("DE01", "USD"): (("US", "CA"), (0.7, 0.3)),
}
USD_SHARE_DE = 0.25  # DE01 customers invoiced in US dollars


def split(n: int, shares: tuple[float, ...]) -> np.ndarray:
    """Whole counts summing to ``n`` in proportion to ``shares`` (largest remainder)."""
    raw = np.asarray(shares) / np.sum(shares) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw, kind="stable")[: n - counts.sum()]] += 1
    return counts


def _behaviour(rng: np.random.Generator, archetype: np.ndarray) -> dict[str, np.ndarray]:
    """Per-customer parameters of days late; the archetype picks which ones matter."""
    n = len(archetype)
    is_ = {a: archetype == a for a in ARCHETYPES}
    mu = np.select(
        [is_["on_time"], is_["chronic_late"], is_["disputing"]],
        [rng.uniform(-3, 2, n), rng.uniform(12, 40, n), rng.uniform(4, 12, n)],
        default=rng.uniform(0, 4, n),
    )
    return {
        "mu": mu,
        "season_extra": np.where(is_["seasonal"], rng.uniform(15, 30, n), 0.0),
        "slope": np.where(is_["deteriorating"], rng.uniform(15, 35, n), 0.0),  # days per year
        "dispute_rate": np.where(is_["disputing"], rng.uniform(0.2, 0.3, n), 0.01),
        # Many customers pay in a weekly payment run on a fixed weekday; -1: any day.
        "pay_weekday": np.where(rng.random(n) < 0.4, rng.integers(0, 5, n), -1),
    }


def build_customers(
    rng: np.random.Generator, *, n: int, revenue: dict[str, float], eurusd: float
) -> pd.DataFrame:
    """Customers of both entities; ``share`` is the customer's share of its entity's sales."""
    counts = split(n, tuple(e.share for e in ENTITIES))
    frames = []
    for spec, count in zip(ENTITIES, counts, strict=True):
        size = rng.lognormal(0.0, 1.5, count)
        share = size / size.sum()
        rank = np.argsort(np.argsort(-share, kind="stable"), kind="stable") / count
        segment = np.array(_SEGMENTS)[np.searchsorted(_SEGMENT_CUTS, rank, side="right")]
        currency = np.full(count, spec.currency)
        if spec.entity_id == "DE01":
            currency[rng.random(count) < USD_SHARE_DE] = "USD"
        country = np.empty(count, dtype=object)
        for cur in np.unique(currency):
            mask = currency == cur
            options, p = _COUNTRIES[(spec.entity_id, str(cur))]
            country[mask] = rng.choice(options, size=mask.sum(), p=p)
        terms = np.array([rng.choice((30, 45, 60), p=_TERMS_P[s]) for s in segment])
        fx = np.where(currency == spec.currency, 1.0, eurusd)
        monthly = share * revenue[spec.entity_id] * fx / 12
        limit = monthly * (terms / 30 + 1) * rng.uniform(1.0, 1.5, count)
        frames.append(
            pd.DataFrame(
                {
                    "entity_id": spec.entity_id,
                    "country": country,
                    "currency": currency,
                    "payment_terms_days": terms,
                    "credit_limit": np.maximum(np.ceil(limit / 10_000), 1) * 10_000,
                    "segment": segment,
                    "share": share,
                    "discount": [_SEGMENT_DISCOUNT[s] for s in segment],
                    "tax_rate": np.where(country == spec.country, spec.sales_tax, 0.0),
                    "account_id": np.where(
                        currency == spec.currency,
                        operating_account(spec.entity_id),
                        COLLECTION_ACCOUNT,
                    ),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "customer_id", [f"C{10001 + i}" for i in range(len(out))])
    archetype = np.repeat(ARCHETYPES, split(n, _ARCHETYPE_SHARES))
    out["archetype"] = rng.permutation(archetype)
    for key, values in _behaviour(rng, out["archetype"].to_numpy()).items():
        out[key] = values
    return out
