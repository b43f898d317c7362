"""Rendering: responsive HTML with inline CSS and a plain-text part, in the recipient's language."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.render import preview
from matcher.i18n import format_datetime
from matcher.settings import Settings
from matcher.store import Digest, DigestItem, Startup, Store, Tender
from tests.digests.conftest import make_batch
from tests.i18n.markers import english_in


def _digest_id(store: Store, batch_id: int, startup: str) -> int:
    with store.session() as session:
        digest_id = session.scalar(
            select(Digest.id)
            .join(Startup, Digest.startup_id == Startup.id)
            .where(Digest.batch_id == batch_id, Startup.external_id == startup)
        )
        assert digest_id is not None
        return digest_id


def test_french_digest_shows_buyer_deadline_value_why_and_gaps(world: Store, digest_settings: Settings) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-5"]})
    digest_id = _digest_id(world, batch_id, "S-IRRI")
    with world.session() as session:
        deadline = session.scalar(select(Tender.deadline_at).where(Tender.external_id == "T-IRR-1"))
        curate.set_note(session, batch_id, "Deux appels de l'ORMVA cette semaine.", "amina", digest_id=digest_id)
        email = preview(session, batch_id, digest_id, digest_settings)

    assert email.language == "fr" and email.recipient == "contact@irrigo.ma"
    assert email.subject == "Tremplin · 2 appels d'offres pour Irrigo · semaine 48 de 2026"
    assert '<html lang="fr" dir="ltr">' in email.html
    local = deadline.astimezone(ZoneInfo("Africa/Casablanca")) if deadline else None
    assert local is not None
    for part in (html.unescape(email.html), email.text):
        assert f"{format_datetime(local, 'fr', 'Africa/Casablanca')} (Casablanca)" in part  # Babel, in French
        assert "Office Régional de Mise en Valeur Agricole du Souss-Massa" in part
        assert "1\u202f200\u202f000\u00a0MAD" in part
        assert "activité proche, codes CPV correspondants" in part  # the score's features, in French
        assert "goutte-à-goutte" in part  # shared terms
        assert "exige ISO 9001, absent de votre profil" in part  # eligibility gap of T-IRR-5, in French
        assert "Deux appels de l'ORMVA cette semaine." in part
        assert "Réservé aux TPME" in part
    assert "Date limite" in email.text
    assert email.text.index("lot 1") < email.text.index("des stations de l'ONEE")


def test_html_is_self_contained_with_inline_styles(world: Store, digest_settings: Settings) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1"]})
    with world.session() as session:
        email = preview(session, batch_id, _digest_id(world, batch_id, "S-IRRI"), digest_settings)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in email.html
    assert "@media only screen and (max-width: 620px)" in email.html
    assert not re.search(r"<link|<script|src=\"http|url\(", email.html), "no external assets"
    assert email.html.count('style="') > 15


def test_english_and_arabic_digests(world: Store, digest_settings: Settings) -> None:
    batch_id = make_batch(world, {"S-PAY": ["T-PAY-2"], "S-SIHA": ["T-SIH-1"]})
    with world.session() as session:
        english = preview(session, batch_id, _digest_id(world, batch_id, "S-PAY"), digest_settings)
        arabic = preview(session, batch_id, _digest_id(world, batch_id, "S-SIHA"), digest_settings)
    assert english.subject.startswith("Tremplin · 1 tender for PayNova")
    assert "Why it fits: similar activity, matching CPV codes" in english.text
    assert "1,200,000\u00a0MAD" in english.text and "Commune de Casablanca" in english.text
    assert '<html lang="ar" dir="rtl">' in arabic.html and '<body dir="rtl"' in arabic.html
    assert "text-align:right" in arabic.html
    assert "آخر أجل" in arabic.text and "Système d'information hospitalier" in arabic.text


def test_removed_items_are_not_in_the_email(world: Store, digest_settings: Settings) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-6"]})
    digest_id = _digest_id(world, batch_id, "S-IRRI")
    with world.session() as session:
        item_id = session.scalar(
            select(DigestItem.id)
            .join(Tender, DigestItem.tender_id == Tender.id)
            .where(DigestItem.digest_id == digest_id, Tender.external_id == "T-IRR-6")
        )
        assert item_id is not None
        curate.remove_item(session, batch_id, item_id, "amina")
        email = preview(session, batch_id, digest_id, digest_settings)
    assert "Capteurs d'humidité" not in email.html and "Capteurs d'humidité" not in email.text
    assert email.items == 1 and "1 appel d'offres pour" in email.subject


def test_arabic_and_french_emails_carry_no_english(world: Store, digest_settings: Settings) -> None:
    """The e-mail's own words (data aside) are Arabic or French; the subject says the week in words."""
    batch_id = make_batch(world, {"S-SIHA": ["T-SIH-1"], "S-IRRI": ["T-IRR-1", "T-IRR-5"]})
    with world.session() as session:
        arabic = preview(session, batch_id, _digest_id(world, batch_id, "S-SIHA"), digest_settings)
        french = preview(session, batch_id, _digest_id(world, batch_id, "S-IRRI"), digest_settings)
    assert arabic.subject == "ترامبلان · طلب عروض واحد لـ Sihati · الأسبوع 48 من سنة 2026"
    assert "semaine 48 de 2026" in french.subject
    for email in (arabic, french):
        assert not english_in([email.subject, *email.text.splitlines()]), email.text
    assert "لماذا يناسبكم" in arabic.text  # why it fits, in Arabic
    assert "exige ISO 9001" in french.text and "Acheteur\u00a0: " in french.text
    assert "نشاط مماثل، رموز CPV متطابقة" in arabic.text and "(الدار البيضاء)" in arabic.text  # Arabic comma, city
