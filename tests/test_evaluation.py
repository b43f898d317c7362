"""Evaluation harness: metrics, the hold-out split (deterministic, no leak), baselines, training, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.evaluation import baselines
from matcher.evaluation.metrics import first_relevant_rank, summarize
from matcher.evaluation.protocol import (
    EVAL_NOW,
    department,
    load_awards,
    parse_awards,
    siren,
    split,
    startup_id,
    startup_records,
    tender_id,
    tender_records,
)
from matcher.evaluation.runner import populate, run
from matcher.evaluation.train import Queries, cross_validate, fit, to_weights
from matcher.settings import Settings
from matcher.store import Award, Startup, Store, Tender

# ---------------------------------------------------------------------------------------------
# metrics


def test_first_relevant_rank_is_one_based_and_cut_at_k() -> None:
    assert first_relevant_rank(["a", "b", "c"], {"a"}) == 1
    assert first_relevant_rank(["a", "b", "c"], {"z", "c"}) == 3
    assert first_relevant_rank([str(i) for i in range(20)], {"12"}, k=10) is None
    assert first_relevant_rank([], {"a"}) is None


def test_summary_of_hand_computed_ranks() -> None:
    # ranks 1, 2, missed, 4 → HR@1 1/4, HR@10 3/4, MRR (1 + 1/2 + 1/4) / 4, nDCG (1 + 1/log2 3 + 1/log2 5) / 4
    metrics = summarize([1, 2, None, 4])
    assert metrics.queries == 4
    assert metrics.hr1 == pytest.approx(0.25)
    assert metrics.hr10 == pytest.approx(0.75)
    assert metrics.mrr10 == pytest.approx(0.4375)
    assert metrics.ndcg10 == pytest.approx((1 + 1 / math.log2(3) + 1 / math.log2(5)) / 4)


def test_rank_eleven_counts_as_a_miss_and_rank_ten_as_a_hit() -> None:
    metrics = summarize([10, 11])
    assert metrics.hr10 == pytest.approx(0.5)
    assert metrics.mrr10 == pytest.approx(0.1 / 2)
    assert metrics.ndcg10 == pytest.approx(1 / math.log2(11) / 2)


def test_summary_of_no_query_is_zero() -> None:
    assert summarize([]).hr10 == 0.0


# ---------------------------------------------------------------------------------------------
# a small DECP-like market written for the tests

ACTIVITIES = {
    "plomberie": ("45330000", "Travaux de plomberie et chauffage", "13"),
    "peinture": ("45442100", "Travaux de peinture des bâtiments", "69"),
    "informatique": ("72000000", "Maintenance du parc informatique et logiciels", "75"),
    "nettoyage": ("90910000", "Nettoyage des locaux administratifs", "59"),
    "restauration": ("55520000", "Fourniture de repas pour la restauration scolaire", "33"),
    "espaces verts": ("77310000", "Entretien des espaces verts et plantations", "44"),
}


def _marche(number: int, title: str, code: str, buyer: str, place: str, holders: list[str]) -> dict[str, Any]:
    return {
        "id": f"2019-{number:04d}",
        "acheteur": {"id": buyer, "nom": f"Commune {buyer[-4:]}"},
        "objet": title,
        "codeCPV": code,
        "lieuExecution": {"code": place, "typeCode": "Code département", "nom": f"Département {place}"},
        "montant": 10_000 + 1_000 * number,
        "titulaires": [
            {"typeIdentifiant": "SIRET", "id": h, "denominationSociale": f"Société {h[:4]}"} for h in holders
        ],
    }


def market() -> list[dict[str, Any]]:
    """Two suppliers per activity, four awards each with four different buyers, plus noise."""
    records: list[dict[str, Any]] = []
    number = 0
    for a, (activity, (code, label, place)) in enumerate(ACTIVITIES.items()):
        for s in range(2):
            siret = f"{100 + 10 * a + s:09d}{s:05d}"
            for k in range(4):
                number += 1
                buyer = f"2{a}{s}{k}00000{number:05d}"
                title = f"{label} lot {k + 1} ({activity}) - site {number}"
                records.append(_marche(number, title, code, buyer, f"{int(place) + s:02d}", [siret]))
    # a supplier with two awards only (left out) and one always working for the same buyer (left out)
    records.append(_marche(900, "Travaux de toiture", "45261000", "21000000000900", "31", ["99900000100001"]))
    records.append(_marche(901, "Travaux de toiture bis", "45261000", "21000000000901", "31", ["99900000100001"]))
    for k in range(3):
        records.append(_marche(910 + k, f"Gardiennage {k}", "79710000", "21000000000999", "31", ["88800000100001"]))
    # placeholder titulaire (zeros) never becomes a supplier
    for k in range(3):
        records.append(_marche(920 + k, f"Sans suite {k}", "79710000", f"2100000000{k:04d}", "31", ["00000000000000"]))
    return records


def write_market(folder: Path, records: list[dict[str, Any]] | None = None) -> Path:
    path = folder / "decp-test.json"
    path.write_text(json.dumps({"marches": records or market()}, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# protocol


def test_siren_and_department_parsing() -> None:
    assert siren("48125959600023") == "481259596"
    assert siren("\t32359288100060") == "323592881"  # stray whitespace in the source
    assert department("13270", "Code postal") == "13"
    assert department("97460", "Code postal") == "974"
    assert department("2A", "Code département") == "2A"
    assert department("69123", "Code commune") == "69"
    assert department("FR", "Code pays") is None
    assert department("28", "Code région") is None
    assert department("DEP", "Code commune") is None


def test_split_keeps_suppliers_with_three_awards_and_a_new_buyer() -> None:
    data = split(parse_awards(market()), seed=7)
    assert len(data.suppliers) == 12  # 6 activities x 2; the toiture, gardiennage and zero ids are out
    assert data.eligible_suppliers == 13  # gardiennage has 3 awards but always the same buyer
    assert "000000000" not in data.held_out
    for key, held in data.held_out.items():
        profile = data.profiles[key]
        assert len(profile) == 3
        assert held not in profile
        assert held.buyer_id not in {award.buyer_id for award in profile}
        assert key in held.suppliers


def test_split_is_deterministic_for_a_seed_and_depends_on_it() -> None:
    awards = parse_awards(market())
    first = {k: a.index for k, a in split(awards, seed=7).held_out.items()}
    again = {k: a.index for k, a in split(parse_awards(market()), seed=7).held_out.items()}
    assert first == again
    others = [{k: a.index for k, a in split(awards, seed=s).held_out.items()} for s in range(1, 6)]
    assert any(other != first for other in others)


def _profile_fields(row: Startup) -> str:
    return json.dumps(
        [row.name, row.description, row.sectors, row.tags, row.cpv_codes, row.references, row.labels, row.city],
        ensure_ascii=False,
    )


def test_no_held_out_award_leaks_into_the_stored_profiles(store: Store) -> None:
    data = split(parse_awards(market()), seed=3)
    populate(store, data)
    with store.session() as session:
        rows = {row.external_id: row for row in session.scalars(select(Startup))}
        tenders = {row.external_id: row for row in session.scalars(select(Tender))}
    assert set(rows) == {startup_id(k) for k in data.suppliers}
    for key, held in data.held_out.items():
        stored = _profile_fields(rows[startup_id(key)])
        assert held.title not in stored
        assert held.buyer_id not in stored and held.buyer_name not in stored
        assert rows[startup_id(key)].references == [award.title for award in data.profiles[key]]
        assert rows[startup_id(key)].references_count == 3
        # titles here are unique, so the held-out one is in no profile at all
        assert all(held.title not in _profile_fields(row) for row in rows.values())
        tender = tenders[data.tender_of(key)]
        assert tender.status == "open" and tender.deadline_at is not None and tender.deadline_at > EVAL_NOW
        assert tender.title == held.title and tender.cpv_codes == [held.cpv_code]


def test_profile_awards_are_stored_as_verified_contracts_and_no_held_out_one_is(store: Store) -> None:
    data = split(parse_awards(market()), seed=3)
    populate(store, data)
    with store.session() as session:
        won = {
            (startup, tender, status)
            for startup, tender, status in session.execute(
                select(Startup.external_id, Tender.external_id, Tender.status)
                .join(Award, Award.startup_id == Startup.id)
                .join(Tender, Tender.id == Award.tender_id)
            )
        }
    expected = {(startup_id(k), tender_id(a), "awarded") for k in data.suppliers for a in data.profiles[k]}
    assert won == expected
    held_out = {data.tender_of(k) for k in data.suppliers}
    assert not held_out & {tender for _, tender, _ in won}


def test_the_incumbency_count_is_never_learned() -> None:
    features = np.random.default_rng(0).random((10, 6, 2)).astype(np.float32)
    queries = Queries(
        "supplier_for_tender", ("semantic", "track_record"), features, np.eye(10, 6, dtype=bool), np.arange(10)
    )
    assert queries.learnable() == [0]


def test_profiles_use_only_the_other_awards_on_the_real_file(decp_dev: Path) -> None:
    data = split(load_awards(decp_dev), seed=7)
    assert len(data.suppliers) == 236
    records = {r["external_id"]: r for r in startup_records(data)}
    for key, held in data.held_out.items():
        record = records[startup_id(key)]
        others = data.profiles[key]
        assert record["references"] == [a.title for a in others]
        assert set(record["cpv_codes"]) == {a.cpv_code for a in others if a.cpv_code}
        if held.title not in {a.title for a in others}:
            assert held.title not in record["references"]
        if held.cpv_code not in {a.cpv_code for a in others}:
            assert held.cpv_code not in record["cpv_codes"]
        assert held.buyer_id not in json.dumps(record, default=str)
    assert {r["external_id"] for r in tender_records(data)} == set(data.winners)


# ---------------------------------------------------------------------------------------------
# baselines


def _problem() -> baselines.Problem:
    return baselines.Problem(
        tenders=baselines.Side(
            ids=["t1", "t2"],
            texts=["travaux de plomberie", "logiciel de paie"],
            cpv_codes=[("45330000",), ("48000000",)],
        ),
        suppliers=baselines.Side(
            ids=["big", "plumber", "software"],
            texts=["nettoyage des locaux", "plomberie sanitaire chauffage", "editeur de logiciels de paie"],
            cpv_codes=[("90910000",), ("45331000",), ("48450000",)],
        ),
        references_count=[40, 3, 5],
    )


def test_popularity_baseline_puts_the_most_awarded_supplier_first() -> None:
    problem = _problem()
    by_tender, _ = baselines.rankings(problem, baselines.popularity(problem))
    assert [ranking[0] for ranking in by_tender] == ["big", "big"]


def test_cpv_baseline_prefers_the_deepest_shared_prefix() -> None:
    problem = _problem()
    scores = baselines.cpv_only(problem)
    assert scores[0].tolist() == [0, 4, 0]  # 4533 shared with the plumber
    by_tender, by_supplier = baselines.rankings(problem, scores)
    assert by_tender[0][0] == "plumber" and by_tender[1][0] == "software"
    assert by_supplier[1][0] == "t1"


def test_char_tfidf_baseline_matches_words_despite_accents() -> None:
    problem = _problem()
    by_tender, _ = baselines.rankings(problem, baselines.char_tfidf(problem))
    assert by_tender[0][0] == "plumber" and by_tender[1][0] == "software"


# ---------------------------------------------------------------------------------------------
# training


def _queries(seed: int = 0) -> Queries:
    """Feature 0 decides the winner, feature 1 is noise, feature 2 never varies within a query."""
    rng = np.random.default_rng(seed)
    features = rng.random((40, 15, 3))
    features[:, :, 2] = 0.3
    relevant = np.zeros((40, 15), dtype=bool)
    relevant[np.arange(40), features[:, :, 0].argmax(axis=1)] = True
    return Queries("supplier_for_tender", ("signal", "noise", "constant"), features, relevant, np.arange(40) % 8)


def test_training_finds_the_deciding_feature_and_skips_constant_ones() -> None:
    queries = _queries()
    columns = queries.learnable()
    assert columns == [0, 1]
    weights = fit(queries, np.arange(40), columns)
    assert weights[0] > 5 * max(weights[1], 1e-9)
    assert (weights >= 0).all()
    metrics = cross_validate(queries, folds=4)
    assert metrics.hr1 >= 0.85 and metrics.hr10 == 1.0


def test_learned_weights_keep_prior_weights_of_unlearnable_features() -> None:
    table = to_weights(("signal", "noise", "constant"), [0, 1], np.array([3.0, 1.0]), {"constant": 0.2})
    assert table["constant"] == 0.2
    assert table["signal"] == pytest.approx(0.6) and table["noise"] == pytest.approx(0.2)


# ---------------------------------------------------------------------------------------------
# the whole run through the engine (hashing embedder: no model to load)


def test_run_ranks_through_the_engine_and_reports_every_baseline(tmp_path: Path, settings: Settings) -> None:
    path = write_market(tmp_path)
    configured = settings.model_copy(update={"embedder": "hashing"})
    report = run(path, seed=7, embedders=["hashing", "no-such-model"], settings=configured)
    assert report.suppliers == 12 and report.engine.buyer.queries == 12 and report.engine.startup.queries == 12
    # two suppliers per activity, told apart by their usual place: the engine should find each winner
    assert report.engine.buyer.hr1 >= 0.9 and report.engine.startup.hr1 >= 0.9
    assert report.beats_every_baseline() or all(
        report.engine.buyer.mrr10 > row.buyer.mrr10 and report.engine.startup.mrr10 > row.startup.mrr10
        for row in report.baselines
    )
    names = [row.name for row in report.baselines]
    assert names[:3] == ["most-awarded first", "CPV only (deepest prefix)", "TF-IDF char n-grams"]
    assert "dense only (hashing)" in names and "no-such-model" in report.unavailable
    assert report.as_dict()["engine"]["buyer"]["queries"] == 12


def test_eval_command_prints_json_and_fails_cleanly(tmp_path: Path, settings: Settings, monkeypatch: Any) -> None:
    from matcher.cli.main import app

    monkeypatch.setenv("TREMPLIN_EMBEDDER", "hashing")
    from matcher.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    path = write_market(tmp_path)
    result = runner.invoke(app, ["eval", "decp", str(path), "--embedders", "hashing", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["seed"] == 7 and report["suppliers"] == 12
    assert {row["name"] for row in report["baselines"]} >= {"most-awarded first", "dense only (hashing)"}

    missing = runner.invoke(app, ["eval", "decp", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    empty = tmp_path / "empty.json"
    empty.write_text('{"marches": []}', encoding="utf-8")
    nothing = runner.invoke(app, ["eval", "decp", str(empty)])
    assert nothing.exit_code == 1 and "no supplier" in nothing.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"releases": []}', encoding="utf-8")
    refused = runner.invoke(app, ["eval", "decp", str(wrong)])
    assert refused.exit_code == 1 and "marches" in refused.output


def test_train_command_writes_weights_the_engine_can_load(tmp_path: Path, settings: Settings, monkeypatch: Any) -> None:
    from matcher.cli.main import app
    from matcher.ranking.scoring import LinearScorer
    from matcher.settings import get_settings

    monkeypatch.setenv("TREMPLIN_EMBEDDER", "hashing")
    get_settings.cache_clear()
    output = tmp_path / "weights.json"
    result = CliRunner().invoke(
        app, ["train", "decp", str(write_market(tmp_path)), "--folds", "3", "--output", str(output), "--json"]
    )
    assert result.exit_code == 0, result.output
    scorer = LinearScorer.load(output)
    assert scorer.version.endswith("decp-seed7")
    for table in scorer.weights.values():
        assert all(weight >= 0 for weight in table.values())
        assert sum(table.values()) == pytest.approx(1.0, abs=0.01)


# ---------------------------------------------------------------------------------------------
# real models and real data (slow)

CROSS_LINGUAL = [
    ("تركيب ألواح الطاقة الشمسية للمباني الإدارية", "Fourniture et installation de panneaux solaires photovoltaïques"),
    ("تطوير تطبيق للهاتف المحمول للدفع الإلكتروني", "Développement d'une application mobile de paiement électronique"),
    ("أشغال بناء مدرسة ابتدائية", "Travaux de construction d'une école primaire"),
    ("خدمات تنظيف المكاتب الإدارية", "Prestations de nettoyage des locaux administratifs"),
    ("صيانة الحواسيب ودعم المستخدمين", "Maintenance du parc informatique et assistance aux utilisateurs"),
    ("توريد الأدوية والمعدات الطبية للمستشفى", "Fourniture de médicaments et de matériel médical pour l'hôpital"),
]


@pytest.mark.slow
def test_multilingual_encoder_ranks_the_french_document_of_each_arabic_query_first(settings: Settings) -> None:
    from matcher.index.embedding import load_embedder

    embedder = load_embedder(settings.model_copy(update={"embedder": "use"}), cached=False)
    queries = embedder.encode_queries([arabic for arabic, _ in CROSS_LINGUAL])
    documents = embedder.encode_documents([french for _, french in CROSS_LINGUAL])
    best = (queries @ documents.T).argmax(axis=1)
    assert best.tolist() == list(range(len(CROSS_LINGUAL)))


@pytest.mark.slow
@pytest.mark.shared_data
def test_engine_beats_every_baseline_on_the_dev_file(decp_dev: Path, settings: Settings) -> None:
    report = run(decp_dev, seed=7, embedders=["minilm"], settings=settings.model_copy(update={"embedder": "use"}))
    assert report.suppliers == 236
    assert report.beats_every_baseline()
    assert report.engine.buyer.hr10 >= 0.75 and report.engine.buyer.mrr10 >= 0.40
