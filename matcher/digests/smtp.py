"""The SMTP wire: building the MIME message, one hand-run transaction, and a reusable connection.

`transmit` runs MAIL, RCPT, DATA and the body itself so the caller can record "handed over" just
before the final "." (see `send` for why), and sorts every outcome into permanent (5xx),
transient (4xx, connection lost before the end) or uncertain (lost after the final ".").
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate

from matcher.digests.render import RenderedEmail
from matcher.settings import Settings
from matcher.text import single_line

_LEADING_DOT = re.compile(rb"(?m)^\.")


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying the same message would fail the same way."""


class TransientFailure(Exception):
    """4xx reply or connection trouble before the message was complete: safe to retry."""


class Unreachable(TransientFailure):
    """No SMTP session could be opened: the rest of the run would fail the same way."""


class UncertainOutcome(Exception):
    """The connection broke after the final '.': the server may have accepted the message."""


def build_message(rendered: RenderedEmail, recipient: str, sender: str, msg_id: str, tag: str) -> bytes:
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = single_line(rendered.subject)
    message["From"] = sender
    message["To"] = formataddr((single_line(rendered.recipient_name), recipient))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msg_id
    message["Content-Language"] = rendered.language
    message["Auto-Submitted"] = "auto-generated"
    message["X-Tremplin-Digest"] = tag
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


def connect(settings: Settings, timeout: float) -> smtplib.SMTP:
    """One SMTP session as configured: implicit TLS, STARTTLS or plain, then login if credentials."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        if settings.smtp_starttls:
            smtp.starttls(context=context)
    smtp.ehlo_or_helo_if_needed()
    if settings.smtp_username:
        smtp.login(settings.smtp_username, settings.smtp_password or "")
    return smtp


def transmit(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes, handing_over: Callable[[], None]) -> None:
    """One SMTP transaction, calling `handing_over` just before the final '.' that commits it."""
    try:
        recipient.encode("ascii")
    except UnicodeEncodeError:
        raise PermanentFailure(f"address {recipient!r} is not plain ASCII (SMTPUTF8 is not used)") from None
    try:
        code, reply = smtp.mail(sender)
        _check(code, reply, "MAIL FROM")
        code, reply = smtp.rcpt(recipient)
        _check(code, reply, f"RCPT TO {recipient}")
        code, reply = smtp.docmd("DATA")
        _check(code, reply, "DATA", expected=(354,))
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientFailure(f"connection lost before the message was complete: {exc}") from exc
    handing_over()
    try:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
    except (smtplib.SMTPException, OSError) as exc:
        raise UncertainOutcome(f"no reply after the message was handed over: {exc}") from exc
    _check(code, reply, "end of DATA")


def _check(code: int, reply: bytes | str, step: str, expected: tuple[int, ...] = (250, 251)) -> None:
    if code in expected:
        return
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    message = f"{step}: {code} {text}".strip()
    if 500 <= code < 600:
        raise PermanentFailure(message)
    raise TransientFailure(message)


class SmtpSession:
    """A lazily opened SMTP connection, reopened after any failure."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.settings, self.timeout = settings, timeout
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            try:
                self.smtp = connect(self.settings, self.timeout)
            except smtplib.SMTPAuthenticationError:
                raise
            except (smtplib.SMTPException, OSError) as exc:
                raise Unreachable(
                    f"cannot reach SMTP server {self.settings.smtp_host}:{self.settings.smtp_port}: {exc}"
                ) from exc
        return self.smtp

    def reset(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.drop()

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def quit(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None
