"""The retry decision and the delay: pure functions, shared by the sync and async send loops.

Nothing here sends or sleeps, so every rule can be tested with a table and a fake clock, and the
two loops in `_client` cannot drift apart: they only carry out what `next_delay` says.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import re
import ssl
from collections.abc import Callable, Mapping

import httpx

from .errors import parse_error_body
from .utils import BackoffStrategy, RetryConfig

__all__ = [
    "backoff_delay",
    "budget_seconds",
    "is_generation_not_found",
    "is_retried",
    "is_retryable_exception",
    "next_delay",
    "parse_retry_after",
    "retry_reserve",
    "waits_for_generation",
]

_DEFAULT_BACKOFF = BackoffStrategy()
# The most time a retry is made to keep in hand (see `retry_reserve`).
_RETRY_RESERVE = 1.0
# The least wait between 404 retries while waiting for a generation, whatever the server's
# Retry-After says: only the time window bounds those retries.
_MIN_NOT_FOUND_DELAY = 0.1
# The steady interval of the polls for a generation that is not queryable yet (less up to
# `jitter` of it at random): short, so that it is found within a second of its appearing.
_NOT_FOUND_POLL = 1.0
# A number as Retry-After and retry-after-ms write it. Exponents and "inf" are read too, so that
# an absurd wait is refused by the cap rather than replaced by the backoff; signs, underscores
# and other spellings `float()` would take are not.
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?", re.IGNORECASE)


def is_retryable_exception(exc: BaseException) -> bool:
    """Faults of the moment: a refused/reset/closed connection or a timeout of any phase.

    Malformed URLs, unsupported schemes and local protocol misuse are excluded: a second try
    fails the same way. So is a redirect whose `Location` httpx cannot parse, which it reports
    as a protocol error.
    """
    if isinstance(exc, httpx.RemoteProtocolError) and str(exc).startswith("Invalid URL in location header"):
        return False
    if is_certificate_problem(exc):
        return False  # the same certificate comes back on every try
    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


def is_certificate_problem(exc: BaseException) -> bool:
    """A TLS handshake refused for the server's certificate (untrusted, expired, another host)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(cause):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def retry_reserve(config: RetryConfig, timeout: float) -> float:
    """The least time left in the budget for a retry to begin: 1 s, or less when the attempt's
    timeout or half the budget is less (a budget of 100 ms, as in OpenRouter's SDK's example,
    still retries). A retry with less would mostly end in a timeout of the client's own
    making, and hide the server's answer."""
    return min(_RETRY_RESERVE, timeout, budget_seconds(config) / 2)


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """The wait the server asked for, in seconds, or None when it asked for none usably.

    `retry-after-ms` (a number of milliseconds, as OpenAI-style servers send) wins over
    `Retry-After`, which is delta seconds (fractions accepted) or an HTTP date. A date is
    measured from the response's own `Date` header when it has one, so a client whose clock is
    off still waits what the server meant, and from `now` (epoch seconds) otherwise. Garbage,
    negative and NaN values are ignored, so the computed backoff applies; an infinite or huge
    value is returned as is, for the caller's cap to refuse. Header names are matched
    case-insensitively, whatever mapping carries them.
    """
    if not isinstance(headers, httpx.Headers):
        headers = httpx.Headers(headers)
    ms = _non_negative_number(headers.get("retry-after-ms"))
    if ms is not None:
        return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _non_negative_number(raw)
    if seconds is not None:
        return seconds
    when = _http_date(raw)
    if when is None:
        return None
    sent = _http_date(headers.get("date"))
    return max(when - (sent if sent is not None else now), 0.0)


def _http_date(raw: str | None) -> float | None:
    """An HTTP date (IMF-fixdate, RFC 850 or asctime) as epoch seconds, or None."""
    if raw is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime carries no zone: every HTTP date is GMT (RFC 9110 5.6.7)
        when = when.replace(tzinfo=datetime.UTC)
    return when.timestamp()


def _non_negative_number(raw: str | None) -> float | None:
    if raw is None or not _NUMBER.fullmatch(raw := raw.strip()):
        return None
    return float(raw)


def is_generation_not_found(status: int | None, content: bytes | None) -> bool:
    """A 404 whose body is OpenRouter's error object for it (`{"error": {"code": 404, ...}}`):
    no generation has this id, or not yet. Any other 404 (an HTML page, an empty body, another
    JSON) comes from a URL that is not the endpoint, e.g. a `server_url` ending in `/generation`,
    and waiting cannot fix it."""
    if status != 404 or not content:
        return False
    data, _ = parse_error_body(content)
    return data is not None and data.error.code == 404


def waits_for_generation(config: RetryConfig, status: int | None, content: bytes | None) -> bool:
    """A 404 that `retry_not_found_for` retries: the generation is not queryable yet."""
    return config.retry_not_found_for > 0 and is_generation_not_found(status, content)


def is_retried(config: RetryConfig, status: int | None, content: bytes | None, exception: BaseException | None) -> bool:
    """Whether the policy retries this kind of failure at all (time and attempts permitting)."""
    if config.strategy == "none":
        return False
    if exception is not None:
        return config.retry_connection_errors and is_retryable_exception(exception)
    return status in config.statuses or waits_for_generation(config, status, content)


def budget_seconds(config: RetryConfig) -> float:
    """The most a whole call may take, retries and waits included."""
    return (config.backoff or _DEFAULT_BACKOFF).max_elapsed_time / 1000.0


def backoff_delay(config: RetryConfig, retry_index: int, random: Callable[[], float]) -> float:
    """Seconds before retry number `retry_index` (0-based): capped exponential, less jitter."""
    backoff = config.backoff or _DEFAULT_BACKOFF
    if backoff.initial_interval == 0:
        base_ms = 0.0  # not 0 * inf, which is NaN
    else:
        try:
            grown = backoff.initial_interval * float(backoff.exponent) ** retry_index
        except OverflowError:  # a steep exponent: far past any max_interval
            grown = math.inf
        base_ms = min(grown, backoff.max_interval)
    return base_ms / 1000.0 * (1.0 - config.jitter * random())


def next_delay(
    config: RetryConfig,
    *,
    attempts: int,
    elapsed: float,
    status: int | None,
    headers: Mapping[str, str] | None,
    exception: BaseException | None,
    now: float,
    random: Callable[[], float],
    not_found: int,
    reserve: float,
    content: bytes | None,
) -> float | None:
    """Seconds to wait before the next attempt, or None to stop and raise.

    `attempts` counts the attempts made so far (1 after the first), `not_found` how many of
    them ended in a 404 retried under `retry_not_found_for`; `elapsed` is the seconds since the
    call began; either `status`/`headers` (a response arrived) or `exception` (none did)
    describes the last attempt, `content` the body of that response. `reserve` is the least
    time a retry needs: one is not begun with less of the budget left, since it would end in a
    timeout of the client's own making and hide the server's answer.

    Waiting for a generation (a documented 404 under `retry_not_found_for`) polls at a steady
    interval of about a second instead of backing off, so that the generation is found within a
    second of its appearing, and the last poll is made at the end of the window, not a backoff
    step before it.
    """
    if not is_retried(config, status, content, exception):
        return None
    latest_start = budget_seconds(config) - reserve
    asked = parse_retry_after(headers, now) if headers is not None else None
    if asked is not None and asked > config.max_retry_after / 1000.0:
        return None
    if exception is None and waits_for_generation(config, status, content):
        # Bounded by its own window, not by max_retries, since the caller asked for a time,
        # not a count; and never spinning.
        latest_start = min(latest_start, config.retry_not_found_for / 1000.0)
        delay = max(
            asked if asked is not None else _NOT_FOUND_POLL * (1.0 - config.jitter * random()), _MIN_NOT_FOUND_DELAY
        )
        left = latest_start - elapsed
        if elapsed + delay > latest_start and asked is None and left >= _MIN_NOT_FOUND_DELAY:
            delay = left  # one last look at the window's end
    else:
        retries = attempts - not_found  # 404 polls use none of the retries of other failures
        if retries > config.max_retries:
            return None
        # Each kind of retry has its own backoff: a 529 after four 404s waits as a first retry.
        delay = asked if asked is not None else backoff_delay(config, retries - 1, random)
    if elapsed + delay > latest_start:
        return None
    return delay
