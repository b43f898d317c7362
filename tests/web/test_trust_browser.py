"""The trust flow in Chromium: a buyer finds a supplier, opens its profile, shortlists it, asks for contact;
the startup accepts and the buyer sees the contact; staff confirm a proposed award link and the reference
shows as verified."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from matcher.linkage.link import link_awards
from matcher.schemas import TenderIn
from matcher.store import Award, Startup, Store, repository
from tests.web.conftest import WebSeed, _free_port, build_app, make_seed, screenshot, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

AWARD_TITLE = "Paiement en ligne des redevances numériques"


@pytest.fixture(scope="module")
def trust_seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    seed = make_seed(tmp_path_factory.mktemp("trust-web") / "home", with_sample=False)
    store = Store(seed.settings)
    with store.session() as session:
        tender = repository.create_tender(
            session,
            TenderIn(
                external_id="T-AWARDED", title=AWARD_TITLE, buyer_external_id="B-MTN", cpv_codes=["72000000"],
                status="awarded", estimated_value=450_000,
            ),
            source="ocds",
        )  # fmt: skip
        supplier = Startup(external_id="OCDS:PAYNOVA", name="PAYNOVA SARL", source="ocds")
        session.add(supplier)
        session.flush()
        session.add(Award(tender_id=tender.id, startup_id=supplier.id, amount=450_000))
        session.flush()
        assert link_awards(session)["matched_by_name"] == 1
    store.dispose()
    return seed


@pytest.fixture(scope="module")
def trust_server(trust_seed: WebSeed) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(trust_seed.settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="trust-web-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _page(chromium: Any, base_url: str) -> Any:
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def test_buyer_shortlists_asks_contact_startup_accepts_staff_verifies(
    browser: Any, trust_server: str, trust_seed: WebSeed
) -> None:
    chromium = browser  # the session's Chromium (conftest), on this module's own server
    buyer = _page(chromium, trust_server)
    sign_in(buyer, trust_seed.keys["buyer"])
    buyer.get_by_label("Besoin (texte libre)").fill("paiement mobile et portefeuille électronique")
    buyer.get_by_role("button", name="Rechercher").click()
    card = buyer.locator("li.supplier").filter(has=buyer.get_by_role("heading", name="PayNova", exact=True))
    expect(card.locator(".one-line")).to_contain_text("Paiement mobile")
    expect(card.locator(".verified-count")).to_have_text("0")
    expect(card.locator(".certifications-count")).to_have_text("1")
    screenshot(buyer, "trust-search-card")
    card.get_by_role("link", name="Voir le profil").click()

    expect(buyer.get_by_role("heading", level=1)).to_have_text("PayNova")
    expect(buyer.locator(".revenue-band")).to_have_text("1 à 5 M MAD")
    expect(buyer.locator(".contact-hidden")).to_be_visible()
    expect(buyer.locator("main")).not_to_contain_text("contact@paynova.ma")
    expect(buyer.locator("ul.refs-declared")).to_contain_text("Portail de paiement")  # from the profile
    expect(buyer.locator("ul.refs-verified")).to_have_count(0)

    buyer.get_by_label("Ou une nouvelle liste").fill("Paiement 2026")
    buyer.get_by_label("Note").fill("Référence commune de Settat")
    buyer.get_by_role("button", name="Ajouter à une liste restreinte").click()
    expect(buyer.locator(".flash")).to_contain_text("Paiement 2026")
    expect(buyer.locator("li.shortlist-item")).to_contain_text("PayNova")
    buyer.locator("li.shortlist-item").get_by_role("link", name="PayNova").click()

    buyer.get_by_label("Message").fill("Nous préparons un appel d'offres paiement mobile.")
    buyer.get_by_role("button", name="Demander un contact").click()
    expect(buyer.locator(".flash")).to_contain_text("Demande envoyée")
    expect(buyer.locator("main")).not_to_contain_text("contact@paynova.ma")  # pending: nothing shown

    startup = _page(chromium, trust_server)
    sign_in(startup, trust_seed.keys["startup"])
    startup.get_by_role("link", name="Demandes de contact").click()
    request = startup.locator("li.contact-request").first
    expect(request).to_contain_text("Ministère de la Transition Numérique souhaite vous contacter")
    screenshot(startup, "trust-startup-request")
    request.get_by_role("button", name="Accepter").click()
    expect(startup.locator(".flash")).to_contain_text("Accepté")
    expect(startup.locator("li.contact-request").first).to_have_attribute("data-status", "accepted")

    buyer.reload()
    expect(buyer.locator(".contact-email")).to_have_text("contact@paynova.ma")
    screenshot(buyer, "trust-profile-contact")

    staff = _page(chromium, trust_server)
    sign_in(staff, trust_seed.keys["staff"])
    staff.get_by_role("link", name="Liens à vérifier").click()
    link = staff.locator("li.link-item").first
    expect(link.locator(".record-name")).to_have_text("PAYNOVA SARL")
    expect(link).to_contain_text(AWARD_TITLE)
    screenshot(staff, "trust-staff-links")
    link.get_by_role("button", name="Confirmer").click()
    expect(staff.locator(".flash")).to_contain_text("Lien confirmé")
    expect(staff.locator("li.link-item")).to_have_count(0)

    buyer.reload()
    verified = buyer.locator("ul.refs-verified li.reference")
    expect(verified).to_have_count(1)
    expect(verified).to_contain_text(AWARD_TITLE)
    expect(verified.locator(".badge-tier")).to_have_text("vérifiée")
    screenshot(buyer, "trust-profile-verified")
    buyer.goto("/search")
    assert re.search(r"/search", buyer.url)
