"""Plain-data views of batches and digests, shared by the CLI, the API, exports and e-mail rendering.

Loads a batch's tenders, startups, buyers and deliveries in a few bulk queries (no N+1), and shows
positions 1-based, the way staff talk about them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.digests.curate import get_batch
from matcher.ranking.calibration import calibrator_or_identity
from matcher.store import Buyer, Delivery, Digest, DigestAudit, DigestBatch, DigestItem, Startup, Tender


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class BatchContent:
    """A batch with every row its digests refer to, fetched once."""

    batch: DigestBatch
    tenders: dict[int, Tender] = field(default_factory=dict)
    startups: dict[int, Startup] = field(default_factory=dict)
    buyers: dict[int, Buyer] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    only: set[int] | None = None

    @classmethod
    def load(cls, session: Session, batch_id: int, digest_ids: list[int] | None = None) -> BatchContent:
        get_batch(session, batch_id)
        batch = session.scalar(
            select(DigestBatch)
            .where(DigestBatch.id == batch_id)
            .options(selectinload(DigestBatch.digests).selectinload(Digest.items))
            .execution_options(populate_existing=True)
        )
        assert batch is not None
        digests = [d for d in batch.digests if digest_ids is None or d.id in digest_ids]
        items = [item for digest in digests for item in digest.items]
        tender_ids = {i.tender_id for i in items if i.tender_id is not None}
        startup_ids = {i.startup_id for i in items if i.startup_id is not None}
        startup_ids |= {d.startup_id for d in digests if d.startup_id is not None}
        buyer_ids = {d.buyer_id for d in digests if d.buyer_id is not None}
        content = cls(batch=batch, only=set(digest_ids) if digest_ids is not None else None)
        content.tenders = _by_id(session, Tender, tender_ids)
        content.startups = _by_id(session, Startup, startup_ids)
        content.buyers = _by_id(session, Buyer, buyer_ids)
        if digests:
            content.deliveries = {
                d.digest_id: d
                for d in session.scalars(select(Delivery).where(Delivery.digest_id.in_([g.id for g in digests])))
            }
        return content

    def digests(self) -> list[Digest]:
        """The loaded digests (all of the batch, or the ones asked for), by id."""
        return sorted((d for d in self.batch.digests if self.only is None or d.id in self.only), key=lambda d: d.id)

    def recipient(self, digest: Digest) -> dict[str, Any]:
        if digest.startup_id is not None:
            startup = self.startups[digest.startup_id]
            return {
                "kind": "startup",
                "id": startup.external_id,
                "name": startup.name,
                "email": startup.contact_email,
                "language": startup.preferred_language or "fr",
                "opt_in": startup.digest_opt_in,
            }
        assert digest.buyer_id is not None
        buyer = self.buyers[digest.buyer_id]
        return {
            "kind": "buyer",
            "id": buyer.external_id,
            "name": buyer.name,
            "email": buyer.contact_email,
            "language": "fr",
            "opt_in": buyer.digest_opt_in,
        }

    def item(self, item: DigestItem) -> dict[str, Any]:
        grade, probability = grade_of_score(item.score, self.batch.audience)
        view: dict[str, Any] = {
            "item_id": item.id,
            "position": item.position + 1,
            "score": item.score,
            "grade": grade,
            "probability": probability,
            "pinned": item.pinned,
            "removed": item.removed,
            "added_by_hand": item.added_by_hand,
            "note": item.note,
            "explanation": item.explanation or {},
        }
        if item.tender_id is not None:
            view["tender"] = tender_view(self.tenders[item.tender_id])
        if item.startup_id is not None:
            view["startup"] = startup_view(self.startups[item.startup_id])
        return view

    def digest(self, digest: Digest, include_removed: bool = True) -> dict[str, Any]:
        items = sorted(digest.items, key=lambda i: (i.removed, i.position))
        delivery = self.deliveries.get(digest.id)
        return {
            "id": digest.id,
            "batch_id": self.batch.id,
            "week": self.batch.week,
            "audience": self.batch.audience,
            "status": self.batch.status,
            "note": digest.note,
            "batch_note": self.batch.note,
            "recipient": self.recipient(digest),
            "items": [self.item(i) for i in items if include_removed or not i.removed],
            "delivery": delivery_view(delivery) if delivery else None,
        }

    def summary(self) -> dict[str, Any]:
        return batch_summary(self.batch, self.deliveries.values())


DIRECTIONS = {"startup": "tender_for_startup", "buyer": "supplier_for_tender"}


def grade_of_score(score: float | None, audience: str) -> tuple[str, float]:
    """What a person reads instead of a stored score: its grade ('below_floor' under the lowest) and probability."""
    calibrator = calibrator_or_identity()
    direction = DIRECTIONS.get(audience, "tender_for_startup")
    probability = float(calibrator.probability(direction, np.array([float(score or 0.0)]))[0])
    return calibrator.grade_of(probability) or "below_floor", probability


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):  # stay under SQLite's bound-parameter limit
        chunk = ordered[start : start + 500]
        for row in session.scalars(select(model).where(model.id.in_(chunk))).unique():
            found[row.id] = row
    return found


def tender_view(tender: Tender) -> dict[str, Any]:
    return {
        "id": tender.external_id,
        "title": tender.title,
        "buyer_id": tender.buyer.external_id if tender.buyer else None,
        "buyer_name": tender.buyer.name if tender.buyer else None,
        "buyer_timezone": tender.buyer.timezone if tender.buyer else None,
        "region": tender.region,
        "city": tender.city,
        "estimated_value": tender.estimated_value,
        "currency": tender.currency,
        "deadline_at": _iso(tender.deadline_at),
        "published_at": _iso(tender.published_at),
        "status": tender.status,
        "reserved_for_sme": tender.reserved_for_sme,
        "source_url": tender.source_url,
    }


def startup_view(startup: Startup) -> dict[str, Any]:
    return {
        "id": startup.external_id,
        "name": startup.name,
        "city": startup.city,
        "region": startup.region,
        "sectors": list(startup.sectors or []),
        "headcount": startup.headcount,
        "references_count": startup.references_count,
        "email": startup.contact_email,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "recipient": delivery.recipient,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "message_id": delivery.message_id,
        "delivered_at": _iso(delivery.delivered_at),
    }


def batch_summary(batch: DigestBatch, deliveries: Any = ()) -> dict[str, Any]:
    items = [i for d in batch.digests for i in d.items if not i.removed]
    return {
        "id": batch.id,
        "week": batch.week,
        "audience": batch.audience,
        "status": batch.status,
        "note": batch.note,
        "digests": len(batch.digests),
        "items": len(items),
        "deliveries": dict(Counter(d.status for d in deliveries)),
        "created_at": _iso(batch.created_at),
        "updated_at": _iso(batch.updated_at),
    }


def audit_view(entry: DigestAudit) -> dict[str, Any]:
    return {"at": _iso(entry.at), "actor": entry.actor, "action": entry.action, "detail": entry.detail}
