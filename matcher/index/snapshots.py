"""Background snapshots: write the indexes some time after the last change, never inside a request.

A write to the store is applied to the in-memory indexes at once (it is matchable immediately) and
marks its collection dirty; this thread writes the snapshot `delay` seconds after the last change, and
at most `max_delay` after the first one, so a steady stream of writes still gets snapshots. Losing
a pending snapshot (crash, kill -9) loses nothing: the store is the source of truth and the next
start replays what the snapshot lacks (IndexSet compares content hashes with the store).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable

log = logging.getLogger(__name__)


def _close_at_exit(reference: weakref.ref[Snapshotter]) -> None:
    snapshotter = reference()
    if snapshotter is not None:
        snapshotter.close()


class Snapshotter:
    """Calls `write()` in a daemon thread after changes settle; `flush()` writes now, `close()` stops."""

    def __init__(self, write: Callable[[], None], delay: float, max_delay: float) -> None:
        self._write = write
        self.delay = delay
        self.max_delay = max(max_delay, delay)
        self._condition = threading.Condition()
        self._flushing = threading.Lock()  # a flush waits for one in progress
        self._first: float | None = None  # monotonic time of the first unsaved change
        self._last = 0.0
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.snapshots = 0
        self.failures = 0
        # Flush at interpreter exit (CLI commands): the next start would replay it anyway, only slower.
        atexit.register(_close_at_exit, weakref.ref(self))

    @property
    def pending(self) -> bool:
        return self._first is not None

    def mark(self) -> None:
        """A change was applied in memory: schedule a snapshot."""
        now = time.monotonic()
        with self._condition:
            if self._first is None:
                self._first = now
            self._last = now
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="index-snapshots", daemon=True)
                self._thread.start()
            self._condition.notify_all()

    def _due_in(self) -> float | None:
        if self._first is None:
            return None
        return min(self._last + self.delay, self._first + self.max_delay) - time.monotonic()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopped and ((wait := self._due_in()) is None or wait > 0):
                    self._condition.wait(timeout=wait)
                if self._stopped:
                    return
            self.flush()

    def flush(self) -> None:
        """Write the snapshot now if changes are pending (and wait for one in progress)."""
        with self._flushing:
            with self._condition:
                if self._first is None:
                    return
                self._first = None
            try:
                self._write()
                self.snapshots += 1
            except Exception:
                self.failures += 1
                log.exception("index snapshot failed; retrying later (the store keeps every change)")
                with self._condition:
                    if self._first is None:
                        self._first = self._last = time.monotonic()

    def after_fork(self) -> None:
        """In a forked child: no thread came along, and a lock the parent held at the fork would stay
        held forever; start afresh (the parent flushed before forking, so nothing is pending)."""
        self._condition = threading.Condition()
        self._flushing = threading.Lock()
        self._thread = None
        self._stopped = False

    def close(self) -> None:
        """Stop the thread and write what is pending."""
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)
        self.flush()
