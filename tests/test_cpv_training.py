"""Training the CPV inference twice on the same titles gives the same model: evaluations are reproducible."""

from __future__ import annotations

import random

import numpy as np

from matcher.ranking.cpv_inference import train

KINDS = {
    "45233140": ["travaux de voirie", "réfection de chaussée", "enrobés et trottoirs", "aménagement de routes"],
    "72212000": ["développement logiciel", "application mobile", "plateforme numérique", "maintenance du progiciel"],
    "90910000": ["nettoyage des locaux", "entretien ménager", "nettoyage des vitres", "propreté des bâtiments"],
}


def corpus(seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, codes = [], []
    for _ in range(240):
        code = rng.choice(sorted(KINDS))
        words = rng.sample(KINDS[code], 2)
        texts.append(f"{words[0].capitalize()} et {words[1]}, commune de {rng.choice(['Rabat', 'Fès', 'Safi'])}")
        codes.append(code)
    return texts, codes


def test_two_trainings_on_the_same_titles_give_the_same_model() -> None:
    texts, codes = corpus(1)
    first, second = train(texts, codes), train(texts, codes)
    assert (first.weights != second.weights).nnz == 0
    assert np.array_equal(first.intercept, second.intercept)
    assert np.array_equal(first.confidence_map, second.confidence_map)
    titles = ["Réfection de la chaussée et des trottoirs", "Application mobile pour la commune"]
    assert first.predict(titles) == second.predict(titles)
    assert first.predict(titles)[0][0].code.startswith("452")
