"""Dunning reminders and discount offers as e-mail drafts (RFC 5322 ``.eml`` bytes).

Drafts only: sending is the caller's choice (SMTP configured), never this module's.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tools.execution.banking import to_amount
from tools.execution.models import DunningLetter

__all__ = ["letter_email"]

_SUBJECT = {
    "reminder": "Payment reminder: {n} open invoice(s), {total}",
    "second_notice": "Second notice: {n} overdue invoice(s), {total}",
    "final_notice": "Final notice before collection: {n} overdue invoice(s), {total}",
    "discount_offer": "Early-payment offer: {pct}% off {n} invoice(s) paid by {pay_by}",
}
_OPENING = {
    "reminder": "our records show the following invoices as open. If you have already paid, "
    "please ignore this message.",
    "second_notice": "the following invoices are now overdue and we have not received "
    "payment despite our earlier reminder.",
    "final_notice": "the following invoices remain unpaid. Unless we receive payment within "
    "7 days we will have to pass the matter to collection and hold further deliveries.",
    "discount_offer": "we can offer you a discount of {pct}% on the invoices below if they "
    "are paid by {pay_by}.",
}


def letter_email(letter: DunningLetter, *, sent_at: dt.datetime) -> bytes:
    """The letter as an e-mail draft; ``sent_at`` dates it (the function reads no clock)."""
    total = sum(
        (to_amount(a, letter.currency) for _, _, a in letter.invoices),
        start=to_amount(0, letter.currency),
    )
    fill = {
        "n": len(letter.invoices),
        "total": f"{total:,} {letter.currency}",
        "pct": letter.discount_pct,
        "pay_by": letter.pay_by.isoformat() if letter.pay_by else "",
    }
    msg = EmailMessage()
    msg["From"] = letter.from_address
    if letter.to_address:
        msg["To"] = letter.to_address
    msg["Subject"] = _SUBJECT[letter.stage].format(**fill)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = make_msgid(idstring=letter.customer_id, domain="wcm.local")
    msg["X-WCM-Customer"] = letter.customer_id
    rows = "\n".join(
        f"  {inv:<16} due {due.isoformat()}   {to_amount(amount, letter.currency):>14,} "
        f"{letter.currency}"
        for inv, due, amount in letter.invoices
    )
    body = (
        f"Dear {letter.customer_name},\n\n"
        f"{_OPENING[letter.stage].format(**fill)}\n\n"
        f"{rows}\n  {'Total':<30}   {total:>14,} {letter.currency}\n\n"
        "Please quote the invoice numbers with your payment.\n\n"
        f"Kind regards,\nAccounts Receivable\n{letter.company_name}\n"
    )
    msg.set_content(body)
    return bytes(msg)
