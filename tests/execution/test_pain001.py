"""pain.001 credit transfers: counts, Decimal control sums, identifiers, and the XSDs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import SHARED_DATA
from tools.execution import (
    Account,
    Agent,
    CreditTransfer,
    PaymentBatch,
    PaymentInstruction,
    check_pain001,
    iban_valid,
    pain001_xml,
)

XSD = SHARED_DATA / "iso20022_pain" / "xsd"
VERSIONS = ("pain.001.001.09", "pain.001.001.03")


def transfer(i: int, amount: str, *, iban: bool = True) -> CreditTransfer:
    return CreditTransfer(
        end_to_end_id=f"E2E-{i}",
        amount=Decimal(amount),
        currency="EUR",
        creditor_name=f"Supplier {i} GmbH",
        creditor_account=Account(iban="DE89370400440532013000")
        if iban
        else Account(other="7480986993"),
        creditor_agent=Agent(bic="COBADEFFXXX")
        if iban
        else Agent(clearing_system="USABA", member_id="121000248"),
        creditor_country="DE",
        remittance=f"Bill B-{i}",
    )


def batch(*transfers: CreditTransfer, sepa: bool = True) -> PaymentBatch:
    return PaymentBatch(
        message_id="MSG-1",
        created_at=dt.datetime(2026, 1, 5, 9, 30, 12),
        initiating_party="Demo Manufacturing Group",
        instructions=(
            PaymentInstruction(
                instruction_id="PMT-1",
                execution_date=dt.date(2026, 1, 6),
                debtor_name="Demo GmbH",
                debtor_account=Account(iban="DE38500700109019666812"),
                debtor_agent=Agent(bic="DEUTDEFF"),
                currency="EUR",
                transfers=transfers,
                sepa=sepa,
            ),
        ),
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_counts_and_control_sums_are_exact(version: str) -> None:
    xml = pain001_xml(batch(transfer(1, "0.10"), transfer(2, "0.20")), version=version)  # type: ignore[arg-type]
    root = etree.fromstring(xml)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "0.30"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert check_pain001(xml) == []


def test_check_reports_a_tampered_control_sum() -> None:
    xml = pain001_xml(batch(transfer(1, "10.00")))
    bad = xml.replace(b"<CtrlSum>10.00</CtrlSum>", b"<CtrlSum>11.00</CtrlSum>", 1)
    assert any("CtrlSum" in p for p in check_pain001(bad))
    assert check_pain001(b"<x") and check_pain001(b"<a xmlns='urn:other'/>")


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("DE89 3704 0044 0532 0130 00", True),  # the standard example, with spaces
        ("DE89370400440532013001", False),  # one digit off
        ("GB82WEST12345698765432", True),
        ("XX00", False),  # too short to be an IBAN
    ],
)
def test_iban_check_digits(iban: str, ok: bool) -> None:
    assert iban_valid(iban) is ok


def test_bad_bank_details_are_refused_with_a_fix() -> None:
    with pytest.raises(ValueError, match="check digits"):
        Account(iban="DE89370400440532013001")
    with pytest.raises(ValueError, match="ISO 9362"):
        Agent(bic="DEUT")
    with pytest.raises(ValueError, match="split them by currency"):
        PaymentInstruction(
            instruction_id="X",
            execution_date=dt.date(2026, 1, 1),
            debtor_name="D",
            debtor_account=Account(other="1"),
            currency="USD",
            transfers=(transfer(1, "1.00"),),
        )


@given(st.lists(st.decimals("0.01", "999999.99", places=2), min_size=1, max_size=12))
@settings(max_examples=40, deadline=None)
def test_control_sum_is_the_decimal_sum(amounts: list[Decimal]) -> None:
    xml = pain001_xml(batch(*(transfer(i, str(a)) for i, a in enumerate(amounts))))
    assert f"<CtrlSum>{sum(amounts, Decimal(0)):.2f}</CtrlSum>".encode() in xml
    assert check_pain001(xml) == []


@pytest.mark.shared_data
@pytest.mark.skipif(not XSD.exists(), reason="../shared/data is not present")
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "case",
    [
        "sepa_iban_bic",  # SEPA batch: IBANs, BICs, SLEV charges
        "domestic_us",  # account numbers and ABA routing codes, no BIC
        "no_debtor_agent",  # debtor bank unknown: NOTPROVIDED
    ],
)
def test_files_validate_against_the_published_xsd(version: str, case: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD / f"{version}.xsd")))
    if case == "sepa_iban_bic":
        b = batch(transfer(1, "10.12"), transfer(2, "50.00"))
    elif case == "domestic_us":
        b = batch(transfer(1, "1234.56", iban=False), sepa=False)
    else:
        b = batch(transfer(1, "5.00")).model_copy(
            update={
                "instructions": (
                    batch(transfer(1, "5.00"))
                    .instructions[0]
                    .model_copy(update={"debtor_agent": Agent()}),
                )
            }
        )
    doc = etree.fromstring(pain001_xml(b, version=version))  # type: ignore[arg-type]
    assert schema.validate(doc), schema.error_log.last_error


@pytest.mark.shared_data
@pytest.mark.skipif(not XSD.exists(), reason="../shared/data is not present")
@pytest.mark.parametrize("version", ["00100103", "00100109"])
def test_check_on_the_published_examples(version: str) -> None:
    sample = SHARED_DATA / "iso20022_pain" / "examples" / f"sample_{version}.xml"
    # The examples are consistent except for their placeholder IBAN, which has wrong digits
    assert set(check_pain001(sample.read_bytes())) == {
        "IBAN 'NL50BANK1234567890' fails its check digits"
    }
