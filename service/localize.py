"""Matches in the API client's language: explanations and eligibility rendered from their message codes.

The engine's words are English with codes beside them (feature names, `details` / `gap_details`); a
client that sends ``Accept-Language: fr`` or ``ar`` gets the same structure with the readable fields
(summary, labels, reasons, messages, CPV labels) in that language. English is the API's default.
"""

from __future__ import annotations

from typing import TypeVar

from matcher import cpv
from matcher.digests.render import summary_sentence
from matcher.i18n import catalogue, render
from matcher.ranking.results import Eligibility, Explanation, SupplierMatch, TenderMatch

M = TypeVar("M", TenderMatch, SupplierMatch)


def localize_matches(matches: list[M], lang: str | None) -> list[M]:
    if not lang or lang == "en":
        return matches
    return [localize_match(match, lang) for match in matches]


def localize_match(match: M, lang: str) -> M:
    copy = match.model_copy(deep=True)
    copy.explanation = _explanation(copy.explanation, lang)
    if copy.eligibility is not None:
        copy.eligibility = _eligibility(copy.eligibility, lang)
    return copy


def _explanation(explanation: Explanation, lang: str) -> Explanation:
    words = catalogue(lang)
    for feature in explanation.features:
        if words.has(f"feat_{feature.name}"):
            feature.label = render(lang, f"feat_{feature.name}")
    for detail in explanation.gap_details:
        detail.message = render(lang, detail.code, detail.params)
    if explanation.gap_details:
        explanation.gaps = [detail.message for detail in explanation.gap_details]
    for pair in explanation.cpv_matches:
        pair.label = cpv.label(pair.tender_code, lang)
    record = explanation.track_record_detail
    if record is not None:
        count, field = int(record.params.get("count", 0)), cpv.label(str(record.params.get("cpv", "")), lang)
        record.message = render(lang, "track_record_note", {"count": count, "field": field})
        explanation.track_record = record.message
    explanation.summary = summary_sentence(explanation.model_dump(mode="json"), lang)
    return explanation


def _eligibility(eligibility: Eligibility, lang: str) -> Eligibility:
    for detail in eligibility.details:
        detail.message = render(lang, detail.code, detail.params)
    if eligibility.details:
        eligibility.reasons = [detail.message for detail in eligibility.details]
    return eligibility
