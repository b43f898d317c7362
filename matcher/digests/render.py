"""Turn a digest into an e-mail: subject, responsive HTML with inline CSS, and a plain-text part.

The recipient's language picks the words (French by default; Arabic is laid out right to left).
Tender facts come from the store at render time; why an item fits and its eligibility gaps come from
the explanation the engine gave when the digest was built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from matcher.cpv import label as cpv_label
from matcher.digests.curate import get_digest
from matcher.digests.messages import feature_label, language, words
from matcher.digests.views import BatchContent
from matcher.i18n import format_datetime, format_week, render_coded, translate, zone_city
from matcher.i18n import format_money as _format_money
from matcher.settings import Settings
from matcher.store import Digest
from matcher.text import single_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    recipient: str | None
    recipient_name: str
    language: str
    items: int


def render_digest(content: BatchContent, digest: Digest, settings: Settings) -> RenderedEmail:
    """The e-mail of one digest of a loaded batch (removed items left out)."""
    view = content.digest(digest, include_removed=False)
    recipient = view["recipient"]
    lang = language(recipient["language"])
    t = words(lang)
    audience = view["audience"]
    context: dict[str, Any] = {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "align": "right" if lang == "ar" else "left",
        "t": t,
        "recipient": recipient,
        "week_label": format_week(view["week"], lang),
        "notes": [note for note in (view["batch_note"], view["note"]) if note],
    }
    if audience == "startup":
        items = [_tender_item(item, lang, settings) for item in view["items"]]
        context["items"] = items
        subject = translate(
            lang, "mail_subject_startup", count=len(items), name=recipient["name"], week=format_week(view["week"], lang)
        )
        count = len(items)
    else:
        context["groups"] = _buyer_groups(view["items"], lang, settings)
        count = len(view["items"])
        subject = translate(lang, "mail_subject_buyer", count=count, week=format_week(view["week"], lang))
    html = _env.get_template(f"{audience}.html").render(context)
    text = _env.get_template(f"{audience}.txt").render(context)
    return RenderedEmail(
        subject=single_line(subject),
        html=html,
        text=text,
        recipient=recipient["email"],
        recipient_name=single_line(recipient["name"]),
        language=lang,
        items=count,
    )


def preview(session: Session, batch_id: int, digest_id: int, settings: Settings) -> RenderedEmail:
    """Render one digest exactly as it would be sent (used by the preview route and the CLI)."""
    get_digest(session, batch_id, digest_id)
    content = BatchContent.load(session, batch_id, digest_ids=[digest_id])
    digest = next(d for d in content.digests() if d.id == digest_id)
    return render_digest(content, digest, settings)


# -- formatting ----------------------------------------------------------------------------------
def format_money(amount: float | None, currency: str, lang: str) -> str | None:
    return _format_money(amount, currency, lang)


def format_deadline(value: str | None, zone: str | None, lang: str, default_zone: str) -> str | None:
    """Deadline in the buyer's zone where known (the design notes' rule), else the default zone."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    name = zone or default_zone
    try:
        local = moment.astimezone(ZoneInfo(name))
    except (KeyError, ValueError):
        name = default_zone
        local = moment.astimezone(ZoneInfo(default_zone))
    return f"{format_datetime(local, lang, name)} ({zone_city(name, lang)})"


def safe_url(value: str | None) -> str | None:
    """Links in e-mails are http(s) only, also for rows stored before input checks refused the rest."""
    if value and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def _ltr(value: str | None, lang: str) -> str | None:
    """Dates, amounts and week labels keep their left-to-right order inside Arabic text (Unicode isolates)."""
    if value is None or lang != "ar":
        return value
    return f"\u2066{value}\u2069"


def reasons(explanation: dict[str, Any], lang: str, top: int = 3) -> list[str]:
    """Why it fits, in the reader's language: the strongest features of the score."""
    found: list[str] = []
    for feature in explanation.get("features") or []:
        name = feature.get("name")
        if name == "eligibility" or (feature.get("contribution") or 0) <= 0 or feature.get("evidence") is False:
            continue
        label = feature_label(str(name), lang) or feature.get("label") or name
        if label not in found:
            found.append(label)
        if len(found) >= top:
            break
    if not found and explanation.get("summary"):
        found.append(str(explanation["summary"]))
    return found


def summary_sentence(explanation: dict[str, Any], lang: str) -> str:
    """'Pertinent pour : activité proche, …' — the engine's why, in the reader's language."""
    found = reasons(explanation, lang)
    if not found or found == [str(explanation.get("summary"))]:  # no positive feature: reasons() fell back
        return translate(lang, "weak_fit")
    return translate(lang, "fits_because", reasons=translate(lang, "mail_sep_list").join(found))


def gaps(explanation: dict[str, Any], lang: str = "fr") -> list[str]:
    """Eligibility gaps in the reader's language (codes rendered by the catalogue; older items as stored)."""
    eligibility = explanation.get("eligibility") or {}
    coded = list(eligibility.get("details") or []) + list(explanation.get("gap_details") or [])
    stored = coded or list(eligibility.get("reasons") or []) + list(explanation.get("gaps") or [])
    found: list[str] = []
    for gap in stored:
        text = render_coded(lang, gap)
        if text and text not in found:
            found.append(text)
    return found


def _cpv_name(pair: dict[str, Any], lang: str) -> str:
    """The engine's label (in the startup's language, from the full CPV list); Arabic from our division names."""
    return cpv_label(str(pair["tender_code"]), "ar") if lang == "ar" else str(pair["label"])


def _why(item: dict[str, Any], lang: str) -> dict[str, Any]:
    explanation = item["explanation"]
    cpv = explanation.get("cpv_matches") or []
    return {
        "reasons": reasons(explanation, lang),
        "shared_terms": list(explanation.get("shared_terms") or [])[:6],
        "cpv": f"{cpv[0]['tender_code']} ({_cpv_name(cpv[0], lang)})" if cpv else None,
        "gaps": gaps(explanation, lang),
        "eligibility_known": bool(explanation.get("eligibility")),
        "note": item["note"],
        "grade": grade_words(item["grade"], lang),
    }


def grade_words(grade: str, lang: str) -> str:
    """The item's calibrated grade (`views.grade_of_score`) in the reader's words, never the raw score; an
    item under the floor is only there because staff added it by hand: it reads as possible."""
    return translate(lang, f"mail_grade_{'possible' if grade == 'below_floor' else grade}")


def _tender_facts(tender: dict[str, Any], lang: str, settings: Settings) -> dict[str, Any]:
    return {
        "title": tender["title"],
        # the tender page on Tremplin (requirements, documents, buyer history); the notice is linked from it
        "url": f"{settings.public_url.rstrip('/')}/tender/{quote(str(tender['id']), safe='')}",
        "buyer": tender["buyer_name"],
        "region": tender["region"],
        "deadline": _ltr(
            format_deadline(tender["deadline_at"], tender["buyer_timezone"], lang, settings.default_timezone), lang
        ),
        "value": _ltr(format_money(tender["estimated_value"], tender["currency"], lang), lang),
        "reserved": tender["reserved_for_sme"],
    }


def _tender_item(item: dict[str, Any], lang: str, settings: Settings) -> dict[str, Any]:
    return _tender_facts(item["tender"], lang, settings) | _why(item, lang)


def _buyer_groups(items: list[dict[str, Any]], lang: str, settings: Settings) -> list[dict[str, Any]]:
    """Buyer digests: one block per tender, its proposed startups in the digest's order."""
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        tender = item["tender"]
        group = groups.setdefault(tender["id"], {"tender": _tender_facts(tender, lang, settings), "startups": []})
        startup = item["startup"]
        sep = translate(lang, "mail_sep_list")
        place = sep.join(part for part in (startup["city"], startup["region"]) if part)
        group["startups"].append(
            {
                "name": startup["name"],
                "place": place,
                "sectors": sep.join(startup["sectors"][:4]),
                "references": startup["references_count"],
                # no contact e-mail: only staff and the startup itself see it (the buyer asks through
                # Tremplin and the startup consents)
            }
            | _why(item, lang)
        )
    return list(groups.values())
