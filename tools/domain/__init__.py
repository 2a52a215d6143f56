"""Domain model: canonical ledger tables, payment terms, currencies and the policy file."""

from tools.domain.policy import ApprovalRule, Policy, dump_policy, load_policy
from tools.domain.schemas import TABLES, Column, Kind, Table, table
from tools.domain.terms import PaymentTerms, parse_terms

__all__ = [
    "TABLES",
    "ApprovalRule",
    "Column",
    "Kind",
    "PaymentTerms",
    "Policy",
    "Table",
    "dump_policy",
    "load_policy",
    "parse_terms",
    "table",
]
