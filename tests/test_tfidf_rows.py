"""TfidfRows must give exactly the rows scikit-learn gives: ranking features depend on them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.index.lexical import char_preprocessor, word_analyzer
from matcher.index.tfidf_rows import TfidfRows

CORPUS = [
    "Plateforme de paiement mobile pour la commune de Rabat",
    "Travaux de voirie et d'assainissement — lot 2",
    "منصة الأداء الإلكتروني للجماعة",
    "Audit de sécurité informatique, tests d'intrusion (ISO 27001)",
    "Solar pumping for irrigation in the Souss region",
    "Système d'information hospitalier : dossier patient informatisé",
]
QUERIES = [
    "paiement mobile sécurisé",
    "marché public de voirie voirie voirie",
    "الأداء الإلكتروني",
    "words the vocabulary never saw: zyxwv",
    "",
    *CORPUS,
]


@pytest.mark.parametrize(
    "vectorizer",
    [
        TfidfVectorizer(analyzer=word_analyzer, sublinear_tf=True, dtype=np.float32),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), preprocessor=char_preprocessor, lowercase=False,
            sublinear_tf=True, dtype=np.float32,
        ),
        TfidfVectorizer(dtype=np.float32),
    ],
    ids=["words", "characters", "plain"],
)  # fmt: skip
def test_rows_equal_scikit_learn(vectorizer: TfidfVectorizer) -> None:
    vectorizer.fit(CORPUS)
    expected = vectorizer.transform(QUERIES)
    got = TfidfRows(vectorizer).transform(QUERIES)
    assert got.shape == expected.shape
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.toarray(), expected.toarray(), rtol=1e-5, atol=1e-6)
    assert got.getrow(4).nnz == 0  # the empty text stays an empty row, not NaNs
    assert np.isfinite(got.data).all()


def test_one_text_at_a_time_gives_the_same_rows() -> None:
    vectorizer = TfidfVectorizer(analyzer=word_analyzer, sublinear_tf=True, dtype=np.float32).fit(CORPUS)
    rows = TfidfRows(vectorizer)
    together = rows.transform(QUERIES).toarray()
    alone = np.vstack([rows.transform([q]).toarray() for q in QUERIES])
    np.testing.assert_array_equal(together, alone)


def test_unsupported_vectorizer_is_refused_with_its_setting() -> None:
    vectorizer = TfidfVectorizer(norm="l1").fit(CORPUS)
    with pytest.raises(ValueError, match="l2"):
        TfidfRows(vectorizer)
