"""Retry configuration, in the documented shape.

`RetryConfig("backoff", BackoffStrategy(initial_interval, max_interval, exponent,
max_elapsed_time), retry_connection_errors)` is the form OpenRouter's docs show, all times in
milliseconds; code written against those docs keeps working. The keyword options beyond it tune
the policy that `_retries` applies, and their defaults are the documented defaults in README.md.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Literal, Protocol

__all__ = [
    "DEFAULT_RETRY_CONFIG",
    "DEFAULT_RETRY_STATUSES",
    "NO_RETRIES",
    "SYSTEM_CLOCK",
    "BackoffStrategy",
    "Clock",
    "RetryConfig",
    "SystemClock",
]

#: Statuses worth another try: timeouts, conflicts of the moment, rate limits and server faults.
#: 501 (not implemented) and 505 are absent on purpose: they will not change on a second try.
DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504, 524, 529})


@dataclasses.dataclass(frozen=True)
class BackoffStrategy:
    """Exponential backoff, in milliseconds.

    The n-th retry (n = 0, 1, ...) waits `min(initial_interval * exponent**n, max_interval)`,
    less a random part (see `RetryConfig.jitter`). `max_elapsed_time` bounds the whole call:
    no retry starts, and no wait is begun, that would end past it.
    """

    initial_interval: int = 500
    max_interval: int = 8_000
    exponent: float = 2.0
    max_elapsed_time: int = 60_000

    def __post_init__(self) -> None:
        # Written as `not >=` so that NaN, which compares false with everything, is refused too.
        if not (self.initial_interval >= 0 and self.max_interval >= 0 and self.max_elapsed_time >= 0):
            raise ValueError("BackoffStrategy intervals must be >= 0 milliseconds")
        if not self.exponent >= 1:
            raise ValueError("BackoffStrategy.exponent must be >= 1")


@dataclasses.dataclass(frozen=True)
class RetryConfig:
    """When and how long to retry a failed call.

    Positional, as documented: `strategy` ("backoff" retries, "none" sends exactly one request),
    `backoff` (None: the default `BackoffStrategy()`) and `retry_connection_errors` (retry
    refused/reset connections and timeouts).

    Keyword options:
    - `statuses`: the HTTP statuses retried.
    - `max_retries`: retries after the first attempt, at most.
    - `jitter`: the fraction of each computed wait that is randomly taken off (0 to 1), so that
      many clients failing together do not retry in step.
    - `max_retry_after`: the longest wait (ms) a server's `Retry-After`/`retry-after-ms` may ask
      for. A longer one ends the retrying at once with the error, rather than sleeping for it
      or hammering the server sooner than it asked.
    - `retry_not_found_for`: retry 404 for up to this many ms from the start of the call. A
      generation becomes queryable a few seconds after its completion, so a lookup made right
      after one can wait for it with, e.g., `retry_not_found_for=15_000`. 0 (the default) never
      retries 404. This window, not `max_retries`, bounds 404 retries, and they do not count
      against `max_retries` for other failures. It may not exceed `max_elapsed_time`.

    `max_elapsed_time` bounds the retrying, as in OpenRouter's own SDK: no wait begins that
    would end past it, no retry begins with less than a second of it left (or the call's
    timeout, or half the budget, if less), and a retry's timeout is cut to what remains. The
    first attempt always has the call's full timeout.
    """

    strategy: Literal["backoff", "none"] = "backoff"
    backoff: BackoffStrategy | None = None
    retry_connection_errors: bool = True
    statuses: frozenset[int] = dataclasses.field(default=DEFAULT_RETRY_STATUSES, kw_only=True)
    max_retries: int = dataclasses.field(default=4, kw_only=True)
    jitter: float = dataclasses.field(default=0.25, kw_only=True)
    max_retry_after: int = dataclasses.field(default=30_000, kw_only=True)
    retry_not_found_for: int = dataclasses.field(default=0, kw_only=True)

    def __post_init__(self) -> None:
        if self.strategy not in ("backoff", "none"):
            raise ValueError(f"RetryConfig.strategy must be 'backoff' or 'none', not {self.strategy!r}")
        object.__setattr__(self, "statuses", frozenset(self.statuses))
        if self.max_retries < 0:
            raise ValueError("RetryConfig.max_retries must be >= 0")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("RetryConfig.jitter must be between 0 and 1")
        if not (self.max_retry_after >= 0 and self.retry_not_found_for >= 0):  # NaN included
            raise ValueError("RetryConfig times must be >= 0 milliseconds")
        budget = (self.backoff or BackoffStrategy()).max_elapsed_time
        if self.retry_not_found_for > budget:
            raise ValueError(
                f"RetryConfig.retry_not_found_for={self.retry_not_found_for} ms is longer than the whole call "
                f"may take (max_elapsed_time={budget} ms); raise BackoffStrategy.max_elapsed_time with it"
            )


#: The client's default policy: at most 5 attempts within 60 s.
DEFAULT_RETRY_CONFIG = RetryConfig("backoff", BackoffStrategy(), True)

#: One request, then the typed error.
NO_RETRIES = RetryConfig("none", None, False)


class Clock(Protocol):
    """Where a client reads the time and how it waits between retries: `OpenRouter(clock=...)`.

    The client measures its deadlines and retry budget with `monotonic()`, reads an HTTP-date
    `Retry-After` against `time()` (epoch seconds), and waits with `sleep` (sync calls) or
    `sleep_async` (async calls). A test passes a clock whose sleeps only move its own time
    forward, so that a retry after a 30 s `Retry-After` costs no real time
    (`openrouter_generations.testing.VirtualClock` is one).
    """

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def sleep_async(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock, the default: `time.monotonic`, `time.time`, `time.sleep`, `asyncio.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def sleep_async(self, seconds: float) -> None:
        # Imported on first use: asyncio costs a sync-only program ~13 ms of import time.
        import asyncio

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


#: The clock every client uses unless given another.
SYSTEM_CLOCK: Clock = SystemClock()
