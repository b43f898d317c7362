"""Large realistic corpora for benchmarks: startups and tenders composed from sector vocabularies.

Not sample data (that is hand-shaped in data/): this makes 10k startups and 100k tenders whose texts
vary enough for indexes and rankers to be measured honestly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from matcher.schemas import MOROCCAN_REGIONS

SECTORS: dict[str, dict[str, list[str]]] = {
    "fintech": {
        "cpv": ["66110000", "72212000", "48812000", "72260000"],
        "fr": ["plateforme de paiement mobile", "monétique et cartes bancaires", "portefeuille électronique",
               "API bancaires ouvertes", "lutte contre la fraude aux paiements", "encaissement des taxes en ligne"],
        "en": ["mobile payment platform", "card processing", "digital wallet", "open banking APIs"],
        "ar": ["منصة الأداء عبر الهاتف المحمول", "الأداء الإلكتروني للرسوم", "المحفظة الإلكترونية"],
    },
    "govtech": {
        "cpv": ["72212000", "48000000", "72413000", "79999100"],
        "fr": ["portail de services en ligne", "dématérialisation des procédures", "gestion électronique des documents",
               "guichet unique numérique", "signature électronique", "archivage numérique"],
        "en": ["e-government portal", "digital document management", "electronic signature"],
        "ar": ["بوابة الخدمات الإلكترونية", "رقمنة المساطر الإدارية", "الأرشفة الرقمية"],
    },
    "healthtech": {
        "cpv": ["48814000", "33100000", "85100000", "72212000"],
        "fr": ["système d'information hospitalier", "dossier patient informatisé", "télémédecine",
               "gestion de la pharmacie hospitalière", "imagerie médicale"],
        "en": ["hospital information system", "telemedicine platform", "electronic health records"],
        "ar": ["نظام المعلومات الاستشفائي", "الطب عن بعد", "الملف الطبي الإلكتروني"],
    },
    "edtech": {
        "cpv": ["80420000", "48190000", "80500000", "72212000"],
        "fr": ["plateforme d'apprentissage en ligne", "formation à distance", "contenus pédagogiques numériques",
               "gestion de scolarité"],
        "en": ["e-learning platform", "online training", "digital learning content"],
        "ar": ["منصة التعلم عن بعد", "التكوين الرقمي", "المحتوى البيداغوجي الرقمي"],
    },
    "agritech": {
        "cpv": ["42122000", "43320000", "77300000", "38000000"],
        "fr": ["irrigation goutte-à-goutte intelligente", "capteurs d'humidité des sols", "pompage solaire",
               "gestion de l'eau agricole", "suivi des cultures par satellite"],
        "en": ["smart drip irrigation", "soil moisture sensors", "solar water pumping"],
        "ar": ["الري الذكي بالتنقيط", "الضخ بالطاقة الشمسية", "تدبير مياه السقي"],
    },
    "cleantech": {
        "cpv": ["09331200", "09332000", "45261215", "71314000"],
        "fr": ["centrales solaires photovoltaïques", "efficacité énergétique des bâtiments", "éclairage public LED",
               "audit énergétique"],
        "en": ["solar photovoltaic plants", "building energy efficiency", "LED street lighting"],
        "ar": ["الألواح الشمسية الكهروضوئية", "النجاعة الطاقية للبنايات", "الإنارة العمومية"],
    },
    "cybersecurity": {
        "cpv": ["72212730", "79417000", "72600000", "48730000"],
        "fr": ["audit de sécurité des systèmes d'information", "tests d'intrusion", "centre de supervision SOC",
               "protection des données personnelles"],
        "en": ["security audit", "penetration testing", "security operations centre"],
        "ar": ["افتحاص أمن نظم المعلومات", "اختبارات الاختراق", "حماية المعطيات الشخصية"],
    },
    "data": {
        "cpv": ["72300000", "72316000", "48600000", "73000000"],
        "fr": ["plateforme de données et tableaux de bord", "intelligence artificielle", "analyse prédictive",
               "entrepôt de données", "traitement automatique des langues"],
        "en": ["data platform and dashboards", "artificial intelligence", "predictive analytics"],
        "ar": ["منصة البيانات ولوحات القيادة", "الذكاء الاصطناعي", "التحليل التنبؤي"],
    },
    "mobility": {
        "cpv": ["60000000", "34000000", "63712000", "48921000"],
        "fr": ["gestion de flotte connectée", "billettique des transports", "optimisation des tournées de livraison",
               "stationnement intelligent"],
        "en": ["connected fleet management", "transport ticketing", "delivery route optimisation"],
        "ar": ["تدبير الأسطول المتصل", "التذاكر الإلكترونية للنقل", "تحسين مسارات التوصيل"],
    },
    "construction": {
        "cpv": ["45233120", "45000000", "45210000", "71000000"],
        "fr": ["travaux de voirie et revêtement routier", "construction de bâtiments administratifs",
               "réhabilitation de réseaux d'assainissement", "aménagement urbain"],
        "en": ["road paving works", "construction of administrative buildings", "urban development works"],
        "ar": ["أشغال التهيئة الطرقية", "بناء مقرات إدارية", "تأهيل شبكات التطهير"],
    },
    "services": {
        "cpv": ["90910000", "55520000", "79800000", "79340000"],
        "fr": ["nettoyage des locaux", "restauration collective", "impression et reprographie",
               "communication et événementiel"],
        "en": ["office cleaning", "catering services", "printing services", "communication campaigns"],
        "ar": ["تنظيف المقرات", "الإطعام الجماعي", "الطباعة والنسخ"],
    },
}  # fmt: skip

TENDER_OPENERS = {
    "fr": ["Appel d'offres ouvert pour", "Consultation relative à", "Mise en place d'une solution de",
           "Acquisition et déploiement de", "Prestations de"],
    "en": ["Call for tenders for", "Supply and deployment of", "Services of"],
    "ar": ["طلب عروض مفتوح من أجل", "استشارة بخصوص", "اقتناء وتركيب"],
}  # fmt: skip
STARTUP_OPENERS = {
    "fr": ["Startup spécialisée dans", "Nous développons des solutions de", "Entreprise innovante en"],
    "en": ["Startup specialised in", "We build solutions for"],
    "ar": ["شركة ناشئة متخصصة في", "نطور حلولا في مجال"],
}  # fmt: skip
KINDS = ["ministry", "public_enterprise", "local_authority", "corporate", "bank"]
CERTIFICATIONS = ["ISO 9001", "ISO 27001", "ISO 14001", "PCI DSS"]


def _language(rng: random.Random) -> str:
    return rng.choices(["fr", "ar", "en"], weights=[65, 20, 15])[0]


def synth_startups(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    names = list(SECTORS)
    for n in range(count):
        sector = rng.choice(names)
        vocab = SECTORS[sector]
        lang = _language(rng)
        topics = rng.sample(vocab[lang], k=min(2, len(vocab[lang])))
        description = f"{rng.choice(STARTUP_OPENERS[lang])} {topics[0]}" + (f", {topics[1]}" if len(topics) > 1 else "")
        yield {
            "external_id": f"SYN-ST-{n:06d}",
            "name": f"Synth {sector.title()} {n}",
            "description": description + ".",
            "sectors": [sector],
            "tags": rng.sample(vocab["fr"], k=2),
            "cpv_codes": rng.sample(vocab["cpv"], k=2),
            "region": rng.choice(MOROCCAN_REGIONS),
            "founding_year": rng.randint(2012, 2025),
            "headcount": rng.randint(2, 150),
            "annual_revenue": float(rng.randint(2, 400) * 50_000),
            "certifications": rng.sample(CERTIFICATIONS, k=rng.choice([0, 0, 1, 2])),
            "references_count": rng.choice([0, 0, 1, 2, 3, 5, 8]),
            "preferred_language": lang,
            "contact_email": f"contact{n}@synth.example.ma",
        }


def synth_tenders(count: int, seed: int = 2, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    names = list(SECTORS)
    for n in range(count):
        sector = rng.choice(names)
        vocab = SECTORS[sector]
        lang = _language(rng)
        topic = rng.choice(vocab[lang])
        detail = rng.choice(vocab[lang])
        published = now - timedelta(days=rng.randint(0, 40))
        status = rng.choices(["open", "closed", "awarded", "cancelled"], weights=[70, 15, 10, 5])[0]
        deadline = published + timedelta(days=rng.randint(10, 70)) if status == "open" else published
        value = float(rng.randint(3, 400) * 50_000) * (5 if sector == "construction" else 1)
        buyer = rng.randint(0, 499)
        yield {
            "external_id": f"SYN-AO-{n:07d}",
            "title": f"{rng.choice(TENDER_OPENERS[lang])} {topic}",
            "description": f"{topic}; {detail}. Lot unique, {rng.choice(MOROCCAN_REGIONS)}.",
            "buyer_external_id": f"SYN-B-{buyer:03d}",
            "buyer_name": f"Acheteur synthétique {buyer}",
            "buyer_kind": KINDS[buyer % len(KINDS)],
            "cpv_codes": [rng.choice(vocab["cpv"])],
            "region": rng.choice(MOROCCAN_REGIONS),
            "estimated_value": value,
            "published_at": published.isoformat(),
            "deadline_at": deadline.isoformat(),
            "status": status,
            "language": lang,
            "min_references": rng.choice([None, None, 1, 2, 3]),
            "min_years_in_business": rng.choice([None, None, 2, 3]),
            "required_certifications": rng.sample(CERTIFICATIONS, k=rng.choice([0, 0, 0, 1])),
            "reserved_for_sme": rng.random() < 0.3,
        }
