"""Explanations a person can read: strongest features, shared terms, CPV codes, eligibility gaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher import cpv
from matcher.cpv import CPVLabel
from matcher.i18n import translate
from matcher.ranking.features import LABELS
from matcher.ranking.results import CPVMatchOut, Eligibility, Explanation, FeatureContribution, Reason


def cpv_matches(
    profile_codes: Sequence[str],
    tender_codes: Sequence[str],
    catalogue: dict[str, CPVLabel],
    lang: str = "fr",
    inferred: bool = False,
) -> list[CPVMatchOut]:
    """Closest code pairs; `inferred` marks pairs where one side's codes were read from its text."""
    pairs: list[CPVMatchOut] = []
    for tender_code in tender_codes:
        best = cpv.best_overlap(profile_codes, [tender_code])
        if best is not None:
            pairs.append(
                CPVMatchOut(
                    profile_code=best.left,
                    tender_code=tender_code,
                    label=cpv.label(tender_code, lang, catalogue),
                    similarity=round(best.score, 2),
                    inferred=inferred,
                )
            )
    return sorted(pairs, key=lambda p: -p.similarity)[:3]


def explain(
    names: tuple[str, ...],
    values: np.ndarray,
    contributions: np.ndarray,
    shared_terms: list[str],
    cpv_pairs: list[CPVMatchOut],
    eligibility: Eligibility | None,
    top: int = 3,
    track_record: Reason | None = None,
    assumed: frozenset[str] = frozenset(),
) -> Explanation:
    """`assumed`: features valued for lack of data (kept in the list, which sums to the score; never a reason)."""
    order = np.argsort(-contributions)
    features = [
        FeatureContribution(
            name=names[i], label=LABELS[names[i]], value=round(float(values[i]), 3),
            contribution=round(float(contributions[i]), 4), evidence=names[i] not in assumed,
        )
        for i in order
        if contributions[i] > 0
    ]  # fmt: skip
    reasons = [f.label for f in features if f.name != "eligibility" and f.evidence][:top]
    # The API's English sentence; pages and e-mails rebuild it in the reader's language from `features`.
    summary = translate("en", "fits_because", reasons=", ".join(reasons)) if reasons else translate("en", "weak_fit")
    if shared_terms:
        summary += f"; {translate('en', 'shared_terms').lower()}: {', '.join(shared_terms[:4])}"
    if cpv_pairs:
        mark = ", inferred from the text" if cpv_pairs[0].inferred else ""
        summary += f"; CPV {cpv_pairs[0].tender_code} ({cpv_pairs[0].label}{mark})"
    if track_record:
        summary += f"; {track_record.message}"
    return Explanation(
        summary=summary + ".",
        features=features,
        shared_terms=shared_terms,
        cpv_matches=cpv_pairs,
        gaps=list(eligibility.reasons) if eligibility else [],
        gap_details=list(eligibility.details) if eligibility else [],
        track_record=track_record.message if track_record else None,
        track_record_detail=track_record,
    )


def track_record_note(
    division: str | None, contracts: int, catalogue: dict[str, CPVLabel], lang: str = "en"
) -> Reason | None:
    """'2 verified public contracts in IT services' (code 'track_record_note', count and the division's code).

    Its message is English with the CPV catalogue's label; pages render the code with the division's
    label in the reader's language.
    """
    if not division or contracts <= 0:
        return None
    code = division + "000000"
    label = cpv.label(code, lang, catalogue, official=False)  # the division's short label
    message = translate(lang, "track_record_note", count=contracts, field=label)
    return Reason(code="track_record_note", params={"count": contracts, "cpv": code}, message=message)
