"""What cash application returns: matches with their evidence, and lines for a person."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Match", "Method", "Reconciliation", "Unmatched"]

Method = Literal[
    "reference",  # a document number in the text, amount settles it
    "reference_multi",  # several document numbers, amount settles them together
    "reference_partial",  # document number(s), amount short of (or above) what is open
    "reference_fuzzy",  # a document number with one typo, confirmed by amount or payer
    "reference_and_amount",  # a document number plus other open items of the payer
    "amount_counterparty",  # the payer's name and the amount of one open item
    "amount_counterparty_multi",  # the payer's name and a unique combination of open items
    "amount_unique",  # unknown payer, an amount only one open item in the ledger has
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Match(_Frozen):
    """One bank line applied to one or more open documents."""

    txn_id: str
    side: Literal["ar", "ap"]
    party_id: str | None
    documents: tuple[str, ...]
    applied: tuple[float, ...] = Field(description="Amount applied to each document")
    difference: float = Field(description="Line amount minus amounts applied (fees, FX)")
    method: Method
    confidence: float
    reason: str = Field(default="", description="The evidence, in the words of an analyst")


class Unmatched(_Frozen):
    """A bank line left for a person, with why and, when there is one, the best guess."""

    txn_id: str
    amount: float
    currency: str
    counterparty: str | None
    reason: str
    suggestion: Match | None = None


class Reconciliation(_Frozen):
    """The outcome of one cash-application run, with the parameters it used."""

    matches: tuple[Match, ...]
    exceptions: tuple[Unmatched, ...]
    parameters: dict[str, float]
    already_applied: tuple[str, ...] = Field(
        default=(), description="Lines naming only documents the ledger shows as settled"
    )
    lines: int
