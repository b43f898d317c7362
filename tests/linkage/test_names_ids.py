"""Name folding, legal forms and national ids: what a staff member sees linked, or not."""

from __future__ import annotations

import pytest

from matcher.linkage import CompanyIdError, fold_name, normalize_company_id
from matcher.linkage.ids import company_key, luhn_ok
from matcher.linkage.names import acronyms
from matcher.linkage.similarity import NameIndex


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Sté LOGITUD Solutions S.A.S.", "logitud solutions"),
        ("LOGITUD SOLUTIONS SAS", "logitud solutions"),
        ("Société Atlas Digital SARL", "atlas digital"),
        ("ATLAS DIGITAL SARL AU", "atlas digital"),
        ("STE ATLAS DIGITAL S.A.R.L. A.U.", "atlas digital"),
        ("Atlas Digital SASU", "atlas digital"),
        ("Atlas Digital EURL", "atlas digital"),
        ("GIE Atlas Digital", "atlas digital"),
        ("Atlas Digital SNC", "atlas digital"),
        ("Atlas Tech Ltd", "atlas tech"),
        ("ATLAS TECH LIMITED", "atlas tech"),
        ("Atlas Tech PLC", "atlas tech"),
        ("Bouygues Télécom", "bouygues telecom"),
        ("Électricité de France SA", "electricite de france"),
        ("شركة أطلس ش.م.م", "اطلس"),
        ("شركة المغرب للتكنولوجيا ذات المسؤولية المحدودة", "المغرب للتكنولوجيا"),
        ("شركة مساهمة الأطلس", "الاطلس"),
        ("SA", "sa"),
    ],
)
def test_fold_name_strips_case_accents_punctuation_and_legal_forms(raw: str, folded: str) -> None:
    assert fold_name(raw) == folded


def test_acronyms_from_initials() -> None:
    assert "rcm" in acronyms("Routes et Chantiers Modernes")
    assert "sfr" in acronyms("Société Française Radiotéléphone")


@pytest.mark.parametrize(
    ("scheme", "value", "canonical"),
    [
        ("SIREN", "732 829 320", "732829320"),
        ("SIRET", "732 829 320 00074", "73282932000074"),
        ("SIRET", "35600000000015", "35600000000015"),  # La Poste: digit sum multiple of 5
        ("ICE", "001234567000089", "001234567000089"),
        ("UK_CH", "01234567", "01234567"),
        ("uk_ch", "SC123456", "SC123456"),
        ("UK_CH", "123456", "00123456"),
    ],
)
def test_valid_company_ids(scheme: str, value: str, canonical: str) -> None:
    assert normalize_company_id(scheme, value) == canonical


@pytest.mark.parametrize(
    ("scheme", "value", "reason"),
    [
        ("SIREN", "732829321", "check digit"),
        ("SIREN", "12345678", "9 digits"),
        ("SIRET", "73282932000075", "check digit"),
        ("SIRET", "35600000000016", "La Poste"),
        ("ICE", "00123456700008", "15 digits"),
        ("ICE", "00123456700008A", "digits only"),
        ("ICE", "000000000000000", "zeros"),
        ("UK_CH", "XX1234567", "Companies House"),
        ("VAT", "123", "unknown scheme"),
    ],
)
def test_invalid_company_ids_say_why(scheme: str, value: str, reason: str) -> None:
    with pytest.raises(CompanyIdError, match=reason):
        normalize_company_id(scheme, value)


def test_luhn_and_siret_links_on_siren() -> None:
    assert luhn_ok("732829320")
    assert company_key("SIRET", "73282932000074") == company_key("SIREN", "732829320") == "SIREN:732829320"


def test_name_index_links_variants_and_refuses_ambiguity() -> None:
    index = NameIndex(
        [
            ("A", "LOGITUD SOLUTIONS SAS"),
            ("B", "BOUYGUES TELECOM ENTREPRISES"),
            ("C", "EIFFAGE ROUTE NORD EST"),
            ("D", "EIFFAGE ROUTE CENTRE EST"),
            ("E", "ROUTES ET CHANTIERS MODERNES"),
            ("F", "ID VERDE"),
        ]
    )
    assert index.resolve("Logitud Solutions").key == "A"
    assert index.resolve("Sté Bouygues Télécom Entreprises").key == "B"
    assert index.resolve("IDVERDE").key == "F"
    assert index.resolve("RCM").key == "E"
    assert index.resolve("EIFFAGE ROUTE").key is None  # two agencies fit: nothing linked silently
    assert index.resolve("Boulangerie du Port").key is None


def test_a_name_unique_token_links_and_a_glued_legal_form_is_stripped() -> None:
    france = [(f"F{i}", f"{word} FRANCE") for i, word in enumerate(["M-M", "ORACLE", "GPV", "SCANIA", "CHUBB"])]
    index = NameIndex([("D", "DRAGER MEDICAL"), ("E", "EDF"), *france])
    assert index.resolve("DRAGER FRANCE SAS").key == "D"  # "drager" belongs to one company only
    assert index.resolve("EDFSA").key == "E"
    assert index.resolve("Société Française").key is None  # common words alone link nothing


def test_close_candidates_are_reported_as_a_tie_for_context_to_break() -> None:
    from matcher.linkage.context import Clues, History, break_tie

    index = NameIndex([("A", "ID VERDE"), ("B", "ID VERDE"), ("C", "SOCOTEC"), ("D", "SOCOTEC")])
    decision = index.resolve("IDVERDE")
    assert decision.key is None and set(decision.tied) == {"A", "B"}
    history = History()
    history.add("A", Clues(buyer="mairie-lyon", division="45", place="69"), ref=1)
    history.add("B", Clues(buyer="mairie-brest", division="45", place="29"), ref=2)
    assert break_tie(decision.tied, Clues(buyer="mairie-lyon"), history) == "A"
    assert break_tie(decision.tied, Clues(buyer="x", division="45", place="29"), history) == "B"
    assert break_tie(decision.tied, Clues(buyer="x", division="45"), history) is None  # both worked in 45
    # the record being linked is never its own evidence
    assert break_tie(decision.tied, Clues(buyer="mairie-lyon"), history, exclude=1) is None
    assert break_tie(index.resolve("SOCOTEC FRANCE").tied, Clues(buyer="mairie-lyon"), history) is None


def test_a_bare_group_name_does_not_win_over_a_wider_name_sharing_more_words() -> None:
    others = [(f"E{i}", f"{word} ENERGIE") for i, word in enumerate(["ALPES", "BRETAGNE", "SOLAIRE"])]
    index = NameIndex([("G", "EIFFAGE"), ("S", "EIFFAGE ENERGIE SYSTEMES"), ("C", "EIFFAGE CONSTRUCTION"), *others])
    decision = index.resolve("EIFFAGE ENERGIE CENTRE LOIRE")
    assert decision.key is None and set(decision.tied) == {"G", "S"}


def test_a_company_without_confirmed_history_is_never_outvoted_by_context() -> None:
    from matcher.linkage.context import Clues, History, break_tie

    history = History()
    history.add("A", Clues(buyer="b1"), ref=1)
    history.add("B", Clues(buyer="b2"), ref=2)  # B's only record is the one being linked
    assert break_tie(("A", "B"), Clues(buyer="b1"), history, exclude=2) is None
    assert break_tie(("A", "B"), Clues(buyer="b1"), history) == "A"
    # the exact-name company wins with any lead; another company needs a lead of two
    history.add("B", Clues(division="45", place="69"), ref=4)
    assert break_tie(("A", "B"), Clues(division="45"), history, preferred="B") == "B"
    assert break_tie(("A", "B"), Clues(division="45"), history, preferred="A") is None
    assert break_tie(("A", "B"), Clues(division="45", place="69"), history, preferred="A") == "B"


def test_a_company_known_from_one_record_wins_a_tie_only_on_its_buyer_or_departement() -> None:
    from matcher.linkage.context import Clues, History, break_tie

    history = History()
    history.add("A", Clues(buyer="mairie-lyon", division="45", place="69"), ref=1)  # one record only
    for ref, place in enumerate(("35", "56", "29"), start=2):
        history.add("B", Clues(buyer=f"port-{place}", division="71", place=place), ref=ref)
    # A shares only the région (Rhône → Ain) and the CPV division: a single record, a coincidence
    assert break_tie(("A", "B"), Clues(buyer="x", division="45", place="01"), history) is None
    # its buyer, or its département, is enough
    assert break_tie(("A", "B"), Clues(buyer="mairie-lyon"), history) == "A"
    assert break_tie(("A", "B"), Clues(buyer="x", place="69"), history) == "A"
    # a company with a longer history wins on the région and the division alone
    history.add("A", Clues(buyer="sytral", division="45", place="38"), ref=9)
    assert break_tie(("A", "B"), Clues(buyer="x", division="45", place="01"), history) == "A"


def test_each_link_says_which_rule_made_it() -> None:
    lifts = [("T", "THYSSENKRUPP ASCENSEURS"), ("O", "OTIS"), ("S", "SCHINDLER"), ("K", "KONE ASCENSEURS NORD")]
    index = NameIndex([("L", "LOGITUD SOLUTIONS"), *lifts])
    assert index.resolve("Logitud Solutions SAS").rule == "exact"
    assert index.resolve("LOGITUD SOLUTION").rule == "name"
    decision = index.resolve("THYSSNEKRUPP")  # a typo: lower score, wide margin
    assert decision.key == "T" and decision.rule == "low bar"
    assert index.resolve("Boulangerie du Port").rule == ""
