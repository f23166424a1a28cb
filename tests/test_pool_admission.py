"""Admission to a pool: each attempt first takes one of its pool's slots, as many as it has
connections, so that httpx's own queue (whose wait counts against a timeout) stays empty.

The whole effect, hundreds of calls queued longer than their timeout, is in test_pool_queue.py;
here each rule of the slots: their number, which pool they belong to, and which loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from openrouter_generations import OpenRouter
from openrouter_generations._slots import PoolSlots
from openrouter_generations.testing import FakeOpenRouter

from .conftest import EXAMPLE_ID, SECRET_KEY


def _admitted_at_once(slots: contextlib.AbstractContextManager[object], most: int = 50) -> int:
    """How many attempts the slots let in together, each holding its slot (up to `most`)."""
    entered = 0
    done = threading.Event()

    def take() -> None:
        nonlocal entered
        with contextlib.ExitStack() as held:
            for _ in range(most):
                held.enter_context(slots)
                entered += 1
        done.set()

    # A bounded semaphore blocks the one past its size: the thread stays there, a daemon.
    threading.Thread(target=take, daemon=True).start()
    done.wait(timeout=1.0)
    return entered


@pytest.fixture
def sized_client() -> Iterator[httpx.Client]:
    with httpx.Client(limits=httpx.Limits(max_connections=3)) as client:
        yield client


def test_a_pool_admits_as_many_attempts_as_it_has_connections(sized_client: httpx.Client) -> None:
    assert _admitted_at_once(PoolSlots().sync(sized_client)) == 3


def test_the_attempts_on_one_pool_share_its_slots(sized_client: httpx.Client) -> None:
    slots = PoolSlots()
    first = slots.sync(sized_client)
    assert slots.sync(sized_client) is first
    with first, first:  # two held: one left for any other attempt on this pool
        assert _admitted_at_once(slots.sync(sized_client)) == 1


def test_a_replaced_client_gets_slots_of_its_own_pool(sized_client: httpx.Client) -> None:
    slots = PoolSlots()
    old = slots.sync(sized_client)
    with old, old, old, httpx.Client(limits=httpx.Limits(max_connections=2)) as replacement:  # the old pool full
        assert _admitted_at_once(slots.sync(replacement)) == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))),  # no pool to queue in
        lambda: httpx.Client(limits=httpx.Limits(max_connections=None)),  # no limit: httpcore's sys.maxsize
    ],
    ids=["own-transport", "unlimited"],
)
def test_a_client_without_a_bounded_pool_admits_every_attempt(make: Callable[[], httpx.Client]) -> None:
    with make() as client:
        assert _admitted_at_once(PoolSlots().sync(client), most=200) == 200


class _OddPool:
    """A pool of a caller's own making, whose size is not a count httpcore would keep."""

    def __init__(self, size: object) -> None:
        self._max_connections = size


class _OwnTransport(httpx.MockTransport):
    def __init__(self, size: object) -> None:
        super().__init__(lambda request: httpx.Response(200))
        self._pool = _OddPool(size)


@pytest.mark.parametrize("size", [True, -1, 0, "4", 2.0], ids=repr)
def test_a_callers_transport_whose_pool_has_no_usable_size_admits_every_attempt(size: object) -> None:
    with httpx.Client(transport=_OwnTransport(size)) as client:
        assert _admitted_at_once(PoolSlots().sync(client), most=20) == 20


def test_the_shipped_client_admits_as_many_attempts_as_httpx_opens_connections(server: FakeOpenRouter) -> None:
    with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as open_router:
        open_router.generations.get_generation(id=EXAMPLE_ID)
        client, slots = open_router._pools.sync()
        assert _admitted_at_once(slots, most=150) == 100  # httpx's default max_connections
        assert open_router._pools.sync() == (client, slots)


def test_the_shipped_client_admits_as_many_async_attempts_as_httpx_opens_connections(server: FakeOpenRouter) -> None:
    async def main() -> list[bool]:
        async with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as open_router:
            await open_router.generations.get_generation_async(id=EXAMPLE_ID)
            _client, slots = await open_router._pools.running_loop()
            admitted = []
            for _ in range(101):
                try:
                    await asyncio.wait_for(slots.__aenter__(), timeout=0.05)
                    admitted.append(True)
                except TimeoutError:
                    admitted.append(False)
            return admitted

    assert asyncio.run(main()) == [True] * 100 + [False]  # httpx's default max_connections


def test_each_event_loop_has_slots_of_its_own() -> None:
    slots = PoolSlots()

    async def take(client: httpx.AsyncClient, n: int) -> list[bool]:
        # Which of n attempts find a slot at once (asyncio's semaphore is bound to its loop).
        gate = slots.running_loop(client)
        assert slots.running_loop(client) is gate
        admitted = []
        for _ in range(n):
            try:
                await asyncio.wait_for(gate.__aenter__(), timeout=0.05)
                admitted.append(True)
            except TimeoutError:
                admitted.append(False)
        return admitted

    async def main(max_connections: int) -> list[bool]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=max_connections)) as client:
            return await take(client, 3)

    assert asyncio.run(main(2)) == [True, True, False]
    assert asyncio.run(main(2)) == [True, True, False]  # a new loop: all its slots free
    assert len(slots._async) == 1  # the ended loop's let go of as the next one's were made

    async def replaced() -> list[bool]:
        async with (
            httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as first,
            httpx.AsyncClient(limits=httpx.Limits(max_connections=2)) as second,
        ):
            return [*await take(first, 2), *await take(second, 3)]

    assert asyncio.run(replaced()) == [True, False, True, True, False]

    async def own_transport() -> list[bool]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as client:
            return await take(client, 3)  # no pool to queue in: no slots to wait for

    assert asyncio.run(own_transport()) == [True, True, True]


def test_async_slots_outside_asyncio_admit_every_attempt() -> None:
    # A caller's own async_client under another async library: no asyncio loop to bind to.
    async_client = httpx.AsyncClient(limits=httpx.Limits(max_connections=1))
    gate = PoolSlots().running_loop(async_client)

    async def enter_twice() -> None:
        async with gate, gate:
            pass

    asyncio.run(asyncio.wait_for(enter_twice(), timeout=5))  # a semaphore of one would wait for ever
