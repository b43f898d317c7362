"""A first-come, first-served limit on how many rankings run at once in a process.

Ranking is CPU-bound and holds the GIL, so threads beyond a few only take turns and every request in
flight gets slower. `threading.Semaphore` wakes its waiters in no particular order, which turns that
queue into a long tail (a request can be overtaken again and again); this gate serves them in order.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FairGate:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots: must be at least 1")
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> FairGate:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # the slot is handed over by the thread that leaves (see __exit__)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1
