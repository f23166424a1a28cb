"""The retry policy as pure functions: the decision (`next_delay`) and the delay (`backoff_delay`).

Nothing here sends or sleeps. Each rule is a table; a small driver replays whole schedules the
way the send loops do (sleep what `next_delay` says, stop on None) on a simulated clock.
"""

from __future__ import annotations

import dataclasses
import email.utils
import math
import ssl
import threading
import time
from collections.abc import Callable, Mapping

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_generations import utils
from openrouter_generations._retries import (
    backoff_delay,
    is_retried,
    is_retryable_exception,
    next_delay,
    parse_retry_after,
    retry_reserve,
)
from openrouter_generations.utils import (
    DEFAULT_RETRY_CONFIG,
    DEFAULT_RETRY_STATUSES,
    NO_RETRIES,
    BackoffStrategy,
    RetryConfig,
)

NOW = 1_780_000_000.0  # wall-clock epoch seconds handed to the policy
RETRIED_STATUSES = [408, 429, 500, 502, 503, 504, 524, 529]
NOT_RETRIED_STATUSES = [400, 401, 402, 403, 404, 405, 409, 410, 413, 422, 501, 505, 511, 599]
_REQUEST = httpx.Request("GET", "http://127.0.0.1/generation?id=x")
#: OpenRouter's error object for an unknown generation: the only 404 waited for.
NOT_FOUND_BODY = b'{"error": {"code": 404, "message": "Generation gen-x not found"}}'


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


def decide(
    config: RetryConfig = DEFAULT_RETRY_CONFIG,
    *,
    attempts: int = 1,
    elapsed: float = 0.0,
    status: int | None = 503,
    headers: Mapping[str, str] | None = None,
    exception: BaseException | None = None,
    random: float = 0.0,
    not_found: int = 0,
    reserve: float = 0.0,
    content: bytes | None = None,
) -> float | None:
    """`next_delay` with the response/exception convention of the send loops; a 404 has the
    documented "not found" body unless `content` says otherwise."""
    if exception is not None:
        status, headers = None, None
    elif headers is None:
        headers = httpx.Headers()
    if status == 404 and content is None:
        content = NOT_FOUND_BODY
    return next_delay(
        config,
        attempts=attempts,
        elapsed=elapsed,
        status=status,
        headers=headers,
        exception=exception,
        now=NOW,
        random=fixed(random),
        not_found=not_found,
        reserve=reserve,
        content=content,
    )


@dataclasses.dataclass
class Schedule:
    attempts: int
    sleeps: list[float]

    @property
    def total(self) -> float:
        return sum(self.sleeps)


def replay(
    config: RetryConfig,
    *,
    status: int = 529,
    headers: Mapping[str, str] | None = None,
    random: float = 0.5,
    attempt_duration: float = 0.0,
    limit: int = 100_000,
) -> Schedule:
    """Drives `next_delay` like the send loops do against a server that always fails the same way."""
    elapsed = 0.0
    sleeps: list[float] = []
    attempts = 0
    while attempts < limit:
        attempts += 1
        elapsed += attempt_duration
        delay = decide(config, attempts=attempts, elapsed=elapsed, status=status, headers=headers, random=random)
        if delay is None:
            return Schedule(attempts, sleeps)
        sleeps.append(delay)
        elapsed += delay
    raise AssertionError(f"no end after {limit} attempts")


# -- the defaults ----------------------------------------------------------------------------


def test_default_policy_is_the_documented_one() -> None:
    assert frozenset(RETRIED_STATUSES) == DEFAULT_RETRY_STATUSES
    c = DEFAULT_RETRY_CONFIG
    assert c.strategy == "backoff"
    assert c.retry_connection_errors is True
    assert c.statuses == frozenset(RETRIED_STATUSES)
    assert c.max_retries == 4
    assert c.max_retry_after == 30_000
    assert c.retry_not_found_for == 0
    assert 0 < c.jitter <= 1
    assert (c.backoff or BackoffStrategy()).max_elapsed_time == 60_000
    assert c.backoff == BackoffStrategy(500, 8_000, 2.0, 60_000)
    # `backoff=None` means the default strategy.
    for random in (0.0, 0.5):
        assert replay(RetryConfig("backoff", None, True), random=random) == replay(c, random=random)


def test_no_retries_is_the_documented_none_strategy() -> None:
    assert RetryConfig("none", None, False) == NO_RETRIES
    assert utils.NO_RETRIES is NO_RETRIES


# -- which outcomes are retried --------------------------------------------------------------


@pytest.mark.parametrize("status", RETRIED_STATUSES)
def test_default_statuses_are_retried(status: int) -> None:
    delay = decide(status=status)
    assert delay is not None
    assert delay > 0


@pytest.mark.parametrize("status", NOT_RETRIED_STATUSES)
def test_other_statuses_are_not_retried(status: int) -> None:
    assert decide(status=status) is None
    # Not even when the server asks for a short wait.
    assert decide(status=status, headers={"retry-after": "1"}) is None


RETRYABLE_EXCEPTIONS: list[BaseException] = [
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("connect timed out"),
    httpx.ReadTimeout("read timed out"),
    httpx.WriteTimeout("write timed out"),
    httpx.PoolTimeout("no connection free"),
    httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"),
    httpx.CloseError("close failed"),
    httpx.RemoteProtocolError("peer closed the connection mid-body"),
]
NOT_RETRYABLE_EXCEPTIONS: list[BaseException] = [
    httpx.UnsupportedProtocol("ftp"),
    httpx.LocalProtocolError("bad header"),
    httpx.ProxyError("proxy said no"),
    httpx.TooManyRedirects("loop", request=_REQUEST),
    httpx.DecodingError("bad gzip"),
    # How httpx reports a redirect whose Location it cannot parse: the next try meets the same.
    httpx.RemoteProtocolError("Invalid URL in location header: Invalid port: '99999'.", request=_REQUEST),
    ValueError("not a transport fault"),
]


@pytest.mark.parametrize("exc", RETRYABLE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_connection_errors_and_timeouts_are_retried(exc: BaseException) -> None:
    assert is_retryable_exception(exc)
    assert decide(exception=exc) is not None
    assert decide(RetryConfig("backoff", None, True), exception=exc) is not None


@pytest.mark.parametrize("exc", RETRYABLE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_connection_errors_are_not_retried_when_switched_off(exc: BaseException) -> None:
    assert decide(RetryConfig("backoff", None, False), exception=exc) is None
    # Switching them off leaves status retries alone.
    assert decide(RetryConfig("backoff", None, False), status=503) is not None


@pytest.mark.parametrize("exc", NOT_RETRYABLE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_local_faults_are_never_retried(exc: BaseException) -> None:
    assert not is_retryable_exception(exc)
    assert decide(exception=exc) is None


def _chained(
    exc: BaseException, *, cause: BaseException | None = None, context: BaseException | None = None
) -> BaseException:
    exc.__cause__, exc.__context__ = cause, context
    return exc


@pytest.mark.parametrize(
    "exc",
    [
        # As httpx words a refused handshake: the certificate comes back on every try.
        httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"),
        _chained(httpx.ConnectError("handshake failed"), cause=ssl.SSLCertVerificationError(1, "hostname mismatch")),
        _chained(httpx.ConnectError("handshake failed"), context=ssl.SSLCertVerificationError(1, "expired")),
        _chained(
            httpx.ConnectError("handshake failed"),
            cause=_chained(OSError("wrapped"), context=ssl.SSLCertVerificationError(1, "unknown issuer")),
        ),
    ],
    ids=["message", "cause", "context", "deeper"],
)
def test_a_refused_certificate_is_never_retried(exc: BaseException) -> None:
    assert not is_retryable_exception(exc)
    assert decide(exception=exc) is None


def test_a_connection_error_over_another_tls_fault_is_retried() -> None:
    exc = _chained(httpx.ConnectError("handshake failed"), cause=ssl.SSLError(1, "[SSL] record layer failure"))
    assert is_retryable_exception(exc)
    assert decide(exception=exc, random=0.0) == 0.5


def test_an_exception_chain_that_loops_is_read_to_its_end() -> None:
    # A chain a caller's code tied into a loop: the check still answers, and a connection error
    # with no certificate in its chain is retried.
    inner = OSError("reset")
    outer = _chained(httpx.ConnectError("reset"), cause=inner)
    inner.__context__ = outer
    answers: list[bool] = []
    checker = threading.Thread(target=lambda: answers.append(is_retryable_exception(outer)), daemon=True)
    checker.start()
    checker.join(timeout=5)
    assert answers == [True]


@pytest.mark.parametrize("status", [400, 500, 503, 529])
def test_an_error_body_saying_404_under_another_status_is_not_a_generation_to_wait_for(status: int) -> None:
    # Only a 404 is waited for: a 503 with the same body backs off as a 503, a 400 is not retried.
    config = RetryConfig(retry_not_found_for=15_000, jitter=0.0)
    expected = 0.5 if status in config.statuses else None
    assert decide(config, status=status, content=NOT_FOUND_BODY) == expected


def test_a_404_is_retried_under_any_window_however_short() -> None:
    # The kind is retried; only the time left decides whether a poll is made.
    assert is_retried(RetryConfig(retry_not_found_for=1), 404, NOT_FOUND_BODY, None)
    assert not is_retried(RetryConfig(retry_not_found_for=0), 404, NOT_FOUND_BODY, None)
    assert not is_retried(RetryConfig(retry_not_found_for=1), 404, b"<html>Not Found</html>", None)


OUTCOMES: list[tuple[int | None, BaseException | None, dict[str, str] | None]] = [
    *[(s, None, None) for s in [*RETRIED_STATUSES, 404]],
    *[(None, e, None) for e in RETRYABLE_EXCEPTIONS],
    (429, None, {"retry-after": "0"}),
]


@pytest.mark.parametrize(("status", "exc", "headers"), OUTCOMES, ids=repr)
@pytest.mark.parametrize(
    "config",
    [NO_RETRIES, RetryConfig("none", None, False), RetryConfig("none", None, True, retry_not_found_for=15_000)],
    ids=["NO_RETRIES", "none-positional", "none-with-options"],
)
def test_strategy_none_never_retries(
    config: RetryConfig, status: int | None, exc: BaseException | None, headers: dict[str, str] | None
) -> None:
    assert decide(config, status=status, exception=exc, headers=headers) is None


# -- bounded in attempts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_retries", "attempts", "retried"),
    [
        (4, 1, True),
        (4, 4, True),
        (4, 5, False),  # 5 attempts made: the default gives up
        (4, 6, False),
        (0, 1, False),
        (1, 1, True),
        (1, 2, False),
        (1000, 999, True),
        (1000, 1001, False),
    ],
)
def test_max_retries_bounds_the_attempts(max_retries: int, attempts: int, retried: bool) -> None:
    config = RetryConfig(max_retries=max_retries, backoff=BackoffStrategy(1, 1, 1.0, 10**9))
    assert (decide(config, attempts=attempts, status=503) is not None) == retried
    assert (decide(config, attempts=attempts, exception=httpx.ReadTimeout("t")) is not None) == retried
    assert (decide(config, attempts=attempts, status=429, headers={"retry-after": "0"}) is not None) == retried


def test_persistent_529_with_the_defaults_makes_5_attempts_within_the_budget() -> None:
    for random in (0.0, 0.5, 0.999):
        schedule = replay(DEFAULT_RETRY_CONFIG, status=529, random=random)
        assert schedule.attempts == 5
        assert len(schedule.sleeps) == 4
        assert schedule.total <= 0.5 + 1 + 2 + 4
        assert schedule.total < 60
    assert replay(DEFAULT_RETRY_CONFIG, random=0.0).sleeps == [0.5, 1.0, 2.0, 4.0]


# -- bounded in time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "retried"),
    [(0.0, True), (59.0, True), (59.5, True), (59.6, False), (60.0, False), (61.0, False), (1e9, False)],
)
def test_no_wait_may_end_past_max_elapsed_time(elapsed: float, retried: bool) -> None:
    # jitter 0: the first computed wait is exactly 0.5 s.
    config = RetryConfig(jitter=0.0)
    assert (decide(config, elapsed=elapsed) is not None) == retried
    assert (decide(config, elapsed=elapsed, exception=httpx.ConnectError("x")) is not None) == retried


def test_many_retries_are_still_stopped_by_the_budget() -> None:
    config = RetryConfig(backoff=BackoffStrategy(10, 1_000, 2.0, 60_000), max_retries=1000)
    schedule = replay(config, random=0.5)
    assert 10 < schedule.attempts < 1001
    assert schedule.total <= 60.0
    # It stopped because the next wait would have crossed 60 s, not earlier.
    assert schedule.total + schedule.sleeps[-1] > 60.0


def test_time_spent_in_attempts_counts_against_the_budget() -> None:
    config = RetryConfig(backoff=BackoffStrategy(100, 100, 1.0, 10_000), max_retries=1000, jitter=0.0)
    # Each attempt takes 0.85 s and each wait 0.1 s: after the 11th attempt (at 10.35 s) no
    # wait fits any more. Without the attempts' time, 100 waits of 0.1 s would fit.
    schedule = replay(config, attempt_duration=0.85)
    assert schedule.attempts == 11
    assert (schedule.attempts - 1) * 0.85 + schedule.total <= 10.0  # the last one began within it


@pytest.mark.parametrize("max_elapsed_time", [0, 1, 499])
def test_a_budget_smaller_than_the_first_wait_means_one_attempt(max_elapsed_time: int) -> None:
    config = RetryConfig(backoff=BackoffStrategy(500, 8_000, 2.0, max_elapsed_time), jitter=0.0)
    assert replay(config).attempts == 1


# -- Retry-After -----------------------------------------------------------------------------


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


def asctime(epoch: float) -> str:
    return time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(epoch))


def rfc850(epoch: float) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(epoch))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": " 7 "}, 7.0),
        ({"retry-after": "0.2"}, 0.2),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "1500.5"}, 1.5005),
        ({"retry-after-ms": "0"}, 0.0),
        # retry-after-ms wins over Retry-After.
        ({"retry-after-ms": "100", "retry-after": "9"}, 0.1),
        # An unusable retry-after-ms falls back to Retry-After.
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after-ms": "-5", "retry-after": "2"}, 2.0),
        # HTTP dates, compared with `now`.
        ({"retry-after": http_date(NOW + 5)}, 5.0),
        ({"retry-after": http_date(NOW + 120)}, 120.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past: go now
        ({"retry-after": http_date(NOW - 30)}, 0.0),
        # Garbage, negative and NaN: none asked for, so the computed backoff applies.
        ({"retry-after": ""}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "-0.5"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "NaN"}, None),
        ({"retry-after-ms": "nan"}, None),
        ({"retry-after-ms": "-1"}, None),
        ({"retry-after-ms": "abc"}, None),
        ({"retry-after": "Wed, 99 Oct 2015 07:28:00 GMT"}, None),
        ({"retry-after": "1, 2"}, None),
        # The obsolete HTTP date forms, which RFC 9110 has clients accept; every HTTP date is GMT.
        ({"retry-after": email.utils.formatdate(NOW + 9, usegmt=True).replace("GMT", "-0000")}, 9.0),
        ({"retry-after": asctime(NOW + 4)}, 4.0),
        ({"retry-after": rfc850(NOW + 6)}, 6.0),
        # A date is measured from the response's own Date, whatever the client's clock says.
        ({"retry-after": http_date(NOW + 5), "date": http_date(NOW)}, 5.0),
        ({"retry-after": http_date(NOW - 3600 + 5), "date": http_date(NOW - 3600)}, 5.0),  # client an hour ahead
        ({"retry-after": http_date(NOW + 3600 + 5), "date": http_date(NOW + 3600)}, 5.0),  # an hour behind
        ({"retry-after": http_date(NOW + 5), "date": "garbage"}, 5.0),  # an unusable Date: the client's clock
        # Spellings `float()` takes that no server means as a number of seconds.
        ({"retry-after": "1_0"}, None),
        ({"retry-after": "+5"}, None),
        ({"retry-after": "0x10"}, None),
        ({"retry-after": "5 s"}, None),
        ({"retry-after-ms": "1_000"}, None),
        # Huge and infinite values are returned as such, for the cap to refuse.
        ({"retry-after": "1e12"}, 1e12),
        ({"retry-after": "inf"}, math.inf),
        ({"retry-after": "Infinity"}, math.inf),
        ({"retry-after-ms": "1e12"}, 1e9),
        ({"retry-after": http_date(NOW + 10**9)}, 1e9),
    ],
    ids=repr,
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    got = parse_retry_after(httpx.Headers(headers), NOW)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "4"}, 4.0),
        ({"RETRY-AFTER": "4"}, 4.0),
        ({"Retry-After-Ms": "400"}, 0.4),
        ({"Retry-After-Ms": "400", "Retry-After": "9"}, 0.4),
    ],
)
def test_parse_retry_after_header_names_are_case_insensitive(headers: dict[str, str], expected: float) -> None:
    # HTTP header names are case-insensitive, whatever Mapping carries them.
    assert parse_retry_after(headers, NOW) == pytest.approx(expected)
    assert parse_retry_after(httpx.Headers(headers), NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("headers", "delay"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "0.2"}, 0.2),
        ({"retry-after": "2.75"}, 2.75),
        ({"retry-after-ms": "1250"}, 1.25),
        ({"retry-after": http_date(NOW + 7)}, 7.0),
        ({"retry-after": "30"}, 30.0),  # exactly the cap is allowed
        ({"retry-after-ms": "30000"}, 30.0),
    ],
    ids=repr,
)
def test_the_wait_the_server_asks_for_is_honoured_without_jitter(headers: dict[str, str], delay: float) -> None:
    for random in (0.0, 0.5, 0.999):
        assert decide(status=429, headers=headers, random=random) == pytest.approx(delay)
    # It applies to every retried status, and to a 404 retried for its window (if it fits in it).
    assert decide(status=503, headers=headers) == pytest.approx(delay)
    in_window = decide(RetryConfig(retry_not_found_for=15_000), status=404, headers=headers)
    if delay <= 15.0:
        # Only the window bounds 404 retries, so they never come faster than every 0.1 s.
        assert in_window == pytest.approx(max(delay, 0.1))
    else:
        assert in_window is None


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "30.001"},
        {"retry-after": "31"},
        {"retry-after-ms": "30001"},
        {"retry-after": "3600"},
        {"retry-after": http_date(NOW + 31)},
        {"retry-after": "1e12"},
        {"retry-after-ms": "1e12"},
        {"retry-after": "inf"},
        {"retry-after-ms": "inf"},
        {"retry-after": "Infinity"},
        {"retry-after": "1e400"},  # overflows to inf
    ],
    ids=repr,
)
def test_a_wait_over_the_cap_ends_retrying_at_once(headers: dict[str, str]) -> None:
    assert decide(status=429, headers=headers) is None
    assert decide(status=503, headers=headers, attempts=1, elapsed=0.0) is None


@pytest.mark.parametrize(
    ("max_retry_after", "asked", "retried"),
    [
        (1_000, "1", True),
        (1_000, "1.01", False),
        (0, "0", True),
        (0, "0.001", False),
        (120_000, "45", True),
        (120_000, "61", False),  # allowed by the cap, but past the 60 s budget
        (40_000, "31", True),
    ],
)
def test_max_retry_after_is_configurable(max_retry_after: int, asked: str, retried: bool) -> None:
    config = RetryConfig(max_retry_after=max_retry_after)
    assert (decide(config, status=429, headers={"retry-after": asked}) is not None) == retried


@pytest.mark.parametrize(
    ("elapsed", "asked", "retried"),
    [(0.0, "30", True), (30.0, "30", True), (30.5, "30", False), (55.0, "5", True), (55.0, "5.5", False)],
)
def test_a_wait_past_the_remaining_budget_ends_retrying_at_once(elapsed: float, asked: str, retried: bool) -> None:
    assert (decide(status=429, elapsed=elapsed, headers={"retry-after": asked}) is not None) == retried


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "soon"},
        {"retry-after": "-1"},
        {"retry-after": "-1e12"},
        {"retry-after": "nan"},
        {"retry-after": ""},
        {"retry-after-ms": "-100"},
        {"retry-after-ms": "garbage"},
        {"retry-after": "Mon, 32 Foo 2025 99:99:99 GMT"},
    ],
    ids=repr,
)
def test_unusable_values_fall_back_to_the_computed_backoff(headers: dict[str, str]) -> None:
    config = RetryConfig(jitter=0.0)
    for attempts, expected in [(1, 0.5), (2, 1.0), (3, 2.0)]:
        assert decide(config, status=429, attempts=attempts, headers=headers) == expected


def test_a_zero_retry_after_still_counts_against_max_retries() -> None:
    schedule = replay(DEFAULT_RETRY_CONFIG, status=429, headers={"retry-after": "0"})
    assert schedule == Schedule(5, [0.0, 0.0, 0.0, 0.0])


def test_retry_after_schedule_within_the_budget() -> None:
    # 25 s asked every time: two waits fit in 60 s, the third would end past it.
    schedule = replay(DEFAULT_RETRY_CONFIG, status=429, headers={"retry-after": "25"})
    assert schedule == Schedule(3, [25.0, 25.0])


# -- 404 while a generation becomes queryable ------------------------------------------------


def test_404_is_not_retried_by_default() -> None:
    assert decide(status=404) is None
    assert decide(RetryConfig(retry_not_found_for=0), status=404) is None


@pytest.mark.parametrize(
    ("attempts", "elapsed", "retried"),
    [(1, 0.0, True), (5, 3.0, True), (20, 3.0, True), (1, 14.0, True), (1, 14.6, True), (1, 14.95, False)],
)
def test_404_is_retried_for_its_window_not_for_max_retries(attempts: int, elapsed: float, retried: bool) -> None:
    # Up to the window's end: a poll less than 0.1 s before it is not made.
    config = RetryConfig(retry_not_found_for=15_000, backoff=BackoffStrategy(500, 500, 1.0, 60_000), jitter=0.0)
    assert (decide(config, status=404, attempts=attempts, elapsed=elapsed) is not None) == retried


def test_404_window_is_bounded_in_time() -> None:
    config = RetryConfig(retry_not_found_for=15_000)
    schedule = replay(config, status=404, random=0.5)
    assert schedule.total == pytest.approx(15.0)  # the last poll at the window's end
    assert schedule.attempts > config.max_retries + 1  # the window, not the count, ended it


@pytest.mark.parametrize("random", [0.0, 0.5, 0.999])
def test_waiting_for_a_generation_polls_at_a_steady_short_interval(random: float) -> None:
    # Not a growing backoff: every ~0.75-1 s (1 s less up to the default jitter of 25 %).
    schedule = replay(RetryConfig(retry_not_found_for=15_000), status=404, random=random)
    polls = schedule.sleeps[:-1]  # the last wait is cut to end at the window's end
    assert polls == [pytest.approx(1.0 - 0.25 * random)] * len(polls)
    assert 0.1 <= schedule.sleeps[-1] <= polls[0]
    assert schedule.total == pytest.approx(15.0)


def test_a_window_ending_the_least_poll_interval_away_gets_its_last_poll() -> None:
    # A window of 100 ms: the 1 s poll would pass its end, so the last look is made at the end.
    assert decide(RetryConfig(retry_not_found_for=100), status=404) == pytest.approx(0.1)
    assert decide(RetryConfig(retry_not_found_for=99), status=404) is None


def test_a_404_that_is_not_the_documented_body_is_never_waited_for() -> None:
    config = RetryConfig(retry_not_found_for=15_000)
    for content in [b"", b"<html><title>404 Not Found</title></html>", b'{"detail": "Not Found"}', b"Not Found"]:
        assert decide(config, status=404, content=content) is None
    assert decide(config, status=404, content=b'{"error": {"code": 500, "message": "x"}}') is None
    assert decide(config, status=404, content=NOT_FOUND_BODY) == pytest.approx(1.0)


def test_a_404_poll_honours_retry_after_within_its_window() -> None:
    config = RetryConfig(retry_not_found_for=15_000)
    assert decide(config, status=404, headers={"retry-after": "2"}) == 2.0
    assert decide(config, status=404, headers={"retry-after": "2"}, elapsed=13.5) is None  # past the window


def test_a_404_window_longer_than_the_budget_is_refused() -> None:
    # The window cannot outlast the call: say so, rather than cut it short without a word.
    with pytest.raises(ValueError, match="max_elapsed_time"):
        RetryConfig(retry_not_found_for=15_000, backoff=BackoffStrategy(500, 8_000, 2.0, 5_000))
    with pytest.raises(ValueError, match="max_elapsed_time"):
        RetryConfig(retry_not_found_for=60_001)
    longest = RetryConfig(retry_not_found_for=60_000)
    assert replay(longest, status=404).total <= 60.0


def test_404_retries_do_not_use_up_the_retries_of_other_failures() -> None:
    # Four 404s while the generation becomes queryable, then a 529: the 529 is a first retry,
    # with a first retry's wait, not the fifth attempt of a budget of five.
    config = RetryConfig(retry_not_found_for=15_000, jitter=0.0)
    assert decide(config, status=529, attempts=5, not_found=4, elapsed=3.0) == 0.5
    assert decide(config, status=529, attempts=8, not_found=4, elapsed=3.0) == 4.0  # its 4th retry: 0.5 * 2**3
    assert decide(config, status=529, attempts=9, not_found=4, elapsed=3.0) is None  # a 5th is past max_retries
    # And a 404's poll interval is steady, whatever came before.
    assert decide(config, status=404, attempts=6, not_found=1, elapsed=3.0) == 1.0
    assert decide(config, status=404, attempts=6, not_found=3, elapsed=3.0) == 1.0


def replay_sequence(config: RetryConfig, statuses: list[int]) -> tuple[int, list[float]]:
    """Drives `next_delay` as the send loops do over a scripted sequence of statuses."""
    elapsed, not_found = 0.0, 0
    sleeps: list[float] = []
    for attempts, status in enumerate(statuses, start=1):
        if status == 200:
            return attempts, sleeps
        not_found += status == 404 and config.retry_not_found_for > 0
        delay = decide(config, status=status, attempts=attempts, not_found=not_found, elapsed=elapsed)
        if delay is None:
            return attempts, sleeps
        sleeps.append(delay)
        elapsed += delay
    raise AssertionError("the sequence ran out")


@pytest.mark.parametrize(
    ("statuses", "attempts", "sleeps"),
    [
        ([404, 404, 529, 404, 200], 5, [1.0, 1.0, 0.5, 1.0]),
        ([404, 404, 404, 404, 529, 200], 6, [1.0, 1.0, 1.0, 1.0, 0.5]),
        ([529, 529, 529, 529, 404, 529, 200], 6, [0.5, 1.0, 2.0, 4.0, 1.0]),  # the 5th 529 is one too many
    ],
)
def test_mixed_404_and_other_failures(statuses: list[int], attempts: int, sleeps: list[float]) -> None:
    config = RetryConfig(retry_not_found_for=30_000, jitter=0.0)
    assert replay_sequence(config, statuses) == (attempts, sleeps)


# -- no retry that could not finish ----------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "reserve", "retried"),
    [(0.0, 1.0, True), (58.0, 1.0, True), (58.5, 1.0, True), (58.6, 1.0, False), (59.0, 0.1, True), (59.5, 0.1, False)],
)
def test_no_retry_begins_without_its_reserve_of_the_budget(elapsed: float, reserve: float, retried: bool) -> None:
    # The first wait is 0.5 s: a retry must begin by 60 - reserve.
    config = RetryConfig(jitter=0.0)
    assert (decide(config, elapsed=elapsed, reserve=reserve) is not None) == retried
    assert (decide(config, elapsed=elapsed, reserve=reserve, exception=httpx.ReadTimeout("x")) is not None) == retried


@pytest.mark.parametrize(
    ("backoff", "timeout", "reserve"),
    [
        (None, 15.0, 1.0),  # the defaults: a second
        (None, 0.2, 0.2),  # no more than the attempt's timeout
        (BackoffStrategy(1, 50, 1.1, 100), 15.0, 0.05),  # OpenRouter's SDK example: half its 100 ms budget
        (BackoffStrategy(500, 8_000, 2.0, 0), 15.0, 0.0),
    ],
)
def test_the_reserve_a_retry_keeps_in_hand(backoff: BackoffStrategy | None, timeout: float, reserve: float) -> None:
    assert retry_reserve(RetryConfig(backoff=backoff), timeout) == pytest.approx(reserve)


def test_a_small_budget_still_retries() -> None:
    # The documented example of OpenRouter's SDK: 1 ms backoff, a 100 ms budget.
    documented = RetryConfig("backoff", BackoffStrategy(1, 50, 1.1, 100), True)
    reserve = retry_reserve(documented, 15.0)
    assert decide(documented, status=529, elapsed=0.02, reserve=reserve) == pytest.approx(0.001)
    assert decide(documented, status=529, elapsed=0.05, reserve=reserve) is None  # would begin past 100 - 50 ms


def test_a_server_wait_that_leaves_no_reserve_ends_retrying_with_the_servers_answer() -> None:
    # At 30 s, a 429 asking for 30 s would leave nothing for the retry: stop now, with the 429.
    assert decide(status=429, elapsed=30.0, headers={"retry-after": "30"}, reserve=1.0) is None
    assert decide(status=429, elapsed=29.0, headers={"retry-after": "30"}, reserve=1.0) == 30.0


def test_404_window_does_not_retry_other_unlisted_statuses() -> None:
    config = RetryConfig(retry_not_found_for=15_000)
    for status in (400, 401, 403, 410, 501):
        assert decide(config, status=status) is None


# -- keyword options -------------------------------------------------------------------------


def test_statuses_option_replaces_the_list() -> None:
    config = RetryConfig(statuses={418, 404})  # type: ignore[arg-type]  # any set is accepted
    assert isinstance(config.statuses, frozenset)
    assert config.statuses == frozenset({418, 404})
    assert decide(config, status=418) is not None
    assert decide(config, status=404) is not None
    assert decide(config, status=503) is None
    assert decide(config, status=429) is None
    assert RetryConfig(statuses=[500, 500, 502]).statuses == frozenset({500, 502})  # type: ignore[arg-type]
    assert decide(RetryConfig(statuses=frozenset()), status=503) is None


@pytest.mark.parametrize(
    ("jitter", "random", "expected"),
    [
        (0.0, 0.0, [0.5, 1.0, 2.0, 4.0]),
        (0.0, 0.999, [0.5, 1.0, 2.0, 4.0]),
        (0.25, 0.0, [0.5, 1.0, 2.0, 4.0]),
        (0.25, 0.5, [0.4375, 0.875, 1.75, 3.5]),
        (1.0, 0.5, [0.25, 0.5, 1.0, 2.0]),
        (0.5, 1.0, [0.25, 0.5, 1.0, 2.0]),
    ],
)
def test_jitter_option(jitter: float, random: float, expected: list[float]) -> None:
    schedule = replay(RetryConfig(jitter=jitter), random=random)
    assert schedule.sleeps == pytest.approx(expected)


# -- the delay function ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_index", "expected"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (10, 8.0), (64, 8.0), (65, 8.0), (10_000, 8.0)],
)
def test_backoff_grows_exponentially_up_to_max_interval(retry_index: int, expected: float) -> None:
    assert backoff_delay(DEFAULT_RETRY_CONFIG, retry_index, fixed(0.0)) == expected


@pytest.mark.parametrize(
    ("backoff", "expected"),
    [
        (BackoffStrategy(100, 10_000, 3.0, 60_000), [0.1, 0.3, 0.9, 2.7, 8.1, 10.0, 10.0]),
        (BackoffStrategy(1_000, 1_000, 2.0, 60_000), [1.0] * 7),
        (BackoffStrategy(250, 60_000, 1.0, 60_000), [0.25] * 7),
        (BackoffStrategy(0, 8_000, 2.0, 60_000), [0.0] * 7),
        (BackoffStrategy(2_000, 500, 2.0, 60_000), [0.5] * 7),  # the cap wins even over the first
    ],
)
def test_backoff_strategy_parameters(backoff: BackoffStrategy, expected: list[float]) -> None:
    config = RetryConfig(backoff=backoff)
    assert [backoff_delay(config, i, fixed(0.0)) for i in range(7)] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("jitter", "random", "factor"),
    [
        (0.25, 0.0, 1.0),
        (0.25, 1.0, 0.75),
        (0.25, 0.5, 0.875),
        (0.0, 1.0, 1.0),
        (1.0, 1.0, 0.0),
        (1.0, 0.5, 0.5),
        (0.1, 0.5, 0.95),
    ],
)
def test_jitter_takes_off_at_most_its_fraction(jitter: float, random: float, factor: float) -> None:
    config = RetryConfig(jitter=jitter)
    for retry_index, base in [(0, 0.5), (2, 2.0), (9, 8.0)]:
        assert backoff_delay(config, retry_index, fixed(random)) == pytest.approx(base * factor)


@settings(derandomize=True, database=None, max_examples=300, deadline=None)  # deterministic, no files
@given(
    initial=st.integers(0, 100_000),
    max_interval=st.integers(0, 100_000),
    exponent=st.floats(1.0, 1e300, allow_nan=False),
    retry_index=st.integers(0, 100_000),
    jitter=st.floats(0.0, 1.0),
    random=st.floats(0.0, 1.0, exclude_max=True),
)
def test_backoff_delay_is_always_between_the_jittered_and_the_plain_capped_wait(
    initial: int, max_interval: int, exponent: float, retry_index: int, jitter: float, random: float
) -> None:
    config = RetryConfig(backoff=BackoffStrategy(initial, max_interval, exponent, 60_000), jitter=jitter)
    delay = backoff_delay(config, retry_index, fixed(random))
    assert math.isfinite(delay)
    cap = max_interval / 1000.0
    assert 0.0 <= delay <= cap
    plain = backoff_delay(dataclasses.replace(config, jitter=0.0), retry_index, fixed(random))
    assert plain * (1 - jitter) - 1e-9 <= delay <= plain + 1e-9
    # Never shrinks from one retry to the next (before jitter).
    assert backoff_delay(dataclasses.replace(config, jitter=0.0), retry_index + 1, fixed(0.0)) >= plain


@pytest.mark.parametrize("exponent", [1e6, 1e100, 1e200, 1e308])
def test_backoff_delay_does_not_overflow_with_a_steep_exponent(exponent: float) -> None:
    config = RetryConfig(backoff=BackoffStrategy(500, 8_000, exponent, 60_000), jitter=0.0)
    assert backoff_delay(config, 0, fixed(0.0)) == 0.5
    for retry_index in (1, 2, 3, 4, 64, 1_000):
        assert backoff_delay(config, retry_index, fixed(0.0)) == 8.0


def test_backoff_delay_follows_the_formula_past_64_retries_for_a_gentle_exponent() -> None:
    # min(initial * exponent**n, max_interval), as BackoffStrategy documents, for every n.
    config = RetryConfig(backoff=BackoffStrategy(500, 80_000, 1.01, 3_600_000), jitter=0.0)
    for n in (0, 10, 64, 100, 200, 400):
        assert backoff_delay(config, n, fixed(0.0)) == pytest.approx(min(500 * 1.01**n, 80_000) / 1000)
    assert backoff_delay(config, 600, fixed(0.0)) == 80.0


# -- invalid configurations ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: RetryConfig("sometimes"),  # type: ignore[arg-type]
        lambda: RetryConfig("Backoff"),  # type: ignore[arg-type]
        lambda: RetryConfig(max_retries=-1),
        lambda: RetryConfig(jitter=-0.01),
        lambda: RetryConfig(jitter=1.01),
        lambda: RetryConfig(jitter=math.nan),
        lambda: RetryConfig(max_retry_after=-1),
        lambda: RetryConfig(max_retry_after=math.nan),  # type: ignore[arg-type]
        lambda: RetryConfig(retry_not_found_for=-1),
        lambda: RetryConfig(retry_not_found_for=math.nan),  # type: ignore[arg-type]
        lambda: BackoffStrategy(-1, 8_000, 2.0, 60_000),
        lambda: BackoffStrategy(500, -1, 2.0, 60_000),
        lambda: BackoffStrategy(500, 8_000, 2.0, -1),
        lambda: BackoffStrategy(500, 8_000, 0.5, 60_000),
        lambda: BackoffStrategy(500, 8_000, 0.0, 60_000),
        lambda: BackoffStrategy(500, 8_000, -2.0, 60_000),
        lambda: BackoffStrategy(500, 8_000, math.nan, 60_000),
        lambda: BackoffStrategy(math.nan, 8_000, 2.0, 60_000),  # type: ignore[arg-type]
        lambda: BackoffStrategy(500, math.nan, 2.0, 60_000),  # type: ignore[arg-type]
        lambda: BackoffStrategy(500, 8_000, 2.0, math.nan),  # type: ignore[arg-type]
    ],
)
def test_invalid_configs_raise_value_error(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"RetryConfig|BackoffStrategy"):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: RetryConfig("none", None, False),
        lambda: RetryConfig(max_retries=0),
        lambda: RetryConfig(jitter=0.0),
        lambda: RetryConfig(jitter=1.0),
        lambda: RetryConfig(max_retry_after=0),
        lambda: BackoffStrategy(0, 0, 1.0, 0),
    ],
)
def test_boundary_configs_are_valid(make: Callable[[], object]) -> None:
    make()
