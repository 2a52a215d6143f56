"""Turning an approved proposal into its files in ``WORKSPACE/outbox/<proposal id>/``.

The executor calls this once per execution; everything here is a pure function of the
approved proposal and the workspace's master data, so a retried execution writes the
same bytes. E-mails are drafts unless an SMTP host is configured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import smtplib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from agent.ledger.models import ProposalRecord
from agent.report_mail import REPORT_ACTION, report_files
from agent.session import ToolSession
from tools.errors import DataError, Problem
from tools.execution import (
    Account,
    Agent,
    CreditLimitChange,
    CreditTransfer,
    DunningLetter,
    InvestmentOrder,
    PainVersion,
    PaymentBatch,
    PaymentInstruction,
    PurchasePlanChange,
    check_pain001,
    credit_limit_changes_csv,
    iban_valid,
    investment_order_ticket,
    letter_email,
    pain001_xml,
    purchase_plan_changes_csv,
)

__all__ = ["OutboxRenderer"]


class OutboxRenderer:
    """Writes a proposal's artifacts; returns [{kind, path, sha256}] for the ledger."""

    def __init__(
        self,
        session: ToolSession,
        *,
        pain_version: PainVersion = "pain.001.001.09",
        smtp_host: str | None = None,
        smtp_port: int = 25,
    ) -> None:
        self.session = session
        self.pain_version = pain_version
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port

    def __call__(self, record: ProposalRecord) -> list[dict[str, Any]]:
        folder = self.session.ws.root / "outbox" / record.proposal_id
        files = self._files(record)
        files["proposal.json"] = json.dumps(
            {
                "proposal_id": record.proposal_id,
                "action_hash": record.action_hash,
                "requester": record.requester,
                "approvers": list(record.approvers),
                "action": record.action.model_dump(mode="json"),
            },
            indent=2,
            sort_keys=True,
        ).encode()
        out = []
        for name, body in sorted(files.items()):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(body)
            tmp.replace(path)
            out.append(
                {
                    "kind": name.rsplit(".", 1)[-1],
                    "path": str(path.relative_to(self.session.ws.root)),
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            )
        if self.smtp_host:
            self._send([folder / n for n in files if n.endswith(".eml")])
        return out

    # -- per action ------------------------------------------------------------------------

    def _files(self, record: ProposalRecord) -> dict[str, bytes]:
        a = record.action
        created = dt.datetime.combine(a.as_of, dt.time(9, 0))
        if a.action == "payment_run":
            xml = pain001_xml(self._batch(record, created), version=self.pain_version)
            problems = check_pain001(xml)
            if problems:
                raise DataError([Problem(file="pain.001", message=p) for p in problems])
            return {f"{self.pain_version}.xml": xml}
        if a.action == "credit_limit_change":
            return {
                "credit_limit_changes.csv": credit_limit_changes_csv(self._limits(record)).encode()
            }
        if a.action == "purchase_plan_change":
            changes = [
                PurchasePlanChange(
                    sku=i.ref,
                    supplier_id=i.counterparty,
                    entity_id=a.entity_id,
                    order_date=i.date or a.as_of,
                    quantity_old=Decimal(str(i.details.get("quantity_old", 0))),
                    quantity_new=Decimal(
                        str(i.details.get("quantity_new", i.details.get("quantity", 0)))
                    ),
                    unit_cost=Decimal(str(i.details.get("unit_cost", 0))),
                    currency=a.currency,
                    reason=a.rationale[:200],
                )
                for i in a.items
            ]
            return {"purchase_plan_changes.csv": purchase_plan_changes_csv(changes).encode()}
        if a.action == "investment_order":
            orders = [
                InvestmentOrder(
                    order_id=f"{record.proposal_id}-{n}"[:35],
                    entity_id=a.entity_id,
                    instrument=str(i.details.get("instrument", i.ref)),
                    counterparty=i.counterparty or "",
                    currency=a.currency,
                    amount=Decimal(str(i.amount)),
                    trade_date=i.date or a.as_of,
                    maturity_date=dt.date.fromisoformat(i.details["matures"])
                    if i.details.get("matures")
                    else None,
                    rate_pct=Decimal(str(i.details["rate_pct"]))
                    if "rate_pct" in i.details
                    else None,
                )
                for n, i in enumerate(a.items, 1)
            ]
            as_json, as_md = investment_order_ticket(orders)
            return {
                "investment_orders.json": as_json.encode(),
                "investment_orders.md": as_md.encode(),
            }
        if a.action in ("dunning_campaign", "discount_offer"):
            return self._letters(record, created)
        if str(a.action) == REPORT_ACTION:
            return report_files(record, self.session.ws.root, company=self.session.ws.name)
        body = json.dumps([i.model_dump(mode="json") for i in a.items], indent=2).encode()
        return {f"{a.action}.json": body}

    def _batch(self, record: ProposalRecord, created: dt.datetime) -> PaymentBatch:
        a = record.action
        t = self.session.tables()
        accounts = t["bank_accounts"]
        mine = accounts.loc[
            (accounts["entity_id"] == a.entity_id) & (accounts["currency"] == a.currency)
        ]
        if mine.empty:
            raise DataError(
                [
                    Problem(
                        file="bank_accounts",
                        message=f"no {a.currency} account for {a.entity_id}",
                        expected="import the entity's bank accounts",
                    )
                ]
            )
        debtor = mine.sort_values("purpose", key=lambda s: s.ne("operating")).iloc[0]
        suppliers = t["suppliers"].set_index("supplier_id")
        entities = t["entities"].set_index("entity_id")
        by_date: dict[dt.date, list[CreditTransfer]] = defaultdict(list)
        for n, item in enumerate(a.items, 1):
            sid = item.counterparty or ""
            if sid not in suppliers.index:
                raise DataError(
                    [Problem(file="suppliers", message=f"unknown supplier {sid!r}", value=sid)]
                )
            sup = suppliers.loc[sid]
            account, agent = _bank_details(str(sup.get("bank_account") or ""), sid)
            by_date[item.date or a.as_of].append(
                CreditTransfer(
                    end_to_end_id=f"{record.proposal_id[2:]}-{n}"[:35],
                    amount=Decimal(str(item.amount)),
                    currency=a.currency,
                    creditor_name=str(sup["name"]),
                    creditor_account=account,
                    creditor_agent=agent,
                    creditor_country=str(sup["country"]) if pd.notna(sup.get("country")) else None,
                    remittance=f"{item.ref}",
                )
            )
        name = (
            str(entities.loc[a.entity_id, "name"]) if a.entity_id in entities.index else a.entity_id
        )
        iban = debtor.get("iban")
        debtor_account = (
            Account(iban=iban)
            if isinstance(iban, str) and iban_valid(iban)
            else Account(other=str(debtor["account_id"]))
        )
        return PaymentBatch(
            message_id=record.proposal_id[:35],
            created_at=created,
            initiating_party=self.session.ws.name,
            instructions=tuple(
                PaymentInstruction(
                    instruction_id=f"{record.proposal_id}-{day:%Y%m%d}"[:35],
                    execution_date=day,
                    debtor_name=name,
                    debtor_account=debtor_account,
                    debtor_agent=Agent(name=str(debtor.get("bank") or "") or None),
                    currency=a.currency,
                    transfers=tuple(transfers),
                    sepa=a.currency == "EUR"
                    and debtor_account.iban is not None
                    and all(tr.creditor_account.iban for tr in transfers),
                )
                for day, transfers in sorted(by_date.items())
            ),
        )

    def _limits(self, record: ProposalRecord) -> list[CreditLimitChange]:
        a = record.action
        customers = self.session.tables()["customers"].set_index("customer_id")
        out = []
        for i in a.items:
            known = customers.loc[i.ref] if i.ref in customers.index else None
            old = i.details.get("old_limit", None if known is None else known["credit_limit"])
            out.append(
                CreditLimitChange(
                    customer_id=i.ref,
                    customer_name=None if known is None else str(known["name"]),
                    entity_id=a.entity_id,
                    currency=a.currency,
                    old_limit=Decimal(str(old or 0)),
                    new_limit=Decimal(str(i.details.get("new_limit", i.amount))),
                    effective_date=i.date or a.as_of,
                    reason=a.rationale[:200],
                )
            )
        return out

    def _letters(self, record: ProposalRecord, created: dt.datetime) -> dict[str, bytes]:
        a = record.action
        customers = self.session.tables()["customers"].set_index("customer_id")
        grouped: dict[str, list[Any]] = defaultdict(list)
        for i in a.items:
            grouped[i.counterparty or i.ref].append(i)
        slug = re.sub(r"[^a-z0-9]+", "-", self.session.ws.name.lower()).strip("-") or "company"
        files = {}
        for cid, items in sorted(grouped.items()):
            name = str(customers.loc[cid, "name"]) if cid in customers.index else cid
            first = items[0].details
            letter = DunningLetter(
                customer_id=cid,
                customer_name=name,
                to_address=first.get("email"),
                from_address=f"receivables@{slug}.invalid",
                company_name=self.session.ws.name,
                currency=a.currency,
                invoices=tuple(
                    (
                        i.ref if i.ref != cid else str(i.details.get("invoice_id", i.ref)),
                        i.date or a.as_of,
                        Decimal(str(i.amount)),
                    )
                    for i in items
                ),
                stage="discount_offer"
                if a.action == "discount_offer"
                else first.get("stage", "reminder"),
                discount_pct=Decimal(str(first["discount_pct"]))
                if "discount_pct" in first
                else None,
                pay_by=dt.date.fromisoformat(first["pay_by"]) if first.get("pay_by") else None,
            )
            files[f"letters/{cid}.eml"] = letter_email(
                letter, sent_at=created.replace(tzinfo=dt.UTC)
            )
        return files

    def _send(self, paths: list[Path]) -> None:
        from email import message_from_bytes

        with smtplib.SMTP(self.smtp_host or "", self.smtp_port, timeout=30) as smtp:
            for path in paths:
                msg = message_from_bytes(path.read_bytes())
                if msg["To"]:
                    smtp.send_message(msg)


def _bank_details(raw: str, supplier_id: str) -> tuple[Account, Agent | None]:
    """Supplier bank details as the master data holds them: an IBAN (optionally with
    ' BIC'), or a US 'routing-account' pair."""
    text = raw.strip()
    if not text:
        raise DataError(
            [
                Problem(
                    file="suppliers",
                    column="bank_account",
                    value=supplier_id,
                    message="supplier has no bank account",
                    expected="an IBAN or routing-account",
                )
            ]
        )
    parts = text.split()
    if iban_valid(parts[0]):
        bic = parts[1] if len(parts) > 1 else None
        return Account(iban=parts[0]), Agent(bic=bic) if bic else None
    m = re.fullmatch(r"(\d{9})-(\w{1,34})", text)
    if m:
        return Account(other=m.group(2)), Agent(clearing_system="USABA", member_id=m.group(1))
    return Account(other=text[:34]), None
