"""Terms in common shown to people: no filler words in French, Arabic or English, pairs as written."""

from __future__ import annotations

from matcher.index.lexical import LexicalIndex
from matcher.index.phrases import is_filler, readable_terms, written_pairs
from matcher.text import tokenize


def test_filler_words_of_the_three_languages_are_dropped() -> None:
    for word in ("لفائدة", "العمومية", "appel", "offres", "publique", "supply", "provision", "لصالح"):
        assert all(is_filler(token) for token in tokenize(word)), word
    for word in ("paiement", "irrigation", "cybersécurité", "الأداء", "الري", "payment"):
        assert not any(is_filler(token) for token in tokenize(word)), word


def test_pairs_stay_inside_one_clause_and_read_as_written() -> None:
    pairs = written_pairs("Plateforme de paiement mobile. Services informatiques, Banque Populaire")
    assert pairs["plateforme paiement"] == "Plateforme de paiement"
    assert pairs["paiement mobile"] == "paiement mobile"
    assert "informatiques banque" not in pairs  # a comma between them


def test_readable_terms_skip_fillers_and_pairs_the_query_does_not_have() -> None:
    query = "Solutions informatiques, Banque du Maroc : plateforme de paiement pour la commune"
    ranked = ["informatiques banque", "maroc", "plateforme paiement", "paiement", "commune"]
    forms = {"paiement": "paiement", "commune": "commune", "maroc": "Maroc"}
    assert readable_terms(ranked, query, forms) == ["plateforme de paiement", "commune"]


def test_index_shared_terms_in_arabic_drop_fillers() -> None:
    index = LexicalIndex()
    docs = {
        "pay": "إنجاز منصة للأداء الإلكتروني لفائدة الجماعة العمومية بمراكش",
        "water": "صيانة شبكات الري بالتنقيط لفائدة المكتب الجهوي",
        "roads": "Travaux de voirie et réfection de chaussées",
    }
    index.build(list(docs), list(docs.values()))
    terms = index.shared_terms("منصة الأداء الإلكتروني لفائدة المؤسسات العمومية", "pay")
    assert terms, "no shared term"
    assert not any("لفائدة" in term or "العمومية" in term for term in terms), terms
    assert any("الإلكتروني" in term for term in terms), terms


def test_index_shared_terms_in_french_keep_phrases() -> None:
    index = LexicalIndex()
    docs = {
        "pay": "Mise en place d'une plateforme de paiement mobile pour la commune de Settat",
        "bank": "Banque : audit des systèmes informatiques",
        "roads": "Travaux de voirie et réfection de chaussées",
    }
    index.build(list(docs), list(docs.values()))
    terms = index.shared_terms("Solutions informatiques. Banque : une plateforme de paiement mobile", "pay")
    assert "plateforme de paiement" in terms or "paiement mobile" in terms, terms
    assert not any(term.lower() in {"mise", "place", "mise place"} for term in terms), terms
    bank = index.shared_terms("Solutions informatiques. Banque : une plateforme de paiement mobile", "bank")
    assert "informatiques Banque" not in bank, bank
