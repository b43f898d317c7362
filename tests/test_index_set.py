"""IndexSet: built from the store, reloaded after a restart, rebuilt when missing/corrupt/other model,
synced incrementally when the store changes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select

from matcher.index.embedding import CachedEmbedder, HashingEmbedder
from matcher.index.index_set import IndexSet
from matcher.settings import Settings
from matcher.store import IndexState, Startup, Store, Tender
from matcher.store.documents import startup_hash, tender_hash
from matcher.store.fingerprint import source_fingerprint

TENDERS = {
    "T-PAY": ("Plateforme de paiement électronique pour la trésorerie", "open"),
    "T-ROAD": ("Travaux de construction de routes et d'assainissement", "open"),
    "T-CYBER": ("Audit de cybersécurité du système d'information", "closed"),
    "T-AR": ("نظام الدفع الإلكتروني للجماعات", "open"),
}
STARTUPS = {
    "S-FINTECH": ("PayMa", "Solutions de paiement mobile et monétique pour banques et administrations"),
    "S-BTP": ("Atlas BTP", "Génie civil, routes, assainissement"),
}


def add_tender(store: Store, external_id: str, title: str, status: str = "open") -> None:
    with store.session() as session:
        tender = Tender(external_id=external_id, title=title, description="", status=status, cpv_codes=[])
        tender.content_hash = tender_hash(tender)
        session.add(tender)


def edit_tender(store: Store, external_id: str, title: str) -> None:
    with store.session() as session:
        tender = session.scalars(select(Tender).where(Tender.external_id == external_id)).one()
        tender.title = title
        tender.content_hash = tender_hash(tender)


def delete_tender(store: Store, external_id: str) -> None:
    with store.session() as session:
        session.execute(delete(Tender).where(Tender.external_id == external_id))


@pytest.fixture
def filled(store: Store) -> Store:
    for external_id, (title, status) in TENDERS.items():
        add_tender(store, external_id, title, status)
    with store.session() as session:
        for external_id, (name, description) in STARTUPS.items():
            startup = Startup(
                external_id=external_id,
                name=name,
                description=description,
                sectors=["fintech"],
                tags=[],
                technologies=[],
                references=[],
                cpv_codes=[],
            )
            startup.content_hash = startup_hash(startup)
            session.add(startup)
    return store


def embedder(settings: Settings, dimension: int = 256) -> CachedEmbedder:
    return CachedEmbedder(HashingEmbedder(dimension), settings.cache_dir)


def nearest(indexes: IndexSet, text: str, k: int = 1) -> list[str]:
    query = indexes.embedder.encode_queries([text])[0]
    return [hit for hit, _ in indexes.tender_vectors.search(query, k)]


def test_first_start_builds_everything_and_records_the_state(filled: Store, settings: Settings) -> None:
    indexes = IndexSet(filled, settings, embedder(settings))
    assert indexes.load_or_build() == {"tenders": "built", "startups": "built"}
    assert len(indexes.tender_vectors) == len(TENDERS)  # closed tenders too: status is filtered in ranking
    assert len(indexes.startup_vectors) == len(STARTUPS) and len(indexes.startup_lexical) == len(STARTUPS)
    assert nearest(indexes, "paiement électronique") == ["T-PAY"]
    assert indexes.tender_lexical.search("electronique paiement", 1)[0][0] == "T-PAY"
    with filled.session() as session:
        states = {state.name: state for state in session.scalars(select(IndexState))}
        assert states["tenders"].source_fingerprint == source_fingerprint(session, "tenders")
        assert states["tenders"].item_count == len(TENDERS) and states["tenders"].model_id == "hashing-256"


def test_a_restart_loads_the_saved_indexes_without_embedding_anything(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    restarted = IndexSet(filled, settings, embedder(settings))
    assert restarted.load_or_build() == {"tenders": "loaded", "startups": "loaded"}
    assert restarted.embedder.misses == 0  # type: ignore[attr-defined]
    assert nearest(restarted, "construction de routes") == ["T-ROAD"]


def test_store_changes_are_applied_incrementally_on_the_next_start(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    add_tender(filled, "T-NEW", "Fourniture de serveurs informatiques et stockage")
    edit_tender(filled, "T-ROAD", "Entretien des espaces verts et jardins")
    delete_tender(filled, "T-CYBER")
    restarted = IndexSet(filled, settings, embedder(settings))
    assert restarted.load_or_build() == {"tenders": "rebuilt: stale", "startups": "loaded"}
    assert restarted.embedder.misses == 2  # type: ignore[attr-defined]  # the new and the edited tender only
    assert "T-CYBER" not in restarted.tender_vectors and "T-CYBER" not in restarted.tender_lexical
    assert nearest(restarted, "serveurs informatiques stockage") == ["T-NEW"]
    assert nearest(restarted, "espaces verts jardins") == ["T-ROAD"]
    restarted.flush()  # the replayed changes are snapshotted in the background
    assert IndexSet(filled, settings, embedder(settings)).load_or_build()["tenders"] == "loaded"


def test_sync_counts_added_updated_removed(filled: Store, settings: Settings) -> None:
    indexes = IndexSet(filled, settings, embedder(settings))
    indexes.load_or_build()
    assert set(indexes.sync().values()) == {0}
    add_tender(filled, "T-NEW", "Fourniture de mobilier de bureau")
    edit_tender(filled, "T-PAY", "Plateforme de paiement mobile")
    delete_tender(filled, "T-AR")
    counts = indexes.sync()
    assert (counts["tenders_added"], counts["tenders_updated"], counts["tenders_removed"]) == (1, 1, 1)
    assert counts["startups_added"] == counts["startups_updated"] == counts["startups_removed"] == 0
    assert indexes.indexed_hashes("tenders").keys() == {"T-PAY", "T-ROAD", "T-CYBER", "T-NEW"}
    indexes.flush()
    with filled.session() as session:
        state = session.get(IndexState, "tenders")
        assert state is not None and state.source_fingerprint == source_fingerprint(session, "tenders")


def _flip_a_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_a_corrupt_index_is_rebuilt_not_served(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    _flip_a_byte(next((settings.index_dir / "tenders" / "vectors").glob("vectors-*.faiss")))
    restarted = IndexSet(filled, settings, embedder(settings))
    report = restarted.load_or_build()
    assert report == {"tenders": "rebuilt: corrupt", "startups": "loaded"}
    assert "checksum" in restarted.details["tenders"]
    assert restarted.embedder.misses == 0  # type: ignore[attr-defined]  # vectors came from the cache
    assert nearest(restarted, "paiement électronique") == ["T-PAY"]
    assert IndexSet(filled, settings, embedder(settings)).load_or_build()["tenders"] == "loaded"


def test_a_corrupt_lexical_index_or_state_file_is_rebuilt(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    _flip_a_byte(next((settings.index_dir / "startups" / "lexical").glob("vectorizers-*.joblib")))
    (settings.index_dir / "tenders" / "state.json").write_text("{")
    report = IndexSet(filled, settings, embedder(settings)).load_or_build()
    assert report == {"tenders": "rebuilt: corrupt", "startups": "rebuilt: corrupt"}


def test_an_interrupted_save_is_detected(filled: Store, settings: Settings) -> None:
    indexes = IndexSet(filled, settings, embedder(settings))
    indexes.load_or_build()
    # the vector bundle was committed again but state.json (written last) was not: out of step
    indexes.tender_vectors.save(settings.index_dir / "tenders" / "vectors", "hashing-256")
    assert IndexSet(filled, settings, embedder(settings)).load_or_build()["tenders"] == "rebuilt: corrupt"


def test_missing_files_and_another_model_trigger_a_rebuild(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    (settings.index_dir / "tenders" / "vectors" / "manifest.json").unlink()
    assert IndexSet(filled, settings, embedder(settings)).load_or_build() == {
        "tenders": "rebuilt: missing",
        "startups": "loaded",
    }
    other = IndexSet(filled, settings, embedder(settings, dimension=128))
    assert other.load_or_build() == {"tenders": "rebuilt: other model", "startups": "rebuilt: other model"}
    assert other.tender_vectors.dimension == 128
    state = json.loads((settings.index_dir / "tenders" / "state.json").read_text())
    assert state["model_id"] == "hashing-128"


def test_refresh_and_remove_for_api_writes(filled: Store, settings: Settings) -> None:
    indexes = IndexSet(filled, settings, embedder(settings))
    indexes.load_or_build()
    edit_tender(filled, "T-CYBER", "Location de véhicules utilitaires")
    assert indexes.refresh("tender", ["T-CYBER"]) == {"updated": 1, "removed": 0}
    assert nearest(indexes, "location véhicules utilitaires") == ["T-CYBER"]
    assert indexes.tender_lexical.search("vehicules", 1)[0][0] == "T-CYBER"
    # the snapshot is written in the background; once flushed, a restart loads it as is
    indexes.flush()
    assert IndexSet(filled, settings, embedder(settings)).load_or_build()["tenders"] == "loaded"

    delete_tender(filled, "T-ROAD")
    assert indexes.refresh("tenders", ["T-ROAD"]) == {"updated": 0, "removed": 1}
    assert "T-ROAD" not in indexes.tender_vectors
    assert indexes.remove("tenders", ["T-AR", "T-UNKNOWN"]) == 1
    assert "T-AR" not in indexes.tender_lexical
    vector = indexes.startup_vectors.vector("S-FINTECH")
    assert vector is not None and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="'tenders' or 'startups'"):
        indexes.refresh("buyers", ["B-1"])


def test_an_empty_store_builds_empty_indexes(store: Store, settings: Settings) -> None:
    indexes = IndexSet(store, settings, embedder(settings))
    assert indexes.load_or_build() == {"tenders": "built", "startups": "built"}
    assert len(indexes.tender_vectors) == 0 and indexes.tender_lexical.search("x", 3) == []
    add_tender(store, "T-1", "Nettoyage des locaux administratifs")
    assert indexes.sync()["tenders_added"] == 1
    assert indexes.tender_lexical.search("nettoyage", 1)[0][0] == "T-1"
    indexes.flush()
    assert IndexSet(store, settings, embedder(settings)).load_or_build()["tenders"] == "loaded"


def test_a_changed_index_kind_setting_is_applied_without_re_embedding(filled: Store, settings: Settings) -> None:
    IndexSet(filled, settings, embedder(settings)).load_or_build()
    hnsw_settings = settings.model_copy(update={"index_kind": "hnsw"})
    indexes = IndexSet(filled, hnsw_settings, embedder(settings))
    assert indexes.load_or_build()["tenders"] == "loaded"
    assert indexes.tender_vectors.kind_in_use == "hnsw" and indexes.embedder.misses == 0  # type: ignore[attr-defined]
    assert nearest(indexes, "paiement électronique") == ["T-PAY"]
    manifest = json.loads((settings.index_dir / "tenders" / "vectors" / "manifest.json").read_text())
    assert manifest["kind"] == "hnsw"


def test_the_compact_lexical_threshold_comes_from_the_settings(filled: Store, settings: Settings) -> None:
    """`lexical_compact_from` (TREMPLIN_LEXICAL_COMPACT_FROM) switches the lexical postings to the compact
    format of a million tenders; the product's default keeps the exact ones at its scale."""
    from matcher.index.impact_postings import ImpactPostings

    default = IndexSet(filled, settings, embedder(settings))
    default.load_or_build()
    assert not isinstance(default.tender_lexical._feature_major(), ImpactPostings)
    compact_settings = settings.model_copy(update={"lexical_compact_from": 1})
    built = IndexSet(filled, compact_settings, embedder(compact_settings))
    built.build("tenders")  # a full rebuild with the setting
    assert isinstance(built.tender_lexical._feature_major(), ImpactPostings)
    assert built.tender_lexical.search("electronique paiement", 1)[0][0] == "T-PAY"
    restarted = IndexSet(filled, compact_settings, embedder(compact_settings))
    assert restarted.load_or_build()["tenders"] == "loaded"
    assert isinstance(restarted.tender_lexical._feature_major(), ImpactPostings)
    assert restarted.tender_lexical.search("electronique paiement", 1)[0][0] == "T-PAY"


def test_auto_serves_ivfpq_from_the_ivfpq_threshold_setting_and_reloads_it(
    filled: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREMPLIN_IVFPQ_THRESHOLD", "3")
    assert Settings().ivfpq_threshold == 3
    scaled = settings.model_copy(update={"ivfpq_threshold": 3})  # 4 tenders: IVF-PQ; 2 startups: flat
    indexes = IndexSet(filled, scaled, embedder(scaled))
    indexes.load_or_build()
    assert indexes.tender_vectors.kind_in_use == "ivfpq" and indexes.startup_vectors.kind_in_use == "flat"
    assert nearest(indexes, "paiement électronique trésorerie") == ["T-PAY"]
    restarted = IndexSet(filled, scaled, embedder(scaled))
    assert restarted.load_or_build()["tenders"] == "loaded"
    assert restarted.tender_vectors.kind_in_use == "ivfpq"
    assert nearest(restarted, "paiement électronique trésorerie") == ["T-PAY"]
