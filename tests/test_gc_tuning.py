"""The collector after `Engine.load`: the loaded state frozen out of its sight, and a young-generation
threshold a request does not cross several times over (`gc_young_threshold`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from matcher.settings import Settings
from matcher.store import Store
from tests.snapshot_helpers import fill, hashing_engine


@pytest.fixture(autouse=True)
def restore_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_a_loaded_engine_is_frozen_and_collects_young_objects_less_often(settings: Settings, store: Store) -> None:
    fill(store)
    gc.set_threshold(700, 10, 10)
    hashing_engine(settings.model_copy(update={"gc_young_threshold": 12_345}), store)
    assert gc.get_threshold() == (12_345, 10, 10)
    assert gc.get_freeze_count() > 0


def test_zero_leaves_the_thresholds_as_they_were(settings: Settings, store: Store) -> None:
    fill(store)
    gc.set_threshold(700, 10, 10)
    hashing_engine(settings.model_copy(update={"gc_young_threshold": 0}), store)
    assert gc.get_threshold() == (700, 10, 10)
