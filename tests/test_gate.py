"""The ranking gate lets a fixed number of rankings run at once and serves the others in arrival order."""

from __future__ import annotations

import threading
import time

import pytest

from matcher.ranking.gate import FairGate


@pytest.mark.parametrize("slots", [1, 2])
def test_waiters_enter_in_the_order_they_arrived_and_never_more_than_the_slots(slots: int) -> None:
    gate = FairGate(slots)
    order: list[int] = []
    inside = 0
    most_inside = 0
    lock = threading.Lock()
    release = threading.Event()

    def work(number: int) -> None:
        nonlocal inside, most_inside
        with gate:
            with lock:
                inside += 1
                most_inside = max(most_inside, inside)
                order.append(number)
            release.wait()
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:  # started one by one, each queued before the next arrives
        thread.start()
        deadline = time.monotonic() + 5
        while len(gate._waiting) + len(order) < threads.index(thread) + 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    assert order == list(range(slots))  # the slots taken, the others waiting
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(order) == list(range(8))
    if slots == 1:  # handed over one at a time: exactly the order of arrival (with more slots, the
        assert order == list(range(8))  # woken threads race to record themselves, so order is not observable)
    assert most_inside == slots


def test_an_error_inside_frees_the_slot() -> None:
    gate = FairGate(1)
    with pytest.raises(RuntimeError), gate:
        raise RuntimeError("ranking failed")
    with gate:  # would wait forever if the slot had been lost
        pass


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="slots"):
        FairGate(0)
