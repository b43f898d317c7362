"""Curation: the review state machine, item edits, and the audit trail of every change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.views import BatchContent
from matcher.errors import ConflictError, NotFoundError
from matcher.store import Digest, DigestItem, SentItem, Store, Tender
from tests.digests.conftest import make_batch


def _digest(store: Store, batch_id: int) -> Digest:
    with store.session() as session:
        digest = session.scalars(select(Digest).where(Digest.batch_id == batch_id)).first()
        assert digest is not None
        return digest


def _order(store: Store, batch_id: int, digest_id: int) -> list[str]:
    with store.session() as session:
        content = BatchContent.load(session, batch_id, digest_ids=[digest_id])
        view = content.digest(content.digests()[0], include_removed=False)
        return [item["tender"]["id"] for item in view["items"]]


def _item_of(store: Store, digest_id: int, tender_external: str) -> int:
    with store.session() as session:
        item_id = session.scalar(
            select(DigestItem.id)
            .join(Tender, DigestItem.tender_id == Tender.id)
            .where(DigestItem.digest_id == digest_id, Tender.external_id == tender_external)
        )
        assert item_id is not None
        return item_id


def test_batch_moves_draft_review_approved_and_back(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1"]})
    with world.session() as session:
        with pytest.raises(ConflictError, match=r"cannot approve .* it is draft, expected in_review"):
            curate.approve(session, batch_id, "amina")
        assert curate.submit(session, batch_id, "amina").status == "in_review"
        assert curate.approve(session, batch_id, "youssef").status == "approved"
        with pytest.raises(ConflictError, match="cannot submit"):
            curate.submit(session, batch_id, "amina")
        assert curate.reopen(session, batch_id, "amina").status == "in_review"


def test_an_approved_batch_cannot_be_edited_until_reopened(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-5", "T-IRR-6"]})
    digest = _digest(world, batch_id)
    item = _item_of(world, digest.id, "T-IRR-5")
    with world.session() as session:
        curate.submit(session, batch_id, "amina")
        curate.approve(session, batch_id, "youssef")
    edits = [
        lambda s: curate.remove_item(s, batch_id, item, "amina"),
        lambda s: curate.pin_item(s, batch_id, item, "amina"),
        lambda s: curate.move_item(s, batch_id, item, 1, "amina"),
        lambda s: curate.set_note(s, batch_id, "hello", "amina", item_id=item),
        lambda s: curate.set_note(s, batch_id, "hello", "amina", digest_id=digest.id),
        lambda s: curate.set_note(s, batch_id, "hello", "amina"),
        lambda s: curate.add_item(s, batch_id, digest.id, "T-IRR-2", "amina"),
    ]
    for edit in edits:
        with pytest.raises(ConflictError, match="approved: reopen it"), world.session() as session:
            edit(session)
    assert _order(world, batch_id, digest.id) == ["T-IRR-1", "T-IRR-5", "T-IRR-6"]

    with world.session() as session:
        curate.reopen(session, batch_id, "amina")
        curate.remove_item(session, batch_id, item, "amina")
    assert _order(world, batch_id, digest.id) == ["T-IRR-1", "T-IRR-6"]


def test_a_sent_batch_is_final(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1"]}, status="sent")
    with world.session() as session:
        with pytest.raises(ConflictError, match="cannot reopen"):
            curate.reopen(session, batch_id, "amina")
        with pytest.raises(ConflictError, match="is sent: it can no longer be edited"):
            curate.set_note(session, batch_id, "late", "amina")


def test_edits_reorder_pin_note_and_add_by_hand(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-5", "T-IRR-6"]})
    digest = _digest(world, batch_id)
    with world.session() as session:
        moved = curate.move_item(session, batch_id, _item_of(world, digest.id, "T-IRR-6"), 1, "amina")
        assert moved.pinned, "a moved item is pinned where staff put it"
        curate.remove_item(session, batch_id, _item_of(world, digest.id, "T-IRR-1"), "amina")
        added = curate.add_item(session, batch_id, digest.id, "T-IRR-2", "amina", note="Appel régional")
        assert added.added_by_hand
        curate.set_note(session, batch_id, "Bienvenue !", "amina", digest_id=digest.id)
    assert _order(world, batch_id, digest.id) == ["T-IRR-6", "T-IRR-5", "T-IRR-2"]
    with world.session() as session:
        with pytest.raises(ConflictError, match="already in digest"):
            curate.add_item(session, batch_id, digest.id, "T-IRR-2", "amina")
        with pytest.raises(NotFoundError, match="tender 'T-NOPE' not found"):
            curate.add_item(session, batch_id, digest.id, "T-NOPE", "amina")
        with pytest.raises(ValueError, match="position: must be between 1 and 3"):
            curate.move_item(session, batch_id, added.id, 7, "amina")
        assert session.get(Digest, digest.id).note == "Bienvenue !"  # type: ignore[union-attr]


def test_removed_item_can_be_restored_and_added_back_by_hand(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-5"]})
    digest = _digest(world, batch_id)
    item = _item_of(world, digest.id, "T-IRR-1")
    with world.session() as session:
        curate.remove_item(session, batch_id, item, "amina")
        curate.restore_item(session, batch_id, item, "amina")
    assert _order(world, batch_id, digest.id) == ["T-IRR-5", "T-IRR-1"]
    with world.session() as session:
        curate.remove_item(session, batch_id, item, "amina")
        again = curate.add_item(session, batch_id, digest.id, "T-IRR-1", "amina")
        assert again.id == item and again.added_by_hand and not again.removed


def test_a_tender_already_sent_cannot_be_added_by_hand(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1"]})
    digest = _digest(world, batch_id)
    with world.session() as session:
        tender_id = session.scalar(select(Tender.id).where(Tender.external_id == "T-IRR-2"))
        session.add(SentItem(audience="startup", startup_id=digest.startup_id, tender_id=tender_id))
    with world.session() as session, pytest.raises(ConflictError, match="already sent to this recipient"):
        curate.add_item(session, batch_id, digest.id, "T-IRR-2", "amina")


def test_every_change_is_in_the_audit_trail(world: Store) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1", "T-IRR-5"]})
    digest = _digest(world, batch_id)
    item = _item_of(world, digest.id, "T-IRR-5")
    with world.session() as session:
        curate.pin_item(session, batch_id, item, "amina")
        curate.set_note(session, batch_id, "Vérifier le montant", "amina", item_id=item)
        curate.remove_item(session, batch_id, item, "youssef")
        curate.submit(session, batch_id, "youssef")
        curate.approve(session, batch_id, "salma")
    with world.session() as session:
        trail = [(e.actor, e.action, e.detail) for e in curate.audit_trail(session, batch_id)]
    assert [(actor, action) for actor, action, _ in trail] == [
        ("amina", "pin_item"),
        ("amina", "note"),
        ("youssef", "remove_item"),
        ("youssef", "submit"),
        ("salma", "approve"),
    ]
    assert trail[1][2] | {} == {
        "item_id": item,
        "digest_id": digest.id,
        "tender": "T-IRR-5",
        "note": "Vérifier le montant",
    }
    assert trail[2][2]["tender"] == "T-IRR-5"
    assert trail[4][2] == {"from": "in_review", "to": "approved"}
