"""Waiting for a generation, and what a call logs, through the real client over a real socket.

The fake clock (conftest) moves only when the client sleeps, and the server below answers by that
clock, so "the generation appears 3 s after the first try" is exact and no test really waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from openrouter_generations import errors, models
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body
from openrouter_generations.utils import NO_RETRIES, BackoffStrategy, RetryConfig

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, ClientFactory, FakeClock, Lookup

WINDOW = RetryConfig(retry_not_found_for=15_000)


@pytest.fixture
def appearing(clock: FakeClock) -> Iterator[Callable[[float], FakeOpenRouter]]:
    """`appearing(after)`: a server on which the generation is queryable `after` seconds (by
    the fake clock) after the first request, and the documented 404 before."""
    servers: list[FakeOpenRouter] = []

    def start(after: float) -> FakeOpenRouter:
        server = FakeOpenRouter(api_key=SECRET_KEY, clock=clock).__enter__()
        servers.append(server)
        server.add_generation(**EXAMPLE_BODY["data"], available_after_ms=after * 1000)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def _lookup(
    mode: str, make_client: ClientFactory, server: FakeOpenRouter, **kwargs: Any
) -> models.GetGenerationResponse:
    if mode == "sync":
        with make_client(server_url=server.url) as client:
            return client.generations.get_generation(**kwargs)

    async def run() -> models.GetGenerationResponse:
        async with make_client(server_url=server.url) as client:
            return await client.generations.get_generation_async(**kwargs)

    return asyncio.run(run())


# -- waiting for a generation -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("after", [0.5, 3.0, 7.25, 14.5])
def test_a_generation_is_found_within_a_second_of_its_appearing(
    mode: str, after: float, appearing: Callable[[float], FakeOpenRouter], make_client: ClientFactory, clock: FakeClock
) -> None:
    server = appearing(after)
    start = clock.now
    res = _lookup(mode, make_client, server, id=EXAMPLE_ID, retries=WINDOW)
    assert res.data.id == EXAMPLE_ID
    found = clock.now - start
    assert after <= found <= after + 1.0
    assert max(clock.sleeps) <= 1.0  # a steady short poll, no backoff growing to seconds


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_generation_that_never_appears_is_looked_for_until_the_window_ends(
    mode: str, appearing: Callable[[float], FakeOpenRouter], make_client: ClientFactory, clock: FakeClock
) -> None:
    server = appearing(1_000.0)
    start = clock.now
    with pytest.raises(errors.NotFoundResponseError) as caught:
        _lookup(mode, make_client, server, id=EXAMPLE_ID, retries=WINDOW)
    assert clock.now - start == pytest.approx(15.0)  # the whole window, the last look at its end
    assert caught.value.attempts == len(server.requests) == len(clock.sleeps) + 1


@pytest.mark.parametrize("random", [0.0, 0.999])
def test_the_poll_interval_is_jittered_between_three_quarters_of_a_second_and_one(
    random: float, lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    clock.random_value = random
    server.script_next(*[Reply(404, error_body(404, "Generation not found")) for _ in range(3)])
    lookup(id=EXAMPLE_ID, retries=WINDOW)
    assert clock.sleeps == [pytest.approx(1.0 - 0.25 * random)] * 3


def test_polls_for_a_generation_use_none_of_the_retries_of_other_failures(
    lookup: Lookup, server: FakeOpenRouter, clock: FakeClock
) -> None:
    # Four polls while the generation becomes queryable, then four 503s: those are the call's
    # four retries (backing off from 0.5 s), and the fifth attempt of them answers.
    clock.random_value = 0.0
    not_found = Reply(404, error_body(404, "Generation not found"))
    server.script_next(*[not_found] * 4, *[Reply(503, error_body(503, "busy"))] * 4)
    res = lookup(id=EXAMPLE_ID, retries=RetryConfig(retry_not_found_for=15_000))
    assert res.data.id == EXAMPLE_ID
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 2.0, 4.0]
    assert len(server.requests) == 9


def test_a_retry_after_on_a_404_is_honoured(lookup: Lookup, server: FakeOpenRouter, clock: FakeClock) -> None:
    server.script_next(Reply(404, error_body(404, "Generation not found"), headers={"Retry-After": "2"}))
    lookup(id=EXAMPLE_ID, retries=WINDOW)
    assert clock.sleeps == [2.0]


# -- logs ---------------------------------------------------------------------------------------


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    for record in caplog.records:
        assert SECRET_KEY not in record.getMessage()
    return [r for r in caplog.records if r.name == "openrouter_generations"]


def test_each_retry_line_names_the_generation_so_concurrent_lookups_are_told_apart(
    server: FakeOpenRouter, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    # Each id fails once, then the known one is found and the other is not.
    server.script(EXAMPLE_ID, Reply(529, error_body(529, "busy")))
    server.script("gen-other", Reply(529, error_body(529, "busy")))

    async def both() -> tuple[object, object]:
        async with make_client() as client:
            return await asyncio.gather(
                client.generations.get_generation_async(id=EXAMPLE_ID),
                client.generations.get_generation_async(id="gen-other"),
                return_exceptions=True,
            )

    found, missing = asyncio.run(both())
    assert isinstance(found, models.GetGenerationResponse)
    assert isinstance(missing, errors.NotFoundResponseError)
    retries = [r.getMessage() for r in _lines(caplog) if r.levelno == logging.DEBUG]
    assert sorted(retries) == [
        f"GET /generation?id={EXAMPLE_ID} failed with status 529; retry 1 in 0.438 s",
        "GET /generation?id=gen-other failed with status 529; retry 1 in 0.438 s",
    ]


def test_a_call_that_gives_up_logs_one_warning_with_its_attempts_and_time(
    lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script_next(*[Reply(502, error_body(502, "upstream")) for _ in range(5)])
    with pytest.raises(errors.BadGatewayResponseError):
        lookup(id=EXAMPLE_ID)
    (line,) = [r for r in _lines(caplog) if r.levelno >= logging.INFO]
    assert line.levelno == logging.WARNING
    assert line.getMessage() == f"GET /generation?id={EXAMPLE_ID} gave up after 5 attempts in 6.562 s: status 502"


def test_a_call_that_stops_at_once_for_its_limits_says_so(
    lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    # A retried status whose Retry-After is past the cap: no retry, but it would have been one.
    caplog.set_level(logging.DEBUG)
    server.script_next(Reply(429, error_body(429, "later"), headers={"Retry-After": "3600"}))
    with pytest.raises(errors.TooManyRequestsResponseError):
        lookup(id=EXAMPLE_ID)
    (line,) = _lines(caplog)
    assert line.levelno == logging.WARNING
    assert "gave up after 1 attempts in 0.000 s: status 429" in line.getMessage()


def test_a_call_that_ends_on_an_unretried_failure_after_retrying_says_it_gave_up(
    lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script_next(Reply(503, error_body(503, "busy")), Reply(400, error_body(400, "bad")))
    with pytest.raises(errors.BadRequestResponseError):
        lookup(id=EXAMPLE_ID)
    (line,) = [r for r in _lines(caplog) if r.levelno >= logging.INFO]
    assert line.levelno == logging.WARNING
    assert line.getMessage() == f"GET /generation?id={EXAMPLE_ID} gave up after 2 attempts in 0.438 s: status 400"


def test_a_retry_after_a_send_error_names_the_error(
    make_client: ClientFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    attempts = iter([httpx.ConnectError("refused"), None])

    def answer(request: httpx.Request) -> httpx.Response:
        failure = next(attempts)
        if failure is not None:
            raise failure
        return httpx.Response(200, json=EXAMPLE_BODY)

    with make_client(client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert [r.getMessage() for r in _lines(caplog)] == [
        f"GET /generation?id={EXAMPLE_ID} failed with ConnectError; retry 1 in 0.438 s",
        f"GET /generation?id={EXAMPLE_ID} answered after 2 attempts in 0.438 s",
    ]


def test_a_retry_after_date_without_a_date_header_is_measured_on_the_clients_clock(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    # The wall clock of the fake: its `time()`, in any time zone the tests run under.
    when = email.utils.formatdate(clock.time() + 3, usegmt=True)
    replies = iter([httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json=EXAMPLE_BODY)])
    transport = httpx.MockTransport(lambda request: next(replies))
    with make_client(client=httpx.Client(transport=transport)) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert clock.sleeps == [pytest.approx(3.0)]


def test_a_404_poll_with_no_time_in_its_window_says_it_gave_up(
    lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    # A window of 50 ms has no room for a poll (the least is 0.1 s): waited for, but not polled.
    caplog.set_level(logging.DEBUG)
    server.script_next(Reply(404, error_body(404, "Generation not found")))
    with pytest.raises(errors.NotFoundResponseError):
        lookup(id=EXAMPLE_ID, retries=RetryConfig(retry_not_found_for=50))
    (line,) = _lines(caplog)
    assert line.levelno == logging.WARNING
    assert line.getMessage() == f"GET /generation?id={EXAMPLE_ID} gave up after 1 attempts in 0.000 s: status 404"


def test_a_send_error_with_no_time_for_a_retry_says_it_gave_up(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    budget_of_100_ms = RetryConfig(backoff=BackoffStrategy(500, 8_000, 2.0, 100))
    with (
        make_client(client=httpx.Client(transport=httpx.MockTransport(answer))) as client,
        pytest.raises(errors.APIConnectionError),
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=budget_of_100_ms)
    (line,) = _lines(caplog)
    assert line.levelno == logging.WARNING
    assert line.getMessage() == f"GET /generation?id={EXAMPLE_ID} gave up after 1 attempts in 0.000 s: ConnectError"


def test_a_success_after_retries_logs_one_line(
    lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script_next(Reply(500, error_body(500, "oops")), Reply(500, error_body(500, "oops")))
    lookup(id=EXAMPLE_ID)
    (line,) = [r for r in _lines(caplog) if r.levelno >= logging.INFO]
    assert line.levelno == logging.INFO
    assert line.getMessage() == f"GET /generation?id={EXAMPLE_ID} answered after 3 attempts in 1.312 s"


@pytest.mark.parametrize(
    ("reply", "retries"),
    [
        (Reply(200, EXAMPLE_BODY), None),
        (Reply(400, error_body(400, "bad")), None),
        (Reply(529, error_body(529, "busy")), NO_RETRIES),
    ],
    ids=["success", "not retried", "retries off"],
)
def test_a_call_with_nothing_to_report_logs_nothing(
    reply: Reply, retries: RetryConfig | None, lookup: Lookup, server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script_next(reply)
    with contextlib.suppress(errors.OpenRouterError):
        lookup(id=EXAMPLE_ID, retries=retries)
    assert _lines(caplog) == []


def test_a_program_that_configured_no_logging_sees_no_log_line_on_stderr(tmp_path: Any) -> None:
    # Python prints a WARNING of a logger without handlers to stderr; a library must not.
    script = """
from openrouter_generations import errors
from openrouter_generations.testing import FakeOpenRouter, Reply
from openrouter_generations.utils import BackoffStrategy, RetryConfig

quick = RetryConfig("backoff", BackoffStrategy(1, 1, 1.0, 5_000), True)
with FakeOpenRouter() as fake, fake.client() as client:
    fake.script("gen-1", *[Reply(529)] * 5)
    try:
        client.generations.get_generation(id="gen-1", retries=quick)
    except errors.ProviderOverloadedResponseError as exc:
        print(exc.attempts)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "5"
    assert run.stderr == ""
