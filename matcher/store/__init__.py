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
)
from matcher.store.tools_models import AlertItem, Bid, BidReminder, SavedSearch

__all__ = [
    "AlertItem",
    "ApiKey",
    "Award",
    "Base",
    "Bid",
    "BidReminder",
    "Buyer",
    "CPVCode",
    "Delivery",
    "Digest",
    "DigestAudit",
    "DigestBatch",
    "DigestItem",
    "Feedback",
    "IndexState",
    "SavedSearch",
    "SentItem",
    "Startup",
    "Store",
    "Tender",
    "TenderLot",
    "session_scope",
]
