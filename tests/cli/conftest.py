"""The fake server, its records and a fresh environment, for every test of the command."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import (
    COSTS,
    MODELS,
    PROVIDERS,
)
from tests.conftest import SECRET_KEY


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        server.api_key = SECRET_KEY
        yield server


@pytest.fixture
def records(fake: FakeOpenRouter) -> list[dict[str, Any]]:
    # A generation with no provider has no provider attempts either.
    return [
        fake.add_generation(id=f"gen-{i}", total_cost=float(c), model=m, provider_name=p, **_no_attempts(p))
        for i, (c, m, p) in enumerate(zip(COSTS, MODELS, PROVIDERS, strict=True))
    ]


def _no_attempts(provider: str | None) -> dict[str, Any]:
    return {} if provider else {"provider_responses": None}


@pytest.fixture
def env(tmp_path: pathlib.Path, fake: FakeOpenRouter) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER")}
    environ.update(OPENROUTER_API_KEY=SECRET_KEY, XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), COLUMNS="200")
    return environ
