"""An Atom feed (RFC 4287) per saved search: its matching open tenders, newest first, behind a secret URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from matcher.alerts.emails import tender_url
from matcher.alerts.messages import say
from matcher.ranking.tender_search import SearchFilters, SearchSort, search_tenders
from matcher.store import SavedSearch

if TYPE_CHECKING:
    from matcher.ranking.engine import Engine

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    engine: Engine, search: SavedSearch, lang: str, base_url: str, self_url: str, now: datetime | None = None
) -> bytes:
    now = now or datetime.now(UTC)
    page = search_tenders(
        engine, search.query, SearchFilters.model_validate(search.filters or {}), SearchSort.publication, FEED_SIZE
    )
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = say(lang, "feed_title", name=search.name)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:tremplin:saved-search:{search.id}"
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    updated = max((h.record.published_at for h in page.hits if h.record.published_at), default=search.created_at)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(updated or now)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Tremplin"
    for hit in page.hits:
        record = hit.record
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = record.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:tremplin:tender:{record.external_id}"
        ET.SubElement(entry, f"{{{ATOM}}}link", {"href": tender_url(base_url, record.external_id)})
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(record.published_at or updated or now)
        facts = []
        if record.buyer_name:
            facts.append(f"{say(lang, 'buyer')}: {record.buyer_name}")
        if record.deadline_at:
            facts.append(f"{say(lang, 'deadline')}: {_iso(record.deadline_at)}")
        if record.estimated_value is not None:
            facts.append(f"{say(lang, 'value')}: {record.estimated_value:,.0f} {record.currency}".replace(",", " "))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = " · ".join(facts)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
