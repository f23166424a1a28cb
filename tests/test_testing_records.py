"""The fake's generation records (`FakeOpenRouter.add_generation`): the values a user's test gets
for the fields it leaves out, and how they follow from the fields it gives."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter

from .conftest import FakeClock

NOW = 1_780_000_000.0


@pytest.fixture
def fake() -> FakeOpenRouter:
    # Never started: records need no socket. A clock that stands still makes `created_at` exact.
    return FakeOpenRouter(clock=FakeClock(now=NOW, wall_offset=0.0))


def _without_random_ids(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with its made-up ids checked for their shape and left out."""
    assert re.fullmatch(r"gen-1780000000-[A-Za-z0-9]{20}", rec["id"])
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", rec["upstream_id"])
    assert re.fullmatch(r"req-[A-Za-z0-9]{16}", rec["request_id"])
    rest = {k: v for k, v in rec.items() if k not in ("id", "upstream_id", "request_id")}
    if rest["provider_responses"]:
        attempts = [dict(a) for a in rest["provider_responses"]]
        for attempt in attempts:
            assert re.fullmatch(r"resp-[A-Za-z0-9]{12}", attempt.pop("id"))
        rest["provider_responses"] = attempts
    return rest


def test_a_default_record_is_a_plausible_completed_gpt_4o_call(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    cost = 42 * 2.5e-6 + 27 * 10e-6
    generation_time = 412.5 + 25 * 27
    assert _without_random_ids(rec) == {
        "total_cost": pytest.approx(cost),
        "cache_discount": None,
        "upstream_inference_cost": None,
        "usage": pytest.approx(cost),
        "created_at": datetime.datetime.fromtimestamp(NOW - generation_time / 1000, datetime.UTC).isoformat(),
        "model": "openai/gpt-4o",
        "app_id": None,
        "streamed": True,
        "cancelled": False,
        "is_byok": False,
        "provider_name": "OpenAI",
        "latency": 412.5,
        "moderation_latency": None,
        "generation_time": generation_time,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "tokens_prompt": 42,
        "tokens_completion": 27,
        "native_tokens_prompt": 42,
        "native_tokens_completion": 27,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": 0,
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
        "provider_responses": [
            {
                "status": 200,
                "endpoint_id": "ep-openai-gpt-4o",
                "model_permaslug": "openai/gpt-4o",
                "provider_name": "OpenAI",
                "latency": 412.5,
                "is_byok": False,
            }
        ],
        "session_id": None,
        "response_cache_source_id": None,
    }
    assert rec["created_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("model", "prompt_price", "completion_price", "provider"),
    [
        ("openai/gpt-4o-mini", 0.15e-6, 0.6e-6, "OpenAI"),
        ("anthropic/claude-sonnet-4", 3e-6, 15e-6, "Anthropic"),
        ("google/gemini-2.5-flash", 0.3e-6, 2.5e-6, "Google"),
        ("meta-llama/llama-3.3-70b-instruct", 0.13e-6, 0.4e-6, "DeepInfra"),
        ("mistralai/mistral-large", 1e-6, 4e-6, "Mistralai"),  # unlisted: a middling price
        ("x-ai/grok-4", 1e-6, 4e-6, "X Ai"),
    ],
)
def test_the_cost_follows_the_models_price_and_the_provider_its_vendor(
    fake: FakeOpenRouter, model: str, prompt_price: float, completion_price: float, provider: str
) -> None:
    rec = fake.add_generation(model=model, native_tokens_prompt=1_000, native_tokens_completion=100)
    assert rec["total_cost"] == rec["usage"] == pytest.approx(1_000 * prompt_price + 100 * completion_price, rel=1e-9)
    assert rec["provider_name"] == rec["provider_responses"][0]["provider_name"] == provider
    slug = model.rsplit("/", 1)[-1]
    assert rec["provider_responses"][0]["endpoint_id"] == f"ep-{provider.lower().replace(' ', '-')}-{slug}"
    assert rec["provider_responses"][0]["model_permaslug"] == model


def test_a_model_that_is_not_a_string_is_kept_and_priced_like_an_unknown_one(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(model=None, native_tokens_prompt=1_000, native_tokens_completion=100)
    assert rec["model"] is None
    assert rec["provider_name"] == "OpenAI"
    assert rec["total_cost"] == pytest.approx(1_000 * 1e-6 + 100 * 4e-6)
    assert rec["provider_responses"][0]["endpoint_id"] == "ep-openai-None"


def test_token_counts_given_one_way_fill_the_other(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(tokens_prompt=10, tokens_completion=4)
    assert (rec["native_tokens_prompt"], rec["native_tokens_completion"]) == (10, 4)
    assert rec["total_cost"] == pytest.approx(10 * 2.5e-6 + 4 * 10e-6)
    both = fake.add_generation(
        tokens_prompt=10, native_tokens_prompt=12, tokens_completion=4, native_tokens_completion=5
    )
    assert (both["tokens_prompt"], both["native_tokens_prompt"]) == (10, 12)
    assert (both["tokens_completion"], both["native_tokens_completion"]) == (4, 5)
    assert both["total_cost"] == pytest.approx(12 * 2.5e-6 + 5 * 10e-6)  # billed on the native counts
    assert both["generation_time"] == 412.5 + 25 * 5


def test_cached_tokens_are_billed_at_half_the_prompt_price(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(native_tokens_prompt=1_000, native_tokens_completion=0, native_tokens_cached=400)
    assert rec["cache_discount"] == pytest.approx(400 * 2.5e-6 * 0.5)
    assert rec["total_cost"] == pytest.approx(1_000 * 2.5e-6 - 400 * 2.5e-6 * 0.5)
    assert rec["native_tokens_cached"] == 400


def test_byok_costs_nothing_on_openrouter_and_reports_the_upstream_cost(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(is_byok=True, native_tokens_prompt=1_000, native_tokens_completion=100)
    assert rec["total_cost"] == rec["usage"] == 0.0
    assert rec["upstream_inference_cost"] == pytest.approx(1_000 * 2.5e-6 + 100 * 10e-6)
    assert rec["is_byok"] is rec["provider_responses"][0]["is_byok"] is True


def test_timings_finish_and_tier_given_are_used_throughout(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(latency=100.0, native_tokens_completion=10, finish_reason="length", service_tier="flex")
    assert rec["generation_time"] == 100.0 + 25 * 10
    assert rec["provider_responses"][0]["latency"] == 100.0
    assert (rec["finish_reason"], rec["native_finish_reason"], rec["service_tier"]) == ("length", "length", "flex")
    timed = fake.add_generation(generation_time=2_000.0)
    created = datetime.datetime.fromisoformat(timed["created_at"])
    assert created.timestamp() == pytest.approx(NOW - 2.0)  # it started that long before it ended


def test_null_counts_and_timings_are_kept_and_cost_nothing(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(
        native_tokens_prompt=None, native_tokens_completion=None, native_tokens_cached=None, latency=None
    )
    assert (rec["tokens_prompt"], rec["tokens_completion"], rec["native_tokens_cached"]) == (None, None, None)
    assert rec["total_cost"] == 0.0
    assert rec["cache_discount"] is None
    assert rec["generation_time"] == 0.0
    assert rec["created_at"] == datetime.datetime.fromtimestamp(NOW, datetime.UTC).isoformat()
    untimed = fake.add_generation(generation_time=None)
    assert untimed["created_at"] == datetime.datetime.fromtimestamp(NOW, datetime.UTC).isoformat()


def test_ids_are_made_up_afresh_for_each_record(fake: FakeOpenRouter) -> None:
    first, second = fake.add_generation(), fake.add_generation()
    for field in ("id", "upstream_id", "request_id"):
        assert first[field] != second[field]
    assert first["provider_responses"][0]["id"] != second["provider_responses"][0]["id"]


def test_a_provider_given_is_the_one_attempt_that_answered(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(provider_name="Azure Foundry")
    (attempt,) = rec["provider_responses"]
    assert (attempt["provider_name"], attempt["endpoint_id"]) == ("Azure Foundry", "ep-azure-foundry-gpt-4o")
    none = fake.add_generation(provider_name=None)
    assert (none["provider_name"], none["provider_responses"]) == (None, None)


def test_a_model_path_with_more_slashes_names_its_vendor_first_and_its_slug_last(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(model="open-source/llama/llama-3-8b")
    assert rec["provider_name"] == "Open Source"
    assert rec["provider_responses"][0]["endpoint_id"] == "ep-open-source-llama-3-8b"


def test_a_total_cost_given_is_the_usage_too(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(total_cost=0.5, native_tokens_prompt=1)
    assert rec["total_cost"] == rec["usage"] == 0.5
    byok = fake.add_generation(is_byok=True, total_cost=0.01)
    assert byok["usage"] == 0.01


def test_an_id_and_a_tier_given_are_kept(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(id="gen-mine", service_tier="priority")
    assert (rec["id"], rec["service_tier"]) == ("gen-mine", "priority")
    assert fake.generation("gen-mine") is rec
