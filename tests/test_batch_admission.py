"""What a batch puts around each attempt of its calls (`Admission`): the send loops' side of it.

A batch (see bulk.py) lets each attempt begin (`acquire`), hears of its end (`release`), may take
an attempt's failure upon itself (a rate limit the whole batch waits out: the attempt is made
again at once, and is not one of the call's retries), and does the waiting between retries
(`wait`). Here a recording batch, on the fake clock, through a caller's transport.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from openrouter_generations import OpenRouter, errors, models
from openrouter_generations._call import Call
from openrouter_generations.utils import RetryConfig
from openrouter_generations_client.api.generations import get_generation

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, FakeClock


@dataclasses.dataclass
class Batch:
    """Records what the loops tell it; excuses the attempts whose status is in `excuse`."""

    excuse: set[int] = dataclasses.field(default_factory=set)
    events: list[str] = dataclasses.field(default_factory=list)
    #: Seconds each attempt after the first waits to be let in (on this clock).
    queue: float = 0.0
    clock: FakeClock | None = None

    def acquire(self, call: Call[Any]) -> None:
        self.events.append(f"acquire {call.attempts + 1}")
        if call.attempts and self.clock is not None:
            self.clock.now += self.queue

    def release(self, call: Call[Any], finished: bool) -> bool:
        status = call.response.status_code if finished and call.response is not None else None
        excused = status in self.excuse
        self.events.append(f"release {call.attempts} {'finished' if finished else 'interrupted'}")
        return excused

    def wait(self, seconds: float) -> None:
        self.events.append(f"wait {seconds}")


class AsyncBatch(Batch):
    async def acquire(self, call: Call[Any]) -> None:  # type: ignore[override]
        Batch.acquire(self, call)

    async def wait(self, seconds: float) -> None:  # type: ignore[override]
        Batch.wait(self, seconds)


def _transport(statuses: list[int], clock: FakeClock) -> Callable[[httpx.Request], httpx.Response]:
    replies = iter(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        status = next(replies)
        if status == 0:
            raise KeyboardInterrupt  # the program is stopped mid-attempt
        return httpx.Response(status, json=EXAMPLE_BODY if status == 200 else {"error": {"code": status}})

    return answer


def _run(mode: str, clock: FakeClock, statuses: list[int], batch: Batch) -> Call[models.GetGenerationResponse]:
    retries = RetryConfig(jitter=0.0)
    kwargs: dict[str, Any] = {"api_key": SECRET_KEY, "clock": clock, "_random": clock.random, "retry_config": retries}
    transport = httpx.MockTransport(_transport(statuses, clock))
    if mode == "sync":
        with OpenRouter(client=httpx.Client(transport=transport), **kwargs) as client:
            call = client._call(
                get_generation, {"id": EXAMPLE_ID}, models.GetGenerationResponse, None, None, None, None
            )
            return client._run(call, batch)

    async def run() -> Call[models.GetGenerationResponse]:
        async with httpx.AsyncClient(transport=transport) as http, OpenRouter(async_client=http, **kwargs) as client:
            call = client._call(
                get_generation, {"id": EXAMPLE_ID}, models.GetGenerationResponse, None, None, None, None
            )
            return await client._run_async(call, batch)  # type: ignore[arg-type]

    return asyncio.run(run())


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def _batch(mode: str, excuse: set[int] | None = None) -> Batch:
    return (Batch if mode == "sync" else AsyncBatch)(excuse=excuse or set())


@MODES
def test_each_attempt_is_let_in_by_the_batch_and_its_waits_are_the_batchs(mode: str, clock: FakeClock) -> None:
    batch = _batch(mode)
    call = _run(mode, clock, [503, 503, 200], batch)
    assert call.result().data.id == EXAMPLE_ID
    assert batch.events == [
        "acquire 1",
        "release 1 finished",
        "wait 0.5",
        "acquire 2",
        "release 2 finished",
        "wait 1.0",
        "acquire 3",
        "release 3 finished",
    ]
    assert clock.sleeps == []  # the batch waited, not the client's clock


@MODES
def test_an_attempt_the_batch_excuses_is_made_again_at_once_and_is_no_retry(mode: str, clock: FakeClock) -> None:
    batch = _batch(mode, excuse={429})
    # Six rate limits the batch waits out, then four 503s: a call of its own would give up at
    # its 5th attempt, yet these are its 1st to 5th retries.
    call = _run(mode, clock, [429] * 6 + [503] * 5, batch)
    with pytest.raises(errors.ServiceUnavailableResponseError) as caught:
        call.result()
    assert caught.value.attempts == 11
    waits = [event for event in batch.events if event.startswith("wait")]
    assert waits == ["wait 0.5", "wait 1.0", "wait 2.0", "wait 4.0"]  # none for the excused attempts
    assert batch.events[:4] == ["acquire 1", "release 1 finished", "acquire 2", "release 2 finished"]


@MODES
def test_an_interrupted_attempt_is_released_with_no_outcome(mode: str, clock: FakeClock) -> None:
    batch = _batch(mode)
    with pytest.raises(KeyboardInterrupt):
        _run(mode, clock, [503, 0], batch)
    assert batch.events == ["acquire 1", "release 1 finished", "wait 0.5", "acquire 2", "release 2 interrupted"]


@MODES
def test_time_waiting_to_be_let_in_uses_none_of_the_retry_budget(mode: str, clock: FakeClock) -> None:
    # Each retry waits 100 s for the batch, longer than the whole 60 s budget: yet the call makes
    # its four retries, and the first one's timeout is still its whole 15 s.
    batch = _batch(mode)
    batch.queue, batch.clock = 100.0, clock
    call = _run(mode, clock, [503] * 4 + [200], batch)
    assert call.result().data.id == EXAMPLE_ID
    assert [event for event in batch.events if event.startswith("wait")] == [
        "wait 0.5",
        "wait 1.0",
        "wait 2.0",
        "wait 4.0",
    ]
    assert call.attempt_timeout == 15.0


@MODES
def test_the_many_ids_methods_pass_every_option_to_the_batch(mode: str, clock: FakeClock, tmp_path: Any) -> None:
    from openrouter_generations.cache import GenerationCache

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.params["id"] == "gen-busy":
            return httpx.Response(503, json={"error": {"code": 503, "message": "busy"}})
        return httpx.Response(200, json=EXAMPLE_BODY)

    ids = [EXAMPLE_ID, "gen-busy"]
    options: dict[str, Any] = {
        "concurrency": 1,
        "retries": RetryConfig("none", None, False),  # the 503 is tried once
        "server_url": "http://127.0.0.1:9/other/v1",
        "timeout_ms": 2_500,
    }
    kwargs: dict[str, Any] = {"api_key": SECRET_KEY, "clock": clock, "_random": clock.random}
    settled: list[object] = []

    def on_result(result: Any) -> None:
        settled.append(result.id)

    with GenerationCache(tmp_path / "cache.sqlite") as cache:
        if mode == "sync":
            with OpenRouter(client=httpx.Client(transport=httpx.MockTransport(answer)), **kwargs) as client:
                results = client.generations.get_generations(ids, on_result=on_result, cache=cache, **options)
                again = client.generations.get_generations([EXAMPLE_ID], cache=cache, **options)
        else:

            async def run() -> tuple[list[Any], list[Any]]:
                async with (
                    httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
                    OpenRouter(async_client=http, **kwargs) as client,
                ):
                    first = await client.generations.get_generations_async(
                        ids, on_result=on_result, cache=cache, **options
                    )
                    return first, await client.generations.get_generations_async([EXAMPLE_ID], cache=cache, **options)

            results, again = asyncio.run(run())
    assert [r.id for r in results] == ids
    assert results[0].response is not None
    assert results[0].response.data.id == EXAMPLE_ID
    assert isinstance(results[1].error, errors.ServiceUnavailableResponseError)
    assert results[1].error.attempts == 1
    assert sorted(map(str, settled)) == sorted(ids)
    assert again[0].from_cache  # the cache passed in answered the second time
    assert len(seen) == 2
    assert {str(r.url.copy_with(query=None)) for r in seen} == {"http://127.0.0.1:9/other/v1/generation"}
    assert {r.extensions["timeout"]["read"] for r in seen} == {2.5}
