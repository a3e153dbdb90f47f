"""One back-off gate shared by every request to a provider: a 429 seen by one worker pauses them all.

Without it, N concurrent workers each back off on their own and the others keep hitting the limit,
so a rate-limited batch turns into a storm of 429s. The worker that got the 429 holds the gate for
the wait the provider asked for (Retry-After, else the back-off) and sleeps it; every worker (itself
included, if another hold came meanwhile) waits at the gate before its next request. The clock and
the sleep are injectable, so tests never wait or time anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Gate:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._open_at = 0.0
        self.holds = 0  # how many times a worker closed the gate (429s seen)
        self.waited_s = 0.0  # seconds workers spent waiting at the gate, summed over workers

    def hold(self, seconds: float) -> float:
        """Keep every worker from sending for `seconds` from now (a later hold extends, never shortens).
        Returns the moment the gate opens: the holder sleeps the wait itself and passes it to `wait`."""
        with self._lock:
            self._open_at = max(self._open_at, self._clock() + seconds)
            self.holds += 1
            return self._open_at

    def wait(self, sleep: Callable[[float], None], slept_until: float | None = None) -> float:
        """Before a request: sleep until the gate opens; returns the seconds slept (0 when open).
        `slept_until` is the caller's own hold, already slept through: no second wait for it."""
        with self._lock:
            if slept_until is not None and self._open_at <= slept_until:
                return 0.0
            delay = self._open_at - self._clock()
            if delay > 0:
                self.waited_s += delay
        if delay <= 0:
            return 0.0
        sleep(delay)
        return delay
