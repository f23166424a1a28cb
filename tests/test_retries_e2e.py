"""Retries end to end: the real client, sync and async, over a real socket to the loopback fake OpenRouter.

Most tests use the fake clock from conftest (`lookup`, `make_client`): its sleep records each
delay and moves time on, so the full default schedule (up to 60 s of waits) runs in milliseconds.
A few use a real client and real, short delays, to show the real sleeps and timeouts happen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import gzip
import importlib
import importlib.util
import json
import logging
import os
import pathlib
import socket
import subprocess
import sys
import time
import types
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpcore
import httpx
import pytest
import yaml

from openrouter_generations import DEFAULT_TIMEOUT_MS, OpenRouter, _call, _retries, errors, models
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body
from openrouter_generations.utils import NO_RETRIES, SYSTEM_CLOCK, BackoffStrategy, RetryConfig
from openrouter_generations_client.api.generations import get_generation

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, ROOT, SECRET_KEY, ClientFactory, FakeClock, Lookup

# With the conftest clock (random() == 0.5) and the default jitter of 0.25, each computed wait
# is 0.875 of min(0.5 * 2**n, 8) seconds.
DEFAULT_SLEEPS = [0.4375, 0.875, 1.75, 3.5]

STATUS_TABLE: list[tuple[int, type[errors.OpenRouterError], bool]] = [
    (408, errors.RequestTimeoutResponseError, True),
    (429, errors.TooManyRequestsResponseError, True),
    (500, errors.InternalServerResponseError, True),
    (502, errors.BadGatewayResponseError, True),
    (503, errors.ServiceUnavailableResponseError, True),
    (504, errors.GatewayTimeoutResponseError, True),
    (524, errors.EdgeNetworkTimeoutResponseError, True),
    (529, errors.ProviderOverloadedResponseError, True),
    (400, errors.BadRequestResponseError, False),
    (401, errors.UnauthorizedResponseError, False),
    (402, errors.PaymentRequiredResponseError, False),
    (403, errors.ForbiddenResponseError, False),
    (404, errors.NotFoundResponseError, False),
    (409, errors.ConflictResponseError, False),
    (422, errors.UnprocessableEntityResponseError, False),
    (501, errors.OpenRouterDefaultError, False),
    (505, errors.OpenRouterDefaultError, False),
]
RETRIED = [status for status, _, retried in STATUS_TABLE if retried]


def failures(status: int, count: int, **reply: Any) -> list[Reply]:
    """`count` replies with `status`, each with a numbered error message."""
    return [Reply(status, error_body(status, f"failure {n}"), **reply) for n in range(1, count + 1)]


def raises(error: type[errors.OpenRouterError], call: Callable[[], object]) -> errors.OpenRouterError:
    with pytest.raises(error) as info:
        call()
    return info.value


@pytest.fixture
def dead_url() -> str:
    """A loopback URL on which nothing listens: connections to it are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- statuses x sync/async -------------------------------------------------------------------


@pytest.mark.parametrize(("status", "error", "retried"), STATUS_TABLE, ids=[str(s) for s, _, _ in STATUS_TABLE])
def test_persistent_status(
    status: int,
    error: type[errors.OpenRouterError],
    retried: bool,
    lookup: Lookup,
    server: FakeOpenRouter,
    clock: FakeClock,
) -> None:
    server.script_next(*failures(status, 10))
    err = raises(error, lambda: lookup(id=EXAMPLE_ID))
    assert type(err) is error
    attempts = 5 if retried else 1
    assert len(server.requests) == attempts
    assert err.attempts == attempts
    assert clock.sleeps == DEFAULT_SLEEPS[: attempts - 1]
    # The error describes the last response.
    assert err.status_code == status
    assert err.retryable is retried  # a later retry makes sense exactly for the statuses retried
    assert err.message == f"failure {attempts}"
    assert json.loads(err.body) == error_body(status, f"failure {attempts}")
    assert isinstance(err.raw_response, httpx.Response)
    assert err.raw_response.status_code == status


@pytest.mark.parametrize("status", RETRIED)
def test_retried_status_then_success(status: int, lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    server.script_next(*failures(status, 2), Reply(200, EXAMPLE_BODY))
    res = lookup(id=EXAMPLE_ID)
    assert isinstance(res, models.GetGenerationResponse)
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 3
    assert clock.sleeps == DEFAULT_SLEEPS[:2]


def test_html_and_empty_bodies_of_retried_statuses_are_retried(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(
        Reply(502, "<html><title>502 Bad Gateway</title></html>", content_type="text/html"),
        Reply(524, b"", content_type=None),
        Reply(200, EXAMPLE_BODY),
    )
    assert lookup(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(server.requests) == 3


# -- bounded in attempts and in time ---------------------------------------------------------


def test_persistent_529_with_the_defaults_ends_after_5_attempts_within_60_s(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    start = clock.now
    server.script_next(*failures(529, 50))
    err = raises(errors.ProviderOverloadedResponseError, lambda: lookup(id=EXAMPLE_ID))
    assert err.attempts == len(server.requests) == 5
    assert clock.sleeps == DEFAULT_SLEEPS
    assert clock.now - start == sum(DEFAULT_SLEEPS) <= 0.5 + 1 + 2 + 4 < 60


def test_many_retries_are_stopped_by_the_60_s_budget(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    start = clock.now
    server.script_next(*failures(529, 300))
    many = RetryConfig(backoff=BackoffStrategy(10, 1_000, 2.0, 60_000), max_retries=1000)
    err = raises(errors.ProviderOverloadedResponseError, lambda: lookup(id=EXAMPLE_ID, retries=many))
    assert err.attempts == len(server.requests) == len(clock.sleeps) + 1
    assert 20 < err.attempts < 300  # far fewer than max_retries, and the script never ran dry
    assert clock.now - start == pytest.approx(sum(clock.sleeps))
    # The last retry began with at least its reserve (1 s, the timeout being longer) still left.
    assert 60 - 1 - 0.875 < sum(clock.sleeps) <= 60 - 1


# -- Retry-After -----------------------------------------------------------------------------

FAKE_WALL = FakeClock().time()  # the wall clock the fake clock starts at


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "sleeps"),
    [
        ({"Retry-After": "2"}, [2.0]),
        ({"Retry-After": "0.75"}, [0.75]),
        ({"Retry-After": "0"}, [0.0]),
        ({"retry-after-ms": "1250"}, [1.25]),
        ({"Retry-After-Ms": "40", "Retry-After": "9"}, [0.04]),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, [0.0]),
        ({"Retry-After": http_date(FAKE_WALL + 3), "Date": http_date(FAKE_WALL)}, [3.0]),
        # The server's clock two hours behind the client's: the wait is still the 3 s it meant.
        ({"Retry-After": http_date(FAKE_WALL - 7200 + 3), "Date": http_date(FAKE_WALL - 7200)}, [3.0]),
        ({"Retry-After": ""}, DEFAULT_SLEEPS[:1]),
        ({"Retry-After": "soon"}, DEFAULT_SLEEPS[:1]),
        ({"Retry-After": "-3"}, DEFAULT_SLEEPS[:1]),
        ({"Retry-After": "nan"}, DEFAULT_SLEEPS[:1]),
        ({"retry-after-ms": "-1"}, DEFAULT_SLEEPS[:1]),
    ],
    ids=repr,
)
def test_retry_after_is_honoured(
    headers: dict[str, str], sleeps: list[float], lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(Reply(429, error_body(429, "slow down"), headers=headers), Reply(200, EXAMPLE_BODY))
    assert lookup(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(server.requests) == 2
    assert clock.sleeps == pytest.approx(sleeps)


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "31"},
        {"Retry-After": "30.5"},
        {"retry-after-ms": "30001"},
        {"Retry-After": "1e12"},
        {"Retry-After": "inf"},
        {"retry-after-ms": "1e12"},
        {"Retry-After": http_date(FAKE_WALL + 3600), "Date": http_date(FAKE_WALL)},
    ],
    ids=repr,
)
def test_a_wait_over_the_cap_ends_retrying_at_once_without_sleeping(
    headers: dict[str, str], lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(Reply(429, error_body(429, "come back tomorrow"), headers=headers), Reply(200, EXAMPLE_BODY))
    err = raises(errors.TooManyRequestsResponseError, lambda: lookup(id=EXAMPLE_ID))
    assert err.attempts == len(server.requests) == 1
    assert clock.sleeps == []
    assert err.message == "come back tomorrow"


def test_a_larger_max_retry_after_allows_a_longer_wait(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(
        Reply(503, error_body(503, "maintenance"), headers={"Retry-After": "45"}), Reply(200, EXAMPLE_BODY)
    )
    assert lookup(id=EXAMPLE_ID, retries=RetryConfig(max_retry_after=50_000)).data.id == EXAMPLE_ID
    assert clock.sleeps == [45.0]


def test_a_wait_past_the_remaining_budget_ends_retrying_at_once(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    # 25 s, then 25 s (50 s elapsed), then 25 more would end at 75 s, past the 60 s budget.
    server.script_next(*failures(429, 5, headers={"Retry-After": "25"}))
    err = raises(errors.TooManyRequestsResponseError, lambda: lookup(id=EXAMPLE_ID))
    assert err.attempts == len(server.requests) == 3
    assert clock.sleeps == [25.0, 25.0]


# -- per-call and client configuration -------------------------------------------------------


@pytest.mark.parametrize(
    ("client_config", "call_config", "attempts"),
    [
        (None, None, 5),
        (None, NO_RETRIES, 1),
        (None, RetryConfig("none", None, False), 1),
        (NO_RETRIES, None, 1),
        (NO_RETRIES, RetryConfig(max_retries=2), 3),
        (RetryConfig(max_retries=1), None, 2),
        (RetryConfig(max_retries=1), RetryConfig(max_retries=3), 4),
        (RetryConfig(max_retries=3), NO_RETRIES, 1),
        (RetryConfig(max_retries=0), None, 1),
    ],
)
def test_per_call_retries_override_the_clients(
    client_config: RetryConfig | None,
    call_config: RetryConfig | None,
    attempts: int,
    lookup: Lookup,
    server: FakeOpenRouter,
    clock: FakeClock,
) -> None:
    server.script_next(*failures(503, 10))
    client_kwargs = {} if client_config is None else {"retry_config": client_config}
    err = raises(
        errors.OpenRouterDefaultError,
        lambda: lookup(id=EXAMPLE_ID, retries=call_config, client_kwargs=client_kwargs),
    )
    assert err.attempts == len(server.requests) == attempts
    assert len(clock.sleeps) == attempts - 1


def test_statuses_option(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    teapot = RetryConfig(statuses=frozenset({418}))
    server.script_next(*failures(418, 10))
    err = raises(errors.OpenRouterDefaultError, lambda: lookup(id=EXAMPLE_ID, retries=teapot))
    assert err.attempts == len(server.requests) == 5
    server.clear_scripts()
    server.requests.clear()
    server.script_next(*failures(503, 10))
    err = raises(errors.OpenRouterDefaultError, lambda: lookup(id=EXAMPLE_ID, retries=teapot))
    assert err.attempts == len(server.requests) == 1


@pytest.mark.parametrize(
    ("options", "sleeps"),
    [
        ({"max_retries": 2}, DEFAULT_SLEEPS[:2]),
        ({"jitter": 0.0}, [0.5, 1.0, 2.0, 4.0]),
        ({"jitter": 1.0}, [0.25, 0.5, 1.0, 2.0]),
        ({"max_retries": 6, "jitter": 0.0}, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]),
        ({"backoff": BackoffStrategy(100, 300, 3.0, 60_000), "jitter": 0.0}, [0.1, 0.3, 0.3, 0.3]),
        # A steep exponent reaches the cap at once, with no OverflowError out of the loop.
        ({"backoff": BackoffStrategy(500, 8_000, 1e200, 60_000), "jitter": 0.0}, [0.5, 8.0, 8.0, 8.0]),
    ],
    ids=repr,
)
def test_keyword_options(
    options: dict[str, Any], sleeps: list[float], lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(*failures(529, 10))
    err = raises(errors.ProviderOverloadedResponseError, lambda: lookup(id=EXAMPLE_ID, retries=RetryConfig(**options)))
    assert err.attempts == len(server.requests) == len(sleeps) + 1
    assert clock.sleeps == pytest.approx(sleeps)


def test_invalid_configs_raise_value_error_when_made() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryConfig(max_retries=-1)
    with pytest.raises(ValueError, match="strategy"):
        RetryConfig("exponential")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exponent"):
        BackoffStrategy(500, 8_000, 0.5, 60_000)


@pytest.mark.parametrize("where", ["client", "call"])
def test_the_documented_positional_form_drives_the_schedule(
    where: str, lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    # Milliseconds in, seconds slept: 100 ms, then x2 up to 400 ms, jitter taken off (0.875 here).
    documented = RetryConfig("backoff", BackoffStrategy(100, 400, 2.0, 60_000), True)
    server.script_next(*failures(529, 4))
    kwargs: dict[str, Any] = (
        {"client_kwargs": {"retry_config": documented}} if where == "client" else {"retries": documented}
    )
    assert lookup(id=EXAMPLE_ID, **kwargs).data.id == EXAMPLE_ID
    assert len(server.requests) == 5
    assert clock.sleeps == pytest.approx([0.0875, 0.175, 0.35, 0.35])


def test_mixed_404_and_529_while_waiting_for_a_generation(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    # Four 404s use none of the retries a 529 may have: the 529 still gets its own.
    server.script_next(*failures(404, 4), *failures(529, 1))
    res = lookup(id=EXAMPLE_ID, retries=RetryConfig(retry_not_found_for=15_000, jitter=0.0))
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 6
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0, 0.5]  # steady 404 polls, then a 529's first backoff


# -- 404 while a generation becomes queryable ------------------------------------------------


def test_404_is_retried_for_the_window_then_returns_the_model(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(*failures(404, 2))  # then the default route answers 200 for EXAMPLE_ID
    res = lookup(id=EXAMPLE_ID, retries=RetryConfig(retry_not_found_for=15_000))
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 3
    assert clock.sleeps == [0.875, 0.875]  # a steady poll: 1 s less the jitter's part


def test_404_retries_stop_when_the_window_ends(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    start = clock.now
    # An id the fake never knows: 404 every time.
    err = raises(
        errors.NotFoundResponseError,
        lambda: lookup(id="gen-never-queryable", retries=RetryConfig(retry_not_found_for=15_000)),
    )
    assert err.attempts == len(server.requests)
    assert err.attempts > 5  # the window, not max_retries=4, bounds 404 retries
    assert clock.now - start == sum(clock.sleeps) == pytest.approx(15.0)  # the whole window
    *polls, last = clock.sleeps
    assert polls == [0.875] * 17
    assert last == pytest.approx(0.125)  # one last look at the window's end


def test_404_is_not_retried_without_a_window(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    err = raises(errors.NotFoundResponseError, lambda: lookup(id="gen-never-queryable"))
    assert err.attempts == len(server.requests) == 1
    assert clock.sleeps == []


# -- the error and the log -------------------------------------------------------------------


def assert_key_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records
    for record in caplog.records:
        assert SECRET_KEY not in record.getMessage(), record.name
        assert SECRET_KEY not in repr(record.args), record.name
    assert SECRET_KEY not in caplog.text


def test_error_carries_the_attempts_and_the_last_response_and_each_retry_is_logged(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    server.script_next(*failures(529, 4), Reply(529, error_body(529, "the last straw"), headers={"X-Last": "yes"}))
    err = raises(errors.ProviderOverloadedResponseError, lambda: lookup(id=EXAMPLE_ID))

    assert err.attempts == 5
    assert err.status_code == 529
    assert err.message == "the last straw"
    assert json.loads(err.body) == error_body(529, "the last straw")
    assert err.headers["x-last"] == "yes"
    assert err.data is not None
    assert err.raw_response is not None
    assert err.raw_response.status_code == 529
    assert err.raw_response.headers["x-last"] == "yes"
    assert json.loads(err.raw_response.content) == error_body(529, "the last straw")
    assert "after 5 attempts" in str(err)

    lines = [r for r in caplog.records if r.name == "openrouter_generations"]
    retries = [r for r in lines if r.levelno == logging.DEBUG]
    (gave_up,) = [r for r in lines if r.levelno > logging.DEBUG]
    assert gave_up.levelno == logging.WARNING
    assert "gave up after 5 attempts in 6.562 s: status 529" in gave_up.getMessage()
    assert len(retries) == 4
    for record, delay in zip(retries, clock.sleeps, strict=True):
        assert record.levelno == logging.DEBUG
        message = record.getMessage()
        assert "status 529" in message
        assert f"{delay:.3f}" in message

    assert any(r.name.startswith("httpcore") for r in caplog.records)  # the check below sees them
    assert_key_not_logged(caplog)
    assert SECRET_KEY not in str(err)
    assert SECRET_KEY not in repr(err)


# -- connection errors and timeouts ----------------------------------------------------------


def test_connection_refused_is_retried_then_raises_api_connection_error(
    lookup: Lookup, clock: FakeClock, dead_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    err = raises(errors.APIConnectionError, lambda: lookup(id=EXAMPLE_ID, client_kwargs={"server_url": dead_url}))
    assert not isinstance(err, errors.APITimeoutError)
    assert err.attempts == 5
    assert clock.sleeps == DEFAULT_SLEEPS
    assert isinstance(err.__cause__, httpx.ConnectError)
    assert err.status_code is None
    assert err.raw_response is None
    retries = [r.getMessage() for r in caplog.records if r.name == "openrouter_generations"]
    assert len(retries) == 5  # four retries and the line that gives up
    assert all("ConnectError" in m for m in retries)
    assert_key_not_logged(caplog)


@pytest.mark.parametrize("config", [RetryConfig("backoff", None, False), NO_RETRIES], ids=["off", "none"])
def test_connection_refused_without_connection_retries_is_one_attempt(
    config: RetryConfig, lookup: Lookup, clock: FakeClock, dead_url: str
) -> None:
    err = raises(
        errors.APIConnectionError, lambda: lookup(id=EXAMPLE_ID, retries=config, client_kwargs={"server_url": dead_url})
    )
    assert err.attempts == 1
    assert clock.sleeps == []
    assert isinstance(err.__cause__, httpx.ConnectError)


STALL = 0.3  # each stall outlasts the 100 ms timeout; kept short, as the server really sleeps


def test_read_timeouts_are_retried_then_raise_api_timeout_error(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(*[Reply(200, EXAMPLE_BODY, delay=STALL) for _ in range(3)])
    err = raises(
        errors.APITimeoutError,
        lambda: lookup(id=EXAMPLE_ID, retries=RetryConfig(max_retries=2), client_kwargs={"timeout_ms": 100}),
    )
    assert isinstance(err, errors.APIConnectionError)
    assert err.attempts == len(server.requests) == 3
    assert clock.sleeps == DEFAULT_SLEEPS[:2]
    assert isinstance(err.__cause__, httpx.ReadTimeout)


def test_a_read_timeout_then_success(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    server.script_next(Reply(200, EXAMPLE_BODY, delay=STALL))  # then the default route answers at once
    assert lookup(id=EXAMPLE_ID, client_kwargs={"timeout_ms": 100}).data.id == EXAMPLE_ID
    assert len(server.requests) == 2
    assert clock.sleeps == DEFAULT_SLEEPS[:1]


def test_a_read_timeout_without_connection_retries_is_one_attempt(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(*[Reply(200, EXAMPLE_BODY, delay=STALL) for _ in range(2)])
    no_connection_retries = RetryConfig("backoff", None, False)
    err = raises(
        errors.APITimeoutError,
        lambda: lookup(id=EXAMPLE_ID, retries=no_connection_retries, client_kwargs={"timeout_ms": 100}),
    )
    assert err.attempts == len(server.requests) == 1
    assert clock.sleeps == []
    assert isinstance(err.__cause__, httpx.ReadTimeout)


DROPS = {
    "closed before answering": Reply(close=True),
    "dropped mid-body": Reply(200, EXAMPLE_BODY, drop_after=10),
}


@pytest.mark.parametrize("fault", DROPS.values(), ids=DROPS.keys())
def test_a_dropped_connection_is_retried(
    fault: Reply, lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(fault, Reply(200, EXAMPLE_BODY))
    assert lookup(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(server.requests) == 2
    assert clock.sleeps == DEFAULT_SLEEPS[:1]


@pytest.mark.parametrize("fault", DROPS.values(), ids=DROPS.keys())
def test_persistently_dropped_connections_end_in_api_connection_error(
    fault: Reply, lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    server.script_next(*[dataclasses.replace(fault) for _ in range(10)])
    err = raises(errors.APIConnectionError, lambda: lookup(id=EXAMPLE_ID))
    assert not isinstance(err, errors.APITimeoutError)
    assert err.attempts == len(server.requests) == 5
    assert isinstance(err.__cause__, httpx.RemoteProtocolError)


# -- no connection leaked by retrying --------------------------------------------------------


def leak_script(server: FakeOpenRouter) -> None:
    """Retried statuses, a retried timeout, a retried drop mid-body, then the answer."""
    server.script_next(
        *failures(503, 1),
        Reply(200, EXAMPLE_BODY, delay=STALL),
        *failures(429, 1),
        Reply(200, EXAMPLE_BODY, drop_after=10),
        Reply(200, EXAMPLE_BODY),
    )


def assert_nothing_in_flight(pool: httpcore.ConnectionPool | httpcore.AsyncConnectionPool) -> None:
    assert pool._requests == []  # no request still holds a connection
    connections = pool.connections
    assert all(c.is_idle() or c.is_closed() for c in connections), connections


def assert_pool_is_clean(pool: httpcore.ConnectionPool | httpcore.AsyncConnectionPool) -> None:
    assert_nothing_in_flight(pool)
    # Kept-alive connections were reused, not piled up: the timed-out one was closed and dropped.
    connections = pool.connections
    assert len(connections) == 1
    assert connections[0].is_idle()


def test_retrying_leaks_no_connection_sync(make_client: ClientFactory, server: FakeOpenRouter) -> None:
    leak_script(server)
    with httpx.Client() as http:
        with make_client(client=http, timeout_ms=100) as client:
            assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
            server.script_next(*failures(502, 10))
            with pytest.raises(errors.BadGatewayResponseError):
                client.generations.get_generation(id=EXAMPLE_ID)
        transport = http._transport
        assert isinstance(transport, httpx.HTTPTransport)
        assert_pool_is_clean(transport._pool)
    assert len(server.requests) == 5 + 5


def test_retrying_leaks_no_connection_async(make_client: ClientFactory, server: FakeOpenRouter) -> None:
    leak_script(server)

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            async with make_client(async_client=http, timeout_ms=100) as client:
                res = await client.generations.get_generation_async(id=EXAMPLE_ID)
                assert res.data.id == EXAMPLE_ID
                server.script_next(*failures(502, 10))
                with pytest.raises(errors.BadGatewayResponseError):
                    await client.generations.get_generation_async(id=EXAMPLE_ID)
            transport = http._transport
            assert isinstance(transport, httpx.AsyncHTTPTransport)
            assert_pool_is_clean(transport._pool)

    asyncio.run(run())
    assert len(server.requests) == 5 + 5


# -- no connection leaked by an attempt cut short --------------------------------------------
#
# httpx releases a streamed response's connection itself when the body ends or a read fails, so
# the tests above pass even without the loops' own `response.close()`. These end the attempt
# while the body is still coming (refused by size, or past its deadline), where only that close
# gives the connection back to the pool.

LEAK_CAP = 64 * 1024
# A real clock: the whole-attempt deadline must pass while the body trickles in.
REAL_CLOCK = SYSTEM_CLOCK


@dataclasses.dataclass(frozen=True)
class CutShort:
    reply: Reply
    error: type[errors.OpenRouterError]
    match: str
    client_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    call_kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)


CUT_SHORT = {
    "declared_too_large": CutShort(
        Reply(200, b"x" * (LEAK_CAP + 1)),
        errors.ResponseTooLargeError,
        f"declares {LEAK_CAP + 1} bytes",
        {"max_response_bytes": LEAK_CAP},
    ),
    "too_large_mid_stream": CutShort(
        Reply(200, endless=True), errors.ResponseTooLargeError, "is larger than", {"max_response_bytes": LEAK_CAP}
    ),
    "deadline_mid_body": CutShort(
        Reply(200, EXAMPLE_BODY, trickle=0.02),  # a byte per 20 ms: no single read times out
        errors.APITimeoutError,
        "timeout of 0.15 s",
        {"timeout_ms": 150, "clock": REAL_CLOCK},
        {"retries": NO_RETRIES},
    ),
    "gzip_bomb": CutShort(
        # 4 MiB of zeros in ~4 KiB: under the cap on the wire, far past it inflated.
        Reply(
            200, gzip.compress(bytes(4 * 1024 * 1024), compresslevel=9, mtime=0), headers={"Content-Encoding": "gzip"}
        ),
        errors.ResponseTooLargeError,
        "is larger than",
        {"max_response_bytes": LEAK_CAP},
    ),
}


@pytest.fixture
def held_body_iterators(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Keeps every body iterator the loops open alive until the test ends.

    CPython finalizes a sync iterator the moment the loop drops it, and that finalization alone
    hands the connection back (httpcore closes its stream on the GeneratorExit), hiding a missing
    `response.close()`; PyPy, or any reference left to the iterator, would not. Held here, only
    the loops' own close releases the connection.
    """
    held: list[object] = []
    iter_raw, aiter_raw = httpx.Response.iter_raw, httpx.Response.aiter_raw

    def holding_iter_raw(self: httpx.Response, chunk_size: int | None = None) -> Iterator[bytes]:
        held.append(iterator := iter_raw(self, chunk_size))
        return iterator

    def holding_aiter_raw(self: httpx.Response, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        held.append(iterator := aiter_raw(self, chunk_size))
        return iterator

    monkeypatch.setattr(httpx.Response, "iter_raw", holding_iter_raw)
    monkeypatch.setattr(httpx.Response, "aiter_raw", holding_aiter_raw)
    return held


@pytest.mark.usefixtures("held_body_iterators")
@pytest.mark.parametrize("case", CUT_SHORT.values(), ids=CUT_SHORT.keys())
def test_an_attempt_cut_short_leaks_no_connection_sync(
    case: CutShort, make_client: ClientFactory, server: FakeOpenRouter
) -> None:
    server.script_next(case.reply)
    with httpx.Client() as http:
        transport = http._transport
        assert isinstance(transport, httpx.HTTPTransport)
        with make_client(client=http, **case.client_kwargs) as client:
            with pytest.raises(case.error, match=case.match):
                client.generations.get_generation(id=EXAMPLE_ID, **case.call_kwargs)
            assert_nothing_in_flight(transport._pool)
            assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
        assert_pool_is_clean(transport._pool)
    assert len(server.requests) == 2


@pytest.mark.usefixtures("held_body_iterators")
@pytest.mark.parametrize("case", CUT_SHORT.values(), ids=CUT_SHORT.keys())
def test_an_attempt_cut_short_leaks_no_connection_async(
    case: CutShort, make_client: ClientFactory, server: FakeOpenRouter
) -> None:
    server.script_next(case.reply)

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            transport = http._transport
            assert isinstance(transport, httpx.AsyncHTTPTransport)
            async with make_client(async_client=http, **case.client_kwargs) as client:
                with pytest.raises(case.error, match=case.match):
                    await client.generations.get_generation_async(id=EXAMPLE_ID, **case.call_kwargs)
                assert_nothing_in_flight(transport._pool)
                res = await client.generations.get_generation_async(id=EXAMPLE_ID)
                assert res.data.id == EXAMPLE_ID
            assert_pool_is_clean(transport._pool)

    asyncio.run(run())
    assert len(server.requests) == 2


# -- real delays over a real socket ----------------------------------------------------------


def call_real(mode: str, client: OpenRouter, **call_kwargs: Any) -> models.GetGenerationResponse:
    """One lookup through a real client (real clock, real sleep), closed afterwards."""
    if mode == "sync":
        with client:
            return client.generations.get_generation(**call_kwargs)

    async def run() -> models.GetGenerationResponse:
        async with client:
            return await client.generations.get_generation_async(**call_kwargs)

    return asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_real_retry_after(mode: str, server: FakeOpenRouter) -> None:
    server.script_next(Reply(429, error_body(429, "slow down"), headers={"Retry-After": "0.2"}))
    client = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    start = time.monotonic()
    res = call_real(mode, client, id=EXAMPLE_ID)
    took = time.monotonic() - start
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 2
    assert 0.2 <= took < 3.0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_real_trickled_body_cannot_stretch_an_attempt_past_its_timeout(mode: str, server: FakeOpenRouter) -> None:
    # One byte every 20 ms: no single read waits long enough for a read timeout, so only a
    # deadline for the attempt as a whole ends it (the whole body would take ~40 s).
    server.script_next(Reply(200, EXAMPLE_BODY, trickle=0.02))
    client = OpenRouter(api_key=SECRET_KEY, server_url=server.url, timeout_ms=300)
    start = time.monotonic()
    with pytest.raises(errors.APITimeoutError) as info:
        call_real(mode, client, id=EXAMPLE_ID, retries=NO_RETRIES)
    took = time.monotonic() - start
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert "timeout of 0.3 s" in info.value.message
    assert info.value.attempts == 1
    assert 0.3 <= took < 2.0


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_real_first_attempt_has_its_whole_timeout_whatever_the_budget(mode: str, server: FakeOpenRouter) -> None:
    # The README example of OpenRouter's SDK gives up retrying after 100 ms; that must not cut a
    # lookup that takes 200 ms short (max_elapsed_time bounds the retrying, not the request).
    server.script_next(Reply(200, EXAMPLE_BODY, delay=0.2))
    documented = RetryConfig("backoff", BackoffStrategy(1, 50, 1.1, 100), False)
    client = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    assert call_real(mode, client, id=EXAMPLE_ID, retries=documented).data.id == EXAMPLE_ID
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_real_short_backoff_is_stopped_by_the_budget(mode: str, server: FakeOpenRouter) -> None:
    server.script_next(*failures(503, 100))
    retries = RetryConfig(backoff=BackoffStrategy(50, 50, 1.0, 400), max_retries=1000, jitter=0.0)
    client = OpenRouter(api_key=SECRET_KEY, server_url=server.url, timeout_ms=100)
    start = time.monotonic()
    with pytest.raises(errors.OpenRouterDefaultError) as info:
        call_real(mode, client, id=EXAMPLE_ID, retries=retries)
    took = time.monotonic() - start
    assert info.value.attempts == len(server.requests)
    # Retries begin by 400 - 100 ms (the reserve: the 100 ms timeout): at most 6 waits of 50 ms.
    assert 3 <= info.value.attempts <= 7
    assert 0.1 <= took < 1.5


# -- each attempt's timeout ------------------------------------------------------------------


def _timeouts(request: httpx.Request) -> set[float | None]:
    return set(request.extensions["timeout"].values())


@pytest.mark.parametrize("client_timeout", [5.0, None], ids=["httpx_default", "none"])
def test_the_default_timeout_bounds_every_phase_of_an_attempt(client_timeout: float | None) -> None:
    # The generator sets no timeout, and httpx's default is 5 s: ours is 15 s, on every phase,
    # whatever the timeout of a client passed in.
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=EXAMPLE_BODY)

    http = httpx.Client(timeout=client_timeout, transport=httpx.MockTransport(answer))
    with http, OpenRouter(api_key=SECRET_KEY, client=http) as client:
        client.generations.get_generation(id=EXAMPLE_ID)
    (request,) = sent
    assert request.extensions["timeout"] == dict.fromkeys(
        ("connect", "read", "write", "pool"), DEFAULT_TIMEOUT_MS / 1000
    )


def test_a_retrys_timeout_is_cut_to_what_remains_of_the_budget(clock: FakeClock) -> None:
    retries = RetryConfig(backoff=BackoffStrategy(500, 8_000, 2.0, 20_000))
    options = _call.CallOptions(
        server_url="http://127.0.0.1:1",
        timeout=15.0,
        retries=retries,
        max_response_bytes=1024,
        auth_header=None,
        user_agent="test",
    )
    call = _call.Call(get_generation, {"id": EXAMPLE_ID}, models.GetGenerationResponse, options, clock.runtime())
    with httpx.Client() as http:
        assert _timeouts(call.build_request(http)) == {15.0}  # the first attempt: its whole timeout
        clock.sleep(2.0)
        assert _timeouts(call.build_request(http)) == {15.0}  # 18 s remain: not cut
        clock.sleep(10.0)
        (cut,) = _timeouts(call.build_request(http))  # 8 s remain
        assert cut == pytest.approx(8.0)
    assert call.attempts == 3


def test_the_first_retrys_timeout_is_cut_too_but_never_below_50_ms(clock: FakeClock) -> None:
    retries = RetryConfig(backoff=BackoffStrategy(500, 8_000, 2.0, 20_000))
    options = _call.CallOptions(
        server_url="http://127.0.0.1:1",
        timeout=15.0,
        retries=retries,
        max_response_bytes=1024,
        auth_header=None,
        user_agent="test",
    )
    with httpx.Client() as http:
        clock.sleep(30.0)  # before the first attempt: no budget is spent until it is sent
        call = _call.Call(get_generation, {"id": EXAMPLE_ID}, models.GetGenerationResponse, options, clock.runtime())
        assert _timeouts(call.build_request(http)) == {15.0}
        clock.sleep(12.0)
        (first_retry,) = _timeouts(call.build_request(http))  # 8 s remain
        assert first_retry == pytest.approx(8.0)
        clock.sleep(7.99)
        (late,) = _timeouts(call.build_request(http))  # 10 ms remain: an attempt that can still answer
        assert late == pytest.approx(0.05)
        clock.sleep(5.0)
        assert _timeouts(call.build_request(http)) == {0.05}  # past the budget: the same floor


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_callers_transport_sees_each_attempts_timeout(mode: str, clock: FakeClock) -> None:
    # A budget of 10 s and a timeout of 15 s: the first retry, after a wait of 0.4375 s, has
    # what remains of the 10 s; a redirect hop has what remains of its attempt's.
    timeouts: list[set[float | None]] = []
    replies = iter([httpx.Response(503), httpx.Response(302, headers={"location": "/moved"})])

    def answer(request: httpx.Request) -> httpx.Response:
        timeouts.append(_timeouts(request))
        clock.now += 1.0  # each answer takes a second of the fake clock
        return next(replies, None) or httpx.Response(200, json=EXAMPLE_BODY)

    retries = RetryConfig(backoff=BackoffStrategy(500, 8_000, 2.0, 10_000))
    kwargs: dict[str, Any] = {"api_key": SECRET_KEY, "clock": clock, "_random": clock.random, "timeout_ms": 15_000}
    if mode == "sync":
        with OpenRouter(client=httpx.Client(transport=httpx.MockTransport(answer)), **kwargs) as client:
            res = client.generations.get_generation(id=EXAMPLE_ID, retries=retries)
    else:

        async def run() -> models.GetGenerationResponse:
            transport = httpx.MockTransport(answer)
            async with (
                httpx.AsyncClient(transport=transport) as http,
                OpenRouter(async_client=http, **kwargs) as client,
            ):
                return await client.generations.get_generation_async(id=EXAMPLE_ID, retries=retries)

        res = asyncio.run(run())
    assert res.data.id == EXAMPLE_ID
    assert clock.sleeps == [0.4375]
    assert timeouts == [{15.0}, {10 - 1 - 0.4375}, {10 - 1 - 0.4375 - 1}]  # exact in binary


# -- one policy for every operation ----------------------------------------------------------

STATS_MODULE = "openrouter_generations_client_with_stats"


@dataclasses.dataclass(frozen=True)
class StatsOperation:
    endpoint: types.ModuleType
    model: type[Any]


def spec_with_stats_operation() -> dict[str, Any]:
    """openapi.yaml plus `GET /generation/stats?id=...` returning `GenerationStats`."""
    spec: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert "/generation/stats" not in spec["paths"]
    spec["paths"]["/generation/stats"] = {
        "get": {
            "operationId": "getGenerationStats",
            "tags": ["Generations"],
            "summary": "A generation's cost",
            "parameters": [{"name": "id", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "The stats.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GenerationStats"}}},
                },
                "default": {
                    "description": "Any other status.",
                    "content": {"*/*": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                },
            },
        }
    }
    spec["components"]["schemas"]["GenerationStats"] = {
        "type": "object",
        "required": ["id", "total_cost"],
        "properties": {"id": {"type": "string"}, "total_cost": {"type": "number"}},
    }
    return spec


@pytest.fixture(scope="module")
def stats_operation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StatsOperation]:
    """The new operation, generated by the pinned generator and imported under its own name."""
    tmp = tmp_path_factory.mktemp("generated_with_stats")
    spec_path = tmp / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(spec_with_stats_operation(), sort_keys=False))
    package = tmp / "openrouter_generations_client"
    bin_dir = pathlib.Path(sys.executable).parent
    command = [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec_path)]
    command += ["--config", str(ROOT / "generator-config.yml"), "--meta", "none", "--fail-on-warning"]
    command += ["--output-path", str(package)]
    # The generator's post-hooks run `ruff` from PATH: the pinned one, next to this Python.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (package / "api" / "generations" / "get_generation_stats.py").is_file(), done.stdout + done.stderr

    installed = sys.modules["openrouter_generations_client"]
    spec = importlib.util.spec_from_file_location(
        STATS_MODULE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None
    assert spec.loader is not None
    sys.modules[STATS_MODULE] = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(sys.modules[STATS_MODULE])
        endpoint = importlib.import_module(f"{STATS_MODULE}.api.generations.get_generation_stats")
        model = importlib.import_module(f"{STATS_MODULE}.models.generation_stats").GenerationStats
        # The installed package is untouched: the new one lives beside it, under another name.
        assert sys.modules["openrouter_generations_client"] is installed
        assert not str(pathlib.Path(endpoint.__file__ or "")).startswith(str(ROOT / "generated"))
        yield StatsOperation(endpoint, model)
    finally:
        for name in [n for n in sys.modules if n == STATS_MODULE or n.startswith(STATS_MODULE + ".")]:
            del sys.modules[name]


@dataclasses.dataclass
class Spy:
    next_delay: int = 0
    backoff_delay: int = 0


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    """Counts the calls of the one decision function and the one delay function."""
    counts = Spy()
    real_next_delay, real_backoff_delay = _retries.next_delay, _retries.backoff_delay

    def next_delay(*args: Any, **kwargs: Any) -> float | None:
        counts.next_delay += 1
        return real_next_delay(*args, **kwargs)

    def backoff_delay(*args: Any, **kwargs: Any) -> float:
        counts.backoff_delay += 1
        return real_backoff_delay(*args, **kwargs)

    monkeypatch.setattr(_call, "next_delay", next_delay)
    monkeypatch.setattr(_retries, "backoff_delay", backoff_delay)
    return counts


def call_operation(
    mode: str, client: OpenRouter, endpoint: types.ModuleType, model: type[Any], **params: Any
) -> object:
    """Any generated operation through the public `request`/`request_async`."""
    if mode == "sync":
        with client:
            return client.request(endpoint, model, **params)

    async def run() -> object:
        async with client:
            return await client.request_async(endpoint, model, **params)

    return asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_newly_generated_operation_gets_the_same_retries(
    mode: str,
    stats_operation: StatsOperation,
    make_client: ClientFactory,
    server: FakeOpenRouter,
    clock: FakeClock,
    spy: Spy,
) -> None:
    stats, stats_model = stats_operation.endpoint, stats_operation.model

    # 503 then 200: two attempts, and the generated model.
    server.script_next(Reply(503, error_body(503, "busy")), Reply(200, {"id": "gen-stats-1", "total_cost": 0.25}))
    res = call_operation(mode, make_client(), stats, stats_model, id="gen-stats-1")
    assert isinstance(res, stats_model)
    assert (res.id, res.total_cost) == ("gen-stats-1", 0.25)
    assert [s.raw_path for s in server.requests] == ["/generation/stats?id=gen-stats-1"] * 2
    assert clock.sleeps == DEFAULT_SLEEPS[:1]
    assert spy == Spy(next_delay=1, backoff_delay=1)

    # A persistent failure: the same schedule, bound and typed error as the hand-written
    # get_generation, decided by the same two functions.
    outcomes: list[tuple[int, list[float], Spy]] = []
    operations: list[tuple[types.ModuleType, type[Any]]] = [
        (stats, stats_model),
        (get_generation, models.GetGenerationResponse),
    ]
    for endpoint, model in operations:
        server.clear_scripts()
        server.requests.clear()
        clock.sleeps.clear()
        before = dataclasses.replace(spy)
        server.script_next(*failures(529, 10))
        with pytest.raises(errors.ProviderOverloadedResponseError) as info:
            call_operation(mode, make_client(), endpoint, model, id=EXAMPLE_ID)
        err = info.value
        assert err.attempts == len(server.requests)
        calls = Spy(spy.next_delay - before.next_delay, spy.backoff_delay - before.backoff_delay)
        outcomes.append((err.attempts, list(clock.sleeps), calls))
    assert outcomes[0] == outcomes[1] == (5, DEFAULT_SLEEPS, Spy(next_delay=5, backoff_delay=4))

    # A status outside the list is not retried, for the new operation either.
    server.clear_scripts()
    server.requests.clear()
    server.script_next(*failures(400, 2))
    client = make_client()
    bad = raises(errors.BadRequestResponseError, lambda: call_operation(mode, client, stats, stats_model, id="x"))
    assert bad.attempts == len(server.requests) == 1
