"""The e-mail telling a startup that a buyer asks for contact or invites it to bid.

It goes through the same SMTP wire as the digests (`matcher.digests.smtp`). Failure to send never
loses the request: the startup also sees it in the app; the outcome is stored on the request.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from html import escape

from matcher.digests.render import RenderedEmail
from matcher.digests.smtp import PermanentFailure, TransientFailure, UncertainOutcome, build_message, connect, transmit
from matcher.settings import Settings

log = logging.getLogger(__name__)

_TEXT = {
    "fr": (
        "{buyer} souhaite vous contacter",
        "{buyer} souhaite vous inviter à soumissionner",
        "Répondez dans Tremplin : vos coordonnées ne lui sont transmises que si vous acceptez.",
    ),
    "en": (
        "{buyer} would like to contact you",
        "{buyer} invites you to bid",
        "Answer in Tremplin: your contact details are shared only if you accept.",
    ),
    "ar": (
        "{buyer} يرغب في التواصل معكم",
        "{buyer} يدعوكم إلى تقديم عرض",
        "أجيبوا في ترامبلان: لا تُرسل معلومات الاتصال الخاصة بكم إلا إذا قبلتم.",
    ),
}


def render_contact_email(
    language: str, startup_name: str, buyer_name: str, kind: str, tender_title: str | None, message: str | None
) -> RenderedEmail:
    contact, invite, answer = _TEXT.get(language, _TEXT["fr"])
    subject = (invite if kind == "invite" else contact).format(buyer=buyer_name)
    lines = [subject + (f" : {tender_title}" if tender_title else ""), message or "", answer]
    text = "\n\n".join(line for line in lines if line)
    direction = "rtl" if language == "ar" else "ltr"
    html = (
        f'<div dir="{direction}" lang="{language}">'
        + "".join(f"<p>{escape(line)}</p>" for line in lines if line)
        + "</div>"
    )
    return RenderedEmail(subject, html, text, None, startup_name, language, 1)


def send_contact_email(settings: Settings, recipient: str, rendered: RenderedEmail, tag: str) -> str:
    """'sent' or 'failed' (logged): one short SMTP session."""
    domain = settings.smtp_sender.rsplit("@", 1)[-1].rstrip(">") or "tremplin.ma"
    msg_id = f"<{uuid.uuid4().hex}@{domain}>"
    try:
        smtp = connect(settings, timeout=10)
    except (OSError, Exception) as exc:
        log.warning("contact e-mail not sent (%s): %s", tag, exc)
        return "failed"
    try:
        transmit(
            smtp,
            settings.smtp_sender,
            recipient,
            build_message(rendered, recipient, settings.smtp_sender, msg_id, tag),
            lambda: None,
        )
        return "sent"
    except (PermanentFailure, TransientFailure, UncertainOutcome) as exc:
        log.warning("contact e-mail not sent (%s): %s", tag, exc)
        return "failed"
    finally:
        with contextlib.suppress(Exception):
            smtp.quit()
