"""ISO 20022 customer credit transfer initiation (pain.001.001.09 and .001.03) as XML.

The file is what a treasury system uploads to its bank: a group header with the message
count and control sum, one payment-information block per debtor account, date and
currency, one ``CdtTrfTxInf`` per creditor. Amounts are Decimals in the currency's minor
unit; control sums are the exact sums of those Decimals. ``check_pain001`` re-reads a file
and verifies what a bank's front end checks first (namespace, counts, sums, identifiers);
the tests also validate every file against the published XSDs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from lxml import etree

from tools.execution.banking import iban_valid, to_amount
from tools.execution.models import Account, Agent, CreditTransfer, PaymentBatch, PaymentInstruction

__all__ = ["NAMESPACES", "PainVersion", "check_pain001", "pain001_xml"]

PainVersion = Literal["pain.001.001.09", "pain.001.001.03"]
NAMESPACES: dict[str, str] = {
    "pain.001.001.09": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
    "pain.001.001.03": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
}


def _text(value: str, limit: int) -> str:
    """Free text cut to the schema's length (Max35Text, Max140Text)."""
    return " ".join(value.split())[:limit]


class _Writer:
    def __init__(self, version: PainVersion) -> None:
        self.version = version
        self.ns = NAMESPACES[version]

    def el(self, parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        if text is not None:
            node.text = text
        return node

    def account(self, parent: etree._Element, tag: str, account: Account, ccy: str) -> None:
        ident = self.el(self.el(parent, tag), "Id")
        if account.iban:
            self.el(ident, "IBAN", account.iban)
        else:
            self.el(self.el(ident, "Othr"), "Id", account.other)
        if tag == "DbtrAcct":
            self.el(parent[-1], "Ccy", ccy)

    def agent(self, parent: etree._Element, tag: str, agent: Agent) -> None:
        fin = self.el(self.el(parent, tag), "FinInstnId")
        bic_tag = "BICFI" if self.version.endswith("09") else "BIC"
        if agent.bic:
            self.el(fin, bic_tag, agent.bic)
        if agent.clearing_system and agent.member_id:
            clr = self.el(fin, "ClrSysMmbId")
            self.el(self.el(clr, "ClrSysId"), "Cd", agent.clearing_system)
            self.el(clr, "MmbId", agent.member_id)
        if agent.name:
            self.el(fin, "Nm", _text(agent.name, 140))
        if not (agent.bic or agent.member_id or agent.name):
            self.el(self.el(fin, "Othr"), "Id", "NOTPROVIDED")

    def transfer(self, parent: etree._Element, t: CreditTransfer) -> None:
        node = self.el(parent, "CdtTrfTxInf")
        self.el(self.el(node, "PmtId"), "EndToEndId", t.end_to_end_id)
        amt = self.el(self.el(node, "Amt"), "InstdAmt", str(to_amount(t.amount, t.currency)))
        amt.set("Ccy", t.currency)
        if t.creditor_agent is not None:
            self.agent(node, "CdtrAgt", t.creditor_agent)
        cdtr = self.el(node, "Cdtr")
        self.el(cdtr, "Nm", _text(t.creditor_name, 140))
        if t.creditor_country:
            self.el(self.el(cdtr, "PstlAdr"), "Ctry", t.creditor_country)
        self.account(node, "CdtrAcct", t.creditor_account, t.currency)
        if t.remittance:
            self.el(self.el(node, "RmtInf"), "Ustrd", _text(t.remittance, 140))

    def instruction(self, parent: etree._Element, p: PaymentInstruction) -> None:
        node = self.el(parent, "PmtInf")
        self.el(node, "PmtInfId", p.instruction_id)
        self.el(node, "PmtMtd", "TRF")
        self.el(node, "BtchBookg", "true" if p.batch_booking else "false")
        self.el(node, "NbOfTxs", str(len(p.transfers)))
        self.el(node, "CtrlSum", str(_sum(p.transfers, p.currency)))
        if p.sepa:
            self.el(self.el(self.el(node, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
        when = self.el(node, "ReqdExctnDt")
        if self.version.endswith("09"):
            self.el(when, "Dt", p.execution_date.isoformat())
        else:
            when.text = p.execution_date.isoformat()
        self.el(self.el(node, "Dbtr"), "Nm", _text(p.debtor_name, 140))
        self.account(node, "DbtrAcct", p.debtor_account, p.currency)
        self.agent(node, "DbtrAgt", p.debtor_agent)
        if p.sepa:
            self.el(node, "ChrgBr", "SLEV")
        for t in p.transfers:
            self.transfer(node, t)


def _sum(transfers: tuple[CreditTransfer, ...], currency: str) -> Decimal:
    return sum((to_amount(t.amount, t.currency) for t in transfers), Decimal(0))


def pain001_xml(batch: PaymentBatch, *, version: PainVersion = "pain.001.001.09") -> bytes:
    """The batch as a pain.001 document (UTF-8 bytes with an XML declaration).

    Raises:
        ValueError: an unknown version.
    """
    if version not in NAMESPACES:
        raise ValueError(f"version {version!r}: use one of {', '.join(NAMESPACES)}")
    w = _Writer(version)
    root = etree.Element(f"{{{w.ns}}}Document", nsmap={None: w.ns})
    msg = w.el(root, "CstmrCdtTrfInitn")
    hdr = w.el(msg, "GrpHdr")
    w.el(hdr, "MsgId", batch.message_id)
    w.el(hdr, "CreDtTm", batch.created_at.replace(microsecond=0, tzinfo=None).isoformat())
    n = sum(len(p.transfers) for p in batch.instructions)
    total = sum((_sum(p.transfers, p.currency) for p in batch.instructions), Decimal(0))
    w.el(hdr, "NbOfTxs", str(n))
    w.el(hdr, "CtrlSum", str(total))
    w.el(w.el(hdr, "InitgPty"), "Nm", _text(batch.initiating_party, 140))
    for p in batch.instructions:
        w.instruction(msg, p)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def check_pain001(xml: bytes) -> list[str]:
    """Problems a bank would reject the file for; an empty list when it is consistent.

    Checks the namespace, group and block transaction counts, control sums (exact
    Decimals), positive amounts with a currency, unique end-to-end ids and IBAN check
    digits. This is not a substitute for schema validation, which the tests run against
    the published XSDs.
    """
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    ns = etree.QName(root).namespace
    if ns not in NAMESPACES.values():
        return [f"namespace {ns!r} is not pain.001.001.09 or .03"]
    q = {"p": ns}
    problems: list[str] = []

    def one(node: etree._Element, path: str) -> str:
        found = node.findtext(path, namespaces=q)
        if found is None:
            problems.append(f"{path} is missing")
            return "0"
        return found

    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", q)
    amounts = root.findall(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", q)
    grand = sum((Decimal(a.text or "0") for a in amounts), Decimal(0))
    hdr = "p:CstmrCdtTrfInitn/p:GrpHdr/"
    if int(one(root, hdr + "p:NbOfTxs")) != len(amounts):
        problems.append(f"GrpHdr/NbOfTxs does not equal the {len(amounts)} transactions")
    if Decimal(one(root, hdr + "p:CtrlSum")) != grand:
        problems.append(f"GrpHdr/CtrlSum does not equal the sum of amounts {grand}")
    for i, block in enumerate(blocks, 1):
        mine = block.findall("p:CdtTrfTxInf/p:Amt/p:InstdAmt", q)
        if int(one(block, "p:NbOfTxs")) != len(mine):
            problems.append(f"PmtInf {i}: NbOfTxs does not equal its {len(mine)} transactions")
        if Decimal(one(block, "p:CtrlSum")) != sum(
            (Decimal(a.text or "0") for a in mine), Decimal(0)
        ):
            problems.append(f"PmtInf {i}: CtrlSum does not equal the sum of its amounts")
    for a in amounts:
        if Decimal(a.text or "0") <= 0 or not a.get("Ccy"):
            problems.append(f"amount {a.text!r} must be positive with a Ccy attribute")
    e2e = [
        e.text
        for e in root.iterfind(".//p:CdtTrfTxInf/p:PmtId/p:EndToEndId", q)
        if e.text != "NOTPROVIDED"  # the standard's placeholder may repeat
    ]
    if len(set(e2e)) != len(e2e):
        problems.append("EndToEndId values repeat; each payment needs its own")
    for iban in root.iterfind(".//p:IBAN", q):
        if not iban_valid(iban.text or ""):
            problems.append(f"IBAN {iban.text!r} fails its check digits")
    return problems
