"""A report sent by e-mail: a short cover note with the report files attached (``.eml``).

Drafts only: sending is the caller's choice (SMTP configured), never this module's. The
same arguments give the same bytes (fixed boundary and Message-ID, no clock read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

__all__ = ["Attachment", "report_email"]

Attachment = tuple[str, bytes]
"""A file to attach: its name and its bytes (the type follows the name's extension)."""


def report_email(
    *,
    to: Sequence[str],
    from_address: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
    sent_at: dt.datetime,
    message_id: str,
) -> bytes:
    """The e-mail as RFC 5322 bytes.

    Args:
        to: recipient addresses (an empty list gives a draft without ``To``).
        from_address: the sender.
        subject: the subject line.
        body: the plain-text cover note.
        attachments: files to attach, in order.
        sent_at: the ``Date`` header (the function reads no clock).
        message_id: a unique local part; the header becomes ``<message_id@wcm.local>``.

    Raises:
        ValueError: an attachment name is empty or repeated.
    """
    names = [name for name, _ in attachments]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValueError(f"attachment names must be present and distinct, got {names}")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = from_address
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<{message_id}@wcm.local>"
    msg.set_content(body)
    digest = hashlib.sha256(body.encode())
    for name, data in attachments:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith(".md"):
            kind = "text/markdown"
        maintype, subtype = kind.split("/", 1)
        # As bytes (base64) for text too: the file arrives exactly as approved, line ends included.
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        digest.update(name.encode() + data)
    if attachments:
        msg.set_boundary(f"=_wcm_{digest.hexdigest()[:24]}")
    return msg.as_bytes()
