"""A per-sender pace: a sender who writes faster than a town hall plausibly does is slowed
down, and only that sender. Kept in memory by each instance (a flood hits one instance's
connections); nothing is dropped: the mail server is told to come back later, the bot
takes the next message after a pause."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class Pace:
    """At most `limit` messages per sender in any `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def wait(self, sender: str) -> float:
        """Seconds the sender must wait before this message is taken; 0 takes it now (and
        counts it)."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        times = self._seen.setdefault(sender, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] + self.window - now
        times.append(now)
        if len(self._seen) > 10_000:  # forget senders gone quiet, so memory stays bounded
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        for sender in [s for s, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[sender]
