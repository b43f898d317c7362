"""The text we embed and index for a tender or a startup profile, built the same way everywhere."""

from __future__ import annotations

from matcher import cpv
from matcher.store import Startup, Tender
from matcher.text import content_hash, normalize


def tender_text(tender: Tender) -> str:
    """Title first (it carries most of the signal), then description, lots and CPV labels."""
    parts = [tender.title, tender.description]
    parts.extend(lot.title for lot in tender.lots)
    parts.extend(cpv.label(code, "fr", official=False) for code in tender.cpv_codes[:3])
    return normalize(". ".join(part for part in parts if part))


def startup_text(startup: Startup) -> str:
    """What the company does: description, sectors, tags, technologies, references and CPV labels."""
    parts = [
        startup.name,
        startup.description,
        ", ".join(startup.sectors),
        ", ".join(startup.tags),
        ", ".join(startup.technologies),
        ". ".join(startup.references[:20]),
    ]
    parts.extend(cpv.label(code, "fr", official=False) for code in startup.cpv_codes[:5])
    return normalize(". ".join(part for part in parts if part))


def tender_hash(tender: Tender) -> str:
    return content_hash(tender_text(tender), ",".join(tender.cpv_codes))


def startup_hash(startup: Startup) -> str:
    return content_hash(startup_text(startup), ",".join(startup.cpv_codes))
