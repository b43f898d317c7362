"""Before sending: what a send would do (the plan staff confirm), and a dry run that writes `.eml` files.

With no mail server configured, "send" must not fail halfway nor pretend: the dry run renders every
e-mail exactly as it would leave (same builder as the SMTP path) into one file per recipient, under
`$TREMPLIN_HOME/outbox/<week>-<audience>/`, and changes no delivery state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.digests.curate import get_batch, visible_items
from matcher.digests.render import render_digest
from matcher.digests.send import SENT, message_id
from matcher.digests.smtp import build_message
from matcher.digests.views import BatchContent
from matcher.settings import Settings
from matcher.store import Store

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class SendPlan:
    """How many e-mails a send would hand over now, and how many digests it would leave out."""

    batch_id: int
    week: str
    audience: str
    status: str
    to_send: int = 0
    skipped: int = 0  # no address, opted out, or already delivered
    server: str | None = None  # host:port, or None when no mail server is configured


@dataclass
class OutboxReport:
    folder: Path
    files: list[Path] = field(default_factory=list)


def smtp_configured(settings: Settings) -> bool:
    """A mail server was chosen (TREMPLIN_SMTP_HOST or _PORT), not just the built-in default."""
    return bool({"smtp_host", "smtp_port"} & settings.model_fields_set)


def send_plan(session: Session, batch_id: int, settings: Settings) -> SendPlan:
    batch = get_batch(session, batch_id)
    plan = SendPlan(batch.id, batch.week, batch.audience, batch.status)
    if smtp_configured(settings):
        plan.server = f"{settings.smtp_host}:{settings.smtp_port}"
    content = BatchContent.load(session, batch_id)
    for digest in content.digests():
        if not visible_items(digest):
            continue
        recipient = content.recipient(digest)
        delivery = content.deliveries.get(digest.id)
        delivered = delivery is not None and delivery.status == SENT
        if delivered or not (recipient["email"] or "").strip() or not recipient["opt_in"]:
            plan.skipped += 1
        else:
            plan.to_send += 1
    return plan


def outbox_folder(settings: Settings, week: str, audience: str) -> Path:
    return settings.home / "outbox" / f"{week}-{audience}"


def write_outbox(store: Store, batch_id: int, settings: Settings | None = None) -> OutboxReport:
    """Write each e-mail a send would hand over as `<digest id>-<recipient>.eml`; send nothing."""
    settings = settings or store.settings
    with store.session() as session:
        plan = send_plan(session, batch_id, settings)
        report = OutboxReport(outbox_folder(settings, plan.week, plan.audience))
        report.folder.mkdir(parents=True, exist_ok=True)
        content = BatchContent.load(session, batch_id)
        for digest in content.digests():
            recipient = content.recipient(digest)
            address = (recipient["email"] or "").strip()
            delivery = content.deliveries.get(digest.id)
            if not visible_items(digest) or not address or not recipient["opt_in"]:
                continue
            if delivery is not None and delivery.status == SENT:
                continue
            rendered = render_digest(content, digest, settings)
            tag = f"{plan.week}/{plan.audience}/{digest.id}"
            data = build_message(
                rendered, address, settings.smtp_sender, message_id(content.batch, digest, settings.smtp_sender), tag
            )
            path = report.folder / f"{digest.id:05d}-{_UNSAFE.sub('_', address)}.eml"
            path.write_bytes(data)
            report.files.append(path)
    return report
