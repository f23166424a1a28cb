"""Realistic generation records: all 45 documented fields, mutually consistent.

A user's test names the few fields it cares about (`model=`, `total_cost=`,
`native_tokens_prompt=`); everything else is filled the way OpenRouter fills it, and derived
from what was given: the cost follows the token counts at the model's price, `usage` equals the
cost, `generation_time` includes `latency`, and the last of `provider_responses` is the provider
that answered.
"""

from __future__ import annotations

import datetime
import random
import string
from typing import Any

__all__ = ["GENERATION_FIELDS", "make_generation"]

#: The fields of the `Generation` schema in openapi.yaml, in its order.
GENERATION_FIELDS: tuple[str, ...] = (
    "id", "upstream_id", "total_cost", "cache_discount", "upstream_inference_cost", "usage", "created_at",
    "model", "app_id", "streamed", "cancelled", "is_byok", "provider_name", "latency", "moderation_latency",
    "generation_time", "finish_reason", "native_finish_reason", "tokens_prompt", "tokens_completion",
    "native_tokens_prompt", "native_tokens_completion", "native_tokens_completion_images",
    "native_tokens_reasoning", "native_tokens_cached", "num_media_prompt", "num_input_audio_prompt",
    "num_media_completion", "num_search_results", "num_fetches", "web_search_engine", "origin",
    "external_user", "api_type", "preset_id", "router", "service_tier", "user_agent", "http_referer",
    "workspace_id", "data_region", "provider_responses", "request_id", "session_id", "response_cache_source_id",
)  # fmt: skip

# USD per token (prompt, completion): list prices of a few models, else a middling default.
_PRICES: dict[str, tuple[float, float]] = {
    "openai/gpt-4o": (2.5e-6, 10e-6),
    "openai/gpt-4o-mini": (0.15e-6, 0.6e-6),
    "anthropic/claude-sonnet-4": (3e-6, 15e-6),
    "google/gemini-2.5-flash": (0.3e-6, 2.5e-6),
    "meta-llama/llama-3.3-70b-instruct": (0.13e-6, 0.4e-6),
}
_DEFAULT_PRICE = (1e-6, 4e-6)
_PROVIDERS = {"openai": "OpenAI", "anthropic": "Anthropic", "google": "Google", "meta-llama": "DeepInfra"}
_ALNUM = string.ascii_letters + string.digits


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


def _attempt(provider: Any, model: Any, latency: Any, is_byok: Any, rng: random.Random) -> dict[str, Any]:
    """The one provider attempt that answered. A generation no provider served (`provider_name`
    None) has none: its attempts would otherwise name a provider `None`."""
    return {
        "status": 200,
        "id": f"resp-{_token(rng, 12)}",
        "endpoint_id": f"ep-{str(provider).lower().replace(' ', '-')}-{str(model).rsplit('/', 1)[-1]}",
        "model_permaslug": model,
        "provider_name": provider,
        "latency": latency,
        "is_byok": is_byok,
    }


def make_generation(fields: dict[str, Any], *, now: float, rng: random.Random) -> dict[str, Any]:
    """The `data` object of a completed generation, `fields` taking precedence (unknown ones kept).

    `now` (epoch seconds) is when the completion ended; `created_at` is when it started.
    """
    given = dict(fields)

    def pick(name: str, default: Any) -> Any:
        return given.get(name, default)

    model = pick("model", "openai/gpt-4o")
    vendor = model.split("/", 1)[0] if isinstance(model, str) else "openai"
    provider = pick("provider_name", _PROVIDERS.get(vendor, vendor.replace("-", " ").title()))
    is_byok = pick("is_byok", False)
    tokens_prompt = pick("tokens_prompt", given.get("native_tokens_prompt", 42))
    tokens_completion = pick("tokens_completion", given.get("native_tokens_completion", 27))
    native_prompt = pick("native_tokens_prompt", tokens_prompt)
    native_completion = pick("native_tokens_completion", tokens_completion)
    cached = pick("native_tokens_cached", 0)
    prompt_price, completion_price = _PRICES.get(model, _DEFAULT_PRICE)
    discount = round((cached or 0) * prompt_price * 0.5, 12)
    cost = round((native_prompt or 0) * prompt_price + (native_completion or 0) * completion_price - discount, 12)
    total_cost = pick("total_cost", 0.0 if is_byok else cost)
    latency = pick("latency", 412.5)
    generation_time = pick("generation_time", float((latency or 0) + 25 * (native_completion or 0)))
    started = now - ((generation_time or 0) / 1000.0)
    finish_reason = pick("finish_reason", "stop")

    record: dict[str, Any] = {
        "id": f"gen-{int(now)}-{_token(rng, 20)}",
        "upstream_id": f"chatcmpl-{_token(rng, 29)}",
        "total_cost": total_cost,
        "cache_discount": discount if cached else None,
        "upstream_inference_cost": cost if is_byok else None,
        "usage": total_cost,
        "created_at": _iso(started),
        "model": model,
        "app_id": None,
        "streamed": True,
        "cancelled": False,
        "is_byok": is_byok,
        "provider_name": provider,
        "latency": latency,
        "moderation_latency": None,
        "generation_time": generation_time,
        "finish_reason": finish_reason,
        "native_finish_reason": finish_reason,
        "tokens_prompt": tokens_prompt,
        "tokens_completion": tokens_completion,
        "native_tokens_prompt": native_prompt,
        "native_tokens_completion": native_completion,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": cached,
        "num_media_prompt": None,
        "num_input_audio_prompt": None,
        "num_media_completion": 0,
        "num_search_results": None,
        "num_fetches": None,
        "web_search_engine": None,
        "origin": "",
        "external_user": None,
        "api_type": "completions",
        "preset_id": None,
        "router": None,
        "service_tier": "default",
        "user_agent": None,
        "http_referer": None,
        "workspace_id": None,
        "data_region": "global",
        "provider_responses": None if provider is None else [_attempt(provider, model, latency, is_byok, rng)],
        "request_id": f"req-{_token(rng, 16)}",
        "session_id": None,
        "response_cache_source_id": None,
    }
    record.update(given)  # every field given wins, and unknown ones are kept after the documented ones
    return record
