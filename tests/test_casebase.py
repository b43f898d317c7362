"""Case matching: the stacked (one sparse product) scores equal a reference-by-reference computation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.ranking.casebase import CaseBase
from matcher.ranking.catalogue import StartupRecord

BASE = StartupRecord(
    external_id="", name="", city=None, region=None, sectors=(), tags=(), cpv_codes=(), founding_year=None,
    headcount=None, annual_revenue=None, revenue_currency="MAD", certifications=(), references_count=0,
    preferred_language="fr", contact_email=None, digest_opt_in=True,
)  # fmt: skip
REFERENCES = {
    "S-ROADS": ("Travaux de voirie et revêtement", "Réfection de chaussée à Fès", "Aménagement de trottoirs"),
    "S-PAY": ("Plateforme de paiement en ligne des taxes", "Monétique pour la régie"),
    "S-NONE": (),
    "S-CLEAN": ("Nettoyage des locaux administratifs",),
}


def _casebase() -> tuple[CaseBase, dict[str, StartupRecord]]:
    startups = {
        key: replace(BASE, external_id=key, name=key, references=refs, references_count=len(refs))
        for key, refs in REFERENCES.items()
    }
    casebase = CaseBase(lambda code: code)
    casebase.sync(startups)
    return casebase, startups


def test_supplier_scores_match_a_reference_by_reference_computation() -> None:
    casebase, _ = _casebase()
    query = "Travaux de revêtement de chaussée"
    ids = ["S-PAY", "S-UNKNOWN", "S-ROADS", "S-NONE", "S-CLEAN"]
    scores = casebase.supplier_scores(query, ids)
    row, words = casebase._transform([query])
    for position, external_id in enumerate(ids):
        entry = casebase._entries.get(external_id)
        if entry is None:
            assert not scores[position].any()
            continue
        assert np.isclose(scores[position, 0], (entry.profile @ row.T).toarray()[0, 0], atol=1e-6)
        assert np.isclose(scores[position, 1], (entry.terms @ words.T).toarray()[0, 0], atol=1e-6)
        if entry.references.shape[0]:
            sims = (entry.references @ row.T).toarray().ravel()
            assert np.isclose(scores[position, 2], sims.max(), atol=1e-6)
            assert np.isclose(scores[position, 3], sims.mean(), atol=1e-6)
        else:
            assert scores[position, 2] == scores[position, 3] == 0
    assert scores[2, 2] > scores[0, 2]  # the road builder's closest past contract beats the fintech's


def test_changed_profiles_are_seen_by_the_next_query() -> None:
    casebase, startups = _casebase()
    before = casebase.supplier_scores("Nettoyage des locaux", ["S-NONE"])[0, 2]
    updated = dict(startups)
    updated["S-NONE"] = replace(
        startups["S-NONE"], references=("Nettoyage des locaux d'un hôpital",), references_count=1
    )
    casebase.sync(updated)
    after = casebase.supplier_scores("Nettoyage des locaux", ["S-NONE"])[0, 2]
    assert before == 0 and after > 0.5


def test_warmed_tenders_score_like_cold_ones_and_a_changed_title_is_not_served_stale() -> None:
    casebase, _ = _casebase()
    tenders = [
        ("T-ROAD", "Réfection de la chaussée et des trottoirs"),
        ("T-PAY", "Paiement en ligne des taxes communales"),
    ]
    cold = casebase.tender_scores("S-ROADS", tenders)
    warmed, _ = _casebase()
    warmed.warm_tenders(tenders)
    np.testing.assert_allclose(warmed.tender_scores("S-ROADS", tenders), cold, atol=1e-6)
    assert cold[0, 2] > cold[1, 2]  # the road tender is closest to the road builder's past contracts

    # The payment tender was retitled after warming: its new text is scored, not the warmed one.
    retitled = [tenders[0], ("T-PAY", "Réfection de chaussée à Fès")]
    fresh, _ = _casebase()
    np.testing.assert_allclose(
        warmed.tender_scores("S-ROADS", retitled), fresh.tender_scores("S-ROADS", retitled), atol=1e-6
    )
    assert warmed.tender_scores("S-ROADS", retitled)[1, 2] > cold[1, 2]
