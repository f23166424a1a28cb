"""From the command line's options to the bulk lookup, and each failure as one line of reason."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from collections.abc import Callable, Sequence

from .. import errors
from .._client import OpenRouter
from ..bulk import GenerationResult
from ..cache import GenerationCache, default_cache_path
from ..utils import DEFAULT_RETRY_CONFIG, BackoffStrategy, RetryConfig
from ._input import UsageError

__all__ = ["Lookup", "make_client", "reason", "retry_config"]

KEY_HINT = "set OPENROUTER_API_KEY or pass --api-key (keys: https://openrouter.ai/settings/keys)"


def make_client(args: argparse.Namespace) -> OpenRouter:
    """The client the options describe; a missing or malformed key or URL is a `UsageError`."""
    key = args.api_key if args.api_key is not None else os.environ.get("OPENROUTER_API_KEY")
    if not key:
        raise UsageError(f"no API key: {KEY_HINT}")
    try:
        return OpenRouter(
            api_key=key,
            server_url=args.server_url,
            timeout_ms=None if args.timeout is None else max(1, round(args.timeout * 1000)),
            retry_config=retry_config(args.wait),
        )
    except ValueError as exc:  # the core's messages never quote the key
        raise UsageError(str(exc).replace("server_url", "--server-url")) from None


def retry_config(wait_s: float) -> RetryConfig:
    """The default policy, plus 404s retried for `wait_s` (the whole call may then take longer)."""
    wait_ms = round(wait_s * 1000)
    budget = max(BackoffStrategy().max_elapsed_time, wait_ms)
    return dataclasses.replace(
        DEFAULT_RETRY_CONFIG, backoff=BackoffStrategy(max_elapsed_time=budget), retry_not_found_for=wait_ms
    )


def verbose_log() -> None:
    """Each retry (the core logs them at DEBUG, never with the key) as a line on stderr."""
    handler = logging.StreamHandler()  # on sys.stderr
    handler.setFormatter(logging.Formatter("openrouter-generations: %(message)s"))
    logger = logging.getLogger("openrouter_generations")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


class Lookup:
    """Runs the bulk lookup (rate-limit aware, cached) and keeps each result as it is settled,
    so that an interrupted run still has what was looked up so far."""

    def __init__(self, client: OpenRouter, args: argparse.Namespace) -> None:
        self._client = client
        self._args = args
        self.server_url = client.server_url
        self.done: dict[str, GenerationResult] = {}
        path = None if args.no_cache else args.cache if args.cache is not None else default_cache_path()
        # A cache that cannot be used warns (one line, see `_run`) and the lookups go to the network.
        self.cache = None if path is None else GenerationCache(path)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    def run(self, ids: Sequence[str], on_result: Callable[[], None] | None) -> list[GenerationResult]:
        """The results in input order; `on_result()` as each is settled (in this thread)."""

        def keep(result: GenerationResult) -> None:  # called in this thread, one result at a time
            self.done[str(result.id)] = result
            if on_result is not None:
                on_result()

        return self._client.generations.get_generations(
            ids, concurrency=self._args.concurrency, on_result=keep, cache=self.cache
        )

    def finished(self, ids: Sequence[str]) -> list[GenerationResult]:
        """The results in hand, in input order."""
        return [self.done[i] for i in ids if i in self.done]


def reason(error: BaseException | None) -> str:
    """Why an id has no record, in a few words (never the key: the core's messages mask it)."""
    if isinstance(error, errors.NotFoundResponseError):
        return "not found (HTTP 404)" + _tries(error)
    if isinstance(error, errors.UnauthorizedResponseError):
        return f"the API key was refused (HTTP 401): {KEY_HINT}"
    if isinstance(error, errors.APITimeoutError):
        return "timed out" + _tries(error)
    if isinstance(error, errors.APIConnectionError):
        return f"could not connect: {error.message}" + _tries(error)
    if isinstance(error, errors.OpenRouterError):
        return str(error)
    return f"not a valid id: {error}"  # the batch's only other failure: a ValueError or TypeError


def _tries(error: errors.OpenRouterError) -> str:
    return f" (after {error.attempts} attempts)" if error.attempts > 1 else ""
