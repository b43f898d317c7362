"""Finding 7: buyer digest e-mails must not show startups' contact e-mails (staff and the startup only)."""

from __future__ import annotations

import html

from sqlalchemy import select

from matcher.digests.render import preview
from matcher.settings import Settings
from matcher.store import Buyer, Digest, DigestBatch, DigestItem, Startup, Store, Tender
from tests.digests.conftest import explanation


def _buyer_batch(store: Store) -> tuple[int, int]:
    with store.session() as session:
        buyer = session.scalar(select(Buyer).where(Buyer.external_id == "B-ORMVA"))
        tender = session.scalar(select(Tender).where(Tender.external_id == "T-IRR-1"))
        startup = session.scalar(select(Startup).where(Startup.external_id == "S-IRRI"))
        assert buyer and tender and startup and startup.contact_email == "contact@irrigo.ma"
        tender.source_url = "javascript:alert(document.cookie)"  # stored before URLs were checked
        batch = DigestBatch(week="2026-W48", audience="buyer", status="draft")
        digest = Digest(batch=batch, buyer_id=buyer.id)
        digest.items.append(
            DigestItem(tender_id=tender.id, startup_id=startup.id, position=0, score=0.8, explanation=explanation())
        )
        session.add(batch)
        session.flush()
        return batch.id, digest.id


def test_finding7_buyer_digest_lists_no_startup_contact_email(world: Store, digest_settings: Settings) -> None:
    batch_id, digest_id = _buyer_batch(world)
    with world.session() as session:
        email = preview(session, batch_id, digest_id, digest_settings)
    assert email.recipient == "achats@ormvasm.ma"
    for part in (html.unescape(email.html), email.text):
        assert "Irrigo" in part
        assert "contact@irrigo.ma" not in part and "mailto:" not in part
        assert "Coordonnées sur demande via Tremplin" in part
        assert "javascript:" not in part  # finding 8: no non-http link in an e-mail
