"""Alert and reminder e-mails: text and HTML parts, with RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from matcher.alerts.messages import say
from matcher.ranking.catalogue import TenderRecord

_WIRE = compat32.clone(linesep="\r\n")
_QP_UTF8 = charset.Charset("utf-8")
_QP_UTF8.body_encoding = charset.QP


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    language: str
    headers: dict[str, str]


def tender_url(base: str, tender_id: str) -> str:
    return f"{base.rstrip('/')}/tender/{quote(tender_id, safe='')}"


def _date(moment: datetime | None, lang: str, zone: str) -> str:
    if moment is None:
        return say(lang, "no_deadline")
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%d %H:%M") + f" ({zone})"


def _money(amount: float | None, currency: str) -> str:
    return "" if amount is None else f"{amount:,.0f} {currency}".replace(",", " ")


def _direction(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


def alert_mail(
    name: str,
    lang: str,
    tenders: list[TenderRecord],
    base_url: str,
    unsubscribe_url: str,
    feed_url: str,
    zone: str,
    more: int = 0,
    search_url: str = "",
) -> Mail:
    """One saved search's new tenders; the unsubscribe link works without signing in (RFC 8058)."""
    subject = say(lang, "alert_subject", count=len(tenders), name=name)
    lines = [say(lang, "alert_intro", name=name), ""]
    items = []
    for record in tenders:
        url = tender_url(base_url, record.external_id)
        facts = [f"{say(lang, 'deadline')}: {_date(record.deadline_at, lang, zone)}"]
        if record.buyer_name:
            facts.append(f"{say(lang, 'buyer')}: {record.buyer_name}")
        if record.estimated_value is not None:
            facts.append(f"{say(lang, 'value')}: {_money(record.estimated_value, record.currency)}")
        lines += [f"- {record.title}", "  " + " · ".join(facts), f"  {url}", ""]
        items.append(
            f'<li style="margin-bottom:12px"><a href="{escape(url)}" dir="auto">{escape(record.title)}</a>'
            f'<br><span style="color:#555">{escape(" · ".join(facts))}</span></li>'
        )
    more_html = ""
    if more > 0:
        lines += [f"{say(lang, 'more_results', count=more)}: {search_url}", ""]
        more_html = f'<p><a href="{escape(search_url)}">{escape(say(lang, "more_results", count=more))}</a></p>'
    lines += [
        say(lang, "why_received"),
        f"{say(lang, 'unsubscribe')}: {unsubscribe_url}",
        f"{say(lang, 'feed')}: {feed_url}",
    ]
    html = (
        f'<!doctype html><html lang="{lang}" dir="{_direction(lang)}"><body style="font-family:sans-serif">'
        f"<p>{escape(say(lang, 'alert_intro', name=name))}</p><ul>{''.join(items)}</ul>{more_html}"
        f'<p style="font-size:12px;color:#555">{escape(say(lang, "why_received"))}<br>'
        f'<a href="{escape(unsubscribe_url)}">{escape(say(lang, "unsubscribe"))}</a> · '
        f'<a href="{escape(feed_url)}">{escape(say(lang, "feed"))}</a></p></body></html>'
    )
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Mail(subject, "\n".join(lines) + "\n", html, lang, headers)


def reminder_mail(record: TenderRecord, days: int, status: str, lang: str, base_url: str, zone: str) -> Mail:
    url = tender_url(base_url, record.external_id)
    board = f"{base_url.rstrip('/')}/me/bids"
    subject = say(lang, "reminder_subject", days=days, title=record.title[:80])
    body = say(
        lang,
        "reminder_body",
        days=days,
        deadline=_date(record.deadline_at, lang, zone),
        status=say(lang, f"status_{status}"),
    )
    text = f"{record.title}\n\n{body}\n\n{say(lang, 'open_tender')}: {url}\n{say(lang, 'board')}: {board}\n"
    html = (
        f'<!doctype html><html lang="{lang}" dir="{_direction(lang)}"><body style="font-family:sans-serif">'
        f'<p dir="auto"><strong>{escape(record.title)}</strong></p><p>{escape(body)}</p>'
        f'<p><a href="{escape(url)}">{escape(say(lang, "open_tender"))}</a> · '
        f'<a href="{escape(board)}">{escape(say(lang, "board"))}</a></p></body></html>'
    )
    return Mail(subject, text, html, lang, {})


def build(mail: Mail, recipient: str, recipient_name: str, sender: str, msg_id: str, tag: str) -> bytes:
    """The MIME message (text + HTML, quoted-printable UTF-8).

    Built with the email package's compat32 classes: about 6x faster than the modern policy's header
    objects, which matters when one run sends thousands of alerts.
    """
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(mail.subject, "utf-8")  # type: ignore[assignment]  # encoded-words, unfolded
    message["From"] = sender
    message["To"] = formataddr((recipient_name, recipient), charset="utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msg_id
    message["Content-Language"] = mail.language
    message["Auto-Submitted"] = "auto-generated"
    message["X-Tremplin-Alert"] = tag
    for name, value in mail.headers.items():
        message[name] = value
    message.attach(MIMEText(mail.text, "plain", _QP_UTF8))  # type: ignore[arg-type]  # a Charset is accepted
    message.attach(MIMEText(mail.html, "html", _QP_UTF8))  # type: ignore[arg-type]
    return message.as_bytes(policy=_WIRE)
