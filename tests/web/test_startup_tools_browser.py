"""A founder's daily loop in a real browser: search → tender page → save the search → e-mail alert (once) →
follow a bid on the board → J-7 reminder (once); the unsubscribe link works without signing in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.digests.conftest import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.web.conftest import NOW, PROJECT, WebSeed, screenshot, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

PAY_TITLE = "Plateforme de paiement mobile des services publics en ligne"


def tremplin(seed: WebSeed, smtp: SmtpServer, base_url: str, *args: str) -> str:
    """The real command line, as cron runs it, against the web test's state folder."""
    env = {
        **os.environ,
        "TREMPLIN_HOME": str(seed.settings.home),
        "TREMPLIN_EMBEDDER": "hashing",
        "TREMPLIN_SMTP_HOST": smtp.host,
        "TREMPLIN_SMTP_PORT": str(smtp.port),
        "TREMPLIN_PUBLIC_URL": base_url,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "matcher.cli", *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_search_alert_bid_reminder_and_unsubscribe(
    page: Any,
    browser: Any,
    live_server: str,
    web_seed: WebSeed,
    smtp_server: SmtpServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    sign_in(page, web_seed.keys["startup"])
    page.get_by_role("link", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher des appels d'offres")
    page.get_by_label("Mots-clés ou besoin").fill("paiement mobile")
    page.get_by_label("Région").select_option("Casablanca-Settat")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url(re.compile(r"q=paiement"))
    expect(page.locator(".count")).to_have_text(re.compile(r"^(1 appel d'offres|\d+ appels d'offres)$"))
    result = page.get_by_role("link", name=PAY_TITLE)
    expect(result).to_be_visible()
    screenshot(page, "tender-search")

    # the tender page
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAY_TITLE)
    expect(page.locator(".requirements")).to_contain_text("Réservé aux TPE/PME")
    expect(page.locator(".requirements .badge").first).to_have_text("rempli")
    expect(page.locator(".cpv")).to_contain_text("72000000")
    expect(page.locator(".zone")).to_have_text("Africa/Casablanca")
    calendar = page.get_by_role("link", name="Ajouter à mon agenda (.ics)")
    ics = page.request.get(calendar.get_attribute("href"))
    assert ics.ok and "BEGIN:VEVENT" in ics.text()
    screenshot(page, "tender-page")

    # save the search (from the results page)
    page.go_back()
    page.get_by_label("Nom de l'alerte").fill("paiement — Casablanca")
    page.get_by_role("button", name="Enregistrer cette recherche").click()
    expect(page).to_have_url(re.compile(r"/me/alerts$"))
    expect(page.locator("li.alert")).to_have_count(1)
    expect(page.locator("li.alert h2")).to_have_text("paiement — Casablanca")

    # the alert run: one e-mail, then none
    out = tremplin(web_seed, smtp_server, live_server, "alerts", "run")
    assert "1 e-mail(s) sent" in out, out
    mails = smtp_server.recorder.to("contact@paynova.ma")
    assert len(mails) == 1
    alert = mails[0].message
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = alert.get_body(("plain",)).get_content()
    assert PAY_TITLE in text and f"{live_server}/tender/T-PAY" in text
    out = tremplin(web_seed, smtp_server, live_server, "alerts", "run")
    assert "0 e-mail(s) sent" in out and len(smtp_server.recorder.to("contact@paynova.ma")) == 1

    # follow the tender on the bid board
    page.goto("/tender/T-PAY")
    page.get_by_role("button", name="Je suis intéressé").click()
    expect(page.locator(".flash")).to_contain_text("Candidature : Intéressé.")
    page.get_by_role("link", name="Mes candidatures").click()
    column = page.locator('section[data-status="interested"]')
    expect(column.get_by_role("link", name=PAY_TITLE)).to_be_visible()
    screenshot(page, "bid-board")

    # J-7 before the deadline (30 days away in the seed): one reminder, once
    when = (NOW + timedelta(days=24)).isoformat()
    tremplin(web_seed, smtp_server, live_server, "reminders", "run", "--now", when)
    reminders = [m for m in smtp_server.recorder.to("contact@paynova.ma") if "J-" in str(m.message["Subject"])]
    assert len(reminders) == 1 and PAY_TITLE[:40] in str(reminders[0].message["Subject"])
    tremplin(web_seed, smtp_server, live_server, "reminders", "run", "--now", when)
    assert len(smtp_server.recorder.to("contact@paynova.ma")) == 2

    # unsubscribe from the e-mail's link, in a browser that is not signed in
    link = str(alert["List-Unsubscribe"]).strip().strip("<>")
    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(link)
    other.get_by_role("button", name="Me désabonner").click()
    expect(other.get_by_role("status")).to_contain_text("ne vous enverra plus d'e-mails")
    stranger.close()
    page.goto("/me/alerts")
    expect(page.locator("li.alert .badge")).to_have_text("désabonnée")
    tremplin(web_seed, smtp_server, live_server, "alerts", "run")
    assert len(smtp_server.recorder.to("contact@paynova.ma")) == 2


def test_matches_page_counts_sorts_pages_and_hides(page: Any, web_seed: WebSeed) -> None:
    sign_in(page, web_seed.keys["other_startup"])
    expect(page.locator(".matches-total")).to_contain_text("recommandé")
    total = int(re.search(r"\d+", page.locator(".matches-total").inner_text()).group())
    first = page.locator("li.match h2 a").first
    title = first.inner_text()
    assert first.get_attribute("href").startswith("/tender/")
    page.get_by_label("Trier par").select_option("deadline")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"sort=deadline"))
    deadlines = page.locator("li.match time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert deadlines == sorted(deadlines)
    # hide one tender, find it in the hidden list, bring it back
    page.goto("/me/matches")
    card = page.locator("li.match").filter(has=page.get_by_role("link", name=title, exact=True))
    card.get_by_role("button", name="Pas pertinent").click()
    expect(page.locator("li.match").filter(has=page.get_by_role("link", name=title, exact=True))).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"Appels d'offres masqués \(1\)")).click()
    expect(page.locator("li.hidden-tender")).to_contain_text(title)
    page.get_by_role("button", name="Afficher de nouveau").click()
    expect(page.locator(".flash")).to_contain_text("revient dans vos recommandations")
    page.goto("/me/matches")
    expect(page.locator(".matches-total")).to_contain_text(str(total))
