"""Column names of real files → the fields of matcher.schemas, plus small value synonyms.

Spreadsheets from hubs and buyers name columns in French or English, with accents, capitals and
spaces ("Date limite", "Codes CPV", "Raison sociale"). Names are compared folded (lower case, no
accents, runs of other characters as '_'), so every spelling of an alias matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from matcher.i18n import CodedText
from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.text import fold

SCHEMAS: dict[str, type[BaseModel]] = {"startups": StartupIn, "tenders": TenderIn, "buyers": BuyerIn}
REQUIRED: dict[str, tuple[str, ...]] = {
    "startups": ("external_id", "name"),
    "tenders": ("external_id", "title"),
    "buyers": ("external_id", "name"),
}

_COMMON = {
    "description": ["desc", "resume", "summary", "presentation", "details", "descriptif"],
    "city": ["ville", "commune", "localite", "locality", "town"],
    "region": ["region_administrative"],
    "contact_email": ["email", "e_mail", "mail", "courriel", "contact", "adresse_email"],
    "digest_opt_in": ["digest", "newsletter", "opt_in", "abonne_digest"],
}
_ALIASES: dict[str, dict[str, list[str]]] = {
    "startups": {
        "external_id": ["id", "identifiant", "id_externe", "startup_id", "uid", "reference_id"],
        "name": [
            "nom",
            "raison_sociale",
            "denomination",
            "denomination_sociale",
            "company",
            "company_name",
            "entreprise",
            "startup",
            "nom_entreprise",
        ],
        "sectors": ["secteurs", "secteur", "sector", "industry", "industries", "domaine", "domaines"],
        "tags": ["mots_cles", "keywords", "tag"],
        "cpv_codes": ["cpv", "codes_cpv", "code_cpv", "cpvs"],
        "technologies": ["technologie", "tech", "stack", "technos"],
        "founding_year": [
            "annee_creation",
            "annee_de_creation",
            "founded",
            "year_founded",
            "creation",
            "date_creation",
        ],
        "headcount": ["effectif", "effectifs", "employees", "nb_employes", "nombre_employes", "team_size"],
        "annual_revenue": ["chiffre_affaires", "chiffre_d_affaires", "ca", "revenue", "turnover", "ca_annuel"],
        "revenue_currency": ["devise", "currency", "devise_ca"],
        "certifications": ["certification"],
        "references_count": ["nb_references", "nombre_references", "nombre_de_references"],
        "references": ["references_clients", "clients", "reference"],
        "labels": ["label"],
        "languages": ["langues", "langues_parlees"],
        "preferred_language": ["langue", "langue_preferee", "lang", "language"],
    },
    "tenders": {
        "external_id": [
            "id",
            "identifiant",
            "id_externe",
            "tender_id",
            "reference",
            "ref",
            "numero",
            "numero_ao",
            "uid",
        ],
        "title": ["titre", "objet", "intitule", "subject", "objet_du_marche", "name", "nom"],
        "buyer_external_id": ["buyer_id", "acheteur_id", "id_acheteur", "identifiant_acheteur"],
        "buyer_name": ["buyer", "acheteur", "nom_acheteur", "maitre_d_ouvrage", "organisme", "maitre_ouvrage"],
        "buyer_kind": ["type_acheteur", "buyer_type", "categorie_acheteur"],
        "cpv_codes": ["cpv", "codes_cpv", "code_cpv", "cpvs"],
        "estimated_value": [
            "budget",
            "montant",
            "value",
            "valeur",
            "montant_estime",
            "estimation",
            "amount",
            "estimation_administrative",
        ],
        "currency": ["devise", "monnaie"],
        "published_at": ["date_publication", "date_de_publication", "publication_date", "published", "publie_le"],
        "deadline_at": [
            "deadline",
            "date_limite",
            "date_limite_remise",
            "date_limite_de_remise_des_offres",
            "closing_date",
            "submission_deadline",
            "date_cloture",
            "date_limite_depot",
        ],
        "status": ["statut", "etat"],
        "procedure": ["type_procedure", "procurement_method", "mode_passation"],
        "language": ["langue", "lang"],
        "source_url": ["url", "lien", "link"],
        "min_years_in_business": ["min_years", "anciennete_min", "anciennete_minimale", "annees_experience_min"],
        "min_revenue": ["ca_min", "chiffre_affaires_min", "chiffre_d_affaires_minimum", "min_turnover"],
        "min_references": ["references_min", "nb_references_min", "nombre_references_min"],
        "required_certifications": ["certifications_requises", "certifications", "certifications_exigees"],
        "reserved_for_sme": ["reserve_pme", "reserve_tpme", "reserved", "sme_reserved", "reserve_aux_pme"],
        "guarantee_amount": ["caution", "caution_provisoire", "guarantee", "garantie"],
    },
    "buyers": {
        "external_id": ["id", "identifiant", "id_externe", "buyer_id", "uid"],
        "name": ["nom", "raison_sociale", "denomination", "organisme", "acheteur"],
        "kind": ["type", "categorie", "buyer_kind", "type_acheteur"],
        "country": ["pays"],
        "timezone": ["fuseau", "fuseau_horaire", "tz"],
    },
}

_KIND_VALUES = {
    "ministere": "ministry",
    "ministry": "ministry",
    "administration": "ministry",
    "entreprise_publique": "public_enterprise",
    "etablissement_public": "public_enterprise",
    "office": "public_enterprise",
    "public_enterprise": "public_enterprise",
    "epp": "public_enterprise",
    "collectivite": "local_authority",
    "collectivite_territoriale": "local_authority",
    "commune": "local_authority",
    "local_authority": "local_authority",
    "region": "local_authority",
    "entreprise": "corporate",
    "entreprise_privee": "corporate",
    "prive": "corporate",
    "corporate": "corporate",
    "banque": "bank",
    "bank": "bank",
}
_STATUS_VALUES = {
    "ouvert": "open",
    "en_cours": "open",
    "open": "open",
    "active": "open",
    "clos": "closed",
    "ferme": "closed",
    "cloture": "closed",
    "closed": "closed",
    "attribue": "awarded",
    "awarded": "awarded",
    "annule": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
_LANGUAGE_VALUES = {"francais": "fr", "french": "fr", "arabe": "ar", "arabic": "ar", "anglais": "en", "english": "en"}
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "kind": _KIND_VALUES,
    "buyer_kind": _KIND_VALUES,
    "status": _STATUS_VALUES,
    "language": _LANGUAGE_VALUES,
    "preferred_language": _LANGUAGE_VALUES,
}


def fold_key(name: object) -> str:
    """'Date limite de remise' → 'date_limite_de_remise'."""
    return re.sub(r"[^0-9a-z\u0600-\u06ff]+", "_", fold(str(name))).strip("_")


def alias_table(kind: str) -> dict[str, str]:
    """Folded alias → schema field for one kind; a field's own name is always an alias."""
    fields = SCHEMAS[kind].model_fields
    table: dict[str, str] = {}
    for name in fields:
        table[fold_key(name)] = name
    for target, aliases in (_ALIASES[kind] | {k: v for k, v in _COMMON.items() if k in fields}).items():
        for alias in aliases:
            table.setdefault(fold_key(alias), target)
    return table


@dataclass
class ColumnMap:
    """How the columns of one file map onto schema fields."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)  # source column → schema field
    sources: dict[str, str] = field(default_factory=dict)  # schema field → source column (for messages)
    unknown: list[str] = field(default_factory=list)
    shadowed: list[str] = field(default_factory=list)  # second column mapping onto an already mapped field

    @classmethod
    def build(cls, kind: str, columns: Iterable[str]) -> ColumnMap:
        table = alias_table(kind)
        mapping = cls(kind)
        ordered = list(dict.fromkeys(columns))
        # A column spelled exactly like the field wins over an alias of it ("id" vs "external_id").
        ordered.sort(key=lambda column: 0 if column in SCHEMAS[kind].model_fields else 1)
        for column in ordered:
            target = table.get(fold_key(column))
            if target is None:
                mapping.unknown.append(column)
            elif target in mapping.sources:
                mapping.shadowed.append(column)
            else:
                mapping.fields[column] = target
                mapping.sources[target] = column
        return mapping

    def missing_required(self) -> list[str]:
        return [name for name in REQUIRED[self.kind] if name not in self.sources]

    def warnings(self) -> list[str]:
        notes: list[str] = [
            CodedText(f"column {column!r} is not a {self.kind} field: ignored", "w_unknown_column", column=column)
            for column in self.unknown
        ]
        for column in self.shadowed:
            target = self.fields_of(column)
            source = self.sources.get(target)
            notes.append(
                CodedText(
                    f"column {column!r} ignored where {target!r} also comes from {source!r}",
                    "w_shadowed_column",
                    column=column,
                    other=str(source),
                )
            )
        return notes

    def fields_of(self, column: str) -> str:
        return alias_table(self.kind).get(fold_key(column), column)

    def apply(self, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Schema-named values of one row and the column each came from.

        Resolved per row, so JSON objects that spell a field differently from one another all map;
        value synonyms (e.g. 'Ministère' → ministry) are translated.
        """
        table = alias_table(self.kind)
        exact = SCHEMAS[self.kind].model_fields
        out: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for column in sorted(raw, key=lambda name: 0 if name in exact else 1):
            target = table.get(fold_key(column))
            if target is None or target in out:
                continue
            out[target] = translate_value(target, raw[column])
            sources[target] = column
        return out, sources


def translate_value(target: str, value: Any) -> Any:
    synonyms = VALUE_SYNONYMS.get(target)
    if synonyms and isinstance(value, str) and value.strip():
        return synonyms.get(fold_key(value), value)
    return value


def slugify(text: str, limit: int = 128) -> str:
    """Stable id from a name: folded, words joined by '-' (Arabic letters kept)."""
    return re.sub(r"[^0-9a-z\u0600-\u06ff]+", "-", fold(text)).strip("-")[:limit].strip("-")


_MINISTRY = re.compile(r"\b(ministere|ministry|prefecture|secretariat d etat|direction generale|wilaya|etat)\b")
_LOCAL = re.compile(
    r"\b(mairie|ville|commune|communaute|departement|departemental|conseil regional|conseil provincial|region"
    r"|metropole|agglomeration|syndicat|sdis|province|arrondissement|collectivite|cc|ca)\b"
)
_BANK = re.compile(r"\b(banque|bank|bancaire|credit)\b")


def buyer_kind_from_name(name: str | None, identifier: str | None = None) -> str:
    """Best guess of a public buyer's kind from its name, then from a French SIREN/SIRET prefix.

    Ministries and State services → ministry; communes, departments, regions and their groupings
    (also SIREN 21–25…) → local_authority; banks → bank; everything else public (hospitals,
    housing offices, ports, universities, agencies) → public_enterprise.
    """
    folded = re.sub(r"[^0-9a-z]+", " ", fold(name or ""))
    if _MINISTRY.search(folded):
        return "ministry"
    if _LOCAL.search(folded):
        return "local_authority"
    if _BANK.search(folded):
        return "bank"
    digits = re.sub(r"\D", "", identifier or "")
    if len(digits) >= 9:
        if digits[:2] in {"21", "22", "23", "24", "25"}:
            return "local_authority"
        if digits[:2] in {"11", "12"}:
            return "ministry"
    return "public_enterprise"
