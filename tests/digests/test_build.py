"""Building digests with the real engine (hashing embedder): idempotent, diverse, never twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.build import build_batch, explain_pair
from matcher.digests.send import RetryPolicy, send_batch
from matcher.digests.views import BatchContent
from matcher.digests.weeks import current_week, week_of
from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import DigestAudit, DigestItem, Store, Tender, repository
from tests.digests.conftest import SmtpServer, tender

WEEK = current_week()
LAST_WEEK = week_of(datetime.now(UTC) - timedelta(days=7))


@pytest.fixture
def engine(world: Store, digest_settings: Settings) -> Iterator[Engine]:
    engine = Engine(world, digest_settings)
    engine.load()
    yield engine


def _digests(store: Store, batch_id: int) -> dict[str, list[dict[str, Any]]]:
    """recipient external id → its items (removed included) as the views show them."""
    with store.session() as session:
        content = BatchContent.load(session, batch_id)
        return {content.recipient(d)["id"]: content.digest(d)["items"] for d in content.digests()}


def _visible(items: list[dict[str, Any]]) -> list[str]:
    return [i["tender"]["id"] for i in items if not i["removed"]]


def _snapshot(store: Store, batch_id: int) -> dict[str, list[tuple[Any, ...]]]:
    return {
        who: [(i["item_id"], i["tender"]["id"], i["position"], i["pinned"], i["removed"], i["score"]) for i in items]
        for who, items in _digests(store, batch_id).items()
    }


def test_first_build_ranks_new_open_tenders_for_opted_in_startups(
    world: Store, engine: Engine, digest_settings: Settings
) -> None:
    report = build_batch(world, engine, WEEK, actor="cron", settings=digest_settings)
    assert report.errors == [] and report.created == 3 and report.status == "draft"
    digests = _digests(world, report.batch_id)
    assert set(digests) == {"S-IRRI", "S-PAY", "S-SIHA"}, "opted out and address-less startups get none"

    irrigo = _visible(digests["S-IRRI"])
    assert irrigo[0].startswith("T-IRR") and "T-OLD" not in irrigo, "closed tenders never appear"
    ormva = [t for t in irrigo if t in {"T-IRR-1", "T-IRR-2", "T-IRR-3", "T-IRR-4"}]
    assert len(ormva) == 2, "at most two tenders of the same buyer"
    assert "T-IRR-6" in irrigo
    assert "T-PAY-1" in _visible(digests["S-PAY"])
    for items in digests.values():
        assert len(items) <= digest_settings.digest_max_items
        assert all(i["score"] >= digest_settings.digest_min_score for i in items)
        assert [i["position"] for i in items] == list(range(1, len(items) + 1))
        assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
        assert all(i["explanation"]["eligibility"]["status"] != "ineligible" for i in items)


def test_a_second_build_in_the_same_week_changes_nothing(
    world: Store, engine: Engine, digest_settings: Settings
) -> None:
    first = build_batch(world, engine, WEEK, settings=digest_settings)
    before = _snapshot(world, first.batch_id)
    second = build_batch(world, engine, WEEK, settings=digest_settings)
    assert second.batch_id == first.batch_id
    assert (second.created, second.updated, second.deleted, second.unchanged) == (0, 0, 0, 3)
    assert _snapshot(world, first.batch_id) == before


def test_a_rebuild_keeps_staff_edits(world: Store, engine: Engine, digest_settings: Settings) -> None:
    report = build_batch(world, engine, WEEK, settings=digest_settings)
    items = _digests(world, report.batch_id)["S-IRRI"]
    digest_id = _digest_of(world, items[0]["item_id"])
    first, last = items[0], items[-1]
    with world.session() as session:
        curate.remove_item(session, report.batch_id, first["item_id"], "amina")
        curate.move_item(session, report.batch_id, last["item_id"], 1, "amina")
        curate.set_note(session, report.batch_id, "Visite de terrain le 3", "amina", item_id=items[1]["item_id"])
        found = explain_pair(engine, "S-IRRI", "T-PAY-2")  # what the CLI and the API do for a hand-added item
        assert found is not None
        curate.add_item(
            session, report.batch_id, digest_id, "T-PAY-2", "amina", note="Pour diversifier",
            score=found[0], explanation=found[1],
        )  # fmt: skip
        curate.submit(session, report.batch_id, "amina")
    edited = _snapshot(world, report.batch_id)

    again = build_batch(world, engine, WEEK, settings=digest_settings)
    assert again.unchanged == 3 and again.updated == 0
    assert _snapshot(world, report.batch_id) == edited
    after = {i["tender"]["id"]: i for i in _digests(world, report.batch_id)["S-IRRI"]}
    assert after[first["tender"]["id"]]["removed"], "a removed item stays removed"
    assert after[last["tender"]["id"]]["position"] == 1 and after[last["tender"]["id"]]["pinned"]
    assert after[items[1]["tender"]["id"]]["note"] == "Visite de terrain le 3"
    assert after["T-PAY-2"]["added_by_hand"] and not after["T-PAY-2"]["removed"]


def _digest_of(store: Store, item_id: int) -> int:
    with store.session() as session:
        item = session.get(DigestItem, item_id)
        assert item is not None
        return item.digest_id


def test_an_approved_batch_is_not_rebuilt(world: Store, engine: Engine, digest_settings: Settings) -> None:
    report = build_batch(world, engine, WEEK, settings=digest_settings)
    with world.session() as session:
        curate.submit(session, report.batch_id, "amina")
        curate.approve(session, report.batch_id, "amina")
    before = _snapshot(world, report.batch_id)
    again = build_batch(world, engine, WEEK, settings=digest_settings)
    assert again.skipped == f"batch {WEEK}/startup is approved: reopen it to rebuild"
    assert _snapshot(world, report.batch_id) == before


def test_nothing_good_means_no_digest(world: Store, engine: Engine, digest_settings: Settings) -> None:
    picky = digest_settings.model_copy(update={"digest_min_score": 0.99})
    report = build_batch(world, engine, WEEK, settings=picky)
    assert report.created == 0 and report.without_match == 3
    assert _digests(world, report.batch_id) == {}


def test_a_tender_sent_last_week_is_not_sent_again(
    world: Store, engine: Engine, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    last = build_batch(world, engine, LAST_WEEK, settings=mail_settings)
    sent_to_irrigo = _visible(_digests(world, last.batch_id)["S-IRRI"])
    with world.session() as session:
        curate.submit(session, last.batch_id, "amina")
        curate.approve(session, last.batch_id, "amina")
    assert send_batch(world, last.batch_id, settings=mail_settings, policy=RetryPolicy(backoff_seconds=0)).sent == 3

    with world.session() as session:  # this week: one sent tender changes, and a new one is published
        repository.update_tender(session, sent_to_irrigo[0], {"description": "Irrigation goutte-à-goutte, avenant."})
        repository.create_tender(
            session,
            tender("T-IRR-7", "Irrigation goutte-à-goutte et pompage solaire à Tiznit", "B-CASA", "42122000"),
        )
    engine.sync()
    this = build_batch(world, engine, WEEK, settings=mail_settings)
    irrigo = _visible(_digests(world, this.batch_id)["S-IRRI"])
    assert "T-IRR-7" in irrigo
    assert not set(irrigo) & set(sent_to_irrigo), "nothing already sent comes back"
    with world.session() as session:
        changed = session.scalar(select(Tender.updated_at).where(Tender.external_id == sent_to_irrigo[0]))
        assert changed is not None and changed > datetime.now(UTC) - timedelta(minutes=5)


def test_buyer_digest_lists_startups_for_each_open_tender(
    world: Store, engine: Engine, digest_settings: Settings
) -> None:
    report = build_batch(world, engine, WEEK, "buyer", settings=digest_settings, per_tender=2)
    assert report.created == 1
    digests = _digests(world, report.batch_id)
    assert set(digests) == {"B-ORMVA"}, "only opted-in buyers with an address"
    items = digests["B-ORMVA"]
    per_tender = Counter(i["tender"]["id"] for i in items)
    assert set(per_tender) <= {"T-IRR-1", "T-IRR-2", "T-IRR-3", "T-IRR-4"} and max(per_tender.values()) <= 2
    assert "T-OLD" not in per_tender
    assert {i["startup"]["id"] for i in items} <= {"S-IRRI", "S-OFF"}, "the irrigation companies"
    assert all(i["explanation"]["eligibility"]["status"] != "ineligible" for i in items)
    again = build_batch(world, engine, WEEK, "buyer", settings=digest_settings, per_tender=2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_every_build_is_audited(world: Store, engine: Engine, digest_settings: Settings) -> None:
    report = build_batch(world, engine, WEEK, actor="cron", settings=digest_settings)
    with world.session() as session:
        entries = session.scalars(select(DigestAudit).where(DigestAudit.batch_id == report.batch_id)).all()
    assert [(e.actor, e.action, e.detail["created"]) for e in entries] == [("cron", "build", 3)]
