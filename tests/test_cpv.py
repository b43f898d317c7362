from pathlib import Path

import pytest

from matcher import cpv


def test_parse_accepts_check_digit_and_lost_leading_zero() -> None:
    assert cpv.parse_cpv("50700000-2") == "50700000"
    assert cpv.parse_cpv(" 72212000 ") == "72212000"
    assert cpv.parse_cpv("3000000") == "03000000"
    assert cpv.parse_cpv_list("72000000-5; 48000000|72000000") == ["72000000", "48000000"]


@pytest.mark.parametrize("bad", ["", "abc", "5070000x", "507000001", None])
def test_parse_rejects_non_codes_with_the_value_in_the_message(bad: object) -> None:
    with pytest.raises(cpv.CPVError, match="not a CPV code"):
        cpv.parse_cpv(bad)


def test_hierarchy_from_digits() -> None:
    assert cpv.depth("45000000") == 2
    assert cpv.depth("45233120") == 7
    assert cpv.depth("45233121") == 8
    assert cpv.ancestors("45233120") == ["45000000", "45200000", "45230000", "45233000", "45233100"]
    assert cpv.division("72212000") == "72"


def test_similarity_decays_with_the_level_of_divergence() -> None:
    same = cpv.similarity("72212000", "72212000")
    ancestor = cpv.similarity("72000000", "72212000")
    same_group = cpv.similarity("72212000", "72267000")
    same_division = cpv.similarity("72212000", "72700000")
    unrelated = cpv.similarity("72212000", "45233120")
    assert same > ancestor > same_group > unrelated
    assert same_group >= same_division > unrelated == 0.0


def test_best_overlap_names_the_closest_pair() -> None:
    match = cpv.best_overlap(["45000000", "72212000"], ["72212300", "33100000"])
    assert match is not None and (match.left, match.right) == ("72212000", "72212300")
    assert cpv.best_overlap(["45000000"], ["33100000"]) is None


def test_labels_fall_back_to_the_division_shipped_with_the_project() -> None:
    assert cpv.label("72212000", "en", official=False) == "IT services"
    assert cpv.label("66110000", "fr", official=False) == "Banque et assurance"


def test_every_code_shows_its_official_label_out_of_the_box() -> None:
    assert len(cpv.official_labels()) == 9454
    assert cpv.label("72212000", "en") == "Programming services of application software"
    assert cpv.label("72212000", "fr") == "Services de programmation de logiciels d'application"
    # The official list has no Arabic: an Arabic reader gets the most specific Arabic label (the division's).
    assert cpv.label("72212000", "ar") == cpv.label("72000000", "ar") != cpv.label("72212000", "fr")
    assert cpv.label("72212901", "en") == cpv.label("72212900", "en")  # unknown code: nearest ancestor


def test_official_list_loads_with_specific_labels(cpv_list: Path) -> None:
    catalogue = cpv.load_cpv_csv(cpv_list)
    assert len(catalogue) > 9000
    assert "logiciel" in cpv.label("48000000", "fr", catalogue).lower()


def test_loader_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "cpv.csv"
    path.write_text("code,label_fr,label_en\n72000000,Info,IT\nxx,bad,bad\n", encoding="utf-8")
    with pytest.raises(cpv.CPVError, match="line 3"):
        cpv.load_cpv_csv(path)
