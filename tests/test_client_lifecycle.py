"""The client's own httpx clients: created lazily, closed by close()/aclose(), one pool per loop."""

from __future__ import annotations

import asyncio
import gc
import ssl
from typing import Any

import httpx
import pytest

from openrouter_generations import OpenRouter
from openrouter_generations.testing import FakeOpenRouter

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY


def _pool_of_this_loop(open_router: OpenRouter) -> httpx.AsyncClient:
    (client, _guard) = open_router._pools.by_loop[asyncio.get_running_loop()]
    return client


def test_one_client_serves_successive_event_loops_and_closes_each_pool_with_its_loop(server: FakeOpenRouter) -> None:
    # A script that calls asyncio.run() per lookup must not meet "Event loop is closed", and the
    # sockets each loop opened are closed when it ends, not left to the garbage collector (any
    # ResourceWarning for an unclosed socket fails this test: warnings are errors here).
    open_router = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    pools: list[httpx.AsyncClient] = []

    async def lookup() -> str:
        res = await open_router.generations.get_generation_async(id=EXAMPLE_ID)
        pools.append(_pool_of_this_loop(open_router))
        assert not pools[-1].is_closed
        return res.data.id

    for _ in range(3):
        assert asyncio.run(lookup()) == EXAMPLE_ID
    assert len(server.requests) == 3
    assert len({id(pool) for pool in pools}) == 3  # one pool per loop
    assert all(pool.is_closed for pool in pools)
    assert open_router._pools.by_loop == {}  # nothing kept for loops that have ended


def test_concurrent_calls_in_one_loop_share_its_pool(server: FakeOpenRouter) -> None:
    async def main() -> None:
        async with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as open_router:
            await asyncio.gather(*(open_router.generations.get_generation_async(id=EXAMPLE_ID) for _ in range(5)))
            assert len(open_router._pools.by_loop) == 1
            pool = _pool_of_this_loop(open_router)
        assert pool.is_closed
        assert open_router._pools.by_loop == {}

    asyncio.run(main())
    assert len(server.requests) == 5


def test_close_and_aclose_close_the_clients_it_made(server: FakeOpenRouter) -> None:
    open_router = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    open_router.generations.get_generation(id=EXAMPLE_ID)
    sync_client = open_router._pools.client
    assert sync_client is not None

    async def run() -> httpx.AsyncClient:
        async with open_router:
            await open_router.generations.get_generation_async(id=EXAMPLE_ID)
            return _pool_of_this_loop(open_router)

    async_client = asyncio.run(run())
    assert async_client.is_closed
    assert sync_client.is_closed  # aclose() closes both


def test_clients_passed_in_stay_open(server: FakeOpenRouter) -> None:
    with httpx.Client() as mine:
        with OpenRouter(api_key=SECRET_KEY, server_url=server.url, client=mine) as open_router:
            open_router.generations.get_generation(id=EXAMPLE_ID)
        assert not mine.is_closed
        assert mine.get(f"{server.url}/generation", params={"id": "x"}).status_code == 401

    async def run() -> None:
        async with httpx.AsyncClient() as mine_async:
            async with OpenRouter(api_key=SECRET_KEY, server_url=server.url, async_client=mine_async) as client:
                await client.generations.get_generation_async(id=EXAMPLE_ID)
            assert not mine_async.is_closed

    asyncio.run(run())


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_pools_of_loops_closed_by_hand_are_not_kept(server: FakeOpenRouter) -> None:
    # A loop made and closed by hand, without `shutdown_asyncgens`, cannot close its pool; the
    # client lets go of it when the next pool is made, rather than keep every such loop alive.
    open_router = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    for _ in range(5):
        loop = asyncio.new_event_loop()
        res = loop.run_until_complete(open_router.generations.get_generation_async(id=EXAMPLE_ID))
        assert res.data.id == EXAMPLE_ID
        loop.close()
    assert len(open_router._pools.by_loop) == 1  # only the last loop's, not five
    assert asyncio.run(open_router.generations.get_generation_async(id=EXAMPLE_ID)).data.id == EXAMPLE_ID
    assert open_router._pools.by_loop == {}  # the closed loop's let go of, asyncio.run's closed with it
    assert len(server.requests) == 6
    del open_router, res, loop
    gc.collect()  # the sockets of the pools let go of are closed here, inside this test


def test_the_clients_passed_in_are_the_ones_that_send(server: FakeOpenRouter) -> None:
    # Their transports (proxies, mTLS, a test's own) carry every attempt.
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["id"])
        return httpx.Response(200, json=EXAMPLE_BODY)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as mine,
        OpenRouter(api_key=SECRET_KEY, client=mine) as open_router,
    ):
        assert open_router.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID

    async def run() -> None:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(answer)) as mine_async,
            OpenRouter(api_key=SECRET_KEY, async_client=mine_async) as open_router,
        ):
            assert (await open_router.generations.get_generation_async(id=EXAMPLE_ID)).data.id == EXAMPLE_ID

    asyncio.run(run())
    assert seen == [EXAMPLE_ID, EXAMPLE_ID]
    assert server.requests == []


def test_successive_calls_in_one_loop_reuse_its_pool(server: FakeOpenRouter) -> None:
    async def main() -> None:
        async with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as open_router:
            await open_router.generations.get_generation_async(id=EXAMPLE_ID)
            first = _pool_of_this_loop(open_router)
            await open_router.generations.get_generation_async(id=EXAMPLE_ID)
            assert _pool_of_this_loop(open_router) is first
            assert not first.is_closed

    asyncio.run(main())
    assert len(server.requests) == 2


def test_a_client_loads_the_ca_bundle_once_for_all_its_pools(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading the trusted certificates costs ~25 ms: done for the first pool, not for each
    # loop's (nor again by httpx, which is handed the context loaded).
    loaded: list[object] = []
    create_default_context = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        loaded.append(kwargs)
        return create_default_context(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as open_router:
        open_router.generations.get_generation(id=EXAMPLE_ID)
        for _ in range(2):
            asyncio.run(open_router.generations.get_generation_async(id=EXAMPLE_ID))
        open_router.close()
        open_router.generations.get_generation(id=EXAMPLE_ID)  # a new sync pool after close()
    assert len(loaded) == 1
    assert len(server.requests) == 4
