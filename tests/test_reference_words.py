"""Title-only word matching of a tender against suppliers' past contracts (the no-CPV signal)."""

from __future__ import annotations

from dataclasses import replace

from matcher.ranking.catalogue import StartupRecord
from matcher.ranking.reference_words import reference_words
from matcher.text import fold

BASE = StartupRecord(
    external_id="", name="", city=None, region=None, sectors=(), tags=(), cpv_codes=(), founding_year=None,
    headcount=None, annual_revenue=None, revenue_currency="EUR", certifications=(), references_count=0,
    preferred_language="fr", contact_email=None, digest_opt_in=True,
)  # fmt: skip


def _suppliers(references: dict[str, tuple[str, ...]]) -> list[StartupRecord]:
    return [replace(BASE, external_id=k, references=r, references_count=len(r)) for k, r in references.items()]


def test_the_supplier_that_did_this_kind_of_work_scores_highest() -> None:
    suppliers = _suppliers(
        {
            "roofer": ("Réfection de la toiture du gymnase", "Travaux de couverture et zinguerie"),
            "builder": ("Construction d'une école", "Réfection des sols de la mairie"),
            "cleaner": ("Nettoyage des locaux",),
            "new": (),
        }
    )
    scores = reference_words("Réfection de la couverture de l'église", suppliers)
    assert scores.argmax() == 0 and scores[0] == 1.0
    assert scores[0] > scores[1] > scores[2] == scores[3] == 0.0  # 'réfection' shared by two, 'couverture' by one


def test_a_title_with_letters_lost_in_the_source_meets_the_intact_spelling() -> None:
    assert fold("R\ufffdhabilitation de la mairie") == fold("Réhabilitation de la mairie")
    suppliers = _suppliers({"a": ("R\ufffdhabilitation du groupe scolaire",), "b": ("Entretien des espaces verts",)})
    assert list(reference_words("Réhabilitation de la salle des fêtes", suppliers)) == [1.0, 0.0]


def test_nothing_in_common_or_no_candidate_gives_zeros() -> None:
    assert reference_words("Fourniture de papier", _suppliers({"a": ("Travaux de voirie",)})).tolist() == [0.0]
    assert reference_words("Fourniture de papier", []).shape == (0,)
