"""Every web page and the digest e-mails in French, English and Arabic, in a real browser.

Arabic pages are laid out right to left; French and Arabic pages carry no English sentence. English is
detected with marker words: words of the English catalogue that no French or Arabic message uses. Data
text (titles, profiles: marked ``dir="auto"``) is whatever language its author wrote, so it is not checked.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from matcher.i18n import LANGUAGES
from matcher.store import Startup, Store
from tests.i18n.markers import english_in
from tests.web.conftest import WebSeed, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

MAX_PAGES = 30  # per role and language; pages of the same shape (ids replaced) are visited twice at most
# The visible words of a page, and the words people hear or see in attributes; data text excluded.
VISIBLE_TEXT = """(root) => {
  root = root || document.body;
  const skip = 'script,style,textarea,pre,code,[dir="auto"],[translate="no"]';
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (text && el && !el.closest(skip)) out.push(text);
  }
  for (const el of root.querySelectorAll('[placeholder],[aria-label],[title],input[type=submit]')) {
    if (el.closest(skip)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'value']) {
      if (el.getAttribute(name) && (name !== 'value' || el.type === 'submit')) out.push(el.getAttribute(name));
    }
  }
  out.push(root.ownerDocument.title);
  return out;
}"""


def _shape(path: str) -> str:
    return re.sub(r"/[^/]*\d[^/]*", "/<id>", path)


DOWNLOADS = (".ics", ".csv", ".atom", ".eml", ".json", ".png")


def crawl(page: Any, start: str, lang: str) -> dict[str, list[str]]:
    """Visit the pages reachable from `start` in `lang`; {url: English texts found} (for fr/ar pages)."""
    found: dict[str, list[str]] = {}
    queue, seen, shapes = deque([start]), {start}, {}  # type: ignore[var-annotated]
    while queue and len(found) < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
        html = page.locator("html")
        expect(html).to_have_attribute("lang", lang)
        expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        found[url] = english_in(page.evaluate(VISIBLE_TEXT)) if lang != "en" else []
        for href in page.locator("a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if "lang=" in parts.query or parts.path.startswith(("/web-static", "/docs", "/redoc", "/openapi")):
                continue
            if parts.path.endswith(DOWNLOADS) or "/export" in parts.path:  # files, not pages
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            shape = _shape(parts.path)
            if target not in seen and shapes.get(shape, 0) < 2:
                seen.add(target)
                shapes[shape] = shapes.get(shape, 0) + 1
                queue.append(target)
    return found


@pytest.fixture(scope="module")
def batch_url(browser: Any, live_server: str, web_seed: WebSeed) -> Iterator[str]:
    """A digest batch for the seeded startups (French, English and Arabic readers), prepared by staff."""
    store = Store(web_seed.settings)
    _set_language(store, "S-AGRI", "en")  # the seed has French and Arabic readers: one reads English
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, web_seed.keys["staff"])
    page.goto("/staff/digests?lang=fr")
    page.get_by_label("Semaine").fill("2026-W12")
    page.get_by_label("Destinataires").select_option("startup")
    page.get_by_role("button", name="Préparer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-W12")
    url = urlsplit(page.url).path
    context.close()
    yield url
    _set_language(store, "S-AGRI", "fr")
    store.dispose()


def _set_language(store: Store, startup_id: str, lang: str) -> None:
    with store.session() as session:
        session.execute(update(Startup).where(Startup.external_id == startup_id).values(preferred_language=lang))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ["startup", "buyer", "staff"])
def test_every_page_speaks_the_readers_language(
    browser: Any, live_server: str, web_seed: WebSeed, batch_url: str, role: str, lang: str
) -> None:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, web_seed.keys[role])
        page.goto(f"/?lang={lang}")
        start = urlsplit(page.url).path
        found = crawl(page, start, lang)
        results = "/search?q=paiement+mobile&query=paiement+mobile&go=1"
        extra = {
            "staff": [
                batch_url,
                "/startup/S-NOPE/matches",
                "/search?q=paiement+mobile&query=paiement+mobile&go=1",
            ],  # 404 page, results
            "buyer": [results, "/staff"],  # results, a 403 page
            "startup": ["/staff", "/search"],
        }[role]
        for url in extra:
            found |= crawl(page, url, lang) if url == batch_url else {url: _one(page, url, lang)}
        page.goto(f"/login?lang={lang}")  # signed in: still answers in the language
        english = {url: texts for url, texts in found.items() if texts}
        assert len(found) >= 3, f"only {list(found)} visited"
        assert not english, f"English on {lang} pages: {english}"
    finally:
        context.close()


def _one(page: Any, url: str, lang: str) -> list[str]:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    return english_in(page.evaluate(VISIBLE_TEXT)) if lang != "en" else []


def test_sign_in_page_in_each_language(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    for lang, button in (("fr", "Se connecter"), ("en", "Sign in"), ("ar", "دخول")):
        page.goto(f"/login?lang={lang}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        expect(page.get_by_role("button", name=button)).to_be_visible()
        assert not (english_in(page.evaluate(VISIBLE_TEXT)) if lang != "en" else [])
    context.close()


def test_digest_emails_in_each_language(browser: Any, live_server: str, web_seed: WebSeed, batch_url: str) -> None:
    """The e-mail preview of each recipient: in its language, Arabic right to left, no English in fr/ar."""
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, web_seed.keys["staff"])
    page.goto(f"{batch_url}?lang=fr")
    links = page.locator("a[href*='/preview']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    seen: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for href in links:
        page.goto(href)
        text = page.locator("pre.email-text")
        lang = str(text.get_attribute("lang"))
        frame = page.frame_locator("iframe.email")
        email_html = frame.locator("html")
        expect(email_html).to_have_attribute("lang", lang)
        expect(email_html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        subject = page.locator("dd[dir='auto']").first.inner_text()
        assert not re.search(r"W\d{2}", subject), f"the subject shows an ISO week code: {subject}"
        seen.setdefault(lang, href)
        if lang != "en":
            body = frame.locator("body").evaluate(VISIBLE_TEXT)
            english = english_in([*text.inner_text().splitlines(), subject, *body])
            if english:
                problems[href] = english
    assert set(seen) == {"fr", "en", "ar"}, f"previews found for {sorted(seen)} only"
    assert not problems, f"English in French/Arabic e-mails: {problems}"
    context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_import_rejects_read_in_the_readers_language(
    browser: Any, live_server: str, web_seed: WebSeed, tmp_path: Any, lang: str
) -> None:
    """Rejected rows (pydantic and domain checks alike) give their reason in French or Arabic, not English."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, web_seed.keys["staff"])
    upload = tmp_path / "tenders.csv"
    upload.write_text(
        "external_id,title,buyer_external_id,cpv_codes,deadline_at,estimated_value,zzz_extra\n"
        f"T-{lang}-1,Montant négatif,B-CASA,72000000,2099-01-31,-5,x\n"
        f"T-{lang}-2,Code CPV tronqué,B-CASA,72,2099-01-31,1000,x\n"
        f"T-{lang}-3,,B-CASA,72000000,2099-01-31,1000,x\n",
        encoding="utf-8",
    )
    page.goto(f"/staff/import?lang={lang}")
    page.locator("#kind").select_option("tenders")
    page.locator("#file").set_input_files(str(upload))
    page.locator("form button[type=submit]").last.click()
    rows = page.locator("table.rejects tbody tr")
    expect(rows).to_have_count(3)
    reasons = rows.locator("td:last-child").all_inner_texts()
    assert not english_in(reasons), reasons
    expected = {"fr": "n'est pas un code CPV", "ar": "ليس رمز CPV"}[lang]
    assert any(expected in reason for reason in reasons), reasons
    warning = {"fr": "Colonne « zzz_extra » inconnue", "ar": "العمود «zzz_extra» ليس حقلا"}[lang]
    expect(page.locator("main")).to_contain_text(warning)  # the unknown column's warning, in the reader's words
    assert not english_in(page.evaluate(VISIBLE_TEXT))
    context.close()
