"""The simulated bank data as ISO 20022 camt.053 statements, one file per account and month."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

__all__ = ["write_camt053"]

_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def write_camt053(
    transactions: pd.DataFrame, balances: pd.DataFrame, directory: Path
) -> list[Path]:
    """Daily statements (opening and closing booked balances, every booked line) grouped
    into ``camt053_<account>_<YYYY-MM>.xml`` files; returns the paths in order."""
    directory.mkdir(parents=True, exist_ok=True)
    txns = transactions.assign(day=pd.to_datetime(transactions["booking_date"]))
    bals = balances.assign(day=pd.to_datetime(balances["date"]))
    paths = []
    for account in sorted(set(txns["account_id"]) | set(bals["account_id"])):
        own_t = txns.loc[txns["account_id"] == account]
        own_b = bals.loc[bals["account_id"] == account]
        days = sorted(set(own_t["day"]) | set(own_b["day"]))
        by_month: dict[str, list[pd.Timestamp]] = {}
        for day in days:
            by_month.setdefault(day.strftime("%Y-%m"), []).append(day)
        t_groups = dict(tuple(own_t.groupby("day")))
        b_groups = dict(tuple(own_b.groupby("day")))
        for month, month_days in by_month.items():
            body = "".join(
                _statement(account, day, t_groups.get(day), b_groups.get(day)) for day in month_days
            )
            path = directory / f"camt053_{account}_{month}.xml"
            path.write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<Document xmlns="{_NS}"><BkToCstmrStmt><GrpHdr><MsgId>{escape(account)}-'
                f"{month}</MsgId><CreDtTm>{month_days[-1]:%Y-%m-%d}T20:00:00</CreDtTm></GrpHdr>"
                f"{body}</BkToCstmrStmt></Document>\n",
                encoding="utf-8",
            )
            paths.append(path)
    return paths


def _statement(
    account: str, day: pd.Timestamp, txns: pd.DataFrame | None, bals: pd.DataFrame | None
) -> str:
    d = f"{day:%Y-%m-%d}"
    currency = str((txns if txns is not None else bals)["currency"].iloc[0])  # type: ignore[index]
    parts = [
        f"<Stmt><Id>{escape(account)}-{d}</Id><CreDtTm>{d}T20:00:00</CreDtTm>"
        f"<Acct><Id><Othr><Id>{escape(account)}</Id></Othr></Id><Ccy>{currency}</Ccy>"
        "</Acct>"
    ]
    if bals is not None:
        for kind, code in (("opening", "OPBD"), ("closing", "CLBD")):
            rows = bals.loc[bals["balance_type"] == kind, "amount"]
            if not rows.empty:
                parts.append(_balance(code, float(rows.iloc[0]), currency, d))
    if txns is not None:
        parts.extend(_entry(row, currency) for row in txns.itertuples(index=False))
    parts.append("</Stmt>")
    return "".join(parts)


def _balance(code: str, amount: float, currency: str, day: str) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">'
        f"{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt>"
        "</Bal>"
    )


def _entry(row: object, currency: str) -> str:
    amount = float(row.amount)  # type: ignore[attr-defined]
    credit = amount > 0
    booked = f"{pd.Timestamp(row.booking_date):%Y-%m-%d}"  # type: ignore[attr-defined]
    value = f"{pd.Timestamp(row.value_date):%Y-%m-%d}"  # type: ignore[attr-defined]
    party = "Dbtr" if credit else "Cdtr"
    details = ""
    ref = getattr(row, "reference", None)
    if isinstance(ref, str) and ref:
        details += f"<Refs><EndToEndId>{escape(ref)}</EndToEndId></Refs>"
    name = getattr(row, "counterparty", None)
    if isinstance(name, str) and name:
        details += f"<RltdPties><{party}><Nm>{escape(name)}</Nm></{party}></RltdPties>"
    text = getattr(row, "description", None)
    if isinstance(text, str) and text:
        details += f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf>"
    return (
        f'<Ntry><Amt Ccy="{currency}">{abs(amount):.2f}</Amt><CdtDbtInd>'
        f"{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{value}</Dt></ValDt>"
        f"<NtryDtls><TxDtls>{details}</TxDtls></NtryDtls></Ntry>"
    )
