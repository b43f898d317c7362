# ruff: noqa: E501  (this file is mostly prose: sentence pools in French, Arabic and English)
"""Write the bundled sample data: data/startups.csv, data/buyers.csv and data/tenders.jsonl.

Everything here is written by the project and fictional (names, companies, tenders), set in Morocco.
Texts are assembled from several sentence pools per sector and language, so that no two descriptions
are the same template with a different name. The random seed is fixed: the same script always writes
the same bytes. Dates are absolute, anchored on matcher.datasets.sample.ANCHOR; the loader shifts them to the
load date.

    .venv/bin/python scripts/make_sample_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from matcher.datasets.sample import ANCHOR, BUYERS_FILE, STARTUPS_FILE, TENDERS_FILE
from matcher.schemas import MOROCCAN_REGIONS

SEED = 20260105
N_STARTUPS = 168
N_TENDERS = 432
MOROCCO = timezone(timedelta(hours=1))
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# The data tables below are kept one record per line (`fmt: off`), like a spreadsheet.
# fmt: off
# --------------------------------------------------------------------------------------------------
# Geography: region -> cities (French, Arabic); the first city is the regional capital.
# --------------------------------------------------------------------------------------------------
GEO: dict[str, list[tuple[str, str]]] = {
    "Tanger-Tétouan-Al Hoceïma": [("Tanger", "طنجة"), ("Tétouan", "تطوان"), ("Al Hoceïma", "الحسيمة"), ("Larache", "العرائش")],
    "L'Oriental": [("Oujda", "وجدة"), ("Nador", "الناظور"), ("Berkane", "بركان")],
    "Fès-Meknès": [("Fès", "فاس"), ("Meknès", "مكناس"), ("Taza", "تازة"), ("Ifrane", "إفران")],
    "Rabat-Salé-Kénitra": [("Rabat", "الرباط"), ("Salé", "سلا"), ("Kénitra", "القنيطرة"), ("Témara", "تمارة")],
    "Béni Mellal-Khénifra": [("Béni Mellal", "بني ملال"), ("Khouribga", "خريبكة"), ("Khénifra", "خنيفرة")],
    "Casablanca-Settat": [("Casablanca", "الدار البيضاء"), ("Mohammedia", "المحمدية"), ("El Jadida", "الجديدة"), ("Settat", "سطات"), ("Berrechid", "برشيد")],
    "Marrakech-Safi": [("Marrakech", "مراكش"), ("Safi", "آسفي"), ("Essaouira", "الصويرة")],
    "Drâa-Tafilalet": [("Errachidia", "الرشيدية"), ("Ouarzazate", "ورزازات"), ("Zagora", "زاكورة")],
    "Souss-Massa": [("Agadir", "أكادير"), ("Taroudant", "تارودانت"), ("Tiznit", "تيزنيت")],
    "Guelmim-Oued Noun": [("Guelmim", "كلميم"), ("Tan-Tan", "طانطان")],
    "Laâyoune-Sakia El Hamra": [("Laâyoune", "العيون"), ("Boujdour", "بوجدور")],
    "Dakhla-Oued Ed-Dahab": [("Dakhla", "الداخلة")],
}
REGION_AR = {
    "Tanger-Tétouan-Al Hoceïma": "طنجة تطوان الحسيمة",
    "L'Oriental": "الشرق",
    "Fès-Meknès": "فاس مكناس",
    "Rabat-Salé-Kénitra": "الرباط سلا القنيطرة",
    "Béni Mellal-Khénifra": "بني ملال خنيفرة",
    "Casablanca-Settat": "الدار البيضاء سطات",
    "Marrakech-Safi": "مراكش آسفي",
    "Drâa-Tafilalet": "درعة تافيلالت",
    "Souss-Massa": "سوس ماسة",
    "Guelmim-Oued Noun": "كلميم واد نون",
    "Laâyoune-Sakia El Hamra": "العيون الساقية الحمراء",
    "Dakhla-Oued Ed-Dahab": "الداخلة وادي الذهب",
}
CITY_REGION = {city: region for region, cities in GEO.items() for city, _ in cities}
CITY_AR = {city: arabic for cities in GEO.values() for city, arabic in cities}
# Where startups live: most in the big tech hubs, a few everywhere else.
REGION_WEIGHTS = {
    "Casablanca-Settat": 30, "Rabat-Salé-Kénitra": 17, "Tanger-Tétouan-Al Hoceïma": 11, "Fès-Meknès": 9,
    "Marrakech-Safi": 9, "Souss-Massa": 8, "L'Oriental": 5, "Béni Mellal-Khénifra": 3, "Drâa-Tafilalet": 3,
    "Guelmim-Oued Noun": 2, "Laâyoune-Sakia El Hamra": 2, "Dakhla-Oued Ed-Dahab": 2,
}
# Technology parks and hubs (fictional names outside the four Technoparks).
PARKS = {
    "Casablanca": ("Technopark Casablanca", "تكنوبارك الدار البيضاء"),
    "Rabat": ("Technopark Rabat", "تكنوبارك الرباط"),
    "Tanger": ("Technopark Tanger", "تكنوبارك طنجة"),
    "Agadir": ("Technopark Agadir", "تكنوبارك أكادير"),
    "Fès": ("Pôle Innovation Fès", "قطب الابتكار بفاس"),
    "Oujda": ("Pôle Digital Oujda", "القطب الرقمي بوجدة"),
    "Marrakech": ("Hub Numérique Marrakech", "المركز الرقمي بمراكش"),
}


# --------------------------------------------------------------------------------------------------
# Buyers: (external id, name, French article, Arabic name, Arabic gender, kind, city, domains, opt-in).
# Domains say which tenders a buyer plausibly publishes ("any" topics fit every buyer).
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Buyer:
    external_id: str
    name: str
    article: str  # "le", "la", "l'", a prefix such as "la société", or "" for a brand name
    name_ar: str
    feminine_ar: bool
    kind: str
    city: str
    domains: tuple[str, ...]
    digest_opt_in: bool

    @property
    def region(self) -> str:
        return CITY_REGION[self.city]

    def the(self) -> str:
        if not self.article:
            return self.name
        return f"l'{self.name}" if self.article == "l'" else f"{self.article} {self.name}"

    def of(self) -> str:
        """'du Ministère…', 'de la Commune…', 'de l'Office…'."""
        if self.article == "le" or self.article.startswith("le "):
            return "du " + self.the()[3:]
        return "de " + self.the()


def _b(ext: str, name: str, art: str, ar: str, fem: bool, kind: str, city: str, domains: str, opt: bool) -> Buyer:
    return Buyer(ext, name, art, ar, fem, kind, city, tuple(domains.split()), opt)


BUYERS: list[Buyer] = [
    # ministries and their regional directorates
    _b("MA-MIN-NUM", "Ministère de l'Économie Numérique et de la Modernisation", "le", "وزارة الاقتصاد الرقمي وتحديث الإدارة", True, "ministry", "Rabat", "digital", True),
    _b("MA-MIN-SANTE", "Ministère de la Santé Publique et des Soins de Proximité", "le", "وزارة الصحة العمومية وعلاجات القرب", True, "ministry", "Rabat", "health", False),
    _b("MA-MIN-EDU", "Ministère de l'Éducation et des Compétences", "le", "وزارة التربية والكفاءات", True, "ministry", "Rabat", "education", False),
    _b("MA-MIN-AGRI", "Ministère de l'Agriculture et de l'Eau Rurale", "le", "وزارة الفلاحة والماء القروي", True, "ministry", "Rabat", "agri water", True),
    _b("MA-MIN-INFRA", "Ministère des Infrastructures et de la Logistique", "le", "وزارة البنيات التحتية واللوجستيك", True, "ministry", "Rabat", "infra logistics", False),
    _b("MA-MIN-ENERGIE", "Ministère de la Transition Énergétique Durable", "le", "وزارة الانتقال الطاقي المستدام", True, "ministry", "Rabat", "energy", False),
    _b("MA-MIN-TOURISME", "Ministère du Tourisme et de l'Artisanat Solidaire", "le", "وزارة السياحة والصناعة التقليدية التضامنية", True, "ministry", "Rabat", "tourism", False),
    _b("MA-MIN-FIN", "Ministère des Finances Publiques", "le", "وزارة المالية العمومية", True, "ministry", "Rabat", "finance digital", False),
    _b("MA-MIN-JUSTICE", "Ministère de la Justice et de l'Accès au Droit", "le", "وزارة العدل والولوج إلى القانون", True, "ministry", "Rabat", "justice digital", False),
    _b("MA-MIN-EMPLOI", "Ministère de l'Emploi et de l'Insertion des Jeunes", "le", "وزارة التشغيل وإدماج الشباب", True, "ministry", "Rabat", "employment education", True),
    _b("MA-MIN-CULTURE", "Ministère de la Jeunesse et de la Culture", "le", "وزارة الشباب والثقافة", True, "ministry", "Rabat", "tourism education", False),
    _b("MA-MIN-HABITAT", "Ministère de l'Habitat et de l'Aménagement Urbain", "le", "وزارة السكنى والتهيئة الحضرية", True, "ministry", "Rabat", "city infra", False),
    _b("MA-DRS-SOUSS", "Direction Régionale de la Santé de Souss-Massa", "la", "المديرية الجهوية للصحة بجهة سوس ماسة", True, "ministry", "Agadir", "health", True),
    _b("MA-DRS-LAAYOUNE", "Direction Régionale de la Santé de Laâyoune-Sakia El Hamra", "la", "المديرية الجهوية للصحة بجهة العيون الساقية الحمراء", True, "ministry", "Laâyoune", "health", False),
    _b("MA-DRI-DRAA", "Direction Régionale des Infrastructures de Drâa-Tafilalet", "la", "المديرية الجهوية للبنيات التحتية بجهة درعة تافيلالت", True, "ministry", "Errachidia", "infra", False),
    _b("MA-DPA-BENIMELLAL", "Direction Provinciale de l'Agriculture de Béni Mellal", "la", "المديرية الإقليمية للفلاحة ببني ملال", True, "ministry", "Béni Mellal", "agri water", False),
    # public enterprises and public establishments
    _b("MA-EP-OA-SOUSS", "Office Agricole du Souss-Massa", "l'", "المكتب الفلاحي لسوس ماسة", False, "public_enterprise", "Agadir", "agri water", True),
    _b("MA-EP-OA-TADLA", "Office Agricole du Tadla", "l'", "المكتب الفلاحي لتادلة", False, "public_enterprise", "Béni Mellal", "agri water", False),
    _b("MA-EP-OA-TAFILALET", "Office Agricole du Tafilalet", "l'", "المكتب الفلاحي لتافيلالت", False, "public_enterprise", "Errachidia", "agri water energy", False),
    _b("MA-EP-EAU", "Régie Nationale de l'Eau et de l'Assainissement", "la", "الوكالة الوطنية للماء والتطهير", True, "public_enterprise", "Rabat", "water", True),
    _b("MA-EP-REGIE-FES", "Régie Multiservices de Fès-Meknès", "la", "الوكالة المتعددة الخدمات لفاس مكناس", True, "public_enterprise", "Fès", "water energy city", False),
    _b("MA-EP-AMIN", "Agence Marocaine de l'Innovation Numérique", "l'", "الوكالة المغربية للابتكار الرقمي", True, "public_enterprise", "Rabat", "digital education", True),
    _b("MA-EP-CHU-ORIENTAL", "Centre Hospitalier Universitaire de l'Oriental", "le", "المركز الاستشفائي الجامعي لجهة الشرق", False, "public_enterprise", "Oujda", "health", False),
    _b("MA-EP-CHU-DETROIT", "Centre Hospitalier Universitaire du Détroit", "le", "المركز الاستشفائي الجامعي للمضيق", False, "public_enterprise", "Tanger", "health", False),
    _b("MA-EP-CHR-LAAYOUNE", "Centre Hospitalier Régional de Laâyoune", "le", "المركز الاستشفائي الجهوي بالعيون", False, "public_enterprise", "Laâyoune", "health", False),
    _b("MA-EP-ROUTES-NORD", "Société des Routes Express du Nord", "la", "شركة الطرق السريعة للشمال", True, "public_enterprise", "Tanger", "infra logistics", False),
    _b("MA-EP-PORTS-MED", "Agence des Ports de la Méditerranée", "l'", "وكالة موانئ المتوسط", True, "public_enterprise", "Tanger", "logistics industry", True),
    _b("MA-EP-SOLAIRE-SUD", "Agence Solaire du Sud", "l'", "الوكالة الشمسية للجنوب", True, "public_enterprise", "Ouarzazate", "energy", True),
    _b("MA-EP-UNIV-ATLAS", "Université Atlas de Marrakech", "l'", "جامعة الأطلس بمراكش", True, "public_enterprise", "Marrakech", "education", False),
    _b("MA-EP-UNIV-SOUSS", "Université du Souss", "l'", "جامعة سوس", True, "public_enterprise", "Agadir", "education", False),
    _b("MA-EP-AREF-ORIENTAL", "Académie Régionale d'Éducation et de Formation de l'Oriental", "l'", "الأكاديمية الجهوية للتربية والتكوين لجهة الشرق", True, "public_enterprise", "Oujda", "education", False),
    _b("MA-EP-OFM", "Office de la Formation et des Métiers", "l'", "مكتب التكوين والمهن", False, "public_enterprise", "Casablanca", "education employment", False),
    _b("MA-EP-CNPS", "Caisse Nationale de Prévoyance Sociale", "la", "الصندوق الوطني للاحتياط الاجتماعي", False, "public_enterprise", "Casablanca", "finance employment", False),
    _b("MA-EP-ADSA", "Agence de Développement du Sahara Atlantique", "l'", "وكالة تنمية الصحراء الأطلسية", True, "public_enterprise", "Laâyoune", "infra city energy", True),
    _b("MA-EP-ORT-DAKHLA", "Office Régional du Tourisme de Dakhla", "l'", "المكتب الجهوي للسياحة بالداخلة", False, "public_enterprise", "Dakhla", "tourism", False),
    _b("MA-EP-CASA-MOBILITE", "Casa Mobilité Urbaine", "la société de développement local", "شركة التنمية المحلية للتنقل الحضري بالدار البيضاء", True, "public_enterprise", "Casablanca", "city logistics", True),
    _b("MA-EP-AU-GUELMIM", "Agence Urbaine de Guelmim", "l'", "الوكالة الحضرية لكلميم", True, "public_enterprise", "Guelmim", "city", False),
    # local authorities: communes, regional and provincial councils
    _b("MA-COM-CASABLANCA", "Commune de Casablanca", "la", "جماعة الدار البيضاء", True, "local_authority", "Casablanca", "city", True),
    _b("MA-COM-RABAT", "Commune de Rabat", "la", "جماعة الرباط", True, "local_authority", "Rabat", "city tourism", False),
    _b("MA-COM-TANGER", "Commune de Tanger", "la", "جماعة طنجة", True, "local_authority", "Tanger", "city", True),
    _b("MA-COM-TETOUAN", "Commune de Tétouan", "la", "جماعة تطوان", True, "local_authority", "Tétouan", "city tourism", False),
    _b("MA-COM-FES", "Commune de Fès", "la", "جماعة فاس", True, "local_authority", "Fès", "city tourism", False),
    _b("MA-COM-MEKNES", "Commune de Meknès", "la", "جماعة مكناس", True, "local_authority", "Meknès", "city", False),
    _b("MA-COM-MARRAKECH", "Commune de Marrakech", "la", "جماعة مراكش", True, "local_authority", "Marrakech", "city tourism", True),
    _b("MA-COM-SAFI", "Commune de Safi", "la", "جماعة آسفي", True, "local_authority", "Safi", "city", False),
    _b("MA-COM-AGADIR", "Commune d'Agadir", "la", "جماعة أكادير", True, "local_authority", "Agadir", "city tourism", False),
    _b("MA-COM-TIZNIT", "Commune de Tiznit", "la", "جماعة تيزنيت", True, "local_authority", "Tiznit", "city", False),
    _b("MA-COM-OUJDA", "Commune d'Oujda", "la", "جماعة وجدة", True, "local_authority", "Oujda", "city", False),
    _b("MA-COM-NADOR", "Commune de Nador", "la", "جماعة الناظور", True, "local_authority", "Nador", "city", False),
    _b("MA-COM-KENITRA", "Commune de Kénitra", "la", "جماعة القنيطرة", True, "local_authority", "Kénitra", "city", False),
    _b("MA-COM-BENIMELLAL", "Commune de Béni Mellal", "la", "جماعة بني ملال", True, "local_authority", "Béni Mellal", "city", False),
    _b("MA-COM-ERRACHIDIA", "Commune d'Errachidia", "la", "جماعة الرشيدية", True, "local_authority", "Errachidia", "city", False),
    _b("MA-COM-OUARZAZATE", "Commune de Ouarzazate", "la", "جماعة ورزازات", True, "local_authority", "Ouarzazate", "city tourism energy", True),
    _b("MA-COM-ZAGORA", "Commune de Zagora", "la", "جماعة زاكورة", True, "local_authority", "Zagora", "city water", False),
    _b("MA-COM-GUELMIM", "Commune de Guelmim", "la", "جماعة كلميم", True, "local_authority", "Guelmim", "city", False),
    _b("MA-COM-LAAYOUNE", "Commune de Laâyoune", "la", "جماعة العيون", True, "local_authority", "Laâyoune", "city", False),
    _b("MA-COM-DAKHLA", "Commune de Dakhla", "la", "جماعة الداخلة", True, "local_authority", "Dakhla", "city tourism", False),
    _b("MA-CR-SOUSS", "Conseil Régional de Souss-Massa", "le", "مجلس جهة سوس ماسة", False, "local_authority", "Agadir", "city infra tourism agri", True),
    _b("MA-CR-ORIENTAL", "Conseil Régional de l'Oriental", "le", "مجلس جهة الشرق", False, "local_authority", "Oujda", "city infra energy", False),
    _b("MA-CR-DRAA", "Conseil Régional de Drâa-Tafilalet", "le", "مجلس جهة درعة تافيلالت", False, "local_authority", "Errachidia", "infra tourism water agri", False),
    _b("MA-CR-DAKHLA", "Conseil Régional de Dakhla-Oued Ed-Dahab", "le", "مجلس جهة الداخلة وادي الذهب", False, "local_authority", "Dakhla", "infra tourism energy", False),
    _b("MA-CP-KHOURIBGA", "Conseil Provincial de Khouribga", "le", "المجلس الإقليمي لخريبكة", False, "local_authority", "Khouribga", "infra city", False),
    _b("MA-CP-ALHOCEIMA", "Conseil Provincial d'Al Hoceïma", "le", "المجلس الإقليمي للحسيمة", False, "local_authority", "Al Hoceïma", "infra city", False),
    _b("MA-CP-TAROUDANT", "Conseil Provincial de Taroudant", "le", "المجلس الإقليمي لتارودانت", False, "local_authority", "Taroudant", "infra agri water", False),
    _b("MA-CP-KHENIFRA", "Conseil Provincial de Khénifra", "le", "المجلس الإقليمي لخنيفرة", False, "local_authority", "Khénifra", "infra city", False),
    # corporates
    _b("MA-CORP-ATLAS-MINERAIS", "Atlas Minerais et Engrais", "le groupe", "مجموعة أطلس للمعادن والأسمدة", True, "corporate", "Khouribga", "industry energy logistics", True),
    _b("MA-CORP-MARSA-LOG", "Marsa Logistique Industrielle", "la société", "شركة مرسى للوجستيك الصناعي", True, "corporate", "Tanger", "logistics industry", False),
    _b("MA-CORP-AUTO-DETROIT", "Automobiles du Détroit", "la société", "شركة سيارات المضيق", True, "corporate", "Tanger", "industry logistics", True),
    _b("MA-CORP-SAHARA-ENERGIE", "Sahara Énergie Distribution", "la société", "شركة الصحراء لتوزيع الطاقة", True, "corporate", "Laâyoune", "energy", False),
    _b("MA-CORP-ATLAS-HOTELS", "Atlas Riads et Hôtels", "le groupe", "مجموعة الأطلس للرياضات والفنادق", True, "corporate", "Marrakech", "tourism", True),
    _b("MA-CORP-MEDINA-TEL", "Médina Télécom", "la société", "شركة مدينة للاتصالات", True, "corporate", "Rabat", "digital industry", True),
    _b("MA-CORP-SOUSS-AGRO", "Souss Agro-Export", "la société", "شركة سوس للتصدير الفلاحي", True, "corporate", "Agadir", "agri logistics", False),
    _b("MA-CORP-CIMENTS-ORIENTAL", "Ciments de l'Oriental", "la société", "شركة إسمنت الشرق", True, "corporate", "Oujda", "industry energy", False),
    _b("MA-CORP-TEXTILE-FES", "Groupe Textile de Fès", "le", "مجموعة فاس للنسيج", True, "corporate", "Fès", "industry", False),
    _b("MA-CORP-ALAMANE", "Assurances Al Amane", "la compagnie", "شركة الأمان للتأمين", True, "corporate", "Casablanca", "finance", True),
    _b("MA-CORP-DAKHLA-AQUA", "Dakhla Aquaculture", "la société", "شركة الداخلة لتربية الأحياء المائية", True, "corporate", "Dakhla", "agri industry", False),
    _b("MA-CORP-TADLA-AGRUMES", "Tadla Agrumes", "la société", "شركة تادلة للحوامض", True, "corporate", "Béni Mellal", "agri", False),
    # banks
    _b("MA-BNK-BAMD", "Banque Atlantique Marocaine de Développement", "la", "البنك الأطلسي المغربي للتنمية", False, "bank", "Casablanca", "bank finance", True),
    _b("MA-BNK-CPN", "Crédit Populaire du Nord", "le", "القرض الشعبي للشمال", False, "bank", "Tanger", "bank finance", False),
    _b("MA-BNK-YOUSR", "Banque Al Yousr Participative", "la", "بنك اليسر التشاركي", False, "bank", "Casablanca", "bank finance", True),
    _b("MA-BNK-BAMR", "Banque Agricole du Monde Rural", "la", "البنك الفلاحي للعالم القروي", False, "bank", "Rabat", "bank finance agri", False),
    _b("MA-BNK-CEC", "Caisse d'Épargne Citoyenne", "la", "صندوق الادخار المواطن", False, "bank", "Rabat", "bank finance", False),
    _b("MA-BNK-CHAOUIA", "Banque Chaouia Finance", "la", "بنك الشاوية للتمويل", False, "bank", "Settat", "bank finance", False),
    _b("MA-BNK-BOI", "Banque de l'Oriental pour l'Investissement", "la", "بنك الشرق للاستثمار", False, "bank", "Oujda", "bank finance", True),
    _b("MA-BNK-SAHEL", "Sahel Bank Maroc", "", "بنك الساحل المغرب", False, "bank", "Marrakech", "bank finance", False),
    _b("MA-BNK-TAMWIL", "Tamwil Microcrédit", "l'institution", "مؤسسة تمويل للقروض الصغرى", True, "bank", "Fès", "bank finance", False),
]


# --------------------------------------------------------------------------------------------------
# Startup sectors: what companies of each sector offer, to whom, and how they say it, per language.
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """Sentence material of one sector in one language (noun phrases carry their article)."""

    domains: tuple[str, ...]
    offers: tuple[str, ...]
    clients: tuple[str, ...]
    extras: tuple[str, ...]


@dataclass(frozen=True)
class Sector:
    key: str
    weight: int
    sectors: tuple[str, ...]
    tags: tuple[str, ...]
    cpv: tuple[str, ...]
    tech: tuple[str, ...]
    roots: tuple[str, ...]
    certs: tuple[str, ...]
    regions: tuple[str, ...]
    refs: tuple[str, ...]
    fr: Pool
    ar: Pool
    en: Pool
    suffixes: tuple[str, ...] = ()


def _p(domains: list[str], offers: list[str], clients: list[str], extras: list[str]) -> Pool:
    return Pool(tuple(domains), tuple(offers), tuple(clients), tuple(extras))


TECH_SUFFIXES = ("Tech", "Lab", "Hub", "ia", "ly", "Link", "Nova", "Sys", "Way", "Go", "Wise", "Flow", " Solutions", " Maroc", " Digital")

SECTORS: list[Sector] = [
    Sector(
        "fintech", 14, ("fintech", "paiement"),
        ("paiement mobile", "mobile money", "wallet", "API bancaires", "open banking", "monétique", "e-KYC", "inclusion financière", "transfert d'argent"),
        ("48812000", "66172000", "72212100", "66110000"),
        ("Java", "Kotlin", "Spring Boot", "React Native", "PostgreSQL", "Kafka", "ISO 8583", "API REST", "HSM", "Flutter", "Node.js"),
        ("Tasdid", "Flouss", "Dirham", "Sahla", "Mizan", "Kanz", "Dafaa", "Rasid", "Sarf", "Amana"),
        ("PCI DSS", "ISO 27001"), ("Casablanca-Settat", "Rabat-Salé-Kénitra"),
        ("Paiement en ligne des droits d'inscription – {buyer}", "Portefeuille mobile pour une association de microcrédit", "Intégration d'une passerelle de paiement – {buyer}", "Application d'encaissement pour un réseau de 300 commerçants"),
        fr=_p(
            ["le paiement mobile et les services financiers numériques", "la monétique et les API bancaires", "l'inclusion financière par le mobile money"],
            ["une plateforme de paiement mobile interopérable", "un portefeuille électronique agréé", "des API bancaires ouvertes prêtes à l'emploi", "une passerelle de paiement en ligne par carte et par QR code", "une solution d'encaissement sur smartphone pour les commerçants", "un module de vérification d'identité à distance (e-KYC)"],
            ["les banques et les établissements de paiement", "les commerçants et les très petites entreprises", "les administrations qui encaissent des taxes et des redevances", "les opérateurs télécoms et les sociétés de transfert d'argent", "les communes qui veulent dématérialiser leurs recettes"],
            ["Son moteur de transactions traite plusieurs milliers de paiements par minute avec une disponibilité de 99,95 %.", "La solution se connecte au switch interbancaire national et réalise le rapprochement comptable automatiquement.", "Les clients paient par QR code, par carte bancaire ou avec un simple numéro de téléphone.", "L'équipe accompagne chaque client de l'intégration technique jusqu'à l'agrément auprès du régulateur."],
        ),
        ar=_p(
            ["الأداء عبر الهاتف المحمول والخدمات المالية الرقمية", "التكنولوجيا المالية والشمول المالي"],
            ["منصة للأداء الإلكتروني عبر الهاتف المحمول", "محفظة إلكترونية لتحويل الأموال", "واجهات برمجية بنكية مفتوحة", "حلا لتحصيل المدفوعات عبر رمز QR"],
            ["الأبناك ومؤسسات الأداء", "التجار والمقاولات الصغيرة جدا", "الجماعات الترابية والإدارات العمومية"],
            ["تتيح المنصة أداء الفواتير والرسوم بشكل آمن على مدار الساعة.", "ترتبط حلول الشركة بالنظام البنكي الوطني وتحترم معايير أمن المعاملات."],
        ),
        en=_p(
            ["mobile payments and digital financial services", "open banking infrastructure"],
            ["a mobile money wallet", "open banking APIs", "an online payment gateway with card and QR code acceptance", "a merchant acquiring app for small retailers"],
            ["banks and payment institutions", "merchants and small businesses", "public administrations collecting fees online"],
            ["Its transaction engine connects to the national interbank switch and reconciles payments automatically.", "Customers pay by card, QR code or phone number, with real-time settlement reporting."],
        ),
    ),
    Sector(
        "govtech", 10, ("govtech", "e-gouvernement"),
        ("dématérialisation", "e-services", "portail citoyen", "GED", "signature électronique", "bureau d'ordre digital", "e-administration"),
        ("72262000", "72413000", "48311000", "75100000"),
        ("Django", "Angular", "Vue.js", "Alfresco", "PostgreSQL", "Docker", "OAuth2", "Camunda"),
        ("Idara", "Watiqa", "eDoc", "Bawaba", "Civi", "Sijil", "Dossier", "Moukatab"),
        ("ISO 9001", "ISO 27001"), ("Rabat-Salé-Kénitra", "Casablanca-Settat", "Fès-Meknès"),
        ("Dématérialisation du bureau d'ordre – {buyer}", "Portail e-services des autorisations – {buyer}", "GED des archives administratives – {buyer}"),
        fr=_p(
            ["la transformation numérique des administrations", "la dématérialisation des procédures publiques"],
            ["un portail d'e-services pour les citoyens et les entreprises", "une solution de gestion électronique des documents et du courrier", "un bureau d'ordre digital avec signature électronique", "une plateforme de prise de rendez-vous et de suivi des demandes administratives", "un système de gestion des autorisations d'urbanisme en ligne"],
            ["les ministères et les établissements publics", "les communes et les conseils régionaux", "les agences urbaines et les préfectures"],
            ["Chaque procédure est modélisée puis publiée en ligne sans développement spécifique.", "Les usagers suivent leurs demandes par SMS et reçoivent leurs attestations signées électroniquement.", "La plateforme est hébergée au Maroc, conformément à la loi 09-08 sur la protection des données personnelles."],
        ),
        ar=_p(
            ["رقمنة الإدارة العمومية وتبسيط المساطر"],
            ["بوابة للخدمات الإلكترونية لفائدة المواطنين", "نظاما لتدبير الوثائق والمراسلات إلكترونيا", "مكتب ضبط رقمي مع التوقيع الإلكتروني"],
            ["الوزارات والمؤسسات العمومية", "الجماعات الترابية والمجالس الجهوية"],
            ["تمكن حلولها المرتفقين من تتبع طلباتهم عن بعد والحصول على الوثائق دون التنقل إلى الإدارة.", "تستضاف المنصة داخل المغرب طبقا للقانون 09.08 المتعلق بحماية المعطيات الشخصية."],
        ),
        en=_p(
            ["digital government services"],
            ["a citizen e-services portal", "an electronic document and mail management system", "a digital building permit platform"],
            ["ministries and public agencies", "municipalities and regional councils"],
            ["Procedures are modelled once and published online without custom code.", "All data is hosted in Morocco in line with law 09-08 on personal data."],
        ),
    ),
    Sector(
        "healthtech", 10, ("healthtech", "santé numérique"),
        ("télémédecine", "dossier patient", "SIH", "prise de rendez-vous", "e-santé", "imagerie médicale", "pharmacie hospitalière"),
        ("48814000", "72212100", "85140000", "33100000"),
        ("HL7 FHIR", "DICOM", "React", "Python", "PostgreSQL", "Flutter", "TensorFlow", "WebRTC"),
        ("Sehha", "Tabib", "Chifa", "MedLink", "Afia", "Docta", "Clinix", "Tamrid"),
        ("ISO 27001", "ISO 9001", "ISO 13485"), ("Casablanca-Settat", "Rabat-Salé-Kénitra", "L'Oriental", "Marrakech-Safi"),
        ("Téléconsultation pour 12 centres de santé ruraux", "Dossier patient informatisé – {buyer}", "Gestion des rendez-vous d'un centre hospitalier – {buyer}"),
        fr=_p(
            ["la santé numérique", "la télémédecine et les systèmes d'information hospitaliers"],
            ["un dossier patient informatisé interopérable", "une plateforme de téléconsultation sécurisée", "un système d'information hospitalier modulaire", "une application de prise de rendez-vous médicaux", "un logiciel de gestion de pharmacie hospitalière", "une solution d'aide au diagnostic en imagerie médicale fondée sur l'intelligence artificielle"],
            ["les hôpitaux publics et les centres de santé", "les cliniques privées et les cabinets médicaux", "les directions régionales de la santé"],
            ["Ses modules respectent les standards HL7 FHIR et DICOM pour échanger avec les équipements existants.", "La téléconsultation fonctionne même avec une connexion 3G, ce qui compte dans les zones rurales.", "Les données de santé sont chiffrées et hébergées chez un hébergeur agréé au Maroc."],
        ),
        ar=_p(
            ["الصحة الرقمية والطب عن بعد"],
            ["منصة للاستشارة الطبية عن بعد", "ملفا طبيا إلكترونيا للمرضى", "نظاما معلوماتيا استشفائيا"],
            ["المستشفيات العمومية والمراكز الصحية", "المصحات الخاصة والعيادات"],
            ["تساعد حلولها على تقريب الخدمات الصحية من ساكنة العالم القروي.", "تحترم المنصة معايير تبادل المعطيات الطبية وتضمن سريتها."],
        ),
        en=_p(
            ["digital health"],
            ["a telemedicine platform", "an interoperable electronic health record", "an AI-assisted radiology reading tool"],
            ["public hospitals and health centres", "private clinics"],
            ["Its modules speak HL7 FHIR and DICOM, so they plug into existing hospital equipment.", "Teleconsultation works on low-bandwidth connections in rural areas."],
        ),
    ),
    Sector(
        "edtech", 9, ("edtech", "formation"),
        ("e-learning", "LMS", "formation à distance", "classes virtuelles", "soutien scolaire", "compétences numériques"),
        ("80420000", "48190000", "80500000", "80530000"),
        ("Moodle", "React", "Node.js", "H5P", "Laravel", "WebRTC", "Flutter", "SCORM"),
        ("Taalim", "Madrasa", "Learn", "Dars", "Kalam", "Ilm", "Skill", "Qalam"),
        ("ISO 9001", "ISO 21001"), ("Rabat-Salé-Kénitra", "Casablanca-Settat", "Fès-Meknès", "L'Oriental"),
        ("Plateforme e-learning – {buyer}", "Formation de 800 enseignants au numérique", "Parcours de formation continue des agents – {buyer}"),
        fr=_p(
            ["la formation en ligne", "les technologies éducatives"],
            ["une plateforme d'apprentissage en ligne bilingue", "des classes virtuelles adaptées aux faibles débits", "des parcours de formation aux compétences numériques", "une application de soutien scolaire en arabe et en français", "un studio de production de contenus pédagogiques interactifs"],
            ["les académies régionales et les établissements scolaires", "les universités et les écoles d'ingénieurs", "les services de formation des grandes entreprises", "les centres de formation professionnelle"],
            ["Les contenus sont conformes SCORM et s'intègrent aux plateformes existantes.", "Plus de 40 000 apprenants suivent déjà ses parcours, du collège à la formation continue.", "Les contenus sont produits en darija, en arabe classique et en français."],
        ),
        ar=_p(
            ["التعليم الرقمي والتكوين عن بعد"],
            ["منصة للتعلم عن بعد", "أقساما افتراضية تفاعلية", "برامج للتكوين في المهارات الرقمية"],
            ["الأكاديميات الجهوية والمؤسسات التعليمية", "الجامعات ومراكز التكوين المهني"],
            ["تنتج الشركة المحتويات البيداغوجية باللغتين العربية والفرنسية.", "تعمل المنصة حتى مع صبيب إنترنت ضعيف في المناطق القروية."],
        ),
        en=_p(
            ["education technology"],
            ["a bilingual learning management system", "virtual classrooms designed for low bandwidth", "digital skills bootcamps"],
            ["universities and engineering schools", "corporate training departments"],
            ["Its content is SCORM compliant and plugs into existing platforms.", "More than 40,000 learners already follow its courses."],
        ),
    ),
    Sector(
        "agritech", 10, ("agritech", "irrigation"),
        ("irrigation intelligente", "goutte-à-goutte", "capteurs d'humidité", "agriculture de précision", "coopératives agricoles", "télédétection", "économie d'eau"),
        ("43323000", "77100000", "35125100", "72212100"),
        ("LoRaWAN", "capteurs IoT", "imagerie satellite", "Python", "Flutter", "ESP32", "Sentinel-2"),
        ("Saqia", "Fellah", "Agro", "Zraa", "Ghalla", "Ard", "Nakhla", "Sabil"),
        ("ISO 9001", "ISO 14001"), ("Souss-Massa", "Béni Mellal-Khénifra", "Fès-Meknès", "Drâa-Tafilalet", "Marrakech-Safi", "L'Oriental"),
        ("Irrigation connectée de 400 ha d'agrumes", "Stations météo pour un périmètre irrigué – {buyer}", "Traçabilité de l'huile d'argan pour 25 coopératives"),
        fr=_p(
            ["l'agriculture de précision", "l'irrigation intelligente et les économies d'eau"],
            ["un système d'irrigation intelligente piloté par capteurs d'humidité du sol", "une application de conseil agricole pour les petits exploitants", "un service de suivi des cultures par imagerie satellite", "des stations météo connectées pour les périmètres irrigués", "une plateforme de traçabilité pour les coopératives agricoles"],
            ["les coopératives agricoles", "les offices régionaux de mise en valeur agricole", "les grands domaines exportateurs", "les petits agriculteurs des zones irriguées"],
            ["Ses clients économisent en moyenne 30 % d'eau d'irrigation dès la première campagne.", "Les capteurs LoRaWAN transmettent leurs mesures toutes les quinze minutes, même loin du réseau mobile.", "Les conseils sont envoyés par SMS ou message vocal en darija et en amazigh."],
        ),
        ar=_p(
            ["الفلاحة الذكية وترشيد مياه السقي"],
            ["نظاما للسقي الذكي يعتمد على مستشعرات رطوبة التربة", "تطبيقا للإرشاد الفلاحي موجها لصغار الفلاحين", "خدمة لتتبع المحاصيل عبر صور الأقمار الاصطناعية"],
            ["التعاونيات الفلاحية", "المكاتب الجهوية للاستثمار الفلاحي", "الفلاحين في المدارات السقوية"],
            ["يوفر هذا الحل ما يقارب ثلث مياه السقي منذ الموسم الأول.", "ترسل الشركة النصائح الفلاحية عبر رسائل صوتية بالدارجة والأمازيغية."],
        ),
        en=_p(
            ["precision agriculture"],
            ["a sensor-driven smart irrigation system", "satellite crop monitoring", "a traceability platform for farming cooperatives"],
            ["farming cooperatives", "export-oriented farms"],
            ["Farmers save around 30% of irrigation water from the first season.", "LoRaWAN sensors report soil moisture every fifteen minutes."],
        ),
    ),
    Sector(
        "cleantech", 10, ("cleantech", "énergie solaire"),
        ("photovoltaïque", "pompage solaire", "efficacité énergétique", "autoconsommation", "éclairage LED", "stockage par batterie"),
        ("09331200", "09332000", "42122400", "71314300"),
        ("onduleurs hybrides", "PVsyst", "IoT", "batteries lithium", "SCADA", "LED"),
        ("Shams", "Chamsy", "Noor", "Helio", "Taqa", "Watt", "Sunny", "Diyaa"),
        ("ISO 9001", "ISO 14001", "ISO 50001"), ("Drâa-Tafilalet", "Souss-Massa", "Marrakech-Safi", "Guelmim-Oued Noun", "Laâyoune-Sakia El Hamra", "L'Oriental"),
        ("Pompage solaire de 60 puits agricoles", "Centrale photovoltaïque de 250 kWc – {buyer}", "Éclairage public solaire d'un douar – {buyer}"),
        fr=_p(
            ["l'énergie solaire photovoltaïque", "l'efficacité énergétique des bâtiments"],
            ["des stations de pompage solaire clés en main", "des centrales photovoltaïques en autoconsommation", "des audits et un suivi connecté de l'efficacité énergétique", "des kits solaires avec stockage pour les sites isolés", "un éclairage public solaire à LED"],
            ["les exploitations agricoles", "les bâtiments publics et les communes", "les industriels qui veulent réduire leur facture d'électricité", "les établissements scolaires en milieu rural"],
            ["Ses installations sont supervisées à distance et couvertes par un contrat de maintenance de cinq ans.", "Un pompage solaire bien dimensionné se rembourse en moins de quatre ans face au butane.", "L'entreprise réalise l'étude, la fourniture, l'installation et la mise en service."],
        ),
        ar=_p(
            ["الطاقة الشمسية والنجاعة الطاقية"],
            ["محطات للضخ بالطاقة الشمسية", "محطات كهروضوئية للاستهلاك الذاتي", "إنارة عمومية بالطاقة الشمسية"],
            ["الضيعات الفلاحية", "الجماعات والبنايات العمومية", "المؤسسات الصناعية"],
            ["تتكفل الشركة بالدراسة والتوريد والتركيب والصيانة.", "تراقب المنشآت عن بعد لضمان مردودية مثلى."],
        ),
        en=_p(
            ["solar energy"],
            ["turnkey solar pumping stations", "rooftop solar plants for self-consumption", "solar street lighting"],
            ["farms", "public buildings and municipalities", "industrial sites"],
            ["The company handles design, supply, installation and five years of remotely monitored maintenance.", "A well-sized solar pump pays back in under four years compared with butane."],
        ),
    ),
    Sector(
        "watertech", 7, ("water tech", "eau"),
        ("détection de fuites", "télérelève", "compteurs intelligents", "traitement des eaux", "dessalement", "réseaux d'eau potable"),
        ("38421100", "65100000", "45232150", "71800000"),
        ("télérelève", "LoRaWAN", "SIG", "capteurs acoustiques", "Python", "SCADA"),
        ("Maa", "Aqua", "Nabaa", "Hydro", "Ain", "Wadi", "Sebou", "Qatra"),
        ("ISO 9001", "ISO 14001"), ("Souss-Massa", "Marrakech-Safi", "Drâa-Tafilalet", "L'Oriental", "Fès-Meknès", "Casablanca-Settat"),
        ("Détection de fuites sur 180 km de réseau – {buyer}", "Télérelève de 5 000 compteurs", "Unité de dessalement pour un village côtier"),
        fr=_p(
            ["la gestion intelligente de l'eau", "la réduction des pertes sur les réseaux d'eau potable"],
            ["une solution de détection acoustique des fuites", "des compteurs d'eau communicants avec télérelève", "un jumeau numérique des réseaux d'eau potable", "des unités compactes de traitement et de dessalement pour les petites localités"],
            ["les régies de distribution", "les communes rurales", "les offices agricoles et les associations d'usagers de l'eau", "les industriels gros consommateurs d'eau"],
            ["Sur ses premiers réseaux pilotes, le rendement a progressé de 12 points en un an.", "Les alertes de fuite arrivent en temps réel sur le téléphone des équipes d'exploitation."],
        ),
        ar=_p(
            ["التدبير الذكي للماء"],
            ["حلا للكشف عن تسربات الماء في الشبكات", "عدادات ماء ذكية مع القراءة عن بعد", "وحدات صغيرة لمعالجة وتحلية المياه"],
            ["وكالات التوزيع", "الجماعات القروية", "جمعيات مستعملي مياه السقي"],
            ["تساعد الشركة المدبرين على تقليص ضياع الماء في ظل توالي سنوات الجفاف."],
        ),
        en=_p(
            ["smart water management"],
            ["acoustic leak detection", "smart water meters with remote reading", "a digital twin of drinking water networks"],
            ["water utilities", "rural municipalities"],
            ["Its pilot networks improved their efficiency by 12 points in one year."],
        ),
    ),
    Sector(
        "logistics", 8, ("logistique", "mobilité"),
        ("gestion de flotte", "géolocalisation", "dernier kilomètre", "transport urbain", "billettique", "optimisation de tournées", "entrepôt"),
        ("72212100", "63520000", "63100000", "60100000"),
        ("GPS", "Kotlin", "React", "OR-Tools", "PostGIS", "IoT", "NFC"),
        ("Tawsil", "Sikka", "Trak", "Safar", "Route", "Mouvo", "Kargo", "Bab"),
        ("ISO 9001",), ("Tanger-Tétouan-Al Hoceïma", "Casablanca-Settat", "Rabat-Salé-Kénitra"),
        ("Gestion de flotte de 120 véhicules – {buyer}", "Billettique sans contact d'un réseau de bus", "Optimisation des tournées d'un distributeur national"),
        fr=_p(
            ["la logistique et la mobilité", "le transport intelligent"],
            ["une plateforme d'optimisation des tournées de livraison", "une solution de gestion de flotte et de géolocalisation", "un système de billettique sans contact pour le transport urbain", "un logiciel de gestion d'entrepôt pour les PME industrielles", "une application de covoiturage pour les zones industrielles"],
            ["les transporteurs et les distributeurs", "les sociétés de transport urbain", "les zones logistiques et les ports", "les collectivités qui gèrent des parcs de véhicules"],
            ["Ses algorithmes réduisent de 18 % les kilomètres parcourus par les véhicules de livraison.", "Les boîtiers télématiques remontent la position, la consommation et le comportement de conduite."],
        ),
        ar=_p(
            ["اللوجستيك والتنقل الذكي"],
            ["منصة لتحسين مسارات التوصيل", "حلا لتدبير أساطيل السيارات وتحديد مواقعها", "نظاما للتذاكر اللاتلامسية للنقل الحضري"],
            ["شركات النقل والتوزيع", "الجماعات التي تدبر حظائر السيارات"],
            ["تقلص خوارزمياتها المسافات المقطوعة وتكاليف الوقود."],
        ),
        en=_p(
            ["logistics and smart mobility"],
            ["delivery route optimisation software", "fleet management and vehicle tracking", "contactless ticketing for urban transport"],
            ["carriers and distributors", "urban transport operators", "ports and logistics zones"],
            ["Its routing engine cuts delivery mileage by 18% on average."],
        ),
    ),
    Sector(
        "cybersecurity", 8, ("cybersécurité",),
        ("audit de sécurité", "tests d'intrusion", "SOC", "SIEM", "conformité", "DNSSI", "sensibilisation", "gestion des identités"),
        ("72810000", "48730000", "72150000", "72500000"),
        ("SIEM", "Wazuh", "Splunk", "EDR", "Kali Linux", "ISO 27005", "Zero Trust"),
        ("Hisn", "Cyber", "Borj", "Amane", "Hares", "Secura", "Sour", "Qalaa"),
        ("ISO 27001", "ISO 27001", "ISO 9001"), ("Rabat-Salé-Kénitra", "Casablanca-Settat"),
        ("Audit de sécurité du système d'information – {buyer}", "Tests d'intrusion des applications mobiles – {buyer}", "SOC managé pour un groupe industriel"),
        fr=_p(
            ["la cybersécurité", "la sécurité des systèmes d'information"],
            ["des audits de sécurité et des tests d'intrusion", "un centre opérationnel de sécurité (SOC) managé", "un appui à la mise en conformité avec la directive nationale de sécurité des systèmes d'information", "des campagnes de sensibilisation et de simulation d'hameçonnage", "une solution de gestion des identités et des accès"],
            ["les administrations et les établissements publics", "les banques et les assurances", "les industriels et les opérateurs d'importance vitale"],
            ["Ses auditeurs sont certifiés OSCP, CISSP et ISO 27001 Lead Auditor.", "Le SOC fonctionne 24 h/24 depuis Rabat avec des analystes basés au Maroc."],
        ),
        ar=_p(
            ["الأمن السيبراني"],
            ["افتحاصات أمنية واختبارات للاختراق", "مركزا لمراقبة الأمن المعلوماتي", "مواكبة للامتثال للتوجيهات الوطنية لأمن نظم المعلومات"],
            ["الإدارات والمؤسسات العمومية", "الأبناك وشركات التأمين"],
            ["يعمل مركز المراقبة على مدار الساعة بخبرات مغربية."],
        ),
        en=_p(
            ["cybersecurity"],
            ["penetration testing and security audits", "a managed security operations centre (SOC)", "identity and access management"],
            ["public agencies", "banks and insurers", "critical infrastructure operators"],
            ["Its auditors hold OSCP, CISSP and ISO 27001 Lead Auditor certifications."],
        ),
    ),
    Sector(
        "data_ai", 10, ("data", "intelligence artificielle"),
        ("data science", "tableaux de bord", "machine learning", "NLP arabe", "chatbot", "big data", "open data", "décisionnel"),
        ("72316000", "48482000", "72212000", "72300000"),
        ("Python", "Spark", "Power BI", "Airflow", "PyTorch", "Elasticsearch", "dbt", "Superset"),
        ("Data", "Insight", "Aql", "Bayan", "Nujum", "Logic", "Qimma", "Raqm"),
        ("ISO 27001",), ("Casablanca-Settat", "Rabat-Salé-Kénitra", "Tanger-Tétouan-Al Hoceïma", "Fès-Meknès"),
        ("Tableaux de bord de pilotage – {buyer}", "Chatbot du centre de relation citoyen – {buyer}", "Entrepôt de données commerciales d'un assureur"),
        fr=_p(
            ["la donnée et l'intelligence artificielle", "le traitement automatique de l'arabe et du français"],
            ["une plateforme de données et de tableaux de bord décisionnels", "des modèles de prévision de la demande", "un assistant conversationnel en darija, en arabe et en français", "une solution d'analyse automatique des documents", "des portails open data clés en main"],
            ["les directions générales et les services statistiques", "les banques, les assureurs et les opérateurs", "les collectivités qui veulent piloter leurs services par la donnée"],
            ["Ses modèles de langue sont entraînés sur des corpus marocains et comprennent la darija écrite en caractères latins.", "Elle livre des entrepôts de données documentés que les équipes internes peuvent reprendre."],
        ),
        ar=_p(
            ["علوم البيانات والذكاء الاصطناعي"],
            ["منصة للبيانات ولوحات القيادة", "مساعدا محادثيا ذكيا بالدارجة والعربية والفرنسية", "نماذج للتنبؤ وتحليل المعطيات"],
            ["الإدارات المركزية ومصالح الإحصاء", "الأبناك وشركات الاتصالات"],
            ["دربت الشركة نماذجها اللغوية على نصوص مغربية لفهم الدارجة."],
        ),
        en=_p(
            ["data and artificial intelligence"],
            ["a data platform with decision dashboards", "demand forecasting models", "a chatbot that understands Darija, Arabic and French"],
            ["statistics departments and ministries", "banks, insurers and telecom operators"],
            ["It delivers documented data warehouses that in-house teams can take over."],
        ),
    ),
    Sector(
        "iot_city", 8, ("IoT", "smart city"),
        ("ville intelligente", "capteurs", "éclairage intelligent", "stationnement", "qualité de l'air", "collecte des déchets", "LoRaWAN"),
        ("35125100", "34928500", "72212100", "38550000"),
        ("LoRaWAN", "NB-IoT", "MQTT", "ESP32", "Grafana", "Node-RED", "edge computing"),
        ("Madina", "Dhaki", "Hay", "Sensi", "Polis", "Zanqa", "Fanar", "Mesh"),
        ("ISO 9001",), ("Casablanca-Settat", "Tanger-Tétouan-Al Hoceïma", "Rabat-Salé-Kénitra", "Marrakech-Safi"),
        ("Télégestion de 3 000 points lumineux – {buyer}", "Capteurs de qualité de l'air en centre-ville", "Collecte optimisée des déchets – {buyer}"),
        fr=_p(
            ["la ville intelligente et l'internet des objets"],
            ["un réseau de capteurs pour la qualité de l'air et le bruit", "un système de gestion intelligente de l'éclairage public", "une solution de stationnement connecté", "des bacs à déchets connectés avec optimisation de la collecte", "une plateforme de supervision urbaine"],
            ["les communes et les sociétés de développement local", "les gestionnaires de zones industrielles", "les délégataires de services urbains"],
            ["La télégestion de l'éclairage réduit la consommation d'électricité de 40 à 60 %.", "Tous ses capteurs remontent leurs données sur une plateforme ouverte dotée d'API."],
        ),
        ar=_p(
            ["المدن الذكية وإنترنت الأشياء"],
            ["شبكة مستشعرات لقياس جودة الهواء", "نظاما للتدبير الذكي للإنارة العمومية", "حلا للمواقف الذكية للسيارات"],
            ["الجماعات وشركات التنمية المحلية", "مدبري المناطق الصناعية"],
            ["يخفض التدبير عن بعد للإنارة العمومية استهلاك الكهرباء بشكل ملموس."],
        ),
        en=_p(
            ["smart city and IoT"],
            ["air quality sensor networks", "smart street lighting control", "connected parking"],
            ["municipalities and local development companies", "industrial park operators"],
            ["Remote lighting control cuts electricity use by 40 to 60%."],
        ),
    ),
    Sector(
        "btp_tech", 6, ("BTP tech", "construction"),
        ("BIM", "suivi de chantier", "maquette numérique", "métrés", "contrôle qualité", "préfabrication"),
        ("71250000", "71541000", "72212100", "71320000"),
        ("BIM", "Revit", "drones", "photogrammétrie", "React", "Python", "scanner 3D"),
        ("Bina", "Chantier", "Binaa", "Massar", "Jisr", "Struct", "Beton", "Qarmid"),
        ("ISO 9001",), ("Casablanca-Settat", "Rabat-Salé-Kénitra", "Tanger-Tétouan-Al Hoceïma"),
        ("Suivi numérique du chantier d'un hôpital provincial", "Maquette BIM d'un complexe administratif – {buyer}"),
        fr=_p(
            ["la construction numérique", "le BIM et le suivi de chantier"],
            ["une application de suivi de chantier avec photos géolocalisées", "des maquettes numériques BIM pour les bâtiments publics", "un logiciel de métrés et d'estimation des travaux", "une plateforme de contrôle qualité des ouvrages"],
            ["les maîtres d'ouvrage publics", "les entreprises de BTP", "les bureaux d'études et les architectes"],
            ["Le maître d'ouvrage suit l'avancement réel du chantier sans se déplacer.", "Ses maquettes BIM servent ensuite à l'exploitation et à la maintenance des bâtiments."],
        ),
        ar=_p(
            ["رقمنة قطاع البناء والأشغال العمومية"],
            ["تطبيقا لتتبع الأوراش", "نماذج رقمية BIM للبنايات العمومية"],
            ["أصحاب المشاريع العموميين", "مقاولات البناء ومكاتب الدراسات"],
            ["يمكن لصاحب المشروع تتبع تقدم الأشغال عن بعد."],
        ),
        en=_p(
            ["construction technology"],
            ["site progress tracking software", "BIM models for public buildings"],
            ["public project owners", "construction companies"],
            ["Project owners follow real progress without travelling to the site."],
        ),
    ),
    Sector(
        "tourism", 6, ("tourism tech", "tourisme"),
        ("réservation en ligne", "visite virtuelle", "marketing territorial", "guides numériques", "tourisme rural", "riads"),
        ("72413000", "79342000", "63510000", "48000000"),
        ("React", "Next.js", "réalité virtuelle", "Flutter", "API cartographiques", "channel manager"),
        ("Rihla", "Kasbah", "Riad", "Sahra", "Atlas", "Tour", "Medina", "Oasis"),
        ("ISO 9001",), ("Marrakech-Safi", "Souss-Massa", "Drâa-Tafilalet", "Fès-Meknès", "Dakhla-Oued Ed-Dahab", "Tanger-Tétouan-Al Hoceïma"),
        ("Visite virtuelle de la médina – {buyer}", "Portail de promotion touristique – {buyer}", "Application guide pour un festival international"),
        fr=_p(
            ["le tourisme numérique", "la promotion des destinations"],
            ["un moteur de réservation pour les riads et les maisons d'hôtes", "des visites virtuelles des sites patrimoniaux", "des applications de guide touristique multilingues", "des campagnes de marketing digital pour les destinations"],
            ["les conseils régionaux du tourisme", "les hôteliers et les maisons d'hôtes", "les musées et les sites patrimoniaux"],
            ["Ses guides fonctionnent hors connexion et proposent des parcours en six langues.", "Elle a numérisé en 3D plusieurs kasbahs et médersas."],
        ),
        ar=_p(
            ["السياحة الرقمية"],
            ["منصة لحجز الرياضات ودور الضيافة", "زيارات افتراضية للمواقع التراثية", "تطبيقات للإرشاد السياحي بعدة لغات"],
            ["المجالس الجهوية للسياحة", "المؤسسات الفندقية ودور الضيافة"],
            ["تعمل الشركة على إبراز الموروث الثقافي للمدن العتيقة والقصبات."],
        ),
        en=_p(
            ["travel technology"],
            ["a booking engine for riads and guesthouses", "virtual tours of heritage sites", "multilingual city guide apps"],
            ["regional tourism boards", "hotels and guesthouses"],
            ["Its guides work offline and offer walking tours in six languages."],
        ),
    ),
    Sector(
        "ecommerce", 7, ("e-commerce",),
        ("marketplace", "boutique en ligne", "paiement à la livraison", "produits du terroir", "coopératives", "social commerce"),
        ("72413000", "72415000", "79342000", "48000000"),
        ("Shopify", "WooCommerce", "React", "Node.js", "Laravel", "Meta Ads"),
        ("Souk", "Hanout", "Bazar", "Dukkan", "Cart", "Sella", "Zrbia", "Tijara"),
        (), ("Casablanca-Settat", "Marrakech-Safi", "Souss-Massa", "Fès-Meknès"),
        ("Marketplace de l'artisanat – {buyer}", "Boutique en ligne d'un réseau de coopératives d'argan"),
        fr=_p(
            ["le commerce en ligne", "la vente en ligne des produits du terroir"],
            ["une marketplace des produits de coopératives", "des boutiques en ligne clés en main pour les commerçants", "une solution de paiement à la livraison et de gestion des retours", "un service de social commerce sur WhatsApp et Instagram"],
            ["les coopératives et les artisans", "les commerçants indépendants", "les marques marocaines qui exportent"],
            ["Plus de 300 coopératives vendent déjà leurs produits sur sa plateforme.", "La livraison est assurée dans 90 villes grâce à des partenaires logistiques."],
        ),
        ar=_p(
            ["التجارة الإلكترونية"],
            ["سوقا إلكترونية لمنتجات التعاونيات", "متاجر إلكترونية جاهزة لفائدة التجار"],
            ["التعاونيات والصناع التقليديين", "التجار المستقلين"],
            ["تساعد الشركة التعاونيات على بيع منتجاتها المحلية في مختلف المدن."],
        ),
        en=_p(
            ["e-commerce"],
            ["a marketplace for cooperative products", "ready-made online stores for small retailers"],
            ["cooperatives and artisans", "Moroccan brands selling abroad"],
            ["More than 300 cooperatives already sell through its platform."],
        ),
    ),
    Sector(
        "hrtech", 5, ("HR tech", "ressources humaines"),
        ("recrutement", "SIRH", "paie", "gestion des talents", "évaluation", "emploi des jeunes"),
        ("48450000", "79600000", "79633000", "72212000"),
        ("Python", "React", "NLP", "PostgreSQL", "Vue.js"),
        ("Khidma", "Talent", "Job", "Amal", "Team", "Mihna", "Staff", "Kafaa"),
        ("ISO 9001",), ("Casablanca-Settat", "Rabat-Salé-Kénitra"),
        ("Plateforme de recrutement des concours – {buyer}", "SIRH et paie pour 900 salariés"),
        fr=_p(
            ["les ressources humaines", "le recrutement et la gestion des talents"],
            ["un SIRH en ligne avec gestion de la paie marocaine", "une plateforme de recrutement avec présélection automatique des CV", "des tests d'évaluation des compétences en ligne", "une application de gestion des congés et des temps"],
            ["les PME et les groupes industriels", "les administrations qui organisent des concours", "les agences d'emploi et les centres d'orientation"],
            ["La paie intègre les déclarations CNSS, l'AMO et l'IR.", "Son moteur de correspondance analyse les CV en arabe, en français et en anglais."],
        ),
        ar=_p(
            ["تدبير الموارد البشرية والتوظيف"],
            ["نظاما معلوماتيا لتدبير الموارد البشرية والأجور", "منصة للتوظيف والانتقاء الأولي للمترشحين"],
            ["المقاولات الصغرى والمتوسطة", "الإدارات التي تنظم مباريات التوظيف"],
            ["يدعم النظام التصريحات الاجتماعية والضريبية المعمول بها في المغرب."],
        ),
        en=_p(
            ["HR technology"],
            ["a cloud HR and payroll system", "a recruitment platform with automatic CV screening"],
            ["SMEs and industrial groups", "public bodies running recruitment exams"],
            ["Its matching engine reads CVs in Arabic, French and English."],
        ),
    ),
    Sector(
        "legaltech", 4, ("legaltech", "juridique"),
        ("gestion des contrats", "veille juridique", "signature électronique", "contentieux", "conformité"),
        ("79140000", "48311000", "72212000", "79100000"),
        ("NLP", "Python", "React", "Elasticsearch", "signature électronique"),
        ("Qanun", "Lex", "Adl", "Droit", "Haq", "Juris", "Bayyina", "Mahkama"),
        (), ("Casablanca-Settat", "Rabat-Salé-Kénitra"),
        ("Gestion du contentieux – {buyer}", "Base de veille réglementaire pour un groupe bancaire"),
        fr=_p(
            ["le droit numérique", "la gestion juridique outillée"],
            ["un logiciel de gestion des contrats et des échéances", "un moteur de recherche de jurisprudence marocaine", "une plateforme de gestion du contentieux", "un outil de veille réglementaire"],
            ["les directions juridiques", "les cabinets d'avocats et les notaires", "les administrations qui gèrent un contentieux important"],
            ["Sa base couvre les textes publiés au Bulletin officiel depuis 1990.", "Les échéances contractuelles sont rappelées automatiquement aux équipes."],
        ),
        ar=_p(
            ["التكنولوجيا القانونية"],
            ["نظاما لتدبير العقود والمنازعات", "محرك بحث في الاجتهاد القضائي المغربي"],
            ["المديريات القانونية", "مكاتب المحاماة والموثقين"],
            ["تغطي قاعدة بياناتها النصوص المنشورة في الجريدة الرسمية منذ 1990."],
        ),
        en=_p(
            ["legal technology"],
            ["contract lifecycle management software", "a search engine for Moroccan case law"],
            ["legal departments", "law firms and notaries"],
            ["Its database covers the Official Bulletin since 1990."],
        ),
    ),
    Sector(
        "gis", 6, ("SIG", "drones"),
        ("cartographie", "photogrammétrie", "topographie", "imagerie aérienne", "cadastre", "SIG web"),
        ("38221000", "71354100", "71354200", "71351810"),
        ("QGIS", "ArcGIS", "PostGIS", "drones", "LiDAR", "Pix4D", "OpenLayers"),
        ("Kharita", "Geo", "Sama", "Falak", "Map", "Ufuq", "Terra", "Naqsh"),
        ("ISO 9001",), ("Rabat-Salé-Kénitra", "Casablanca-Settat", "Souss-Massa", "Fès-Meknès"),
        ("Cartographie du patrimoine communal – {buyer}", "Levé par drone de 2 500 ha", "SIG des réseaux d'assainissement – {buyer}"),
        fr=_p(
            ["l'information géographique", "la cartographie par drone"],
            ["des levés topographiques et photogrammétriques par drone", "des systèmes d'information géographique sur le web", "la cartographie des réseaux et du patrimoine communal", "des relevés LiDAR pour les études de routes et de barrages"],
            ["les agences urbaines et les communes", "les bureaux d'études et les entreprises de travaux", "les offices agricoles et les gestionnaires de réseaux"],
            ["Ses pilotes sont qualifiés et ses drones autorisés par les autorités compétentes.", "Les orthophotos livrées atteignent une précision de 3 cm."],
        ),
        ar=_p(
            ["نظم المعلومات الجغرافية والتصوير بالطائرات المسيرة"],
            ["مسوحات طبوغرافية بواسطة الطائرات المسيرة", "نظم معلومات جغرافية على الويب", "خرائط رقمية للشبكات والممتلكات الجماعية"],
            ["الوكالات الحضرية والجماعات", "مكاتب الدراسات ومقاولات الأشغال"],
            ["تصل دقة الصور الجوية التي تنتجها الشركة إلى بضعة سنتيمترات."],
        ),
        en=_p(
            ["geospatial services"],
            ["drone surveys and photogrammetry", "web GIS platforms", "LiDAR mapping for road and dam studies"],
            ["urban agencies and municipalities", "engineering firms"],
            ["Its orthophotos reach 3 cm accuracy."],
        ),
    ),
    Sector(
        "print_design", 7, ("impression", "design", "communication"),
        ("impression numérique", "identité visuelle", "signalétique", "supports de communication", "vidéo", "événementiel"),
        ("79810000", "79822500", "79340000", "79341000"),
        ("impression offset", "impression grand format", "PAO", "motion design"),
        ("Tiba3a", "Alwane", "Rasm", "Pixel", "Khatt", "Midad", "Zellige", "Sura"),
        ("ISO 9001", "ISO 14001"), ("Casablanca-Settat", "Rabat-Salé-Kénitra", "Marrakech-Safi", "Fès-Meknès"),
        ("Impression des supports du salon régional – {buyer}", "Charte graphique et signalétique – {buyer}"),
        fr=_p(
            ["l'impression et la communication visuelle"],
            ["l'impression de supports de communication et d'édition", "la création d'identités visuelles et de chartes graphiques", "la signalétique intérieure et extérieure", "la production de vidéos institutionnelles et de motion design"],
            ["les administrations et les établissements publics", "les organisateurs d'événements", "les marques et les agences"],
            ["Son atelier d'impression numérique grand format livre sous 48 heures.", "L'atelier utilise des encres à base d'eau et du papier certifié FSC."],
        ),
        ar=_p(
            ["الطباعة والتواصل البصري"],
            ["طباعة الدعامات التواصلية والمطبوعات", "تصميم الهويات البصرية", "إنتاج الفيديوهات المؤسساتية"],
            ["الإدارات والمؤسسات العمومية", "منظمي التظاهرات"],
            ["تتوفر الشركة على ورشة للطباعة الرقمية بالحجم الكبير."],
        ),
        en=_p(
            ["print and visual communication"],
            ["print production and signage", "brand identity design", "corporate video production"],
            ["public institutions", "event organisers"],
            ["Its large-format print shop delivers within 48 hours."],
        ),
        suffixes=(" Studio", " Print", " Création", " Graphic", "Lab"),
    ),
    Sector(
        "engineering", 7, ("ingénierie", "bureau d'études"),
        ("études techniques", "assistance à maîtrise d'ouvrage", "VRD", "hydraulique", "géotechnique", "contrôle de travaux"),
        ("71300000", "71311000", "71320000", "71520000", "71332000"),
        ("AutoCAD Civil 3D", "Covadis", "EPANET", "HEC-RAS", "Robot Structural", "BIM"),
        ("Handasa", "Ingenia", "Mouhandis", "Tasmim", "Delta", "Maqsam", "Qantara", "Sadd"),
        ("ISO 9001", "ISO 9001", "ISO 14001"), (),
        ("Étude de la voirie du centre – {buyer}", "Contrôle des travaux d'assainissement – {buyer}", "Assistance technique au programme de routes rurales"),
        fr=_p(
            ["l'ingénierie des infrastructures", "les études techniques et le contrôle des travaux"],
            ["des études de routes, de voirie et de réseaux divers", "l'assistance à maîtrise d'ouvrage pour les projets d'infrastructure", "des études hydrauliques et d'assainissement", "le suivi et le contrôle des travaux de construction", "des études géotechniques et de structure"],
            ["les communes et les conseils provinciaux", "les offices et les agences publiques", "les promoteurs et les industriels"],
            ["Ses ingénieurs ont suivi plus de 200 km de routes rurales.", "Le bureau intègre des solutions fondées sur la nature dans la gestion des eaux pluviales."],
        ),
        ar=_p(
            ["الدراسات التقنية وهندسة البنيات التحتية"],
            ["دراسات للطرق والتهيئة والشبكات المختلفة", "مساعدة صاحب المشروع في مشاريع البنيات التحتية", "تتبع ومراقبة أشغال البناء"],
            ["الجماعات والمجالس الإقليمية", "المكاتب والوكالات العمومية"],
            ["تابع مهندسو المكتب إنجاز عشرات الكيلومترات من الطرق القروية."],
        ),
        en=_p(
            ["infrastructure engineering"],
            ["road and utility network design studies", "project management support for infrastructure programmes", "construction supervision"],
            ["municipalities and provincial councils", "public agencies"],
            ["Its engineers have supervised more than 200 km of rural roads."],
        ),
        suffixes=(" Ingénierie", " Études", " Consulting", " Engineering", " Conseil"),
    ),
    Sector(
        "works", 4, ("BTP", "travaux"),
        ("routes", "voirie", "aménagement urbain", "gros œuvre", "réhabilitation", "assainissement"),
        ("45233120", "45000000", "45210000", "45453000"),
        ("enrobés", "béton", "engins de terrassement", "BIM"),
        ("Bena", "Ouvrages", "Sahel", "Rif", "Chaouia", "Tafilalt", "Massira", "Zayane"),
        ("ISO 9001", "Certificat de qualification et de classification"), (),
        ("Aménagement de la voirie d'un quartier – {buyer}", "Réhabilitation d'une école primaire – {buyer}"),
        fr=_p(
            ["les travaux publics", "le bâtiment et la voirie"],
            ["des travaux de voirie, de revêtement et d'aménagement urbain", "la réhabilitation de bâtiments publics", "des travaux d'assainissement et de réseaux divers", "la construction d'équipements de proximité"],
            ["les communes et les conseils provinciaux", "les agences d'aménagement", "les promoteurs immobiliers"],
            ["L'entreprise dispose de son propre parc d'engins et d'une centrale d'enrobage mobile.", "Elle recrute localement et forme de jeunes techniciens sur chaque chantier."],
        ),
        ar=_p(
            ["الأشغال العمومية والبناء"],
            ["أشغال الطرق والتبليط والتهيئة الحضرية", "إعادة تأهيل البنايات العمومية"],
            ["الجماعات والمجالس الإقليمية", "وكالات التهيئة"],
            ["تتوفر المقاولة على أسطول خاص من الآليات."],
        ),
        en=_p(
            ["civil works"],
            ["road surfacing and urban works", "refurbishment of public buildings"],
            ["municipalities and provincial councils"],
            ["The company runs its own fleet of earthmoving equipment."],
        ),
        suffixes=(" Travaux", " BTP", " Construction", " Bâtiment"),
    ),
    Sector(
        "facility", 4, ("services aux bâtiments", "nettoyage"),
        ("nettoyage écologique", "espaces verts", "restauration collective", "gestion des déchets", "économie sociale"),
        ("90911200", "77310000", "55500000", "90511000"),
        ("produits écolabellisés", "planification en ligne", "compostage"),
        ("Nadafa", "Green", "Eco", "Bahja", "Clean", "Khadra", "Nakhil", "Yasmine"),
        ("ISO 14001", "ISO 9001"), (),
        ("Nettoyage des locaux – {buyer}", "Entretien des espaces verts – {buyer}"),
        fr=_p(
            ["les services aux bâtiments à impact social", "le nettoyage écologique et l'entretien des espaces verts"],
            ["le nettoyage écologique des locaux administratifs", "l'entretien des espaces verts et des jardins publics", "la restauration collective à base de produits locaux", "la collecte sélective et le compostage des biodéchets"],
            ["les administrations et les établissements publics", "les sièges d'entreprises et les zones industrielles", "les écoles et les internats"],
            ["Ses produits d'entretien sont écolabellisés et ses équipes formées aux gestes sûrs.", "L'entreprise emploie en priorité des jeunes et des femmes des quartiers voisins."],
        ),
        ar=_p(
            ["خدمات النظافة والبيئة"],
            ["تنظيف المقرات الإدارية بمواد صديقة للبيئة", "صيانة المساحات الخضراء والحدائق العمومية", "الإطعام الجماعي بمنتجات محلية"],
            ["الإدارات والمؤسسات العمومية", "المدارس والداخليات"],
            ["تشغل المقاولة بالأولوية شباب ونساء الأحياء المجاورة."],
        ),
        en=_p(
            ["facility services"],
            ["eco-friendly office cleaning", "landscaping and park maintenance", "catering with local produce"],
            ["public institutions", "corporate headquarters"],
            ["It hires first from the surrounding neighbourhoods."],
        ),
        suffixes=(" Services", " Propreté", " Environnement", " Multiservices"),
    ),
]
SECTOR_BY_KEY = {sector.key: sector for sector in SECTORS}

# Generic sentences shared by all sectors. {verb} agrees with a company as the subject.
FR_VERBS = ("développe", "conçoit", "édite", "déploie", "propose", "commercialise", "met en œuvre")
AR_VERBS = ("تطور", "تصمم", "تقدم", "توفر", "تنجز")
EN_VERBS = ("builds", "develops", "designs", "operates", "provides", "sells")
SERVICE_VERBS = {"fr": ("propose", "réalise", "assure"), "ar": ("تقدم", "تنجز", "توفر"), "en": ("offers", "provides", "delivers")}
SERVICE_SECTORS = {"print_design", "engineering", "works", "facility", "gis", "cybersecurity"}
# Buyers a sector's references plausibly name (buyer domains, as in BUYERS).
REFERENCE_DOMAINS = {
    "fintech": "bank finance city", "govtech": "digital city justice", "healthtech": "health", "edtech": "education employment",
    "agritech": "agri", "cleantech": "energy agri city", "watertech": "water city", "logistics": "logistics city industry",
    "cybersecurity": "bank finance digital industry", "data_ai": "digital finance bank city", "iot_city": "city",
    "btp_tech": "infra city", "tourism": "tourism", "ecommerce": "tourism agri industry", "hrtech": "employment finance industry",
    "legaltech": "justice bank finance", "gis": "city infra agri water", "print_design": "city tourism digital education",
    "engineering": "infra city water", "works": "infra city", "facility": "city health education",
}


def verbs(sector: Sector, lang: str) -> tuple[str, ...]:
    if sector.key in SERVICE_SECTORS:
        return SERVICE_VERBS[lang]
    return {"fr": FR_VERBS, "ar": AR_VERBS, "en": EN_VERBS}[lang]


# --------------------------------------------------------------------------------------------------
# Tender topics: what is bought, by whom, for how much, and how a notice says it, per language.
# Objects are noun phrases with their article: the title is the object without it.
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    objects: tuple[str, ...]
    details: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    weight: int
    kind: str  # tech, supply, service, works, study, architecture
    domains: tuple[str, ...]
    cpv: tuple[str, ...]
    value: tuple[int, int]
    certs: tuple[str, ...]
    fr: Notice
    ar: Notice
    en: Notice
    lots: tuple[tuple[str, str, str, str], ...] = ()  # (fr, ar, en, cpv)


def _n(objects: list[str], details: list[str]) -> Notice:
    return Notice(tuple(objects), tuple(details))


def _t(key: str, weight: int, kind: str, domains: str, cpv: str, value: tuple[int, int], certs: str,
       fr: Notice, ar: Notice, en: Notice, lots: tuple[tuple[str, str, str, str], ...] = ()) -> Topic:
    certs_tuple = tuple(c.strip() for c in certs.split(",") if c.strip())
    return Topic(key, weight, kind, tuple(domains.split()), tuple(cpv.split()), value, certs_tuple, fr, ar, en, lots)


TOPICS: list[Topic] = [
    _t("payment", 12, "tech", "city finance digital tourism", "48812000 66172000 72212100", (800_000, 6_000_000), "PCI DSS, ISO 27001",
       _n(["la mise en place d'une plateforme de paiement électronique des taxes et redevances locales", "la fourniture et l'intégration d'une solution de paiement mobile pour les services {of_buyer}", "la conception d'un guichet de paiement en ligne par carte bancaire et par QR code"],
          ["La solution devra accepter les cartes bancaires, les portefeuilles mobiles et les virements instantanés.", "Le titulaire assurera l'interconnexion avec le centre monétique et le rapprochement quotidien des recettes.", "La plateforme devra être conforme à la norme PCI DSS et disponible 24 h/24."]),
       _n(["إنجاز منصة للأداء الإلكتروني للرسوم والواجبات المحلية", "اقتناء وتركيب حل للأداء عبر الهاتف المحمول لفائدة المرتفقين"],
          ["يجب أن تقبل المنصة البطاقات البنكية والمحافظ الإلكترونية والتحويلات الفورية.", "يتكفل نائل الصفقة بالربط مع مركز النقديات والمطابقة اليومية للمداخيل."]),
       _n(["the deployment of an online and mobile payment platform for local fees", "an e-payment gateway for public services"],
          ["The platform must accept bank cards, mobile wallets and instant transfers and comply with PCI DSS."])),
    _t("core_banking", 6, "tech", "bank", "48812000 72260000 72212100", (5_000_000, 40_000_000), "ISO 27001",
       _n(["l'acquisition et l'intégration d'un nouveau système bancaire central (core banking)", "la migration du système d'information bancaire vers une architecture modulaire"],
          ["Le périmètre couvre la tenue des comptes, les crédits, les dépôts et le reporting réglementaire.", "Une reprise des données historiques et une période de fonctionnement en parallèle sont exigées."]),
       _n(["اقتناء وإدماج نظام بنكي مركزي جديد"],
          ["يشمل المشروع تدبير الحسابات والقروض والودائع والتقارير التنظيمية."]),
       _n(["the acquisition and integration of a new core banking system"],
          ["Scope covers accounts, loans, deposits and regulatory reporting, with full data migration."])),
    _t("mobile_banking", 8, "tech", "bank finance", "72212000 48812000", (1_500_000, 8_000_000), "ISO 27001, PCI DSS",
       _n(["le développement d'une application de banque mobile pour les particuliers et les TPE", "la mise en place d'une plateforme d'API bancaires ouvertes (open banking)", "la refonte du parcours d'entrée en relation à distance avec vérification d'identité e-KYC"],
          ["L'application devra proposer l'ouverture de compte à distance, les virements instantanés et le paiement par QR code.", "Les API seront exposées aux partenaires fintech dans un environnement de test documenté."]),
       _n(["تطوير تطبيق للخدمات البنكية عبر الهاتف المحمول", "وضع منصة للواجهات البرمجية البنكية المفتوحة"],
          ["يجب أن يتيح التطبيق فتح الحساب عن بعد والتحويلات الفورية والأداء برمز QR."]),
       _n(["the development of a mobile banking app for retail and micro-business customers", "an open banking API platform"],
          ["Remote onboarding with e-KYC, instant transfers and QR payments are required."])),
    _t("eservices", 14, "tech", "digital city justice employment", "72262000 72413000 72212100", (600_000, 5_000_000), "ISO 27001",
       _n(["la conception et le développement d'un portail d'e-services pour les usagers", "la dématérialisation des demandes d'autorisations et d'attestations administratives", "la refonte du portail institutionnel et de l'espace usager en ligne"],
          ["Le portail devra permettre le dépôt en ligne, le suivi des dossiers et la délivrance d'attestations signées électroniquement.", "Les services seront accessibles en arabe, en amazigh et en français, y compris sur mobile.", "L'hébergement devra se faire au Maroc, dans le respect de la loi 09-08."]),
       _n(["تصميم وتطوير بوابة للخدمات الإلكترونية لفائدة المرتفقين", "رقمنة طلبات الرخص والشواهد الإدارية"],
          ["يجب أن تتيح البوابة إيداع الطلبات عن بعد وتتبعها وتسليم الشواهد موقعة إلكترونيا.", "ستكون الخدمات متاحة باللغات العربية والأمازيغية والفرنسية."]),
       _n(["the design and development of a citizen e-services portal"],
          ["Users must be able to file requests online, track them and receive electronically signed certificates."])),
    _t("ged", 9, "tech", "any", "48311000 72212100 79995100", (400_000, 3_000_000), "ISO 27001",
       _n(["la mise en place d'un système de gestion électronique des documents et du courrier", "la numérisation et l'archivage électronique des dossiers administratifs", "la mise en place d'un bureau d'ordre digital"],
          ["Le système intégrera la signature électronique et les circuits de validation.", "Environ 1,2 million de pages sont à numériser et à indexer."]),
       _n(["وضع نظام للتدبير الإلكتروني للوثائق والمراسلات", "رقمنة وأرشفة الملفات الإدارية"],
          ["يتضمن النظام التوقيع الإلكتروني ومسارات المصادقة."]),
       _n(["an electronic document and records management system"],
          ["The system must include e-signature and approval workflows."])),
    _t("his", 10, "tech", "health", "48814000 72212100 72260000", (3_000_000, 25_000_000), "ISO 27001",
       _n(["la fourniture, l'installation et la mise en service d'un système d'information hospitalier", "le déploiement du dossier patient informatisé dans les hôpitaux de la région {region}", "l'extension du système d'information hospitalier aux urgences et au laboratoire"],
          ["Le système couvrira l'admission, le dossier médical, la pharmacie, le laboratoire et la facturation.", "L'interopérabilité HL7 FHIR avec les équipements d'imagerie et la plateforme nationale est exigée.", "Le titulaire assurera la formation de 600 utilisateurs et la maintenance pendant trois ans."]),
       _n(["اقتناء وتركيب وتشغيل نظام معلوماتي استشفائي", "تعميم الملف الطبي الإلكتروني للمرضى بمستشفيات جهة {region_ar}"],
          ["يشمل النظام القبول والملف الطبي والصيدلية والمختبر والفوترة.", "يتكفل نائل الصفقة بتكوين المستعملين والصيانة لمدة ثلاث سنوات."]),
       _n(["the supply and deployment of a hospital information system"],
          ["Scope: admissions, medical records, pharmacy, laboratory and billing, with HL7 FHIR interoperability."])),
    _t("telemedicine", 7, "tech", "health", "48814000 85140000 72212000", (1_000_000, 6_000_000), "",
       _n(["la mise en place d'une plateforme de télémédecine pour les centres de santé ruraux", "le déploiement de la téléconsultation dans les établissements de soins de santé primaires"],
          ["Chaque centre sera équipé d'un chariot de téléconsultation et relié à un hôpital de référence.", "La solution devra fonctionner avec des connexions à faible débit."]),
       _n(["وضع منصة للطب عن بعد لفائدة المراكز الصحية القروية"],
          ["سيجهز كل مركز صحي بعربة للاستشارة عن بعد مرتبطة بمستشفى مرجعي."]),
       _n(["a telemedicine platform for rural health centres"],
          ["Each centre gets a teleconsultation cart linked to a referral hospital; low-bandwidth operation is required."])),
    _t("medical_equipment", 8, "supply", "health", "33100000 33190000", (1_000_000, 15_000_000), "ISO 13485",
       _n(["la fourniture et l'installation d'équipements biomédicaux", "l'acquisition de matériel d'imagerie médicale et de surveillance des patients"],
          ["Les équipements seront livrés avec installation, formation du personnel et garantie de deux ans.", "Le titulaire devra disposer d'un service après-vente dans la région."]),
       _n(["توريد وتركيب معدات طبية حيوية"],
          ["تسلم المعدات مع التركيب وتكوين الأطر وضمان لمدة سنتين."]),
       _n(["the supply and installation of biomedical equipment"],
          ["Delivery includes installation, staff training and a two-year warranty."]),
       lots=(("Matériel d'imagerie médicale", "معدات التصوير الطبي", "Medical imaging equipment", "33110000"),
             ("Moniteurs de surveillance", "أجهزة مراقبة المرضى", "Patient monitors", "33195100"),
             ("Équipements de stérilisation", "معدات التعقيم", "Sterilisation equipment", "33191000"))),
    _t("elearning", 10, "tech", "education employment digital", "80420000 48190000 72212000", (500_000, 4_000_000), "",
       _n(["la mise en place d'une plateforme de formation à distance", "la production de contenus numériques et d'une plateforme e-learning pour la formation continue des agents", "le déploiement de classes virtuelles dans les établissements de la région {region}"],
          ["La plateforme devra supporter 20 000 apprenants simultanés et être conforme SCORM.", "Les contenus seront produits en arabe et en français, avec sous-titrage.", "Le titulaire assurera l'accompagnement des enseignants pendant la première année."]),
       _n(["وضع منصة للتكوين عن بعد", "إنتاج محتويات رقمية للتكوين المستمر للموظفين"],
          ["يجب أن تستوعب المنصة آلاف المتعلمين في آن واحد وأن تحترم معيار SCORM."]),
       _n(["an e-learning platform for staff training", "virtual classrooms for schools"],
          ["The platform must serve 20,000 concurrent learners and be SCORM compliant."])),
    _t("training", 9, "service", "any", "80500000 80530000 80510000", (150_000, 1_500_000), "",
       _n(["l'organisation de sessions de formation aux compétences numériques", "la formation des cadres à la gestion de projet et aux outils collaboratifs", "un programme de sensibilisation du personnel à la cybersécurité"],
          ["Les formations se dérouleront à {city} par groupes de quinze participants.", "Une évaluation des acquis et une attestation sont prévues pour chaque participant."]),
       _n(["تنظيم دورات تكوينية في المهارات الرقمية", "تكوين الأطر في تدبير المشاريع"],
          ["ستنظم الدورات بمدينة {city_ar} لفائدة مجموعات من خمسة عشر مشاركا."]),
       _n(["digital skills training sessions for staff", "a project management training programme for managers"],
          ["Sessions take place in {city} for groups of fifteen participants."])),
    _t("smart_irrigation", 11, "tech", "agri water", "43323000 45232120 35125100 72212100", (1_000_000, 12_000_000), "ISO 9001",
       _n(["la fourniture et l'installation d'un système d'irrigation localisée intelligent", "la modernisation de l'irrigation goutte-à-goutte avec pilotage par capteurs dans le périmètre de {city}", "la mise en place de stations de télémesure de l'humidité du sol"],
          ["Le système comprendra des capteurs d'humidité, des vannes télécommandées et une application de pilotage.", "Les agriculteurs bénéficiaires seront formés à l'utilisation de l'outil.", "L'objectif est une économie d'eau d'au moins 25 % sur le périmètre."]),
       _n(["توريد وتركيب نظام للسقي الموضعي الذكي", "تحديث السقي بالتنقيط مع التحكم عبر المستشعرات"],
          ["يشمل النظام مستشعرات لرطوبة التربة وصمامات يتحكم فيها عن بعد وتطبيقا للتسيير.", "يهدف المشروع إلى اقتصاد ربع مياه السقي على الأقل."]),
       _n(["the supply and installation of a smart drip irrigation system"],
          ["Soil moisture sensors, remote-controlled valves and a farmer app are included."])),
    _t("solar_pumping", 10, "supply", "agri energy water", "09331200 42122400 45317100", (1_500_000, 10_000_000), "ISO 9001",
       _n(["la fourniture et l'installation de stations de pompage solaire pour l'irrigation", "l'équipement en pompage solaire des puits d'eau potable des douars", "la conversion au solaire de stations de pompage agricoles"],
          ["Chaque station comprendra un générateur photovoltaïque, un onduleur de pompage et un système de télésurveillance.", "Le titulaire assurera la maintenance pendant deux ans après la réception provisoire."]),
       _n(["توريد وتركيب محطات للضخ بالطاقة الشمسية لأغراض السقي", "تجهيز آبار الماء الصالح للشرب بالدواوير بالضخ الشمسي"],
          ["تتكون كل محطة من ألواح كهروضوئية ومموج للضخ ونظام للمراقبة عن بعد."]),
       _n(["the supply and installation of solar pumping stations for irrigation"],
          ["Each station includes a PV array, a pump inverter and remote monitoring."])),
    _t("solar_rooftop", 8, "works", "energy city education health", "09331200 45261215 09332000", (2_000_000, 20_000_000), "ISO 9001",
       _n(["la réalisation de centrales photovoltaïques en toiture des bâtiments publics", "l'installation de panneaux solaires sur les établissements scolaires de la province"],
          ["La puissance totale à installer est d'environ {kwc} kWc, avec injection sur le réseau basse tension.", "Un suivi de production en ligne est demandé."]),
       _n(["إنجاز محطات كهروضوئية فوق أسطح البنايات العمومية"],
          ["تبلغ القدرة الإجمالية المزمع تركيبها حوالي {kwc} كيلوواط ذروة."]),
       _n(["rooftop solar plants on public buildings"],
          ["Total capacity is about {kwc} kWp with online production monitoring."])),
    _t("energy_audit", 6, "study", "energy industry any", "71314300 71314000", (300_000, 2_000_000), "ISO 50001",
       _n(["la réalisation d'audits énergétiques des bâtiments administratifs", "une mission d'assistance technique en efficacité énergétique"],
          ["Les audits porteront sur l'éclairage, la climatisation et l'enveloppe des bâtiments.", "Un plan d'actions chiffré et un outil de suivi des consommations sont attendus."]),
       _n(["إنجاز افتحاصات طاقية للبنايات الإدارية"],
          ["ستشمل الافتحاصات الإنارة والتكييف وغلاف البنايات."]),
       _n(["energy audits of administrative buildings", "technical assistance for an energy efficiency programme"],
          ["A costed action plan and a consumption monitoring tool are expected."])),
    _t("water_network", 9, "tech", "water city", "38421100 65100000 45232150", (1_000_000, 9_000_000), "ISO 9001",
       _n(["la fourniture et la pose de compteurs d'eau à télérelève", "une campagne de recherche et de détection de fuites sur le réseau d'eau potable", "la sectorisation et la supervision du réseau de distribution d'eau"],
          ["La campagne couvrira environ {km} km de canalisations.", "Les données de comptage seront intégrées au système de facturation existant."]),
       _n(["توريد وتركيب عدادات ماء بالقراءة عن بعد", "حملة للبحث عن التسربات في شبكة الماء الصالح للشرب"],
          ["ستشمل الحملة حوالي {km} كيلومتر من القنوات."]),
       _n(["smart water meters with remote reading", "leak detection on the drinking water network"],
          ["About {km} km of pipes are covered."])),
    _t("fleet_logistics", 9, "tech", "logistics city industry", "72212100 63712000 48000000", (600_000, 4_000_000), "",
       _n(["la mise en place d'une solution de gestion de flotte et de géolocalisation des véhicules", "l'acquisition d'un logiciel de gestion d'entrepôt et de traçabilité", "la mise en place d'un système de billettique sans contact pour le réseau de bus"],
          ["Environ {vehicles} véhicules seront équipés de boîtiers télématiques.", "La solution devra s'interfacer avec l'ERP existant."]),
       _n(["وضع حل لتدبير أسطول السيارات وتحديد مواقعها", "وضع نظام للتذاكر اللاتلامسية لشبكة الحافلات"],
          ["سيتم تجهيز حوالي {vehicles} مركبة بأجهزة التتبع."]),
       _n(["a fleet management and vehicle tracking solution", "a warehouse management system"],
          ["About {vehicles} vehicles will be fitted with telematics units."])),
    _t("cyber_audit", 11, "service", "any", "72810000 72800000 72150000", (300_000, 3_000_000), "ISO 27001",
       _n(["la réalisation d'un audit de sécurité du système d'information", "des tests d'intrusion des applications et de l'infrastructure", "une mission d'accompagnement à la conformité à la directive nationale de sécurité des systèmes d'information"],
          ["La mission comprend des tests d'intrusion internes et externes et une revue des configurations.", "Le prestataire remettra une feuille de route de remédiation priorisée."]),
       _n(["إنجاز افتحاص لأمن النظام المعلوماتي", "اختبارات الاختراق للتطبيقات والبنية التحتية"],
          ["يسلم نائل الصفقة خارطة طريق لمعالجة الثغرات حسب الأولوية."]),
       _n(["a security audit and penetration testing of the information system"],
          ["The provider delivers a prioritised remediation roadmap."])),
    _t("soc", 6, "tech", "bank finance digital industry energy", "72500000 48730000 72810000", (2_000_000, 10_000_000), "ISO 27001",
       _n(["la mise en place d'un centre opérationnel de sécurité (SOC) et d'un SIEM", "un service de supervision de la sécurité informatique 24 h/24"],
          ["Le service inclut la collecte des journaux, la détection, la réponse aux incidents et un rapport mensuel.", "Les analystes devront être basés au Maroc."]),
       _n(["وضع مركز عمليات الأمن السيبراني"],
          ["تشمل الخدمة جمع السجلات والكشف والاستجابة للحوادث."]),
       _n(["a managed security operations centre (SOC) with SIEM"],
          ["Log collection, detection, incident response and monthly reporting are in scope."])),
    _t("data_platform", 10, "tech", "any", "72316000 48482000 72300000", (800_000, 7_000_000), "",
       _n(["la mise en place d'une plateforme de données et de tableaux de bord décisionnels", "la réalisation d'un entrepôt de données et d'outils de pilotage", "la mise en place d'un portail open data"],
          ["Les données proviennent de cinq applications métiers et doivent être actualisées quotidiennement.", "Le titulaire formera une équipe interne à la maintenance des flux."]),
       _n(["وضع منصة للبيانات ولوحات القيادة", "إنجاز مستودع للبيانات وأدوات للقيادة"],
          ["تتأتى البيانات من عدة تطبيقات ويجب تحيينها يوميا."]),
       _n(["a data platform with decision dashboards"],
          ["Data comes from five business applications and must refresh daily."])),
    _t("chatbot", 6, "tech", "digital city bank finance employment", "72212000 72316000 48000000", (500_000, 3_000_000), "",
       _n(["le développement d'un assistant conversationnel pour l'information des usagers", "la mise en place d'un chatbot multilingue pour le centre de relation client"],
          ["L'assistant devra comprendre la darija, l'arabe et le français, à l'écrit comme à l'oral.", "Il sera intégré au site web, à WhatsApp et au centre d'appels."]),
       _n(["تطوير مساعد محادثي ذكي لإرشاد المرتفقين"],
          ["يجب أن يفهم المساعد الدارجة والعربية والفرنسية كتابة وصوتا."]),
       _n(["a multilingual AI chatbot for customer service"],
          ["It must understand Darija, Arabic and French and integrate with WhatsApp."])),
    _t("smart_city", 10, "tech", "city energy", "34928500 35125100 50232100", (2_000_000, 15_000_000), "",
       _n(["la modernisation de l'éclairage public avec télégestion", "le déploiement de capteurs de qualité de l'air et de bruit dans la ville de {city}", "la mise en place d'un système de stationnement intelligent"],
          ["Le projet porte sur environ {points} points lumineux équipés de lampes LED et de contrôleurs communicants.", "Les données seront publiées sur une plateforme de supervision urbaine."]),
       _n(["تحديث الإنارة العمومية مع التدبير عن بعد", "نشر مستشعرات لقياس جودة الهواء بمدينة {city_ar}"],
          ["يشمل المشروع حوالي {points} نقطة ضوئية مجهزة بمصابيح LED."]),
       _n(["smart street lighting with remote management", "air quality sensors across the city"],
          ["About {points} light points will be fitted with LED lamps and connected controllers."])),
    _t("cctv", 6, "supply", "city logistics industry", "32323500 35125300", (3_000_000, 20_000_000), "",
       _n(["la fourniture et l'installation d'un système de vidéosurveillance urbaine", "l'extension du réseau de caméras et du centre de supervision"],
          ["Le marché comprend les caméras, le réseau en fibre optique et le poste central.", "Les images seront conservées conformément à la réglementation en vigueur."]),
       _n(["توريد وتركيب نظام للمراقبة بالكاميرات"],
          ["تشمل الصفقة الكاميرات وشبكة الألياف البصرية والمركز الرئيسي."]),
       _n(["the supply and installation of a CCTV network and control room"],
          ["Cameras, fibre network and the central control room are included."])),
    _t("bim", 5, "tech", "infra city health education", "71250000 71541000 72212100", (400_000, 3_000_000), "",
       _n(["la modélisation BIM et le suivi numérique des chantiers de construction", "la mise en place d'une plateforme de suivi des projets d'investissement"],
          ["Les maquettes numériques serviront à programmer la maintenance des bâtiments.", "Le suivi inclut des photos géolocalisées et l'avancement physique et financier."]),
       _n(["النمذجة الرقمية BIM والتتبع الرقمي للأوراش"],
          ["يشمل التتبع صورا محددة الموقع وتقدم الأشغال ماديا وماليا."]),
       _n(["BIM modelling and digital site monitoring"],
          ["Geotagged photos, physical and financial progress are tracked."])),
    _t("gis", 10, "study", "city agri infra water", "38221000 71354100 71354200 71351810", (400_000, 4_000_000), "",
       _n(["la réalisation de la cartographie numérique et du système d'information géographique de la commune", "des levés topographiques et photogrammétriques par drone", "la mise en place d'un système d'information géographique des réseaux"],
          ["La zone à couvrir est d'environ {ha} hectares.", "Les livrables comprennent des orthophotos, un modèle numérique de terrain et une application SIG sur le web."]),
       _n(["إنجاز الخرائط الرقمية ونظام المعلومات الجغرافية للجماعة", "مسوحات طبوغرافية بواسطة الطائرات المسيرة"],
          ["تبلغ المساحة المعنية حوالي {ha} هكتار."]),
       _n(["digital mapping and a GIS for the municipality", "drone topographic surveys"],
          ["About {ha} hectares are to be surveyed."])),
    _t("tourism_portal", 8, "tech", "tourism", "72413000 79342000 79341000", (300_000, 3_000_000), "",
       _n(["la conception d'un portail de promotion touristique de la région {region}", "la réalisation de visites virtuelles des sites patrimoniaux", "le développement d'une application mobile de guide touristique"],
          ["Le portail sera disponible en six langues et relié aux réseaux sociaux de la destination.", "Les contenus multimédias seront produits sur le terrain."]),
       _n(["تصميم بوابة للترويج السياحي لجهة {region_ar}", "إنجاز زيارات افتراضية للمواقع التراثية"],
          ["ستتاح البوابة بعدة لغات وترتبط بشبكات التواصل الاجتماعي."]),
       _n(["a tourism promotion portal for the region", "virtual tours of heritage sites"],
          ["Content will be available in six languages."])),
    _t("marketplace", 5, "tech", "agri tourism industry", "72413000 72212000", (400_000, 2_500_000), "",
       _n(["le développement d'une place de marché en ligne pour les produits des coopératives", "la création d'une boutique en ligne pour l'artisanat régional"],
          ["La plateforme gérera le catalogue, le paiement en ligne et la livraison.", "Un accompagnement des coopératives à la vente en ligne est prévu."]),
       _n(["تطوير سوق إلكترونية لمنتجات التعاونيات"],
          ["ستدبر المنصة الكتالوج والأداء الإلكتروني والتوصيل."]),
       _n(["an online marketplace for cooperative products"],
          ["Catalogue, online payment and delivery are in scope."])),
    _t("hr_system", 6, "tech", "employment any", "48450000 79600000 72212000", (600_000, 4_000_000), "",
       _n(["la mise en place d'un système d'information des ressources humaines", "le développement d'une plateforme de gestion des concours de recrutement"],
          ["Le SIRH couvrira la gestion administrative, la paie et les compétences.", "La plateforme devra gérer les candidatures en ligne et la convocation des candidats."]),
       _n(["وضع نظام معلوماتي لتدبير الموارد البشرية", "تطوير منصة لتدبير مباريات التوظيف"],
          ["ستدبر المنصة الترشيحات عن بعد واستدعاء المترشحين."]),
       _n(["a human resources information system", "an online recruitment exam platform"],
          ["Online applications and candidate notifications are required."])),
    _t("legal", 4, "tech", "justice bank finance industry", "48311000 72212000 79140000", (300_000, 2_000_000), "",
       _n(["la mise en place d'une application de gestion du contentieux", "l'acquisition d'un logiciel de gestion des contrats et des échéances"],
          ["L'application suivra les dossiers, les audiences et les délais de procédure.", "Elle devra produire des alertes et des statistiques."]),
       _n(["وضع تطبيق لتدبير المنازعات القضائية"],
          ["سيتتبع التطبيق الملفات والجلسات والآجال."]),
       _n(["a litigation and contract management application"],
          ["Hearings, deadlines and alerts must be tracked."])),
    _t("printing", 12, "supply", "any", "79810000 22458000 79800000", (150_000, 1_200_000), "",
       _n(["l'impression des supports de communication et des documents administratifs", "l'impression et la livraison de rapports, brochures et affiches", "l'impression des imprimés et formulaires"],
          ["Les quantités sont définies au bordereau des prix ; les livraisons se feront à {city}.", "Les bons à tirer seront validés avant chaque impression."]),
       _n(["طبع الدعامات التواصلية والوثائق الإدارية", "طبع وتسليم التقارير والمطويات والملصقات"],
          ["تحدد الكميات في جدول الأثمان وتسلم بمدينة {city_ar}."]),
       _n(["the printing of communication materials and reports"],
          ["Quantities are set in the bill of quantities; delivery in {city}."]),
       lots=(("Brochures et dépliants", "المطويات والكتيبات", "Brochures and leaflets", "22150000"),
             ("Affiches et kakémonos", "الملصقات واللافتات", "Posters and roll-up banners", "22462000"),
             ("Formulaires administratifs", "الاستمارات الإدارية", "Administrative forms", "22820000"))),
    _t("communication", 10, "service", "any", "79340000 79341000 79342200 79822500", (300_000, 3_000_000), "",
       _n(["la conception et la réalisation d'une campagne de communication institutionnelle", "la création de l'identité visuelle et de la charte graphique", "la production de films institutionnels et de contenus pour les réseaux sociaux"],
          ["La campagne sera diffusée en affichage, à la radio et sur les réseaux sociaux.", "Le prestataire proposera un concept créatif et un plan média."]),
       _n(["تصميم وإنجاز حملة تواصلية مؤسساتية", "إنتاج أفلام مؤسساتية ومحتويات لشبكات التواصل الاجتماعي"],
          ["ستبث الحملة عبر الملصقات والإذاعة وشبكات التواصل الاجتماعي."]),
       _n(["an institutional communication campaign", "corporate video and social media content"],
          ["The agency will propose a creative concept and a media plan."])),
    _t("engineering", 12, "study", "infra city water health education", "71300000 71311000 71320000 71520000", (500_000, 5_000_000), "ISO 9001",
       _n(["la réalisation des études techniques d'aménagement de la voirie et des réseaux divers", "une mission de suivi et de contrôle des travaux", "les études d'exécution de la protection de {city} contre les inondations"],
          ["La mission comprend l'avant-projet, le dossier de consultation des entreprises et l'assistance pendant les travaux.", "Le bureau d'études devra mobiliser un ingénieur chef de projet ayant dix ans d'expérience."]),
       _n(["إنجاز الدراسات التقنية لتهيئة الطرق والشبكات المختلفة", "مهمة تتبع ومراقبة الأشغال"],
          ["تشمل المهمة الدراسة الأولية وملف استشارة المقاولات والمساعدة خلال الأشغال."]),
       _n(["engineering design studies for roads and utilities", "construction supervision services"],
          ["The assignment covers preliminary design, tender documents and works supervision."])),
    _t("it_equipment", 12, "supply", "any", "30213000 30232000 48820000", (300_000, 5_000_000), "",
       _n(["l'acquisition de matériel informatique et de périphériques", "la fourniture d'ordinateurs portables et de serveurs", "l'acquisition d'équipements informatiques pour les établissements scolaires"],
          ["Le matériel sera livré et installé dans les sites de {city} et de sa région.", "Une garantie de trois ans sur site est exigée."]),
       _n(["اقتناء العتاد المعلوماتي والأجهزة الملحقة"],
          ["يشترط ضمان لمدة ثلاث سنوات بعين المكان."]),
       _n(["the supply of IT equipment and peripherals"],
          ["A three-year on-site warranty is required."]),
       lots=(("Ordinateurs de bureau et portables", "الحواسيب المكتبية والمحمولة", "Desktops and laptops", "30213000"),
             ("Imprimantes et scanners", "الطابعات والماسحات الضوئية", "Printers and scanners", "30232000"),
             ("Serveurs et stockage", "الخوادم وأنظمة التخزين", "Servers and storage", "48820000"),
             ("Équipements réseau", "معدات الشبكة", "Network equipment", "32420000"))),
    _t("cloud", 6, "tech", "digital bank finance any", "72317000 72415000 72400000", (1_000_000, 8_000_000), "ISO 27001",
       _n(["l'hébergement des applications dans un cloud souverain avec plan de reprise après sinistre", "la migration des serveurs vers un centre de données certifié"],
          ["Le centre de données devra être situé au Maroc et certifié Tier III.", "Un plan de reprise d'activité sera testé deux fois par an."]),
       _n(["إيواء التطبيقات في سحابة سيادية وضمان استمرارية الخدمة"],
          ["يجب أن يكون مركز البيانات موجودا بالمغرب."]),
       _n(["sovereign cloud hosting and disaster recovery"],
          ["The data centre must be located in Morocco; disaster recovery is tested twice a year."])),
    _t("road_works", 16, "works", "infra city", "45233120 45233140 45233000", (5_000_000, 50_000_000), "Certificat de qualification et de classification",
       _n(["les travaux de construction et de revêtement de la route reliant {city} aux douars voisins", "les travaux d'aménagement et de renforcement de chaussée de la route provinciale", "les travaux de voirie et d'assainissement des quartiers périphériques de {city}"],
          ["Les travaux comprennent les terrassements, la couche de base, le revêtement en enrobé bitumineux et les ouvrages d'assainissement.", "Le linéaire total est d'environ {km} km.", "Le planning tient compte des conditions météorologiques de la saison."]),
       _n(["أشغال بناء وتعبيد الطريق الرابطة بين {city_ar} والدواوير المجاورة", "أشغال تهيئة وتقوية قارعة الطريق الإقليمية"],
          ["تشمل الأشغال الحفر والطبقة الأساسية والتغليف بالإسفلت ومنشآت التطهير.", "يبلغ الطول الإجمالي حوالي {km} كيلومتر."]),
       _n(["road construction and surfacing works", "pavement strengthening of the provincial road"],
          ["Works include earthworks, base course, asphalt surfacing and drainage over about {km} km."])),
    _t("building_works", 15, "works", "education health city infra tourism", "45210000 45214000 45453000", (3_000_000, 45_000_000), "Certificat de qualification et de classification",
       _n(["les travaux de construction d'un centre de santé de proximité", "les travaux d'extension et de réhabilitation d'un établissement scolaire à {city}", "les travaux de construction d'un complexe administratif", "les travaux d'aménagement d'un espace culturel et sportif"],
          ["Les travaux sont répartis en gros œuvre, étanchéité, menuiserie, électricité et plomberie.", "Une visite des lieux obligatoire est prévue.", "La surface couverte est d'environ {m2} m²."]),
       _n(["أشغال بناء مركز صحي للقرب", "أشغال توسيع وإعادة تأهيل مؤسسة تعليمية", "أشغال بناء مركب إداري"],
          ["تشمل الأشغال البناء والتكتيم والنجارة والكهرباء والترصيص.", "تبلغ المساحة المغطاة حوالي {m2} متر مربع."]),
       _n(["the construction of a local health centre", "the extension and refurbishment of a school"],
          ["Works cover structure, waterproofing, joinery, electrical and plumbing."]),
       lots=(("Gros œuvre", "الأشغال الكبرى", "Structural works", "45223000"),
             ("Électricité et courants faibles", "الكهرباء والتيار الضعيف", "Electrical works", "45310000"),
             ("Plomberie et sanitaire", "الترصيص والتجهيزات الصحية", "Plumbing", "45330000"),
             ("Menuiserie et peinture", "النجارة والصباغة", "Joinery and painting", "45420000"))),
    _t("architecture", 5, "architecture", "city education health tourism", "71200000 71220000", (400_000, 3_000_000), "",
       _n(["la conception architecturale et le suivi des travaux d'une maison des jeunes", "les études architecturales d'un nouveau marché municipal à {city}"],
          ["Les architectes concurrents remettront une esquisse et une note de présentation.", "Le programme prévoit environ {m2} m² de surface couverte."]),
       _n(["الدراسات المعمارية وتتبع أشغال بناء دار للشباب"],
          ["يقدم المهندسون المعماريون المتنافسون رسما أوليا ومذكرة تقديمية."]),
       _n(["architectural design and supervision for a youth centre"],
          ["Competing architects submit a sketch design and a presentation note."])),
    _t("cleaning", 12, "service", "any", "90911200 90910000 90919200", (300_000, 3_000_000), "ISO 14001",
       _n(["le nettoyage des locaux administratifs", "l'entretien et le nettoyage des bâtiments et de leurs abords", "le nettoyage des établissements de santé de la province"],
          ["La prestation couvre {sites} sites, six jours sur sept.", "Les produits utilisés devront être biodégradables."]),
       _n(["تنظيف المقرات الإدارية", "صيانة وتنظيف البنايات ومحيطها"],
          ["تشمل الخدمة {sites} مواقع ستة أيام في الأسبوع."]),
       _n(["the cleaning of office buildings"],
          ["The service covers {sites} sites, six days a week."]),
       lots=(("Siège central", "المقر المركزي", "Head office", "90919200"),
             ("Annexes administratives", "الملحقات الإدارية", "Branch offices", "90911200"),
             ("Établissements de santé", "المؤسسات الصحية", "Health facilities", "90911200"))),
    _t("catering", 8, "service", "education health any", "55500000 55520000 55523100", (300_000, 3_000_000), "",
       _n(["la restauration des internats et des cantines scolaires", "la préparation et la distribution des repas du personnel et des patients", "le service traiteur pour les réunions et séminaires"],
          ["Environ {meals} repas par jour sont à servir.", "Les menus devront respecter les recommandations nutritionnelles et privilégier les produits locaux."]),
       _n(["إطعام الداخليات والمطاعم المدرسية", "إعداد وتوزيع الوجبات لفائدة الموظفين والمرضى"],
          ["يتعين تقديم حوالي {meals} وجبة يوميا."]),
       _n(["school canteen catering", "catering for staff and patients"],
          ["About {meals} meals a day are to be served."])),
    _t("vehicles", 9, "supply", "any", "34110000 34144900 34136000", (800_000, 8_000_000), "",
       _n(["l'acquisition de véhicules de service", "la fourniture de véhicules utilitaires et de véhicules électriques"],
          ["Les véhicules seront livrés immatriculés avec une garantie constructeur de trois ans.", "Une part de véhicules électriques ou hybrides est demandée."]),
       _n(["اقتناء سيارات المصلحة", "توريد سيارات نفعية وسيارات كهربائية"],
          ["تسلم السيارات مسجلة مع ضمان الصانع لمدة ثلاث سنوات."]),
       _n(["the purchase of service vehicles"],
          ["Vehicles are delivered registered with a three-year warranty."]),
       lots=(("Voitures de service", "السيارات السياحية", "Passenger cars", "34110000"),
             ("Véhicules utilitaires", "السيارات النفعية", "Utility vans", "34136000"),
             ("Véhicules électriques", "السيارات الكهربائية", "Electric vehicles", "34144900"))),
    _t("furniture", 7, "supply", "any", "39130000 39160000", (150_000, 1_500_000), "",
       _n(["la fourniture et l'installation de mobilier de bureau", "l'acquisition de mobilier scolaire"],
          ["Le mobilier sera livré et monté dans les locaux de {city}."]),
       _n(["توريد وتركيب أثاث المكاتب"],
          ["يسلم الأثاث ويركب بمقرات {city_ar}."]),
       _n(["the supply and installation of office furniture"],
          ["Furniture is delivered and assembled in {city}."])),
    _t("guarding", 7, "service", "any", "79713000 79710000", (400_000, 3_000_000), "",
       _n(["le gardiennage et la surveillance des bâtiments", "la sécurité et le contrôle d'accès des sites"],
          ["La prestation mobilise des agents qualifiés 24 h/24 sur {sites} sites."]),
       _n(["حراسة ومراقبة البنايات"],
          ["تتطلب الخدمة أعوانا مؤهلين على مدار الساعة في {sites} مواقع."]),
       _n(["security guarding of public buildings"],
          ["Qualified guards are required around the clock on {sites} sites."])),
    _t("green_spaces", 6, "service", "city", "77310000 77313000", (300_000, 2_500_000), "",
       _n(["l'entretien des espaces verts et des jardins publics", "l'aménagement paysager et l'arrosage goutte-à-goutte des parcs urbains"],
          ["La superficie concernée est d'environ {ha} hectares.", "Le recours aux eaux usées traitées pour l'arrosage est encouragé."]),
       _n(["صيانة المساحات الخضراء والحدائق العمومية"],
          ["تبلغ المساحة المعنية حوالي {ha} هكتار."]),
       _n(["the maintenance of parks and green spaces"],
          ["About {ha} hectares are concerned."])),
    _t("waste", 5, "service", "city", "90511000 90512000 90500000", (3_000_000, 30_000_000), "ISO 14001",
       _n(["la collecte des déchets ménagers et le nettoiement des voies publiques", "la gestion déléguée de la collecte et du transport des déchets"],
          ["Le service couvre une population d'environ {pop} habitants.", "Le titulaire devra mettre en place une collecte sélective pilote."]),
       _n(["جمع النفايات المنزلية وتنظيف الطرق العمومية"],
          ["تشمل الخدمة ساكنة تناهز {pop} نسمة."]),
       _n(["household waste collection and street cleaning services"],
          ["The service covers about {pop} inhabitants."])),
]

PROCEDURES = ("appel d'offres ouvert", "appel d'offres restreint", "consultation architecturale", "bon de commande")
PROC_FR = {  # indefinite, then "le présent …"
    "appel d'offres ouvert": ("un appel d'offres ouvert", "Le présent appel d'offres ouvert"),
    "appel d'offres restreint": ("un appel d'offres restreint", "Le présent appel d'offres restreint"),
    "consultation architecturale": ("une consultation architecturale", "La présente consultation architecturale"),
    "bon de commande": ("une consultation par bon de commande", "La présente consultation par bon de commande"),
}
PROC_AR = {  # name, "this …", and the verb "concerning" agreeing with the name
    "appel d'offres ouvert": ("طلب عروض مفتوح", "طلب العروض المفتوح هذا", "يتعلق"),
    "appel d'offres restreint": ("طلب عروض محدود", "طلب العروض المحدود هذا", "يتعلق"),
    "consultation architecturale": ("مباراة معمارية", "هذه المباراة المعمارية", "تتعلق"),
    "bon de commande": ("سند طلب", "سند الطلب هذا", "يتعلق"),
}
PROC_EN = {
    "appel d'offres ouvert": "open tender",
    "appel d'offres restreint": "restricted tender",
    "consultation architecturale": "architectural design competition",
    "bon de commande": "purchase-order consultation",
}
PROC_PREFIX = {"appel d'offres ouvert": "AOO", "appel d'offres restreint": "AOR", "consultation architecturale": "CA", "bon de commande": "BC"}
# fmt: on


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------
def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())


def strip_article(phrase: str) -> str:
    """'la fourniture et la pose de…' -> 'Fourniture et pose de…': a notice title is its object, bare."""
    for article in ("la ", "le ", "les ", "l'", "un ", "une ", "des ", "the ", "an ", "a "):
        if phrase.startswith(article):
            phrase = phrase[len(article) :]
            break
    for joined in (" et la ", " et le ", " et les ", " and the "):
        phrase = phrase.replace(joined, " and " if joined == " and the " else " et ")
    phrase = phrase.replace(" et l'", " et ")
    return phrase[:1].upper() + phrase[1:]


def de(phrase: str) -> str:
    """French 'de' before a noun phrase, every conjunct contracted: 'les X et les Y' -> 'des X et des Y'."""
    contracted = {"les ": "des ", "le ": "du ", "la ": "de la ", "l'": "de l'"}
    result = re.sub(r"(^|, | et )(les |le |la |l')", lambda m: m.group(1) + contracted[m.group(2)], phrase)
    return result if result != phrase else "de " + phrase


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def money(amount: float) -> str:
    return f"{amount:,.0f}".replace(",", " ")


def ar_months(months: int) -> str:
    if months == 1:
        return "شهر واحد"
    if months == 2:
        return "شهرين"
    return f"{months} أشهر" if months <= 10 else f"{months} شهرا"


def ar_references(count: int) -> str:
    if count == 1:
        return "مرجع مماثل واحد"
    if count == 2:
        return "مرجعين مماثلين"
    return f"{count} مراجع مماثلة"


def rounded(value: float) -> int:
    step = 5_000 if value < 1_000_000 else 10_000 if value < 10_000_000 else 100_000
    return int(round(value / step) * step)


def log_uniform(rng: random.Random, low: int, high: int) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def stamp(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=MOROCCO).isoformat()


def weighted_plan(rng: random.Random, items: list[Any], weights: list[int], total: int, minimum: int) -> list[Any]:
    """`total` draws where every item appears at least `minimum` times, the rest by weight, shuffled."""
    plan = [item for item in items for _ in range(minimum)]
    plan += rng.choices(items, weights=weights, k=total - len(plan))
    rng.shuffle(plan)
    return plan


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots) if "{" in template else template


# --------------------------------------------------------------------------------------------------
# Startups
# --------------------------------------------------------------------------------------------------
def startup_name(rng: random.Random, sector: Sector, taken: set[str]) -> str:
    suffixes = sector.suffixes or TECH_SUFFIXES
    for _ in range(200):
        root = rng.choice(sector.roots)
        suffix = rng.choice(suffixes)
        if slug(suffix)[:4] == slug(root)[:4]:  # no "Ingenia Ingénierie"
            continue
        name = root + suffix
        if name.lower() not in taken:
            taken.add(name.lower())
            return name
    raise RuntimeError(f"ran out of names for sector {sector.key}")


def describe_fr(rng: random.Random, s: Sector, p: dict[str, Any]) -> str:
    pool = s.fr
    offer, client, domain = rng.choice(pool.offers), rng.choice(pool.clients), rng.choice(pool.domains)
    verb, name = rng.choice(verbs(s, "fr")), p["name"]
    to_client = f"auprès {de(client)}" if " pour " in offer else f"pour {client}"
    openers = [
        [f"{name} {verb} {offer} {to_client}."],
        [f"Basée à {p['city']}, {name} {verb} {offer} {to_client}."],
        [f"{name} est une jeune entreprise spécialisée dans {domain}.", f"Elle {verb} {offer} {to_client}."],
        [f"Depuis {p['founding_year']}, {name} accompagne {client} avec {offer}."],
        [f"Spécialiste {de(domain)}, {name} {verb} {offer}.", f"Ses clients : {client}."],
    ]
    sentences = list(rng.choice(openers))
    if rng.random() < 0.75:
        sentences.append(rng.choice(pool.extras))
    closers = [f"L'équipe compte aujourd'hui {p['headcount']} personnes à {p['city']}."]
    if p["references_count"] >= 2:
        closers.append(
            f"Elle a déjà livré {p['references_count']} projets pour des administrations, des collectivités et des entreprises."
        )
    elif p["references_count"] == 1:
        closers.append("Elle a livré un premier projet pilote pour un grand compte et cherche à en décrocher d'autres.")
    if p["park"]:
        closers.append(f"Membre du {p['park'][0]}, elle vise ses premiers marchés publics.")
    if p["certifications"]:
        closers.append(
            f"Certifiée {' et '.join(p['certifications'])}, l'entreprise répond aux appels d'offres des grands comptes."
        )
    if "Label Startup Maroc" in p["labels"]:
        closers.append("Labellisée Startup Maroc, elle prépare une levée de fonds pour accélérer son développement.")
    closers.append("Elle travaille en français, en arabe et en anglais dans tout le Maroc.")
    room = max(1, 4 - len(sentences))
    sentences += rng.sample(closers, k=min(len(closers), rng.randint(1, room)))
    return " ".join(sentences)


def describe_ar(rng: random.Random, s: Sector, p: dict[str, Any]) -> str:
    pool = s.ar
    offer, client, domain = rng.choice(pool.offers), rng.choice(pool.clients), rng.choice(pool.domains)
    verb, name, city = rng.choice(verbs(s, "ar")), p["name"], CITY_AR[p["city"]]
    openers = [
        [f"{name} شركة ناشئة مغربية {verb} {offer} لفائدة {client}."],
        [
            f"تأسست {name} سنة {p['founding_year']} في {city}، وهي متخصصة في {domain}.",
            f"{verb} الشركة {offer} لفائدة {client}.",
        ],
        [f"انطلاقا من {city}، {verb} {name} {offer} لفائدة {client}."],
        [f"تشتغل {name} في مجال {domain}، و{verb} {offer} لفائدة {client}."],
    ]
    sentences = list(rng.choice(openers))
    if rng.random() < 0.75:
        sentences.append(rng.choice(pool.extras))
    closers = [f"يضم فريق الشركة {p['headcount']} من المهندسين والخبراء."]
    if p["references_count"] >= 1:
        closers.append("راكمت الشركة تجربة في مشاريع لفائدة إدارات عمومية وجماعات ترابية ومقاولات كبرى.")
    if p["park"]:
        closers.append(
            f"الشركة عضو في {p['park'][1]} وتسعى إلى الولوج إلى الصفقات العمومية المخصصة للمقاولات الصغرى والمتوسطة."
        )
    if p["certifications"]:
        closers.append(f"الشركة حاصلة على شهادة {' و'.join(p['certifications'])}.")
    closers.append("تشتغل الشركة باللغات العربية والفرنسية والإنجليزية في مختلف جهات المملكة.")
    room = max(1, 4 - len(sentences))
    sentences += rng.sample(closers, k=min(len(closers), rng.randint(1, room)))
    return " ".join(sentences)


def describe_en(rng: random.Random, s: Sector, p: dict[str, Any]) -> str:
    pool = s.en
    offer, client, domain = rng.choice(pool.offers), rng.choice(pool.clients), rng.choice(pool.domains)
    verb, name = rng.choice(verbs(s, "en")), p["name"]
    to_client = f"serving {client}" if " for " in offer else f"for {client}"
    openers = [
        [f"{name} {verb} {offer} {to_client}."],
        [f"Based in {p['city']}, {name} {verb} {offer} {to_client}."],
        [f"{name} is a startup from {p['city']} focused on {domain}.", f"It {verb} {offer} {to_client}."],
        [f"Since {p['founding_year']}, {name} has served {client} with {offer}."],
    ]
    sentences = list(rng.choice(openers))
    if rng.random() < 0.75:
        sentences.append(rng.choice(pool.extras))
    closers = [f"The team now counts {p['headcount']} people."]
    if p["references_count"] >= 2:
        closers.append(
            f"It has delivered {p['references_count']} projects for public agencies, municipalities and large companies."
        )
    if p["park"]:
        closers.append(f"A member of {p['park'][0]}, it is looking for its first public-sector references.")
    if p["certifications"]:
        closers.append(f"Certified {' and '.join(p['certifications'])}, it now bids for public tenders open to SMEs.")
    closers.append("It works in English, French and Arabic across Morocco and West Africa.")
    room = max(1, 4 - len(sentences))
    sentences += rng.sample(closers, k=min(len(closers), rng.randint(1, room)))
    return " ".join(sentences)


DESCRIBE = {"fr": describe_fr, "ar": describe_ar, "en": describe_en}


def make_startup(
    rng: random.Random, index: int, sector: Sector, region: str, language: str, taken: set[str]
) -> dict[str, Any]:
    cities = GEO[region]
    city = cities[0][0] if rng.random() < 0.7 else rng.choice(cities)[0]
    name = startup_name(rng, sector, taken)
    founding_year = rng.choices(range(2012, 2026), weights=[2, 3, 3, 4, 5, 6, 7, 8, 8, 8, 7, 6, 5, 3])[0]
    age = ANCHOR.year - founding_year
    headcount = max(2, min(120, rng.randint(2, 6) + age * rng.randint(0, 9)))
    revenue: int | None = rounded(headcount * rng.randint(140, 420) * 1000)
    if (age <= 2 and rng.random() < 0.5) or rng.random() < 0.05:  # young or discreet: not disclosed
        revenue = None
    references_count = min(12, rng.randint(0, 2 + age))
    wanted = set(REFERENCE_DOMAINS[sector.key].split())
    buyers = rng.sample([buyer for buyer in BUYERS if wanted & set(buyer.domains)], k=3)
    references = [
        f"{fill(title, {'buyer': buyer.name})} ({rng.randint(max(founding_year, 2018), 2025)})"
        for title, buyer in zip(
            rng.sample(sector.refs, k=min(len(sector.refs), rng.randint(0, 3), references_count)), buyers, strict=False
        )
    ]
    certifications = sorted({rng.choice(sector.certs)}) if sector.certs and rng.random() < 0.3 else []
    park = PARKS.get(city) if rng.random() < 0.75 else None
    labels = [park[0]] if park else []
    if rng.random() < 0.3:
        labels.append("Label Startup Maroc")
    if rng.random() < 0.15:
        labels.append("Innov Invest")
    if age <= 8 and rng.random() < 0.25:
        labels.append("Jeune entreprise innovante")
    others = [code for code in ("fr", "ar", "en") if code != language]
    languages = [language, *rng.sample(others, k=rng.choice([0, 1, 1, 2]))]
    if language != "fr" and "fr" not in languages:
        languages.append("fr")
    profile = {
        "name": name,
        "city": city,
        "founding_year": founding_year,
        "headcount": headcount,
        "references_count": references_count,
        "park": park,
        "certifications": certifications,
        "labels": labels,
    }
    cpv = [sector.cpv[0], *rng.sample(sector.cpv[1:], k=rng.randint(0, min(2, len(sector.cpv) - 1)))]
    return {
        "external_id": f"ST-{index:04d}",
        "name": name,
        "description": DESCRIBE[language](rng, sector, profile),
        "sectors": list(sector.sectors),
        "tags": rng.sample(sector.tags, k=rng.randint(2, 4)),
        "cpv_codes": cpv,
        "technologies": rng.sample(sector.tech, k=rng.randint(2, min(4, len(sector.tech)))),
        "city": city,
        "region": region,
        "founding_year": founding_year,
        "headcount": headcount,
        "annual_revenue": revenue,
        "revenue_currency": "MAD",
        "certifications": certifications,
        "references_count": references_count,
        "references": references,
        "labels": labels,
        "languages": languages,
        "preferred_language": language,
        "contact_email": f"{rng.choice(['contact', 'hello', 'bonjour', 'commercial'])}.{slug(name)}@example.ma",
        "digest_opt_in": rng.random() < 0.85,
    }


FIXED_STARTUPS: list[dict[str, Any]] = [
    {
        "external_id": "ST-FINTECH-001",
        "name": "MizanPay",
        "description": (
            "MizanPay est une fintech marocaine spécialisée dans le paiement mobile et le mobile money. "
            "Elle édite un portefeuille électronique agréé, une passerelle de paiement en ligne par carte et par QR code, "
            "et des API bancaires ouvertes qui permettent aux banques, aux commerçants et aux administrations d'encaisser "
            "des paiements sur smartphone. Ses communes clientes proposent déjà le paiement en ligne des taxes locales, "
            "des droits et des redevances, avec rapprochement automatique des recettes. "
            "La plateforme est conforme PCI DSS et reliée au switch monétique interbancaire."
        ),
        "sectors": ["fintech", "paiement"],
        "tags": ["paiement mobile", "mobile money", "wallet", "API bancaires", "paiement des taxes"],
        "cpv_codes": ["66172000", "48812000", "72212100", "66110000"],
        "technologies": ["Kotlin", "Spring Boot", "React Native", "Kafka", "HSM", "ISO 8583"],
        "city": "Casablanca",
        "region": "Casablanca-Settat",
        "founding_year": 2018,
        "headcount": 34,
        "annual_revenue": 9_800_000,
        "revenue_currency": "MAD",
        "certifications": ["PCI DSS", "ISO 27001"],
        "references_count": 6,
        "references": [
            "Paiement en ligne des droits d'inscription – Université Atlas de Marrakech (2022)",
            "Portefeuille mobile pour Tamwil Microcrédit (2023)",
            "Paiement mobile des taxes communales – Commune de Kénitra (2024)",
        ],
        "labels": ["Technopark Casablanca", "Label Startup Maroc", "Innov Invest"],
        "languages": ["fr", "ar", "en"],
        "preferred_language": "fr",
        "contact_email": "contact.mizanpay@example.ma",
        "digest_opt_in": True,
    },
    {
        "external_id": "ST-AGRI-001",
        "name": "SaqiaTech",
        "description": (
            "SaqiaTech conçoit des systèmes d'irrigation intelligente pour les exploitations et les coopératives du Souss. "
            "Ses capteurs d'humidité du sol et ses vannes connectées pilotent le goutte-à-goutte à la parcelle, "
            "alimenté si besoin par pompage solaire. Les agriculteurs reçoivent les consignes d'arrosage sur leur téléphone "
            "et économisent en moyenne 30 % d'eau dès la première campagne."
        ),
        "sectors": ["agritech", "irrigation"],
        "tags": [
            "irrigation intelligente",
            "goutte-à-goutte",
            "capteurs d'humidité",
            "pompage solaire",
            "économie d'eau",
        ],
        "cpv_codes": ["43323000", "35125100", "09331200", "77100000"],
        "technologies": ["LoRaWAN", "ESP32", "capteurs IoT", "Flutter"],
        "city": "Agadir",
        "region": "Souss-Massa",
        "founding_year": 2019,
        "headcount": 14,
        "annual_revenue": 3_200_000,
        "revenue_currency": "MAD",
        "certifications": [],
        "references_count": 4,
        "references": [
            "Irrigation connectée de 400 ha d'agrumes – Souss Agro-Export (2023)",
            "Stations de télémesure pour un périmètre irrigué – Office Agricole du Souss-Massa (2024)",
        ],
        "labels": ["Technopark Agadir", "Jeune entreprise innovante"],
        "languages": ["fr", "ar"],
        "preferred_language": "fr",
        "contact_email": "contact.saqiatech@example.ma",
        "digest_opt_in": True,
    },
]


def make_startups(rng: random.Random) -> list[dict[str, Any]]:
    count = N_STARTUPS - len(FIXED_STARTUPS)
    sectors = weighted_plan(rng, SECTORS, [s.weight for s in SECTORS], count, 3)
    regions = list(MOROCCAN_REGIONS) + rng.choices(
        list(REGION_WEIGHTS), weights=list(REGION_WEIGHTS.values()), k=count - 12
    )
    rng.shuffle(regions)
    plan = []
    for sector, region in zip(sectors, regions, strict=True):
        if sector.regions and region not in sector.regions and rng.random() < 0.5:
            region = rng.choice(sector.regions)  # agritech in the Souss, solar in the south…
        plan.append([sector, region])
    counts = Counter(region for _, region in plan)
    for missing in [region for region in MOROCCAN_REGIONS if counts[region] == 0]:
        donor = max(plan, key=lambda item: counts[item[1]])  # every region keeps at least one startup
        counts[donor[1]] -= 1
        donor[1] = missing
        counts[missing] += 1
    languages = ["ar"] * round(count * 0.2) + ["en"] * round(count * 0.15)
    languages += ["fr"] * (count - len(languages))
    rng.shuffle(languages)
    taken = {row["name"].lower() for row in FIXED_STARTUPS}
    rows = [
        make_startup(rng, index, sector, region, language, taken)
        for index, ((sector, region), language) in enumerate(zip(plan, languages, strict=True), start=1)
    ]
    return [*FIXED_STARTUPS, *rows]


# --------------------------------------------------------------------------------------------------
# Tenders
# --------------------------------------------------------------------------------------------------
def buyers_for(topic: Topic) -> list[Buyer]:
    if "any" in topic.domains:
        return BUYERS
    return [buyer for buyer in BUYERS if set(buyer.domains) & set(topic.domains)]


def pick_procedure(rng: random.Random, topic: Topic, value: float) -> str:
    if topic.kind == "architecture":
        return "consultation architecturale"
    if value <= 500_000 and topic.kind in ("supply", "service") and rng.random() < 0.6:
        return "bon de commande"
    if value >= 5_000_000 and rng.random() < (0.5 if topic.key in ("core_banking", "soc") else 0.12):
        return "appel d'offres restreint"
    return "appel d'offres ouvert"


def tender_dates(rng: random.Random, status: str, procedure: str) -> tuple[date, date]:
    min_gap = 8 if procedure == "bon de commande" else 21
    if status == "open":
        ahead = rng.randint(3, 60)
        before = rng.randint(max(0, min_gap - ahead), max(0, min_gap - ahead) + 25)
        return ANCHOR - timedelta(days=before), ANCHOR + timedelta(days=ahead)
    if status == "closed":
        deadline = ANCHOR - timedelta(days=rng.randint(1, 30))
    elif status == "awarded":
        deadline = ANCHOR - timedelta(days=rng.randint(25, 120))
    else:  # cancelled: before or after its deadline
        deadline = ANCHOR + timedelta(days=rng.randint(-40, 30))
    return deadline - timedelta(days=rng.randint(min_gap, min_gap + 20)), deadline


def eligibility(rng: random.Random, topic: Topic, value: float, procedure: str) -> dict[str, Any]:
    small = value < 2_000_000
    reserved = rng.random() < (0.42 if small else 0.2 if value < 10_000_000 else 0.04)
    works = topic.kind == "works"
    rules: dict[str, Any] = {"reserved_for_sme": reserved}
    if rng.random() < (0.75 if works else 0.45):
        rules["min_years_in_business"] = rng.choice([1, 2] if reserved else [2, 3, 5] if works else [1, 2, 3])
    if rng.random() < (0.6 if works else 0.4) and procedure != "bon de commande":
        share = rng.uniform(0.2, 0.4) if reserved else rng.uniform(0.4, 1.0)
        rules["min_revenue"] = rounded(value * share)
    if rng.random() < (0.8 if works else 0.55):
        rules["min_references"] = rng.randint(2, 4) if works else rng.randint(1, 3)
    if topic.certs and rng.random() < (0.6 if works else 0.3):
        rules["required_certifications"] = rng.sample(topic.certs, k=1)
    if procedure != "bon de commande" and (works or rng.random() < 0.85):
        rules["guarantee_amount"] = max(5_000, int(round(value * rng.choice([0.01, 0.015, 0.02]) / 1000) * 1000))
    return rules


def conditions(lang: str, rules: dict[str, Any], months: int, slots: dict[str, str], rng: random.Random) -> list[str]:
    """Sentences a notice adds about its conditions, in its language."""
    reserved = rules["reserved_for_sme"]
    refs = rules.get("min_references")
    guarantee = rules.get("guarantee_amount")
    certs = rules.get("required_certifications", [])
    out: list[str] = []
    if lang == "fr":
        if reserved:
            out.append(
                "Marché réservé aux PME, coopératives, auto-entrepreneurs et jeunes entreprises innovantes (décret n° 2-22-431)."
            )
        optional = [
            f"Le délai d'exécution est de {months} mois.",
            "Le dossier de consultation est téléchargeable gratuitement sur le portail des marchés publics.",
        ]
        if refs:
            optional.append(
                f"Les concurrents doivent justifier d'au moins {refs} référence{'s' if refs > 1 else ''} similaire{'s' if refs > 1 else ''}."
            )
        if guarantee:
            optional.append(f"Le cautionnement provisoire est fixé à {money(guarantee)} dirhams.")
        if certs:
            optional.append(
                f"La certification {certs[0]} est exigée."
                if certs[0].startswith("ISO") or certs[0].startswith("PCI")
                else f"Le {certs[0].lower()} est exigé."
            )
    elif lang == "ar":
        if reserved:
            out.append(
                "صفقة مخصصة للمقاولات الصغرى والمتوسطة والتعاونيات والمقاولين الذاتيين والمقاولات الناشئة المبتكرة (المرسوم رقم 2.22.431)."
            )
        optional = [
            f"حدد أجل التنفيذ في {ar_months(months)}.",
            "يمكن تحميل ملف طلب العروض مجانا من بوابة الصفقات العمومية.",
        ]
        if refs:
            optional.append(f"يتعين على المتنافسين الإدلاء بما لا يقل عن {ar_references(refs)}.")
        if guarantee:
            optional.append(f"حدد مبلغ الضمان المؤقت في {money(guarantee)} درهم.")
        if certs:
            optional.append(
                "يشترط الإدلاء بشهادة التأهيل والتصنيف."
                if certs[0].startswith("Certificat")
                else f"يشترط الحصول على شهادة {certs[0]}."
            )
    else:
        if reserved:
            out.append(
                "Under decree 2-22-431 this tender is reserved for SMEs, cooperatives, auto-entrepreneurs and young innovative companies."
            )
        optional = [
            f"The contract period is {months} months.",
            "Tender documents can be downloaded free of charge from the public procurement portal.",
        ]
        if refs:
            optional.append(f"Bidders must show at least {refs} similar reference{'s' if refs > 1 else ''}.")
        if guarantee:
            optional.append(f"A bid security of MAD {money(guarantee)} is required.")
        if certs:
            optional.append(
                f"{certs[0]} is required."
                if not certs[0].startswith("Certificat")
                else "A works qualification and classification certificate is required."
            )
    out += rng.sample(optional, k=min(len(optional), rng.randint(1, 2)))
    return out


def notice(
    rng: random.Random,
    topic: Topic,
    lang: str,
    buyer: Buyer,
    procedure: str,
    slots: dict[str, str],
    number: int,
    year: int,
) -> tuple[str, list[str]]:
    """Title and opening sentences of a notice."""
    pool: Notice = getattr(topic, lang)
    obj = fill(rng.choice(pool.objects), slots)
    details = [fill(d, slots) for d in rng.sample(pool.details, k=rng.randint(1, min(2, len(pool.details))))]
    placed = any(slots[key] in obj for key in ("city", "city_ar", "region", "region_ar"))  # never a place twice
    if lang == "fr":
        suffixes = ["", "", f" pour le compte {buyer.of()}"]
        if not placed:
            suffixes += [f" à {slots['city']}", f" – {slots['city']}", f" – région {slots['region']}"]
        title = strip_article(obj) + rng.choice(suffixes)
        if rng.random() < 0.3:
            title = f"{PROC_PREFIX[procedure]} n° {number:02d}/{year} – {title}"
        indefinite, definite = PROC_FR[procedure]
        opener = rng.choice(
            [
                f"{cap(buyer.the())} lance {indefinite} portant sur {obj}.",
                f"{definite} a pour objet {obj}, pour le compte {buyer.of()}.",
                f"Dans le cadre de son programme d'investissement {year}, {buyer.the()} souhaite confier à un prestataire {obj}.",
                f"{cap(buyer.the())} ({buyer.region}) recherche des entreprises qualifiées pour {obj}.",
            ]
        )
    elif lang == "ar":
        suffixes = ["", "", f" لفائدة {buyer.name_ar}"]
        if not placed:
            suffixes += [f" بمدينة {slots['city_ar']}", f" بجهة {slots['region_ar']}"]
        title = obj + rng.choice(suffixes)
        if rng.random() < 0.3:
            name, _, concerning = PROC_AR[procedure]
            title = f"{name} رقم {number:02d}/{year} {concerning} ب{obj}"
        announce = "تعلن" if buyer.feminine_ar else "يعلن"
        launch = "تطلق" if buyer.feminine_ar else "يطلق"
        program = "برنامجها" if buyer.feminine_ar else "برنامجه"
        opener = rng.choice(
            [
                f"{announce} {buyer.name_ar} عن {PROC_AR[procedure][0]} {PROC_AR[procedure][2]} ب{obj}.",
                f"في إطار {program} الاستثماري لسنة {year}، {launch} {buyer.name_ar} {PROC_AR[procedure][0]} من أجل {obj}.",
                f"موضوع {PROC_AR[procedure][1]}: {obj} لفائدة {buyer.name_ar} بجهة {REGION_AR[buyer.region]}.",
            ]
        )
    else:
        suffixes = ["", f" for {buyer.name}"]
        if not placed:
            suffixes += [f" in {slots['city']}", f" – {slots['region']} region"]
        title = strip_article(obj) + rng.choice(suffixes)
        opener = rng.choice(
            [
                f"{buyer.name} invites bids for {obj}.",
                f"{buyer.name} is looking for qualified companies for {obj}.",
                f"This {PROC_EN[procedure]} covers {obj} on behalf of {buyer.name} ({buyer.region}).",
            ]
        )
    return title, [opener, *details]


def make_lots(rng: random.Random, topic: Topic, lang: str, value: int) -> list[dict[str, Any]]:
    chosen = rng.sample(topic.lots, k=rng.randint(2, min(4, len(topic.lots))))
    shares = [rng.uniform(1, 3) for _ in chosen]
    lots = []
    remaining = value
    for number, (lot, share) in enumerate(zip(chosen, shares, strict=True), start=1):
        amount = remaining if number == len(chosen) else rounded(value * share / sum(shares))
        remaining -= amount
        title = {"fr": lot[0], "ar": lot[1], "en": lot[2]}[lang]
        lots.append({"lot_number": number, "title": title, "cpv_codes": [lot[3]], "estimated_value": amount})
    return lots


def make_tender(rng: random.Random, number: int, topic: Topic, lang: str, status: str) -> dict[str, Any]:
    buyer = rng.choice(buyers_for(topic))
    if buyer.kind == "local_authority" or rng.random() < 0.45:
        region = buyer.region
    else:
        region = rng.choices(list(REGION_WEIGHTS), weights=[w + 6 for w in REGION_WEIGHTS.values()])[0]
    city = buyer.city if region == buyer.region else GEO[region][0][0]
    value = rounded(log_uniform(rng, *topic.value))
    procedure = pick_procedure(rng, topic, value)
    if procedure == "bon de commande":
        value = min(value, rounded(rng.uniform(150_000, 500_000)))
    published, deadline = tender_dates(rng, status, procedure)
    slots = {
        "city": city,
        "city_ar": CITY_AR[city],
        "region": region,
        "region_ar": REGION_AR[region],
        "of_buyer": buyer.of(),
        "km": str(rng.randint(6, 60)),
        "ha": str(rng.randrange(50, 3000, 10)),
        "kwc": str(rng.randrange(100, 1500, 50)),
        "vehicles": str(rng.randrange(20, 300, 5)),
        "points": str(rng.randrange(500, 6000, 100)),
        "sites": str(rng.randint(3, 9)),
        "meals": str(rng.randrange(300, 3000, 50)),
        "pop": money(rng.randrange(20_000, 400_000, 5_000)),
        "m2": money(rng.randrange(600, 9000, 100)),
    }
    title, sentences = notice(rng, topic, lang, buyer, procedure, slots, number % 97 + 1, published.year)
    rules = eligibility(rng, topic, value, procedure)
    months = (
        rng.randint(6, 18)
        if topic.kind == "works"
        else rng.randint(2, 4)
        if topic.kind == "supply"
        else rng.randint(3, 12)
    )
    sentences += conditions(lang, rules, months, slots, rng)
    cpv = [topic.cpv[0], *rng.sample(topic.cpv[1:], k=rng.randint(0, min(2, len(topic.cpv) - 1)))]
    external_id = f"AO-{published.year}-{number:04d}"
    record: dict[str, Any] = {
        "external_id": external_id,
        "title": title,
        "description": " ".join(sentences),
        "language": lang,
        "buyer_external_id": buyer.external_id,
        "buyer_name": buyer.name,
        "buyer_kind": buyer.kind,
        "cpv_codes": cpv,
        "city": city,
        "region": region,
        "estimated_value": value,
        "currency": "MAD",
        "published_at": stamp(published, 9),
        "deadline_at": stamp(deadline, rng.choice([10, 10, 11, 12]), rng.choice([0, 0, 30])),
        "status": status,
        "procedure": procedure,
        **rules,
        "source_url": f"https://marches.example.ma/avis/{external_id}",
    }
    if topic.lots and procedure != "bon de commande" and rng.random() < 0.75:
        record["lots"] = make_lots(rng, topic, lang, value)
    return record


FIXED_TENDERS: list[dict[str, Any]] = [
    {
        "external_id": "AO-AR-PAY-001",
        "title": "إنجاز وتشغيل منصة للأداء الإلكتروني والأداء عبر الهاتف المحمول لخدمات الجماعة",
        "description": (
            "تعلن جماعة مراكش عن طلب عروض مفتوح يتعلق بتصميم وتطوير وتشغيل منصة رقمية للأداء الإلكتروني، "
            "تمكن المرتفقين من أداء الرسوم والضرائب المحلية وواجبات الخدمات الجماعية عبر الهاتف المحمول والبطاقة البنكية "
            "والمحافظ الإلكترونية. يشمل المشروع الربط مع الأبناك ومؤسسات الأداء، والمطابقة اليومية للمداخيل، "
            "وتأمين المعاملات وفق معيار PCI DSS، وتكوين موظفي الجماعة. "
            "طبقا للمرسوم رقم 2.22.431، هذه الصفقة مخصصة للمقاولات الصغرى والمتوسطة والمقاولات الناشئة المبتكرة."
        ),
        "language": "ar",
        "buyer_external_id": "MA-COM-MARRAKECH",
        "buyer_name": "Commune de Marrakech",
        "buyer_kind": "local_authority",
        "cpv_codes": ["48812000", "66172000", "72212100"],
        "city": "Marrakech",
        "region": "Marrakech-Safi",
        "estimated_value": 3_200_000,
        "currency": "MAD",
        "published_at": stamp(ANCHOR - timedelta(days=6), 9),
        "deadline_at": stamp(ANCHOR + timedelta(days=30), 10),
        "status": "open",
        "procedure": "appel d'offres ouvert",
        "reserved_for_sme": True,
        "min_years_in_business": 2,
        "min_references": 1,
        "guarantee_amount": 48_000,
        "source_url": "https://marches.example.ma/avis/AO-AR-PAY-001",
    },
    {
        "external_id": "AO-ROUTE-001",
        "title": "Travaux de construction et de revêtement de la route provinciale reliant Khouribga à Oued Zem",
        "description": (
            "Le Conseil Provincial de Khouribga lance un appel d'offres ouvert portant sur les travaux de construction, "
            "d'élargissement et de revêtement en enrobé bitumineux de la route provinciale reliant Khouribga à Oued Zem, "
            "sur un linéaire d'environ 28 km. Les travaux comprennent les terrassements, la couche de fondation, "
            "les ouvrages hydrauliques, la signalisation horizontale et verticale. "
            "Le délai d'exécution est de 14 mois. Le cautionnement provisoire est fixé à 450 000 dirhams."
        ),
        "language": "fr",
        "buyer_external_id": "MA-CP-KHOURIBGA",
        "buyer_name": "Conseil Provincial de Khouribga",
        "buyer_kind": "local_authority",
        "cpv_codes": ["45233120", "45233140"],
        "city": "Khouribga",
        "region": "Béni Mellal-Khénifra",
        "estimated_value": 31_500_000,
        "currency": "MAD",
        "published_at": stamp(ANCHOR - timedelta(days=10), 9),
        "deadline_at": stamp(ANCHOR + timedelta(days=25), 10),
        "status": "open",
        "procedure": "appel d'offres ouvert",
        "reserved_for_sme": False,
        "min_years_in_business": 5,
        "min_revenue": 20_000_000,
        "min_references": 3,
        "required_certifications": ["Certificat de qualification et de classification"],
        "guarantee_amount": 450_000,
        "source_url": "https://marches.example.ma/avis/AO-ROUTE-001",
    },
]


def make_tenders(rng: random.Random) -> list[dict[str, Any]]:
    count = N_TENDERS - len(FIXED_TENDERS)
    topics = weighted_plan(rng, TOPICS, [t.weight for t in TOPICS], count, 3)
    languages = ["ar"] * round(count * 0.2) + ["en"] * round(count * 0.1)
    languages += ["fr"] * (count - len(languages))
    rng.shuffle(languages)
    statuses = rng.choices(["open", "closed", "awarded", "cancelled"], weights=[76, 10, 9, 5], k=count)
    rows = [
        make_tender(rng, number, topic, lang, status)
        for number, (topic, lang, status) in enumerate(zip(topics, languages, statuses, strict=True), start=1)
    ]
    return [*FIXED_TENDERS, *rows]


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------
STARTUP_COLUMNS = [
    "external_id",
    "name",
    "description",
    "sectors",
    "tags",
    "cpv_codes",
    "technologies",
    "city",
    "region",
    "founding_year",
    "headcount",
    "annual_revenue",
    "revenue_currency",
    "certifications",
    "references_count",
    "references",
    "labels",
    "languages",
    "preferred_language",
    "contact_email",
    "digest_opt_in",
]
BUYER_COLUMNS = [
    "external_id",
    "name",
    "kind",
    "city",
    "region",
    "country",
    "timezone",
    "contact_email",
    "digest_opt_in",
]


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        for item in value:
            if ";" in str(item) or "|" in str(item):
                raise ValueError(f"list item {item!r} contains a list separator")
        return ";".join(str(item) for item in value)
    return str(value)


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def buyer_rows() -> list[dict[str, Any]]:
    return [
        {
            "external_id": b.external_id,
            "name": b.name,
            "kind": b.kind,
            "city": b.city,
            "region": b.region,
            "country": "MA",
            "timezone": "Africa/El_Aaiun" if b.region.startswith(("Laâyoune", "Dakhla")) else "Africa/Casablanca",
            "contact_email": f"marches.{slug(b.external_id.removeprefix('MA-'))}@example.ma",
            "digest_opt_in": b.digest_opt_in,
        }
        for b in BUYERS
    ]


def generate() -> dict[str, str]:
    """File name -> content; deterministic for a given SEED."""
    rng = random.Random(SEED)
    startups = make_startups(rng)
    tenders = make_tenders(rng)
    return {
        BUYERS_FILE: to_csv(buyer_rows(), BUYER_COLUMNS),
        STARTUPS_FILE: to_csv(startups, STARTUP_COLUMNS),
        TENDERS_FILE: "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in tenders),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: data/)")
    args = parser.parse_args()
    assert set(GEO) == set(MOROCCAN_REGIONS), "GEO must use matcher.schemas.MOROCCAN_REGIONS exactly"
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in generate().items():
        (args.out / name).write_text(content, encoding="utf-8")
        print(f"wrote {args.out / name} ({len(content.encode('utf-8')) // 1024} KB)")


if __name__ == "__main__":
    main()
