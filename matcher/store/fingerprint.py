"""A cheap fingerprint of a table's indexed content: count, newest update and a hash of content hashes."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.store import Startup, Tender


def source_fingerprint(session: Session, name: str) -> str:
    model = Tender if name == "tenders" else Startup
    digest = hashlib.sha256()
    for external_id, content in session.execute(
        select(model.external_id, model.content_hash).order_by(model.external_id)
    ):
        digest.update(f"{external_id}:{content};".encode())
    return digest.hexdigest()
