"""The web pages in a real browser (Debian's Chromium via Playwright), as startups, buyers and staff use them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from matcher.store import Store
from matcher.store.feedback import list_feedback
from tests.web.conftest import AXE_CANDIDATES, WebSeed, screenshot, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def match_card(page: Any, title: str) -> Any:
    return page.locator("li.match").filter(has=page.get_by_role("heading", name=title))


def test_startup_signs_in_and_sees_its_matches(page: Any, web_seed: WebSeed) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, web_seed.keys["startup"])
    expect(page).to_have_url(re.compile(r"/me/matches$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Appels d'offres recommandés")
    card = match_card(page, "Plateforme de paiement mobile des services publics en ligne")
    expect(card).to_be_visible()
    expect(card.locator(".badge")).to_have_text("Éligible")
    expect(card.locator(".countdown")).to_have_text(re.compile(r"^J-\d+$"))
    expect(card).to_contain_text("Ministère de la Transition Numérique")
    expect(card).to_contain_text("1\u202f500\u202f000\u00a0MAD")
    expect(card.locator(".summary")).to_contain_text("Pertinent pour")
    expect(card.locator(".chip").first).to_be_visible()
    screenshot(page, "startup-matches")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommended tenders")
    expect(card.locator(".countdown")).to_have_text(re.compile(r"^\d+ days left$"))

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/me/matches?lang=fr")
    expect(card).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "startup-matches-phone")


def test_startup_filters_its_matches(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["startup"])
    page.get_by_label("Région").select_option("Rabat-Salé-Kénitra")
    page.get_by_label("Code CPV (début)").fill("72")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"cpv=72"))
    expect(match_card(page, "Tableaux de bord et analyse de données pour la transformation numérique")).to_be_visible()
    regions = page.locator("li.match dd.region").all_inner_texts()
    assert regions and set(regions) == {"Rabat-Salé-Kénitra"}
    codes = page.locator("li.match").evaluate_all("cards => cards.map(c => c.dataset.cpv)")
    assert all(any(code.startswith("72") for code in card.split()) for card in codes), codes
    page.get_by_label("Code CPV (début)").fill("7a")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#cpv_error")).to_be_visible()
    expect(page.locator("li.match")).to_have_count(0)


def test_startup_gives_feedback_on_a_match(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["startup"])
    card = match_card(page, "Portefeuille électronique pour le paiement des taxes communales")
    card.get_by_role("button", name="Pertinent", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Merci, avis enregistré : Pertinent.")
    card = match_card(page, "Portefeuille électronique pour le paiement des taxes communales")
    expect(card.get_by_role("button", name="Pertinent", exact=True)).to_have_attribute("aria-pressed", "true")
    card.get_by_role("button", name="J'ai candidaté").click()
    expect(card.get_by_role("button", name="J'ai candidaté")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Pertinent", exact=True)).to_have_attribute("aria-pressed", "false")
    store = Store(web_seed.settings)
    with store.session() as session:
        verdicts = [(f.tender_id, f.verdict.value) for f in list_feedback(session, "S-PAY")]
    store.dispose()
    assert verdicts[:2] == [("T-WALLET", "applied"), ("T-WALLET", "relevant")]
    screenshot(page, "startup-feedback")


def test_startup_cannot_open_another_startups_page(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["startup"])
    response = page.goto("/startup/S-AGRI/matches")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.locator("main")).to_contain_text("Cette page appartient à une autre startup.")
    expect(page.locator("main")).not_to_contain_text("AgriSense")
    screenshot(page, "startup-forbidden")
    assert page.goto("/staff/digests").status == 403


def test_startup_edits_its_profile(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["startup"])
    page.get_by_role("link", name="Mon profil").click()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("PayNova")
    page.get_by_label("Effectif").fill("douze")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#headcount_error")).to_be_visible()
    expect(page.get_by_label("Effectif")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "startup-profile-error")
    page.get_by_label("Effectif").fill("14")
    page.get_by_label("Mots-clés").fill("mobile money; QR code")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".flash")).to_contain_text("Profil enregistré")
    expect(page.get_by_label("Effectif")).to_have_value("14")
    expect(page.get_by_label("Mots-clés")).to_have_value("mobile money; QR code")


def test_buyer_searches_suppliers_by_need_and_by_tender(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["buyer"])
    expect(page).to_have_url(re.compile(r"/search$"))
    page.get_by_label("Besoin (texte libre)").fill("paiement mobile et portefeuille électronique")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("li.supplier")
    expect(results.first.get_by_role("heading")).to_have_text("PayNova")
    expect(results.first.locator(".summary")).to_contain_text("Pertinent pour")
    screenshot(page, "buyer-search-text")

    tender_choice = page.get_by_label("Ou l'un de vos appels d'offres")
    assert sorted(tender_choice.locator("option").evaluate_all("o => o.map(x => x.value)")) == ["", "T-DATA", "T-PAY"]
    page.get_by_label("Besoin (texte libre)").fill("")
    tender_choice.select_option("T-DATA")
    page.get_by_label("Inclure les fournisseurs non éligibles").check()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#results-title")).to_contain_text("Tableaux de bord et analyse de données")
    data_card = results.filter(has=page.get_by_role("heading", name="بيانات المغرب"))
    expect(data_card.locator(".badge")).to_have_text("Éligible")
    expect(data_card.get_by_role("heading")).to_have_attribute("dir", "auto")
    with_gaps = results.filter(has=page.locator(".badge-eligible_with_gaps")).first
    expect(with_gaps.locator(".gaps li").first).to_be_visible()
    screenshot(page, "buyer-search-tender")

    page.get_by_label("Certification").fill("ISO 27001")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"certification=ISO"))
    expect(data_card).to_be_visible()
    certifications = results.locator("dd.certifications").all_inner_texts()
    assert certifications and len(certifications) == results.count()
    assert all("ISO 27001" in text for text in certifications)
    assert page.goto("/staff").status == 403
    assert page.goto("/search?tender=T-WALLET").status == 403  # another buyer's


def test_staff_curates_a_digest_and_approves_it(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["staff"])
    expect(page).to_have_url(re.compile(r"/staff$"))
    expect(page.locator(".counts")).to_contain_text("Startups")
    expect(page.get_by_role("heading", name="Fraîcheur des index")).to_be_visible()
    screenshot(page, "staff-dashboard")

    page.get_by_role("navigation").get_by_role("link", name="Récapitulatifs").click()
    page.get_by_label("Semaine").fill("2026-W10")
    page.get_by_label("Destinataires").select_option("startup")
    page.get_by_role("button", name="Préparer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Édition 2026-W10")
    expect(page.locator("#batch-status")).to_have_text("brouillon")

    digest = page.locator("section.digest").filter(has=page.get_by_role("heading", name=re.compile("PayNova")))
    items = digest.locator("li.item:not(.is-removed)")
    count = items.count()
    assert count >= 2, "the PayNova digest should propose several tenders"
    first_title = items.nth(0).locator(".item-title").inner_text()
    second_title = items.nth(1).locator(".item-title").inner_text()

    items.nth(1).get_by_role("button", name="Monter").click()  # reorder
    expect(items.nth(0).locator(".item-title")).to_have_text(second_title)
    expect(items.nth(0)).to_have_class(re.compile("is-pinned"))
    items.nth(1).get_by_role("button", name="Retirer").click()  # remove
    expect(digest.locator("li.item.is-removed .item-title")).to_have_text(first_title)
    expect(items).to_have_count(count - 1)
    items.nth(0).get_by_placeholder("Note").fill("Très bonne piste : référence publique.")
    items.nth(0).get_by_role("button", name="Enregistrer la note").click()
    expect(items.nth(0).get_by_placeholder("Note")).to_have_value("Très bonne piste : référence publique.")
    digest.get_by_label("Note en tête de l'e-mail").fill("Bonjour, voici votre sélection de la semaine.")
    digest.get_by_role("button", name="Enregistrer la note").first.click()
    digest.get_by_label("Ajouter un appel d'offres (identifiant)").fill("T-NOPE")
    digest.get_by_role("button", name="Ajouter").click()
    expect(page.locator(".flash-error")).to_contain_text("T-NOPE")
    screenshot(page, "staff-digest-review")

    digest.get_by_role("link", name="Aperçu de l'e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PayNova")
    frame = page.frame_locator("iframe.email")
    expect(frame.locator("body")).to_contain_text("Bonjour, voici votre sélection de la semaine.")
    expect(frame.locator("body")).to_contain_text("Très bonne piste")
    expect(frame.locator("body")).not_to_contain_text(first_title)
    screenshot(page, "staff-digest-preview")
    page.go_back()

    page.get_by_role("button", name="Passer en relecture").click()
    expect(page.locator("#batch-status")).to_have_text("en relecture")
    page.get_by_role("button", name="Approuver").click()
    expect(page.locator("#batch-status")).to_have_text("approuvé")
    expect(page.get_by_role("link", name="Envoyer")).to_be_visible()
    expect(page.get_by_role("button", name="Retirer")).to_have_count(0)  # approved: no more edits
    expect(page.locator("table")).to_contain_text("Approbation")  # the audit trail, in French
    screenshot(page, "staff-digest-approved")

    page.get_by_role("link", name="Envoyer").click()  # a confirmation step, not an immediate send
    expect(page.get_by_role("heading", level=1)).to_contain_text("Envoyer l'édition 2026-W10")
    expect(page.locator("#send-count")).to_contain_text("vont partir")
    expect(page.locator("#dry-run-notice")).to_contain_text(".eml")  # no mail server in this seed
    screenshot(page, "staff-digest-send-confirm")
    page.get_by_role("link", name="Annuler").click()
    expect(page.locator("#batch-status")).to_have_text("approuvé")


def test_staff_imports_a_file_and_reads_the_report(page: Any, web_seed: WebSeed, tmp_path: Any) -> None:
    sign_in(page, web_seed.keys["staff"])
    page.goto("/staff/import")
    upload = tmp_path / "tenders.csv"
    upload.write_text(
        "external_id,title,buyer_external_id,cpv_codes,deadline_at,estimated_value\n"
        "T-CSV-1,Application mobile de prise de rendez-vous,B-CASA,72000000,2099-01-31,250000\n"
        "T-CSV-2,Montant négatif,B-CASA,72000000,2099-01-31,-5\n",
        encoding="utf-8",
    )
    page.get_by_label("Type de données").select_option("tenders")
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_role("button", name="Importer").click()
    expect(page.locator(".flash")).to_contain_text("lignes enregistrées 1, rejetées 1")
    row = page.locator("table.rejects tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("estimated_value")
    expect(row).to_contain_text("T-CSV-2")
    screenshot(page, "staff-import-report")


AXE_PAGES = {
    "startup": ["/me/matches", "/me/profile"],
    "buyer": ["/search?q=paiement+mobile&go=1", "/search?tender=T-DATA&go=1"],
    "staff": ["/staff", "/staff/import", "/staff/digests"],
}


@pytest.fixture
def audit_page(browser: Any, live_server: str) -> Iterator[Any]:
    """A page whose Content-Security-Policy is bypassed, so the test can inject axe-core (an inline
    script the pages' policy rightly refuses)."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_pages_have_no_serious_accessibility_violation(audit_page: Any, web_seed: WebSeed) -> None:
    axe = next((path for path in AXE_CANDIDATES if path.exists()), None)
    if axe is None:
        pytest.skip("axe-core is not installed (npm install --no-save axe-core)")
    page = audit_page
    problems: list[str] = []

    def check(url: str) -> None:
        page.goto(url)
        page.add_script_tag(path=str(axe))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{url}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}")

    check("/login")
    for role, urls in AXE_PAGES.items():
        page.context.clear_cookies()
        sign_in(page, web_seed.keys[role])
        for url in urls:
            check(url)
        if role == "staff":
            page.goto("/staff/digests")
            batch = page.locator("table a").first
            if batch.count():
                batch.click()
                check(page.url)
    check("/startup/S-NOPE/matches")  # an error page
    assert not problems, "\n".join(problems)


def test_finding8_pages_run_under_their_content_security_policy(page: Any, web_seed: WebSeed) -> None:
    """No page needs an inline script or style: the browser reports no CSP violation anywhere."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.goto("/login")
    for role, urls in AXE_PAGES.items():
        page.context.clear_cookies()
        sign_in(page, web_seed.keys[role])
        for url in urls:
            page.goto(url)
            page.wait_for_load_state()
    assert not violations, violations
