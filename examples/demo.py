"""The client end to end, with no key and no network: `make demo`.

Starts the package's fake OpenRouter (`openrouter_generations.testing`) on 127.0.0.1, looks up
a generation with the sync and the async API, and shows a documented error raised as its class.
Point it at the real service with
`python examples/demo.py --live gen-...` and OPENROUTER_API_KEY set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from openrouter_generations import OpenRouter, errors, models, utils
from openrouter_generations.testing import FakeOpenRouter


def show(res: models.GetGenerationResponse) -> None:
    g = res.data
    print(f"  id           {g.id}")
    print(f"  model        {g.model} via {g.provider_name} ({g.api_type})")
    print(f"  created      {g.created_at.isoformat()}")
    print(f"  cost         ${g.total_cost:.7f} (cache discount ${g.cache_discount or 0:.7f})")
    print(f"  tokens       {g.native_tokens_prompt} prompt + {g.native_tokens_completion} completion (native)")
    print(f"  timing       {g.latency} ms to first token, {g.generation_time} ms generating")
    if isinstance(g.provider_responses, list):
        tries = ", ".join(f"{p.provider_name}={p.status}" for p in g.provider_responses)
        print(f"  attempts     {tries}")
    if g.additional_properties:
        print(f"  unknown      {sorted(g.additional_properties)} (kept)")


def run(server_url: str | None, api_key: str | None, generation_id: str) -> None:
    with OpenRouter(api_key=api_key, server_url=server_url) as open_router:
        print(f"GET /generation?id={generation_id}")
        show(open_router.generations.get_generation(id=generation_id))

        async def lookup() -> models.GetGenerationResponse:
            async with OpenRouter(api_key=api_key, server_url=server_url) as client:
                return await client.generations.get_generation_async(id=generation_id)

        res = asyncio.run(lookup())
        print(f"async: the same generation, total_cost={res.data.total_cost}")

        print("GET /generation?id=gen-does-not-exist (no retries)")
        try:
            open_router.generations.get_generation(id="gen-does-not-exist", retries=utils.NO_RETRIES)
        except errors.NotFoundResponseError as e:
            print(f"  raised {type(e).__name__}: status_code={e.status_code}, message={e.message!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", metavar="GENERATION_ID", help="query the real OpenRouter instead")
    args = parser.parse_args()
    if args.live:
        run(None, os.environ.get("OPENROUTER_API_KEY"), args.live)
        return 0
    with FakeOpenRouter(api_key="sk-or-demo-key") as fake:
        rec = fake.add_generation(model="openai/gpt-4o", native_tokens_prompt=1200, native_tokens_cached=800)
        print(f"fake OpenRouter listening on {fake.server_url}")
        run(fake.server_url, fake.api_key, rec["id"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
