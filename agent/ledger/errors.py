"""Why the ledger refused a request, in words that say what to do instead."""

from __future__ import annotations

from tools.errors import WcmError

__all__ = ["ApprovalError", "ExecutionRefused", "ProposalNotFound"]


class ProposalNotFound(WcmError):
    """No proposal with that id; ``wcm proposals list`` shows the ids."""


class ApprovalError(WcmError):
    """An approval or rejection the policy does not allow (own proposal, role, state)."""


class ExecutionRefused(WcmError):
    """The executor will not run a proposal: approvals missing, rejected, expired."""
