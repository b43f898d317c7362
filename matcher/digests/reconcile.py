"""Phase 3 of a build: merge a fresh ranking into each digest without undoing what staff did.

Removed items stay (hidden) so they never come back; pinned, hand-added and annotated items stay;
the remaining room goes to the best candidates, at most N per buyer (or per tender for buyers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from matcher.store import Digest, DigestBatch, DigestItem

ItemKey = tuple[int | None, int | None]  # (tender_id, startup_id): startup_id only in buyer digests


@dataclass
class Candidate:
    tender_id: int
    startup_id: int | None
    score: float
    group: Hashable
    explanation: dict[str, Any]

    @property
    def key(self) -> ItemKey:
        return (self.tender_id, self.startup_id)


def apply(
    batch: DigestBatch,
    audience: str,
    ranked: dict[int, list[Candidate]],
    limit: int,
    group_cap: int,
    report: Any,
) -> None:
    """Create, update or delete each recipient's digest; `report` gets the counts."""
    owner = "startup_id" if audience == "startup" else "buyer_id"
    existing = {getattr(d, owner): d for d in batch.digests}
    for recipient_id, digest in list(existing.items()):
        if recipient_id not in ranked:  # opted out or lost its address: never keep mail for it
            batch.digests.remove(digest)
            report.deleted += 1
    for recipient_id, candidates in ranked.items():
        found = existing.get(recipient_id)
        if found is None:
            if not candidates:
                report.without_match += 1
                continue
            digest = Digest(**{owner: recipient_id})
            batch.digests.append(digest)  # saved with the batch (no flush per digest)
            _reconcile(digest, candidates, limit, group_cap)
            if not _visible(digest):
                batch.digests.remove(digest)
                report.without_match += 1
                continue
            report.created += 1
        else:
            digest = found
            before = _snapshot(digest)
            _reconcile(digest, candidates, limit, group_cap)
            if not digest.items and not digest.note:
                batch.digests.remove(digest)
                report.deleted += 1
                continue
            if _snapshot(digest) == before:
                report.unchanged += 1
            else:
                report.updated += 1
        report.items += len(_visible(digest))


def _visible(digest: Digest) -> list[DigestItem]:
    return [item for item in digest.items if not item.removed]


def _key(item: DigestItem) -> ItemKey:
    return (item.tender_id, item.startup_id)


def _snapshot(digest: Digest) -> list[tuple[Any, ...]]:
    return sorted(
        (_key(i), i.position, i.pinned, i.removed, i.added_by_hand, i.note, round(i.score, 4)) for i in digest.items
    )


def _reconcile(digest: Digest, candidates: list[Candidate], limit: int, group_cap: int) -> None:
    """Removed items stay removed; pinned, hand-added and annotated items stay; the remaining room
    is filled with the best candidates, at most `group_cap` per buyer (or tender)."""
    fresh = {c.key: c for c in candidates}
    items = {_key(item): item for item in digest.items}
    removed = {key for key, item in items.items() if item.removed}
    kept = {key for key, item in items.items() if not item.removed and _touched(item)}
    groups: Counter[Hashable] = Counter(fresh[key].group if key in fresh else ("kept", key) for key in kept)
    room = max(0, limit - len(kept))
    chosen: list[Candidate] = []
    for candidate in candidates:
        if len(chosen) >= room:
            break
        if candidate.key in removed or candidate.key in kept or groups[candidate.group] >= group_cap:
            continue
        groups[candidate.group] += 1
        chosen.append(candidate)
    chosen_keys = {c.key for c in chosen}
    for key, item in items.items():
        if key not in removed and key not in kept and key not in chosen_keys:
            digest.items.remove(item)  # delete-orphan removes the row
    for candidate in chosen + [fresh[key] for key in kept if key in fresh]:
        item = items.get(candidate.key) or DigestItem(
            tender_id=candidate.tender_id, startup_id=candidate.startup_id, position=10_000, score=0.0,
            pinned=False, removed=False, added_by_hand=False, note=None, explanation={},
        )  # fmt: skip
        if candidate.key not in items:
            digest.items.append(item)
        if round(item.score, 4) != round(candidate.score, 4):
            item.score = round(candidate.score, 4)
        if item.explanation != candidate.explanation:
            item.explanation = candidate.explanation
    order_items(digest)


def _touched(item: DigestItem) -> bool:
    """Staff put their hand on it: a rebuild must keep it."""
    return bool(item.pinned or item.added_by_hand or item.note)


def order_items(digest: Digest) -> None:
    """Pinned items hold their position; the others fill the free slots by score (best first)."""
    visible = _visible(digest)
    slots: list[DigestItem | None] = [None] * len(visible)
    for item in sorted((i for i in visible if i.pinned), key=lambda i: i.position):
        wanted = min(max(item.position, 0), len(slots) - 1)
        free = [i for i, slot in enumerate(slots) if slot is None]
        place = next((i for i in free if i >= wanted), free[-1])
        slots[place] = item
    rest = iter(sorted((i for i in visible if not i.pinned), key=lambda i: (-i.score, i.tender_id or 0, i.id or 0)))
    for place, slot in enumerate(slots):
        if slot is None:
            slots[place] = next(rest)
    for place, slot in enumerate(slots):
        assert slot is not None
        if slot.position != place:
            slot.position = place
    digest.items.sort(key=lambda i: (i.removed, i.position))
