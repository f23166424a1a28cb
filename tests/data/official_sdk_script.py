"""A script written for OpenRouter's official SDK (`openrouter` 1.3.84), as its users write them.

bench/official_surface.py runs it with the official SDK against the local stand-in and records
what it printed and what reached the server; tests/test_official_sdk.py runs it with only its
import line changed to `openrouter_generations`, and holds its output and its requests to that record.
The server and the ids come from the environment (`SCRIPT_SERVER_URL`, `SCRIPT_KNOWN_ID`).
"""

import asyncio
import logging
import os

from openrouter import OpenRouter, errors, utils

SERVER_URL = os.environ["SCRIPT_SERVER_URL"]
KNOWN_ID = os.environ["SCRIPT_KNOWN_ID"]
ONE_TRY = utils.RetryConfig("none", None, False)
key_calls: list[int] = []


def key_from_vault() -> str:
    key_calls.append(1)
    return os.environ["SCRIPT_API_KEY"]


def show(error: errors.OpenRouterError) -> None:
    print(type(error).__name__, error.status_code, isinstance(error, errors.OpenRouterError))


with OpenRouter(
    api_key=key_from_vault,
    http_referer="https://example.com/my-app",
    x_open_router_title="My App",
    x_open_router_categories="cli-agent,cloud-agent",
    server_url=SERVER_URL,
    retry_config=utils.RetryConfig("backoff", utils.BackoffStrategy(10, 50, 1.5, 2_000), True),
    timeout_ms=10_000,
    debug_logger=logging.getLogger("my_app.openrouter"),
) as open_router:
    res = open_router.generations.get_generation(id=KNOWN_ID)
    print(res.data.id, res.data.total_cost, res.data.native_tokens_prompt, res.data.provider_name)

    res = open_router.generations.get_generation(
        id=KNOWN_ID,
        x_open_router_title="My App (nightly)",
        http_headers={"X-Request-Tag": "nightly-report"},
        retries=ONE_TRY,
        timeout_ms=5_000,
    )
    print(res.data.model, res.data.tokens_completion)

    try:
        open_router.generations.get_generation(id="gen-unknown", retries=ONE_TRY)
    except errors.NotFoundResponseError as error:
        show(error)

    async def lookup_async() -> str:
        res = await open_router.generations.get_generation_async(id=KNOWN_ID, http_referer="https://example.com/async")
        return str(res.data.id)

    print(asyncio.run(lookup_async()))
print("key asked for", len(key_calls), "times")

with OpenRouter(api_key=lambda: None, server_url=SERVER_URL) as no_key:
    try:
        no_key.generations.get_generation(id=KNOWN_ID, retries=ONE_TRY)
    except errors.UnauthorizedResponseError as error:
        show(error)

with OpenRouter(api_key=os.environ["SCRIPT_API_KEY"], server="production") as production:
    print(type(production.generations).__name__)
