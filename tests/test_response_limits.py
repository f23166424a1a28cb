"""An attempt's answer is read under two limits: `max_response_bytes` and the attempt's timeout.

The size cap refuses a body that declares more (before reading any of it) or turns out larger
(as soon as it passes the cap); the attempt's timeout bounds the whole answer, headers and body,
not each read. Both are told apart by their messages and attributes. The clock is the fake one:
a transport of the test's own (the way a caller brings one) moves it as the answer "arrives".
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from openrouter_generations import OpenRouter, errors, models
from openrouter_generations.testing import FakeOpenRouter, Reply
from openrouter_generations.utils import NO_RETRIES, RetryConfig

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, FakeClock

BODY = json.dumps(EXAMPLE_BODY).encode()


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in chunks, each arriving `seconds` later on the fake clock."""

    def __init__(self, clock: FakeClock, chunks: list[bytes], seconds: float = 0.0) -> None:
        self.clock, self.chunks, self.seconds = clock, chunks, seconds

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.clock.now += self.seconds
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


Answer = Callable[[httpx.Request], httpx.Response]


def _lookup(mode: str, clock: FakeClock, answer: Answer, **client_kwargs: Any) -> models.GetGenerationResponse:
    """One lookup through a caller's own transport that answers with `answer`, on the fake clock."""
    kwargs: dict[str, Any] = {"api_key": SECRET_KEY, "clock": clock, "_random": clock.random, **client_kwargs}
    if mode == "sync":
        with OpenRouter(client=httpx.Client(transport=httpx.MockTransport(answer)), **kwargs) as client:
            return client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES)

    async def run() -> models.GetGenerationResponse:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
            OpenRouter(async_client=http, **kwargs) as client,
        ):
            return await client.generations.get_generation_async(id=EXAMPLE_ID, retries=NO_RETRIES)

    return asyncio.run(run())


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


# -- the attempt's timeout ---------------------------------------------------------------------


@MODES
def test_an_answer_whose_headers_end_at_the_timeout_is_taken(mode: str, clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 2.0  # exactly timeout_ms
        return httpx.Response(200, stream=_Chunks(clock, [BODY]))

    assert _lookup(mode, clock, answer, timeout_ms=2_000).data.id == EXAMPLE_ID


@MODES
def test_an_answer_whose_headers_end_past_the_timeout_is_a_timeout(mode: str, clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 2.001
        return httpx.Response(200, stream=_Chunks(clock, [BODY]))

    with pytest.raises(errors.APITimeoutError) as caught:
        _lookup(mode, clock, answer, timeout_ms=2_000)
    assert str(caught.value.__cause__) == "the attempt took longer than its timeout of 2 s"
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.__cause__.request.url.params["id"] == EXAMPLE_ID  # the request it timed out
    assert "within the attempt's overall timeout of 2 s (timeout_ms=2000 for this attempt)" in str(caught.value)
    assert caught.value.attempts == 1


@MODES
def test_a_body_trickled_past_the_timeout_is_a_timeout_whose_reads_were_each_in_time(
    mode: str, clock: FakeClock
) -> None:
    chunks = [BODY[i : i + 100] for i in range(0, len(BODY), 100)]  # one every 1/8 s: over a second in all
    assert len(chunks) > 8

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Chunks(clock, chunks, seconds=0.125))

    with pytest.raises(errors.APITimeoutError) as caught:
        _lookup(mode, clock, answer, timeout_ms=500)
    assert str(caught.value.__cause__) == "the attempt took longer than its timeout of 0.5 s"
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.__cause__.request.url.params["id"] == EXAMPLE_ID
    assert clock.now == 1_000.625  # read no further than the chunk past the deadline
    # The same body at the same pace within a longer timeout is the generation.
    clock.now = 1_000.0
    assert _lookup(mode, clock, answer, timeout_ms=len(chunks) * 125).data.id == EXAMPLE_ID


@MODES
def test_a_redirect_hops_body_is_read_within_the_attempts_timeout_too(mode: str, clock: FakeClock) -> None:
    chunks = [BODY[i : i + 100] for i in range(0, len(BODY), 100)]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/moved":
            return httpx.Response(302, headers={"location": "/moved"})
        return httpx.Response(200, stream=_Chunks(clock, chunks, seconds=0.125))

    with pytest.raises(errors.APITimeoutError) as caught:
        _lookup(mode, clock, answer, timeout_ms=500)
    assert str(caught.value.__cause__) == "the attempt took longer than its timeout of 0.5 s"
    assert clock.now == 1_000.625  # read no further than the chunk past the deadline


def test_a_calls_own_timeout_is_for_that_call_only_and_a_changed_client_setting_applies_from_the_next_call(
    clock: FakeClock,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 2.5
        return httpx.Response(200, content=BODY)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        OpenRouter(api_key=SECRET_KEY, client=http, clock=clock, timeout_ms=3_000, retry_config=NO_RETRIES) as client,
    ):
        get = client.generations.get_generation
        assert get(id=EXAMPLE_ID).data.id == EXAMPLE_ID  # 2.5 s is within the client's 3 s
        with pytest.raises(errors.APITimeoutError) as caught:
            get(id=EXAMPLE_ID, timeout_ms=2_000)
        assert "(timeout_ms=2000 for this attempt)" in str(caught.value)
        assert get(id=EXAMPLE_ID, timeout_ms=2_600).data.id == EXAMPLE_ID  # each call's own timeout
        assert get(id=EXAMPLE_ID).data.id == EXAMPLE_ID  # the client's 3 s again
        client.timeout_ms = 2_000
        with pytest.raises(errors.APITimeoutError) as caught:
            get(id=EXAMPLE_ID)
        assert "(timeout_ms=2000 for this attempt)" in str(caught.value)
        assert get(id=EXAMPLE_ID, timeout_ms=3_000).data.id == EXAMPLE_ID


# -- the size cap ------------------------------------------------------------------------------


@MODES
def test_a_body_that_declares_more_than_the_cap_is_refused_before_it_is_read(mode: str, clock: FakeClock) -> None:
    stream = _Chunks(clock, [BODY], seconds=60.0)  # reading it would move the clock a minute

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"content-length": str(len(BODY)), "x-id": "abc"}, stream=stream)

    with pytest.raises(errors.ResponseTooLargeError) as caught:
        _lookup(mode, clock, answer, max_response_bytes=len(BODY) - 1)
    err = caught.value
    assert err.message == (f"response body declares {len(BODY)} bytes; the limit is max_response_bytes={len(BODY) - 1}")
    assert (err.status_code, err.headers["x-id"], err.attempts) == (503, "abc", 1)
    assert clock.now == 1_000.0  # nothing of it read


@MODES
def test_a_body_of_exactly_the_cap_is_read(mode: str, clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": str(len(BODY))}, stream=_Chunks(clock, [BODY]))

    assert _lookup(mode, clock, answer, max_response_bytes=len(BODY)).data.id == EXAMPLE_ID


@MODES
def test_a_body_that_turns_out_larger_than_the_cap_is_refused_as_it_passes_it(mode: str, clock: FakeClock) -> None:
    chunks = [b"x" * 100] * 50

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Chunks(clock, chunks, seconds=1.0))  # no Content-Length

    with pytest.raises(errors.ResponseTooLargeError) as caught:
        _lookup(mode, clock, answer, max_response_bytes=250, timeout_ms=60_000)
    assert caught.value.message == "response body is larger than 250 bytes; the limit is max_response_bytes=250"
    assert (caught.value.status_code, caught.value.attempts) == (200, 1)
    assert clock.now == 1_003.0  # the third chunk passed the cap: no fourth was read


@MODES
def test_a_compressed_body_is_capped_as_it_is_decoded(mode: str, clock: FakeClock) -> None:
    packed = gzip.compress(BODY)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=_Chunks(clock, [packed]))

    assert _lookup(mode, clock, answer, max_response_bytes=len(BODY)).data.id == EXAMPLE_ID
    with pytest.raises(errors.ResponseTooLargeError, match="is larger than"):
        _lookup(mode, clock, answer, max_response_bytes=len(BODY) - 1)


@pytest.mark.parametrize("declared", ["", "abc", "-5", "1e9", " 99999999"], ids=repr)
def test_an_unreadable_content_length_is_no_reason_to_refuse(declared: str, clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, stream=_Chunks(clock, [BODY]))
        response.headers["content-length"] = declared
        return response

    assert _lookup("sync", clock, answer, max_response_bytes=len(BODY)).data.id == EXAMPLE_ID


def test_a_retry_refused_for_its_size_counts_its_attempts(clock: FakeClock) -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, content=b"y" * 5_000)])

    def answer(request: httpx.Request) -> httpx.Response:
        return next(answers)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        OpenRouter(api_key=SECRET_KEY, client=http, clock=clock, _random=clock.random, max_response_bytes=4_096) as c,
        pytest.raises(errors.ResponseTooLargeError) as caught,
    ):
        c.generations.get_generation(id=EXAMPLE_ID, retries=RetryConfig(jitter=0.0))
    assert caught.value.attempts == 2
    assert caught.value.message == "response body declares 5000 bytes; the limit is max_response_bytes=4096"


def test_a_body_read_whole_by_a_callers_transport_is_capped_too(clock: FakeClock) -> None:
    # A transport that hands back a response it already read (its stream consumed) still has its
    # body held to the cap.
    class ReadWhole(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = httpx.Response(200, headers={"content-type": "application/json"}, stream=_Chunks(clock, [BODY]))
            response.read()
            return response

    http = httpx.Client(transport=ReadWhole())
    with OpenRouter(api_key=SECRET_KEY, client=http, clock=clock, max_response_bytes=len(BODY)) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES).data.id == EXAMPLE_ID
    http = httpx.Client(transport=ReadWhole())
    with (
        OpenRouter(api_key=SECRET_KEY, client=http, clock=clock, max_response_bytes=len(BODY) - 1) as client,
        pytest.raises(errors.ResponseTooLargeError, match="is larger than") as caught,
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES)
    assert caught.value.status_code == 200


@MODES
def test_over_a_socket_a_body_past_the_cap_is_refused(mode: str, clock: FakeClock) -> None:
    with FakeOpenRouter(api_key=SECRET_KEY, clock=clock) as fake:
        fake.script_next(Reply(200, b"z" * 3_000, headers={"x-trace": "t1"}))

        def look_up() -> object:
            if mode == "sync":
                with OpenRouter(api_key=SECRET_KEY, server_url=fake.url, max_response_bytes=2_999) as client:
                    return client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES)

            async def run() -> object:
                async with OpenRouter(api_key=SECRET_KEY, server_url=fake.url, max_response_bytes=2_999) as client:
                    return await client.generations.get_generation_async(id=EXAMPLE_ID, retries=NO_RETRIES)

            return asyncio.run(run())

        with pytest.raises(errors.ResponseTooLargeError) as caught:
            look_up()
    assert caught.value.message == "response body declares 3000 bytes; the limit is max_response_bytes=2999"
    assert caught.value.headers["x-trace"] == "t1"
