"""RetryConfig and BackoffStrategy: what a caller reads when a setting is refused, and the defaults."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from openrouter_generations.utils import (
    DEFAULT_RETRY_CONFIG,
    DEFAULT_RETRY_STATUSES,
    NO_RETRIES,
    BackoffStrategy,
    RetryConfig,
)

INTERVALS = "BackoffStrategy intervals must be >= 0 milliseconds"
EXPONENT = "BackoffStrategy.exponent must be >= 1"
TIMES = "RetryConfig times must be >= 0 milliseconds"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BackoffStrategy(-1, 8_000, 2.0, 60_000), INTERVALS),
        (lambda: BackoffStrategy(500, math.nan, 2.0, 60_000), INTERVALS),  # type: ignore[arg-type]
        (lambda: BackoffStrategy(500, 8_000, 2.0, -1), INTERVALS),
        (lambda: BackoffStrategy(500, 8_000, 0.5, 60_000), EXPONENT),
        (lambda: BackoffStrategy(500, 8_000, math.nan, 60_000), EXPONENT),
        (lambda: RetryConfig("Backoff"), "RetryConfig.strategy must be 'backoff' or 'none', not 'Backoff'"),  # type: ignore[arg-type]
        (lambda: RetryConfig(max_retries=-1), "RetryConfig.max_retries must be >= 0"),
        (lambda: RetryConfig(jitter=1.5), "RetryConfig.jitter must be between 0 and 1"),
        (lambda: RetryConfig(jitter=math.nan), "RetryConfig.jitter must be between 0 and 1"),
        (lambda: RetryConfig(max_retry_after=-1), TIMES),
        (lambda: RetryConfig(retry_not_found_for=math.nan), TIMES),  # type: ignore[arg-type]
        (
            lambda: RetryConfig(retry_not_found_for=60_001),
            "RetryConfig.retry_not_found_for=60001 ms is longer than the whole call may take "
            "(max_elapsed_time=60000 ms); raise BackoffStrategy.max_elapsed_time with it",
        ),
        (
            lambda: RetryConfig("backoff", BackoffStrategy(max_elapsed_time=5_000), retry_not_found_for=5_001),
            "RetryConfig.retry_not_found_for=5001 ms is longer than the whole call may take "
            "(max_elapsed_time=5000 ms); raise BackoffStrategy.max_elapsed_time with it",
        ),
    ],
)
def test_a_refused_setting_says_which_and_what_is_allowed(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make()


def test_a_window_as_long_as_the_budget_is_allowed() -> None:
    assert RetryConfig(retry_not_found_for=60_000).retry_not_found_for == 60_000
    config = RetryConfig("backoff", BackoffStrategy(max_elapsed_time=5_000), retry_not_found_for=5_000)
    assert config.retry_not_found_for == 5_000


def test_statuses_given_as_any_iterable_become_a_frozenset() -> None:
    """So a config can be hashed and shared, and a caller's list changed later changes nothing."""
    statuses = [429, 503]
    config = RetryConfig(statuses=statuses)  # type: ignore[arg-type]
    statuses.append(500)
    assert config.statuses == frozenset({429, 503})
    assert isinstance(config.statuses, frozenset)
    assert hash(config) == hash(RetryConfig(statuses=frozenset({503, 429})))


def test_the_documented_defaults() -> None:
    """The README's retry table, value by value."""
    assert frozenset({408, 429, 500, 502, 503, 504, 524, 529}) == DEFAULT_RETRY_STATUSES
    assert BackoffStrategy() == BackoffStrategy(500, 8_000, 2.0, 60_000)
    assert RetryConfig(backoff=BackoffStrategy()) == DEFAULT_RETRY_CONFIG
    assert DEFAULT_RETRY_CONFIG.strategy == "backoff"
    assert DEFAULT_RETRY_CONFIG.backoff == BackoffStrategy()
    assert DEFAULT_RETRY_CONFIG.retry_connection_errors is True
    assert DEFAULT_RETRY_CONFIG.statuses == DEFAULT_RETRY_STATUSES
    assert DEFAULT_RETRY_CONFIG.max_retries == 4
    assert DEFAULT_RETRY_CONFIG.jitter == 0.25
    assert DEFAULT_RETRY_CONFIG.max_retry_after == 30_000
    assert DEFAULT_RETRY_CONFIG.retry_not_found_for == 0
    assert (NO_RETRIES.strategy, NO_RETRIES.backoff, NO_RETRIES.retry_connection_errors) == ("none", None, False)


def test_the_system_clock_sleeps_for_real_and_names_itself() -> None:
    import asyncio

    from openrouter_generations.utils import SystemClock

    clock = SystemClock()
    before = clock.monotonic()
    clock.sleep(0.001)
    asyncio.run(clock.sleep_async(0.001))
    assert clock.monotonic() - before >= 0.002
    assert repr(clock) == "SystemClock()"
