"""Payment terms such as ``net 30`` or ``2/10 net 30`` as numbers the optimizers use."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PaymentTerms", "parse_terms"]

_TERMS = re.compile(
    r"^\s*(?:(?P<pct>\d+(?:[.,]\d+)?)\s*%?\s*/\s*(?P<ddays>\d+)\s*,?\s*)?"
    r"(?:n(?:et)?\s*/?\s*)(?P<net>\d+)\s*(?:days?)?\s*$",
    re.IGNORECASE,
)


class PaymentTerms(BaseModel):
    """Net days to pay and an optional early-payment discount."""

    model_config = ConfigDict(frozen=True)

    net_days: int = Field(ge=0)
    discount_pct: float = Field(default=0.0, ge=0, lt=100)
    discount_days: int = Field(default=0, ge=0)

    @property
    def text(self) -> str:
        if self.discount_pct:
            return f"{self.discount_pct:g}/{self.discount_days} net {self.net_days}"
        return f"net {self.net_days}"

    @property
    def implied_annual_rate(self) -> float:
        """Annualised return of taking the discount instead of paying on the net date."""
        if not self.discount_pct or self.net_days <= self.discount_days:
            return 0.0
        d = self.discount_pct / 100
        return d / (1 - d) * 365 / (self.net_days - self.discount_days)


def parse_terms(text: str) -> PaymentTerms:
    """Parse ``net 30``, ``N30``, ``30``, ``2/10 net 30`` or ``2% 10 net 30``.

    Raises:
        ValueError: the text is not a payment-terms expression; the message says
            which forms are understood.
    """
    raw = str(text).strip()
    if raw.isdigit():
        return PaymentTerms(net_days=int(raw))
    m = _TERMS.match(raw.replace("% ", "%/") if "/" not in raw else raw)
    if not m:
        raise ValueError(
            f"payment terms {raw!r} not understood; expected e.g. 'net 30' or '2/10 net 30'"
        )
    net = int(m["net"])
    if m["pct"] is None:
        return PaymentTerms(net_days=net)
    ddays = int(m["ddays"])
    if ddays > net:
        raise ValueError(f"payment terms {raw!r}: discount days {ddays} exceed net days {net}")
    return PaymentTerms(
        net_days=net, discount_pct=float(m["pct"].replace(",", ".")), discount_days=ddays
    )
