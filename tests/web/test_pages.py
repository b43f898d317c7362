"""Web pages over HTTP (no browser): sign-in, session cookie, CSRF, roles, language, forms."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.store import Store, keys
from matcher.store.feedback import list_feedback
from matcher.store.repository import get_startup
from service.web.i18n import Translator
from service.web.session import COOKIE_NAME, SECRET_FILE, stored_secret
from tests.web.conftest import WebSeed, build_app, make_seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    return make_seed(tmp_path_factory.mktemp("web-pages") / "home", with_sample=False)


@pytest.fixture(scope="module")
def app_client(seed: WebSeed) -> Iterator[TestClient]:
    with TestClient(build_app(seed.settings)) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()
    return app_client


def token(client: TestClient, path: str = "/login") -> str:
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: TestClient, key: str, next_path: str = "") -> object:
    return client.post(
        "/login", data={"api_key": key, "csrf_token": token(client), "next": next_path}, follow_redirects=False
    )


def test_root_sends_visitors_to_sign_in_and_users_to_their_home(client: TestClient, seed: WebSeed) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    homes = {"startup": "/me/matches", "buyer": "/search", "staff": "/staff"}
    for role, home in homes.items():
        client.cookies.clear()
        assert sign_in(client, seed.keys[role]).headers["location"] == home  # type: ignore[attr-defined]
        assert client.get("/", follow_redirects=False).headers["location"] == home


def test_a_page_asks_for_sign_in_then_comes_back(client: TestClient, seed: WebSeed) -> None:
    response = client.get("/me/profile", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fme%2Fprofile"
    landed = sign_in(client, seed.keys["startup"], "/me/profile")
    assert landed.headers["location"] == "/me/profile"  # type: ignore[attr-defined]


def test_an_unknown_key_is_refused_with_a_readable_message(client: TestClient) -> None:
    response = client.post("/login", data={"api_key": "tpl_000000000000_nope", "csrf_token": token(client)})
    assert response.status_code == 401
    assert "Cette clé n'est pas valable" in unescape(response.text)
    assert "key" not in (client.cookies.get(COOKIE_NAME) or "")


def test_the_session_cookie_is_signed_http_only_and_same_site_lax(client: TestClient, seed: WebSeed) -> None:
    response = sign_in(client, seed.keys["startup"])
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert seed.keys["startup"] not in cookie  # the key itself never travels in the cookie
    assert client.get("/me/matches").status_code == 200
    forged = client.cookies[COOKIE_NAME][:-4] + "AAAA"
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, forged)
    assert client.get("/me/matches", follow_redirects=False).status_code == 303


def test_a_post_without_the_session_csrf_token_changes_nothing(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["startup"])
    store = Store(seed.settings)
    with store.session() as session:
        before = len(list_feedback(session, "S-PAY"))
    for data in (
        {"tender_id": "T-PAY", "verdict": "relevant"},
        {"tender_id": "T-PAY", "verdict": "relevant", "csrf_token": "x"},
    ):
        response = client.post("/startup/S-PAY/feedback", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert "Votre session a expiré" in response.text
    with store.session() as session:
        assert len(list_feedback(session, "S-PAY")) == before
    good = client.post(
        "/startup/S-PAY/feedback",
        data={"tender_id": "T-PAY", "verdict": "applied", "csrf_token": token(client, "/me/matches")},
        follow_redirects=False,
    )
    assert good.status_code == 303 and good.headers["location"].endswith("#tender-T-PAY")
    with store.session() as session:
        latest = list_feedback(session, "S-PAY")[0]
    assert (latest.tender_id, latest.verdict.value, latest.actor_role) == ("T-PAY", "applied", "startup")
    store.dispose()


def test_a_revoked_key_ends_the_web_session(client: TestClient, seed: WebSeed) -> None:
    store = Store(seed.settings)
    with store.session() as session:
        _, raw = keys.create_key(session, "staff", name="short-lived")
    sign_in(client, raw)
    assert client.get("/staff").status_code == 200
    with store.session() as session:
        keys.revoke_key(session, keys.split_key(raw)[0])  # type: ignore[index]
    store.dispose()
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_sign_in_never_redirects_to_another_site(client: TestClient, seed: WebSeed) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        assert sign_in(client, seed.keys["buyer"], target).headers["location"] == "/search"  # type: ignore[attr-defined]


def test_each_role_only_opens_its_own_pages(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["startup"])
    for path in ("/startup/S-AGRI/matches", "/startup/S-AGRI/profile", "/staff", "/staff/digests", "/search"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Accès refusé" in response.text and "<html" in response.text
    client.cookies.clear()
    sign_in(client, seed.keys["buyer"])
    for path in ("/staff", "/staff/import", "/me/matches", "/startup/S-PAY/matches"):
        assert client.get(path).status_code == 403, path
    client.cookies.clear()
    sign_in(client, seed.keys["staff"])
    assert client.get("/startup/S-AGRI/matches").status_code == 200
    assert client.get("/me/matches", follow_redirects=False).headers["location"] == "/staff"
    assert client.get("/startup/S-NOPE/matches").status_code == 404


def test_french_by_default_english_on_request_and_remembered(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["startup"])
    page = unescape(client.get("/me/matches").text)
    assert '<html lang="fr"' in page and "Appels d'offres recommandés" in page
    assert re.search(r"J-\d+", page)
    english = client.get("/me/matches?lang=en").text
    assert '<html lang="en"' in english and "Recommended tenders" in english
    assert re.search(r"\d+ days left", english)
    assert "Recommended tenders" in client.get("/me/matches").text


def test_arabic_profile_text_is_marked_for_right_to_left_reading(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["staff"])
    page = client.get("/startup/S-DATA/matches").text
    assert '<span dir="auto">بيانات المغرب</span>' in page


def test_deadline_countdown_reads_j_minus_n_in_french_and_days_left_in_english() -> None:
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    deadline = datetime(2026, 3, 14, 16, tzinfo=UTC)
    assert Translator("fr").countdown(deadline, now) == "J-12"
    assert Translator("en").countdown(deadline, now) == "12 days left"
    assert Translator("fr").countdown(datetime(2026, 3, 1, tzinfo=UTC), now) == "Clôturé"
    assert Translator("en").countdown(None, now) == "No deadline"


def test_profile_errors_are_shown_next_to_their_field_and_nothing_is_stored(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["other_startup"])
    form = {
        "csrf_token": token(client, "/me/profile"),
        "name": "AgriSense",
        "description": "Capteurs connectés pour l'irrigation.",
        "headcount": "-4",
        "contact_email": "pas-une-adresse",
        "cpv_codes": "38000000",
        "preferred_language": "fr",
    }
    response = client.post("/me/profile", data=form)
    assert response.status_code == 422
    assert 'id="headcount_error">La valeur doit être supérieure ou égale à 0.<' in response.text
    assert 'id="contact_email_error"' in response.text
    assert 'value="pas-une-adresse"' in response.text  # what was typed is kept
    store = Store(seed.settings)
    with store.session() as session:
        assert get_startup(session, "S-AGRI").headcount == 8
    form.update(headcount="9", contact_email="hello@agrisense.ma", digest_opt_in="1")
    saved = client.post("/me/profile", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/me/profile"
    with store.session() as session:
        startup = get_startup(session, "S-AGRI")
        assert (startup.headcount, startup.description) == (9, "Capteurs connectés pour l'irrigation.")
    store.dispose()
    assert "Profil enregistré" in client.get("/me/profile").text


def test_staff_import_shows_the_row_level_report(client: TestClient, seed: WebSeed) -> None:
    sign_in(client, seed.keys["staff"])
    csv = (
        "external_id,name,description,headcount,region\n"
        "S-NEW,Darija Voice,Reconnaissance vocale en darija pour les centres d'appels,6,Casablanca-Settat\n"
        "S-BAD,Broken Co,Ligne invalide,-3,Casablanca-Settat\n"
    )
    response = client.post(
        "/staff/import",
        data={"kind": "startups", "format": "", "csrf_token": token(client, "/staff/import")},
        files={"file": ("startups.csv", csv.encode(), "text/csv")},
    )
    assert response.status_code == 200
    report = response.text
    rejected_row = re.search(r"<tr><td>3</td><td[^>]*>headcount</td><td[^>]*>S-BAD</td><td>([^<]*)</td>", report)
    assert rejected_row, report[-3000:]
    assert rejected_row.group(1) == "La valeur doit être supérieure ou égale à 0."  # pydantic's error, in French
    assert "lignes enregistrées 1, rejetées 1" in report
    store = Store(seed.settings)
    with store.session() as session:
        assert get_startup(session, "S-NEW").name == "Darija Voice"
    store.dispose()
    assert client.get("/staff").status_code == 200


def test_without_a_configured_secret_one_is_created_once_in_the_state_folder(tmp_path: Path) -> None:
    first = stored_secret(tmp_path / "home")
    assert len(first) >= 32
    assert stored_secret(tmp_path / "home") == first  # sessions survive a restart
    secret_file = tmp_path / "home" / SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stored_secret(tmp_path / "other") != first


def test_templates_can_use_jinja2_gettext_as_well_as_t() -> None:
    """Jinja2's i18n extension is installed: `_()`, `{% trans %}` and `ngettext` read the same catalogue."""
    from service.web.render import templates

    template = templates.env.from_string(
        "{{ _('login_title') }}|{% trans name='Amina' %}signed_in_as{% endtrans %}|"
        "{{ ngettext('recipients_found', 'recipients_found', 3) }}|{{ t('logout_title') }}"
    )
    for lang, expected in (
        ("fr", "Connexion|Connecté : Amina|3 récapitulatifs|Déconnexion"),
        ("ar", "تسجيل الدخول|متصل: Amina|3 نشرات|تسجيل الخروج"),
    ):
        t = Translator(lang)
        assert template.render(t=t, _=t.gettext, gettext=t.gettext, ngettext=t.ngettext) == expected


def test_track_record_note_reads_in_each_language() -> None:
    from matcher.ranking.results import Explanation, Reason

    note = Reason(code="track_record_note", params={"count": 2, "cpv": "72000000"}, message="2 verified …")
    explanation = Explanation(summary="", track_record=note.message, track_record_detail=note)
    assert Translator("fr").track_record(explanation) == "2 marchés publics vérifiés en Services informatiques"
    assert Translator("ar").track_record(explanation) == "صفقتان عموميتان موثقتان في مجال خدمات المعلوميات"
    assert Translator("en").track_record(explanation) == "2 verified public contracts in IT services"
