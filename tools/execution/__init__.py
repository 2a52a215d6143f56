"""Execution artifacts: payment files, ERP change files, order tickets, letters,
reports sent by e-mail.

Pure functions from typed inputs to file contents; writing them somewhere (the
workspace's outbox) and sending them is the caller's job.
"""

from tools.execution.banking import bic_valid, iban_valid, to_amount
from tools.execution.emails import letter_email
from tools.execution.files import (
    credit_limit_changes_csv,
    investment_order_ticket,
    purchase_plan_changes_csv,
)
from tools.execution.models import (
    Account,
    Agent,
    CreditLimitChange,
    CreditTransfer,
    DunningLetter,
    InvestmentOrder,
    PaymentBatch,
    PaymentInstruction,
    PurchasePlanChange,
)
from tools.execution.pain001 import NAMESPACES, PainVersion, check_pain001, pain001_xml
from tools.execution.report_email import Attachment, report_email

__all__ = [
    "NAMESPACES",
    "Account",
    "Agent",
    "Attachment",
    "CreditLimitChange",
    "CreditTransfer",
    "DunningLetter",
    "InvestmentOrder",
    "PainVersion",
    "PaymentBatch",
    "PaymentInstruction",
    "PurchasePlanChange",
    "bic_valid",
    "check_pain001",
    "credit_limit_changes_csv",
    "iban_valid",
    "investment_order_ticket",
    "letter_email",
    "pain001_xml",
    "purchase_plan_changes_csv",
    "report_email",
    "to_amount",
]
