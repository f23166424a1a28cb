"""How fast a batch of lookups may go: the pure decisions, shared by the thread and task batches.

A batch sends many calls to one server. When the server answers 429, every call of the batch is
going to hear the same, so the batch slows down as one: it pauses for the server's `Retry-After`
(read by `_retries.parse_retry_after`, as a single call reads it), or its backoff; it halves the
number of attempts in flight and paces their starts at a little under the rate the server just
accepted; then it raises both again, additively, as answers succeed (AIMD). The 429 is the
batch's problem, not the call's: the call tries again after the pause without spending one of
its own retries, as long as the batch is making progress (some call of it succeeded since that
call's last excused 429). A server that only ever says 429 thus still ends each call within its
own retry policy.

Nothing here sleeps or locks: `admit` says how long to wait, the callers wait.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable
from typing import Any

from ._call import Call
from ._retries import backoff_delay, parse_retry_after
from .utils import RetryConfig

__all__ = ["BatchLimits"]

# After a 429, starts are paced at this share of the rate the server accepted in the last second.
_DECREASE = 0.9
# Starts per second added to the pace each second while answers succeed: slow, since each time
# the pace overtakes the server's limit costs the batch a Retry-After.
_INCREASE = 0.5
# The window over which the accepted rate is measured, in seconds.
_RATE_WINDOW = 1.0


class BatchLimits:
    """The state of one batch's admission: attempts in flight, pause, window and pace."""

    def __init__(self, concurrency: int, retries: RetryConfig, random: Callable[[], float]) -> None:
        self.concurrency = concurrency
        self.retries = retries
        self.random = random
        self.window = float(concurrency)  # attempts allowed in flight, lowered on 429
        self.rate = math.inf  # attempt starts per second, paced after a 429
        self.in_flight = 0
        self.paused_until = -math.inf
        self.next_start = -math.inf
        self.epoch = 0  # decreases so far: an attempt begun before the last one does not decrease again
        self.streak = 0  # decreases since the last success, for the backoff without Retry-After
        self.successes = 0
        self.rate_limited = 0  # 429s seen
        self._recent: collections.deque[float] = collections.deque()  # success times in the window
        self._started_in: dict[Call[Any], int] = {}  # each attempt in flight: the epoch it began in
        self._excused_at: dict[Call[Any], int] = {}  # each call's `successes` at its last excused 429

    def admit(self, call: Call[Any], now: float) -> float | None:
        """0.0 when `call`'s attempt may begin now (it is counted in flight); else the seconds
        to wait before asking again, or None to wait until an attempt in flight ends."""
        if now < self.paused_until:
            return self.paused_until - now
        if self.in_flight >= max(1, int(self.window)):
            return None
        if now < self.next_start:
            return self.next_start - now
        self.in_flight += 1
        self._started_in[call] = self.epoch
        if math.isfinite(self.rate):
            self.next_start = max(now, self.next_start) + 1.0 / self.rate
        return 0.0

    def release(self, call: Call[Any], finished: bool, now: float, wall_clock: float) -> bool:
        """The attempt of `call` is over. True when its failure is a rate limit the batch waits
        out for it: it goes again after the pause, not as one of its retries."""
        self.in_flight -= 1
        epoch = self._started_in.pop(call)  # `admit` counted it in: every release follows one
        response = call.response if finished else None
        if response is None:
            self._excused_at.pop(call, None)
            return False
        if call.succeeded():
            self._succeeded(now)  # every excuse given before is void now: `successes` moved on
            return False
        if response.status_code != 429:
            self._excused_at.pop(call, None)
            return False
        self.rate_limited += 1
        asked = parse_retry_after(response.headers, wall_clock)
        if asked is not None and asked > self.retries.max_retry_after / 1000.0:
            return False  # longer than the policy waits: the call's own policy ends it
        if epoch == self.epoch:
            self._decrease(now)
        pause = asked if asked is not None else backoff_delay(self.retries, self.streak - 1, self.random)
        if now >= self.paused_until:  # a pause begins (the 429s of attempts that met it say nothing)
            call.options.logger.info(
                "%s %s answered status 429: the batch pauses %.3f s, then allows %d requests in flight",
                call.method,
                call.target,
                pause,
                max(1, int(self.window)),
            )
        self.paused_until = max(self.paused_until, now + pause)
        if self.retries.strategy == "none" or 429 not in self.retries.statuses:
            return False
        if self._excused_at.get(call) == self.successes:
            return False  # no call succeeded since its last excused 429: a retry of its own
        self._excused_at[call] = self.successes
        return True

    def _succeeded(self, now: float) -> None:
        self.successes += 1
        self.streak = 0
        self._recent.append(now)
        while self._recent and self._recent[0] <= now - _RATE_WINDOW:
            self._recent.popleft()
        self.window = min(float(self.concurrency), self.window + 1.0 / self.window)
        if math.isfinite(self.rate):
            self.rate += _INCREASE / self.rate  # _INCREASE more starts per second, each second

    def _decrease(self, now: float) -> None:
        self.epoch += 1
        self.streak += 1
        self.window = max(1.0, self.window / 2)
        accepted = sum(1 for t in self._recent if t > now - _RATE_WINDOW)
        if accepted:
            self.rate = max(min(self.rate, accepted / _RATE_WINDOW) * _DECREASE, 1.0)
        elif math.isfinite(self.rate):
            self.rate = max(self.rate / 2, 1.0)
