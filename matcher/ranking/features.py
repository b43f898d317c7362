"""Features of (profile, candidate) pairs, computed for a whole candidate list at once.

Each feature is a number in [0, 1] with a readable label; the scorer weighs them and the
explanation quotes the strongest. Semantic and lexical similarities come from the indexes; the
case-matching columns (a tender against each past contract) from matcher.ranking.casebase. The features
after 'experience' were added with the evaluation on real award data (models/MODEL_CARD.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np

from matcher import cpv
from matcher.i18n import translate
from matcher.ranking.casebase import CASE_FEATURES
from matcher.ranking.catalogue import StartupRecord, TenderRecord
from matcher.ranking.cpv_inference import topic_scorer, topic_similarity
from matcher.ranking.eligibility import ELIGIBILITY_VALUE, is_small_firm
from matcher.ranking.reference_words import reference_words
from matcher.ranking.results import Eligibility
from matcher.ranking.scoring import WORKS
from matcher.text import fold

# Feature names; their readable labels are the catalogue's "feat_<name>" messages (matcher/i18n).
FEATURE_NAMES = (
    "semantic", "lexical", "cpv", "sector", "region", "budget_fit", "deadline", "sme_reserved",
    "first_reference", "eligibility", "experience", "references", "reference_terms", "closest_reference",
    "typical_reference", "cpv_depth", "city", "local_works", "cpv_topic", "track_record", "reference_words",
    "cpv_division", "track_region", "track_field", "track_size",
)  # fmt: skip
LABELS = {name: translate("en", f"feat_{name}") for name in FEATURE_NAMES}  # English, for the API

TENDER_FEATURES = (
    "semantic", "lexical", "cpv", "sector", "region", "budget_fit", "deadline",
    "sme_reserved", "first_reference", "eligibility",
    *CASE_FEATURES, "cpv_depth", "city", "local_works", "cpv_topic",
)  # fmt: skip
SUPPLIER_FEATURES = (
    "semantic", "lexical", "cpv", "sector", "region", "budget_fit", "eligibility", "experience",
    *CASE_FEATURES, "cpv_depth", "city", "local_works", "cpv_topic", "track_record", "reference_words",
    "cpv_division", "track_region", "track_field", "track_size",
)  # fmt: skip
QUERY_FEATURES = ("semantic", "lexical", "sector", "experience", *CASE_FEATURES)
_DEPTH, _CITY, _LOCAL_WORKS, _TOPIC = (
    TENDER_FEATURES.index(n) for n in ("cpv_depth", "city", "local_works", "cpv_topic")
)
WORKS_DIVISION = "45"  # CPV 45: construction works, mostly won by firms near the site

FEW_REFERENCES = 3

# What a supplier's verified contracts say, per tender. A startup with none yet (most young firms:
# the people Tremplin exists for) is scored at the typical value of a candidate with a history
# (means over the 55,000 candidate pairs of the DECP dev split), not at 0: the weights were learned
# where everyone has a history, so a 0 would read as "works elsewhere, at another size" and sink a
# first-timer under the relevance floor. These values are assumptions, never cited as reasons.
HISTORY_FEATURES = ("track_region", "track_field", "track_size")
TYPICAL_HISTORY = {"track_region": 0.104, "track_field": 0.018, "track_size": 0.507}


def sector_overlap(keys: Sequence[str], folded_text: str) -> float:
    """Share of a profile's folded sectors/tags (folded once, in the catalogue) found in a text.

    Two hits count as a full match."""
    hits = sum(1 for key in keys if key in folded_text)
    return min(1.0, hits / 2)


def budget_fit(startup: StartupRecord, value: float | None, currency: str) -> float:
    """1 when the contract is within reach of the company's size, decaying as it outgrows it."""
    if value is None or currency != startup.revenue_currency:
        return 0.5
    capacity = max(startup.annual_revenue or 0.0, (startup.headcount or 5) * 250_000.0)
    ratio = value / capacity
    return 1.0 if ratio <= 1.0 else math.exp(-(ratio - 1.0) / 2.0)


def deadline_comfort(deadline: datetime | None, now: datetime) -> float:
    if deadline is None:
        return 0.5
    days = (deadline - now).total_seconds() / 86400
    if days < 5:
        return 0.2
    return 1.0 if days <= 60 else 0.8


@lru_cache(maxsize=8192)
def _place_key(name: str) -> str:
    return fold(name)


def region_match(left: str | None, right: str | None) -> float:
    """Same place (accent- and case-blind); places are few, so their folded forms are cached."""
    if not left or not right:
        return 0.5
    return 1.0 if left == right or _place_key(left) == _place_key(right) else 0.0


def cpv_depth(left: Sequence[str], right: Sequence[str]) -> float:
    """Deepest CPV prefix shared by any pair of codes, over 8 digits (0 if no common division)."""
    return cpv.deepest_shared(left, right) / 8


def is_works(codes: Sequence[str]) -> bool:
    """A works contract (a CPV code of division 45, published or inferred)."""
    return any(code.startswith(WORKS_DIVISION) for code in codes)


def row_variants(tender: TenderRecord | None, startups: Sequence[StartupRecord]) -> list[str | None]:
    """The weight variant of each candidate of a buyer-side ranking (see `scoring.VARIANT_FEATURES`).

    Works weights apply to a works tender's candidates that have verified contracts: their places
    and trades (track_region, track_field) tell what the title's operation words cannot. A firm
    without any keeps the plain weights, its past titles being the only evidence of its trade
    (learned on its own, the variant cost such first-timers ranking quality: see the model card).
    """
    if tender is None or not is_works(tender.match_codes):
        return [None] * len(startups)
    return [WORKS if startup.contracts.total else None for startup in startups]


def locality(startup: StartupRecord, tender: TenderRecord, codes: Sequence[str] | None = None) -> tuple[float, float]:
    """(same city, works contract close to home): 1 same city, 0.5 same region, 0 elsewhere.
    `codes`: the tender's `match_codes`, when the caller has them."""
    city = region_match(startup.city, tender.city)
    if not is_works(tender.match_codes if codes is None else codes):
        return city, 0.0
    near = 1.0 if city == 1.0 else 0.5 if region_match(startup.region, tender.region) == 1.0 else 0.0
    return city, near


TRACK_RECORD_FULL = 3


def public_track_record(startup: StartupRecord, tender_codes: Sequence[str]) -> tuple[str | None, int]:
    """(CPV division, verified contracts with public buyers in it) for the tender's best division."""
    divisions = dict(startup.public_divisions)
    best: tuple[str | None, int] = (None, 0)
    for division in dict.fromkeys(code[:2] for code in tender_codes if code):
        if divisions.get(division, 0) > best[1]:
            best = (division, divisions[division])
    return best


def contract_size_fit(startup: StartupRecord, value: float | None, currency: str) -> float:
    """1 when the tender is the size of the supplier's usual verified contract, decaying by the ratio
    either way (a tenfold larger or smaller job reads about 0.3). 0 when either size is unknown: no
    evidence, no claim (the explanation would otherwise cite contracts the supplier never showed)."""
    usual = startup.contracts.median_amount
    if value is None or value <= 0 or usual is None or startup.contracts.currency != currency:
        return 0.0
    return math.exp(-abs(math.log(value / usual)) / 2.0)


def set_case_columns(matrix: np.ndarray, names: tuple[str, ...], cases: np.ndarray | None) -> None:
    if cases is None:
        return
    for offset, name in enumerate(CASE_FEATURES):
        matrix[:, names.index(name)] = np.clip(cases[:, offset], 0.0, 1.0)


def tender_features(
    startup: StartupRecord,
    tenders: Sequence[TenderRecord],
    semantic: np.ndarray,
    lexical: np.ndarray,
    eligibilities: Sequence[Eligibility],
    now: datetime,
    cases: np.ndarray | None = None,
) -> np.ndarray:
    """Rows = candidate tenders, columns = TENDER_FEATURES; `cases` = casebase scores per tender."""
    terms = startup.sector_keys
    small = is_small_firm(startup)
    few_references = startup.references_count < FEW_REFERENCES
    matrix = np.zeros((len(tenders), len(TENDER_FEATURES)), dtype=np.float32)
    matrix[:, 0] = np.clip(semantic, 0.0, 1.0)
    matrix[:, 1] = np.clip(lexical, 0.0, 1.0)
    topics = topic_scorer(startup.topics)
    startup_codes = startup.match_codes  # a property: built once, not per candidate
    for row, (tender, eligibility) in enumerate(zip(tenders, eligibilities, strict=True)):
        codes = tender.match_codes
        overlap = cpv.best_overlap(startup_codes, codes)
        matrix[row, 2] = overlap.score if overlap else 0.0
        matrix[row, 3] = sector_overlap(terms, tender.folded_text)
        matrix[row, 4] = region_match(startup.region, tender.region)
        matrix[row, 5] = budget_fit(startup, tender.estimated_value, tender.currency)
        matrix[row, 6] = deadline_comfort(tender.deadline_at, now)
        matrix[row, 7] = 1.0 if tender.reserved_for_sme and small else 0.0
        matrix[row, 8] = 1.0 if few_references and (tender.reserved_for_sme or not tender.min_references) else 0.0
        matrix[row, 9] = ELIGIBILITY_VALUE[eligibility.status]
        matrix[row, _DEPTH] = cpv_depth(startup_codes, codes)
        matrix[row, _CITY], matrix[row, _LOCAL_WORKS] = locality(startup, tender, codes)
        matrix[row, _TOPIC] = topics(tender.topics)
    set_case_columns(matrix, TENDER_FEATURES, cases)
    return matrix


def assumed_features(startup: StartupRecord, names: Sequence[str]) -> frozenset[str]:
    """Features of this candidate set to a typical value for lack of data (see TYPICAL_HISTORY)."""
    if startup.contracts.total or "track_region" not in names:
        return frozenset()
    return frozenset(HISTORY_FEATURES)


def supplier_features(
    tender: TenderRecord | None,
    startups: Sequence[StartupRecord],
    semantic: np.ndarray,
    lexical: np.ndarray,
    eligibilities: Sequence[Eligibility] | None,
    query_text: str = "",
    cases: np.ndarray | None = None,
) -> np.ndarray:
    """Rows = candidate startups; columns = SUPPLIER_FEATURES (tender) or QUERY_FEATURES (free text)."""
    names = SUPPLIER_FEATURES if tender is not None else QUERY_FEATURES
    matrix = np.zeros((len(startups), len(names)), dtype=np.float32)
    column = {name: i for i, name in enumerate(names)}
    matrix[:, column["semantic"]] = np.clip(semantic, 0.0, 1.0)
    matrix[:, column["lexical"]] = np.clip(lexical, 0.0, 1.0)
    folded = tender.folded_text if tender is not None else fold(query_text)
    for row, startup in enumerate(startups):
        matrix[row, column["sector"]] = sector_overlap(startup.sector_keys, folded)
        matrix[row, column["experience"]] = min(1.0, math.log1p(startup.references_count) / math.log1p(20))
        if tender is not None:
            overlap = cpv.best_overlap(startup.match_codes, tender.match_codes)
            matrix[row, column["cpv"]] = overlap.score if overlap else 0.0
            matrix[row, column["region"]] = region_match(startup.region, tender.region)
            matrix[row, column["budget_fit"]] = budget_fit(startup, tender.estimated_value, tender.currency)
            assert eligibilities is not None
            matrix[row, column["eligibility"]] = ELIGIBILITY_VALUE[eligibilities[row].status]
            matrix[row, column["cpv_depth"]] = cpv_depth(startup.match_codes, tender.match_codes)
            matrix[row, column["city"]], matrix[row, column["local_works"]] = locality(startup, tender)
            matrix[row, column["cpv_topic"]] = topic_similarity(startup.topics, tender.topics)
            matrix[row, column["cpv_division"]] = topic_similarity(startup.divisions, tender.divisions)
            _, contracts = public_track_record(startup, tender.cpv_codes)
            matrix[row, column["track_record"]] = min(1.0, contracts / TRACK_RECORD_FULL)
            history = startup.contracts
            if history.total:
                matrix[row, column["track_region"]] = history.region_share(tender.region)
                matrix[row, column["track_field"]] = history.class_share(tender.match_codes)
                matrix[row, column["track_size"]] = contract_size_fit(startup, tender.estimated_value, tender.currency)
            else:
                for name in HISTORY_FEATURES:
                    matrix[row, column[name]] = TYPICAL_HISTORY[name]
    if tender is not None:
        matrix[:, column["reference_words"]] = reference_words(tender.title, startups)
    set_case_columns(matrix, names, cases)
    return matrix
