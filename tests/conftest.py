"""Shared fixtures: the loopback fake OpenRouter, a fake clock, and sync/async call helpers."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openrouter_generations import OpenRouter, models
from openrouter_generations._call import Runtime
from openrouter_generations.testing import FakeOpenRouter

DATA = pathlib.Path(__file__).parent / "data"
ROOT = pathlib.Path(__file__).parent.parent

#: A key that must never show up where it does not belong; tests grep for it.
SECRET_KEY = "sk-or-v1-TESTSECRET-0123456789abcdef"


def load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text())


#: A generation with every documented field set, as the real service sends it; the fake serves it.
EXAMPLE_BODY: dict[str, Any] = load_json("example_generation.json")
EXAMPLE_ID: str = EXAMPLE_BODY["data"]["id"]


@dataclasses.dataclass
class FakeClock:
    """A `utils.Clock` whose monotonic and wall time move only when the client sleeps: no test
    really waits. `random` is the jitter source (`OpenRouter(_random=...)`)."""

    now: float = 1_000.0
    wall_offset: float = 1_780_000_000.0
    sleeps: list[float] = dataclasses.field(default_factory=list)
    random_value: float = 0.5

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now + self.wall_offset

    def random(self) -> float:
        return self.random_value

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)

    def runtime(self) -> Runtime:
        return Runtime(monotonic=self.monotonic, wall_clock=self.time, random=self.random)


@pytest.fixture
def server(clock: FakeClock) -> Iterator[FakeOpenRouter]:
    """The fake OpenRouter on a real socket, on the fake clock, serving the example generation."""
    with FakeOpenRouter(api_key=SECRET_KEY, clock=clock) as fake:
        fake.add_generation(**EXAMPLE_BODY["data"])
        yield fake


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    """The fake OpenRouter on a real socket, on its own VirtualClock, with no generation yet."""
    with FakeOpenRouter() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


ClientFactory = Callable[..., OpenRouter]


@pytest.fixture
def make_client(server: FakeOpenRouter, clock: FakeClock) -> ClientFactory:
    """An `OpenRouter` on the fake OpenRouter with the fake clock; keyword arguments override."""

    def factory(**overrides: Any) -> OpenRouter:
        kwargs: dict[str, Any] = {
            "api_key": SECRET_KEY,
            "server_url": server.url,
            "clock": clock,
            "_random": clock.random,
        }
        kwargs.update(overrides)
        return OpenRouter(**kwargs)

    return factory


Lookup = Callable[..., models.GetGenerationResponse]


@pytest.fixture(params=["sync", "async"])
def lookup(request: pytest.FixtureRequest, make_client: ClientFactory) -> Lookup:
    """`lookup(id=..., client_kwargs={...}, **call_kwargs)` through the sync or the async API.

    Each call uses a fresh client (closed afterwards), so an async client never outlives its loop.
    """
    mode: str = request.param

    def call(*, client_kwargs: dict[str, Any] | None = None, **call_kwargs: Any) -> models.GetGenerationResponse:
        if mode == "sync":
            with make_client(**(client_kwargs or {})) as client:
                return client.generations.get_generation(**call_kwargs)

        async def run() -> models.GetGenerationResponse:
            async with make_client(**(client_kwargs or {})) as client:
                return await client.generations.get_generation_async(**call_kwargs)

        return asyncio.run(run())

    return call
