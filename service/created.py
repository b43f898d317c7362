"""What a create answers besides its body: a server-assigned id when the caller gave none, and `Location`."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import Response

ID_PREFIXES = {"startups": "st", "buyers": "by", "tenders": "tn"}


def new_external_id(collection: str) -> str:
    """A stable, short, collision-safe id such as 'st-3f9c2a1b7e' (10 hex digits = 2^40 values)."""
    return f"{ID_PREFIXES[collection]}-{uuid.uuid4().hex[:10]}"


def set_location(response: Response, collection: str, external_id: str) -> None:
    """`Location` of the created record, as a path relative to the API root. The id is percent-encoded:
    ids come from callers and may hold any character, a header only ASCII without control characters."""
    response.headers["Location"] = f"/{collection}/{quote(external_id, safe='')}"
