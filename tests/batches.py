"""How a test runs a batch in either form, `get_generations` or `get_generations_async`."""

from __future__ import annotations

import asyncio
from typing import Any

from openrouter_generations import OpenRouter
from openrouter_generations.bulk import GenerationResult

#: The two forms of a batch; a test parametrized over them runs both.
MODES = ["sync", "async"]


def run(mode: str, client: OpenRouter, ids: Any, **kwargs: Any) -> list[GenerationResult]:
    """The batch of `ids` on `client`, in the form `mode` names (the async one on a new loop)."""
    if mode == "sync":
        return client.generations.get_generations(ids, **kwargs)
    return asyncio.run(client.generations.get_generations_async(ids, **kwargs))
