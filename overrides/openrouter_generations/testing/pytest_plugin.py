"""The pytest plugin (entry point `pytest11`): the `openrouter_fake` fixture.

pytest loads this module itself; nothing else imports it, so pytest never becomes a dependency
of the package.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._fake import FakeOpenRouter

__all__ = ["openrouter_fake"]


@pytest.fixture
def openrouter_fake() -> Iterator[FakeOpenRouter]:
    """A started `FakeOpenRouter`, stopped after the test. `openrouter_fake.client()` is an
    `OpenRouter` on it that skips its retry waits (the fake's virtual clock)."""
    with FakeOpenRouter() as fake:
        yield fake
