"""An optional module the HTTP stack asks for on every async request is looked for once.

When it is not installed, the first async call records its absence, so that httpcore's later
`import sniffio` fails at once (as it did before, only without searching `sys.path` again);
when it is installed or already imported, nothing changes; a finder that breaks is left alone.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter

from .conftest import EXAMPLE_ID, ClientFactory

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sniffio") is not None, reason="sniffio is installed here: nothing is missing"
)


def _one_async_call(make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client() as client:
            assert (await client.generations.get_generation_async(id=EXAMPLE_ID)).data.id == EXAMPLE_ID

    asyncio.run(run())


def test_an_absent_module_is_remembered_as_missing(
    server: FakeOpenRouter, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    _one_async_call(make_client)
    assert "sniffio" in sys.modules
    assert sys.modules["sniffio"] is None
    with pytest.raises(ImportError):
        importlib.import_module("sniffio")


def test_a_module_already_imported_is_left_as_it_is(
    server: FakeOpenRouter, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in: Any = type(sys)("sniffio")
    stand_in.current_async_library = lambda: "asyncio"  # what httpcore asks of it
    monkeypatch.setitem(sys.modules, "sniffio", stand_in)
    _one_async_call(make_client)
    assert sys.modules["sniffio"] is stand_in


class _BrokenFinder:
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "sniffio":
            raise ImportError("a finder that breaks")


def test_a_broken_finder_leaves_the_import_system_as_it_is(
    server: FakeOpenRouter, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenFinder(), *sys.meta_path])
    _one_async_call(make_client)
    assert "sniffio" not in sys.modules
