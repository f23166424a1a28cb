"""The client's own httpx clients: created lazily, closed by close()/aclose(), one pool per loop."""

from __future__ import annotations

import asyncio
import gc

import httpx
import pytest

from openrouter_generations import OpenRouter
from stand_in import EXAMPLE_ID, StandIn

from .conftest import SECRET_KEY


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_one_client_serves_successive_event_loops(server: StandIn) -> None:
    # A script that calls asyncio.run() per lookup must not meet "Event loop is closed".
    open_router = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    for _ in range(3):
        res = asyncio.run(open_router.generations.get_generation_async(id=EXAMPLE_ID))
        assert res.data.id == EXAMPLE_ID
    assert len(server.seen) == 3
    del open_router
    gc.collect()  # the pools of the closed loops go here, inside this test, not at exit


def test_close_and_aclose_close_the_clients_it_made(server: StandIn) -> None:
    open_router = OpenRouter(api_key=SECRET_KEY, server_url=server.url)
    open_router.generations.get_generation(id=EXAMPLE_ID)
    sync_client = open_router._client
    assert sync_client is not None

    async def run() -> httpx.AsyncClient | None:
        async with open_router:
            await open_router.generations.get_generation_async(id=EXAMPLE_ID)
            return open_router._async_client

    async_client = asyncio.run(run())
    assert async_client is not None
    assert async_client.is_closed
    assert sync_client.is_closed  # aclose() closes both


def test_clients_passed_in_stay_open(server: StandIn) -> None:
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
