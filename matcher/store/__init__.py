"""The SQL store: models, engine/session and migrations."""

from matcher.store.db import Store, session_scope
from matcher.store.models import (
    ApiKey,
    Award,
    Base,
    Buyer,
    CPVCode,
    Delivery,
    Digest,
    DigestAudit,
    DigestBatch,
    DigestItem,
    Feedback,
    IndexState,
    SentItem,
    Startup,
    Tender,
    TenderLot,
    WebSession,
)

__all__ = [
    "ApiKey",
    "Award",
    "Base",
    "Buyer",
    "CPVCode",
    "Delivery",
    "Digest",
    "DigestAudit",
    "DigestBatch",
    "DigestItem",
    "Feedback",
    "IndexState",
    "SentItem",
    "Startup",
    "Store",
    "Tender",
    "TenderLot",
    "WebSession",
    "session_scope",
]
