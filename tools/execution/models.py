"""The inputs of execution artifacts: payment batches, limit changes, orders, letters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.execution.banking import bic_valid, iban_valid, normalize_iban

__all__ = [
    "Account",
    "Agent",
    "CreditLimitChange",
    "CreditTransfer",
    "DunningLetter",
    "InvestmentOrder",
    "PaymentBatch",
    "PaymentInstruction",
    "PurchasePlanChange",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Account(_Frozen):
    """A bank account: an IBAN, or a domestic account number (``other``)."""

    iban: str | None = None
    other: str | None = Field(default=None, max_length=34)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        if value is None:
            return None
        iban = normalize_iban(value)
        if not iban_valid(iban):
            raise ValueError(f"IBAN {value!r} fails its check digits; correct the bank details")
        return iban

    @model_validator(mode="after")
    def _one(self) -> Account:
        if (self.iban is None) == (self.other is None):
            raise ValueError("an account needs exactly one of iban or other (account number)")
        return self


class Agent(_Frozen):
    """The bank holding an account: a BIC, a clearing code (e.g. US ABA routing), a name."""

    bic: str | None = None
    clearing_system: str | None = Field(default=None, max_length=5, description="e.g. USABA")
    member_id: str | None = Field(default=None, max_length=35)
    name: str | None = Field(default=None, max_length=140)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        if value is not None and not bic_valid(value):
            raise ValueError(f"BIC {value!r} is not 8 or 11 characters of the ISO 9362 form")
        return None if value is None else value.strip().upper()

    @model_validator(mode="after")
    def _clearing_pair(self) -> Agent:
        if (self.clearing_system is None) != (self.member_id is None):
            raise ValueError("clearing_system and member_id go together")
        return self


class CreditTransfer(_Frozen):
    """One payment to one creditor."""

    end_to_end_id: str = Field(min_length=1, max_length=35)
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    creditor_name: str = Field(min_length=1)
    creditor_account: Account
    creditor_agent: Agent | None = None
    creditor_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    remittance: str | None = None


class PaymentInstruction(_Frozen):
    """Payments from one debtor account on one execution date, in one currency."""

    instruction_id: str = Field(min_length=1, max_length=35)
    execution_date: dt.date
    debtor_name: str = Field(min_length=1)
    debtor_account: Account
    debtor_agent: Agent = Agent()
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    transfers: tuple[CreditTransfer, ...] = Field(min_length=1)
    batch_booking: bool = True
    sepa: bool = False

    @model_validator(mode="after")
    def _one_currency(self) -> PaymentInstruction:
        other = {t.currency for t in self.transfers} - {self.currency}
        if other:
            raise ValueError(
                f"instruction {self.instruction_id} is in {self.currency} but has transfers "
                f"in {', '.join(sorted(other))}; split them by currency"
            )
        return self


class PaymentBatch(_Frozen):
    """A pain.001 message: a group header and one or more payment instructions."""

    message_id: str = Field(min_length=1, max_length=35)
    created_at: dt.datetime
    initiating_party: str = Field(min_length=1)
    instructions: tuple[PaymentInstruction, ...] = Field(min_length=1)


class CreditLimitChange(_Frozen):
    customer_id: str
    customer_name: str | None = None
    entity_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    old_limit: Decimal = Field(ge=0)
    new_limit: Decimal = Field(ge=0)
    effective_date: dt.date
    reason: str = ""


class PurchasePlanChange(_Frozen):
    sku: str
    supplier_id: str | None = None
    entity_id: str
    order_date: dt.date
    quantity_old: Decimal = Field(ge=0)
    quantity_new: Decimal = Field(ge=0)
    unit_cost: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    reason: str = ""


class InvestmentOrder(_Frozen):
    order_id: str = Field(min_length=1, max_length=35)
    entity_id: str
    instrument: str
    counterparty: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: Decimal = Field(gt=0)
    trade_date: dt.date
    maturity_date: dt.date | None = None
    rate_pct: Decimal | None = None
    side: Literal["buy", "sell", "place", "withdraw"] = "place"


class DunningLetter(_Frozen):
    """A reminder (or discount offer) to one customer about its open invoices."""

    customer_id: str
    customer_name: str
    to_address: str | None = None
    from_address: str
    company_name: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    invoices: tuple[tuple[str, dt.date, Decimal], ...] = Field(
        min_length=1, description="(invoice id, due date, open amount)"
    )
    stage: Literal["reminder", "second_notice", "final_notice", "discount_offer"] = "reminder"
    discount_pct: Decimal | None = None
    pay_by: dt.date | None = None
