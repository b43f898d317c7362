"""Reading files: format guessing, encodings, line numbers, and whole-file refusals with one-line causes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from matcher.ingest import IngestError
from matcher.ingest.mapping import ColumnMap, buyer_kind_from_name, fold_key, slugify
from matcher.ingest.readers import load

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tenders.csv", "csv"),
        ("tenders.jsonl", "jsonl"),
        ("tenders.json", "json"),
        ("decp_sample.json", "decp"),
        ("decp_nested.json", "decp"),
        ("ocds_release_package.json", "ocds"),
        ("ocds_record_package.json", "ocds"),
    ],
)
def test_format_is_guessed_from_extension_and_json_shape(name: str, expected: str) -> None:
    assert load((FIXTURES / name).read_bytes(), name).format == expected


def test_unknown_extension_is_sniffed_from_content() -> None:
    jsonl = (FIXTURES / "tenders.jsonl").read_bytes()
    assert load(jsonl, "export.txt").format == "jsonl"
    assert load(b'[{"id": "a", "title": "b"}]', "upload").format == "json"
    with pytest.raises(IngestError, match="pass --format"):
        load(b"id,title\n1,x\n", "export.dat")


def test_csv_lines_count_the_header_as_line_one_and_keep_blank_lines() -> None:
    text = 'id,title,x\n1,a,b\n\n2,"multi\nline",c\n3,a,b,EXTRA\n4,short\n'
    loaded = load(text.encode(), "t.csv")
    by_line = {row.line: row for row in loaded.rows}
    assert by_line[2].raw == {"id": "1", "title": "a", "x": "b"}
    assert 3 not in by_line  # blank line: skipped but counted
    assert by_line[4].raw["title"] == "multi\nline"
    assert by_line[5].problem and "expected 3 fields, saw 4" in by_line[5].problem
    assert by_line[6].raw == {"id": "4", "title": "short", "x": ""}


def test_semicolon_separated_french_excel_csv() -> None:
    text = "Identifiant;Raison sociale;Ville\nST-9;Société Générale d'Études, SA;Fès\n"
    row = load(text.encode(), "s.csv").rows[0]
    assert row.raw == {"Identifiant": "ST-9", "Raison sociale": "Société Générale d'Études, SA", "Ville": "Fès"}


def test_utf8_bom_and_utf16_are_read() -> None:
    text = "id,name\nST-1,Société\n"
    assert load(text.encode("utf-8-sig"), "a.csv").rows[0].raw == {"id": "ST-1", "name": "Société"}
    assert load(text.encode("utf-16"), "a.csv").rows[0].raw == {"id": "ST-1", "name": "Société"}


def test_windows_1252_csv_is_accepted_only_with_french_letters_and_says_so() -> None:
    text = "id,name,description\nST-1,Société Générale,Études « clés en main » créées à 5 €\n"
    loaded = load(text.encode("cp1252"), "excel.csv")
    assert loaded.rows[0].raw["description"] == "Études « clés en main » créées à 5 €"
    assert any("Windows-1252" in warning for warning in loaded.warnings)


def test_non_utf8_text_that_is_not_french_is_refused_with_the_line() -> None:
    data = b"id,name\nST-1,ok\nST-2," + "Ωμέγα".encode("cp1253") + b"\n"
    with pytest.raises(IngestError, match=r"not UTF-8 text \(byte 0x.. on line 3\)"):
        load(data, "greek.csv")
    with pytest.raises(IngestError, match="not UTF-8"):
        load('[{"id": "é"}]'.encode("latin-1"), "t.json")  # JSON must be UTF-8


def test_binary_file_is_refused() -> None:
    with pytest.raises(IngestError, match="binary file"):
        load(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "logo.csv")


@pytest.mark.parametrize(
    ("data", "name", "fmt", "message"),
    [
        (b"", "empty.csv", None, "is empty"),
        (b"  \n\n", "blank.jsonl", None, "is empty"),
        (b"id,title\n", "header.csv", None, "header but no data rows"),
        (b"[]", "none.json", None, "holds no records"),
        (b'[{"id": "a", "title": "b"}, {"id": "c"', "cut.json", None, "truncated JSON"),
        (b'{"id": 1}\n{"id": 2}\n', "lines.json", "json", "use --format jsonl"),
        (b'[\n  {"id": 1}\n]\n', "pretty.jsonl", None, "use --format json"),
        (b'[{"id": "a"}]', "t.json", "csv", "looks like JSON, not CSV"),
        (b"id,title\n1,a\n", "t.csv", "json", "not valid JSON"),
        (b"id,title\n1,a\n", "t.csv", "parquet", "not a Parquet file"),
        (b'{"releases": [{"ocid": "x"}]}', "o.json", "decp", "looks like an OCDS package: use --format ocds"),
        (b'{"marches": [{"id": "x"}]}', "d.json", "ocds", "looks like a DECP file: use --format decp"),
        (b'{"marches": [{"id": "x"}]}', "d.json", "json", "DECP file: use --format decp"),
        (b'{"hello": "world"}', "o.json", None, "not a list of objects"),
        (b"id,title\n1,a\n", "t.csv", "xlsx", "unknown format"),
    ],
)
def test_whole_file_problems_raise_one_line_errors(data: bytes, name: str, fmt: str | None, message: str) -> None:
    with pytest.raises(IngestError, match=message) as caught:
        load(data, name, fmt)
    assert "\n" not in str(caught.value)
    assert name in str(caught.value) or fmt == "xlsx"


def test_jsonl_bad_lines_are_rows_with_a_problem_not_fatal() -> None:
    loaded = load((FIXTURES / "tenders.jsonl").read_bytes(), "tenders.jsonl")
    problems = {row.line: row.problem for row in loaded.rows if row.problem}
    assert set(problems) == {6, 7}
    assert "invalid JSON" in problems[6]
    assert "not an object" in problems[7]
    assert [row.line for row in loaded.rows if not row.problem] == [1, 2, 4, 5, 8]


def test_json_list_may_be_wrapped_in_an_object() -> None:
    loaded = load(json.dumps({"tenders": [{"id": "a"}, {"id": "b"}]}).encode(), "wrapped.json")
    assert [row.line for row in loaded.rows] == [1, 2]


def test_parquet_rows_become_plain_python_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": [101, 102],
            "title": ["Audit", "Cloud"],
            "cpv_codes": [["72000000", "48000000"], []],
            "budget": [1500000.0, None],
            "deadline": pd.to_datetime(pd.Series(["2026-05-01", None])),
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    rows = load(buffer.getvalue(), "t.parquet").rows
    assert rows[0].raw["id"] == 101 and rows[0].raw["cpv_codes"] == ["72000000", "48000000"]
    assert rows[1].raw["budget"] is None and rows[1].raw["deadline"] is None
    with pytest.raises(IngestError, match="Parquet file, not CSV"):
        load(buffer.getvalue(), "t.csv")


def test_column_aliases_are_folded_and_unknown_columns_reported() -> None:
    mapping = ColumnMap.build(
        "tenders", ["Référence", "OBJET", "Date limite", "Codes CPV", "Montant", "Acheteur", "Couleur"]
    )
    assert mapping.fields == {
        "Référence": "external_id",
        "OBJET": "title",
        "Date limite": "deadline_at",
        "Codes CPV": "cpv_codes",
        "Montant": "estimated_value",
        "Acheteur": "buyer_name",
    }
    assert mapping.missing_required() == []
    assert mapping.warnings() == ["column 'Couleur' is not a tenders field: ignored"]


def test_exact_field_name_wins_over_an_alias_of_it() -> None:
    mapping = ColumnMap.build("startups", ["id", "external_id", "nom"])
    assert mapping.sources["external_id"] == "external_id"
    assert mapping.shadowed == ["id"]
    assert ColumnMap.build("startups", ["nom", "ville"]).missing_required() == ["external_id"]


def test_value_synonyms_and_helpers() -> None:
    mapping = ColumnMap.build("buyers", ["id", "nom", "type"])
    values, sources = mapping.apply({"id": "B", "nom": "X", "type": "Collectivité territoriale"})
    assert values["kind"] == "local_authority" and sources["kind"] == "type"
    assert fold_key("Date limite de remise des offres") == "date_limite_de_remise_des_offres"
    assert slugify("Ministère de l'Agriculture") == "ministere-de-l-agriculture"
    assert buyer_kind_from_name("Mairie de Fos sur Mer") == "local_authority"
    assert buyer_kind_from_name("Ministère des Armées - DIRISI") == "ministry"
    assert buyer_kind_from_name("CHU NANTES", "26440001200018") == "public_enterprise"
    assert buyer_kind_from_name("BUDGET PRINCIPAL", "21130039700018") == "local_authority"
    assert buyer_kind_from_name("Banque Populaire") == "bank"
