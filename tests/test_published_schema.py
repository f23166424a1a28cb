"""Property: any body OpenRouter's published response schema allows parses, and every value
comes back equal, also when a value arrives in one of its lossless other forms.

The schema below is transcribed from OpenRouter's published spec as of 2026-08 (the
`GenerationResponse` of `.speakeasy/in.openapi.yaml` in OpenRouterTeam/typescript-sdk), with
what its own SDK also accepts: `null` in every optional field of a `provider_responses` item
and in the open-enum fields. It is written apart from this project's spec on purpose.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_generations import OpenRouter, models, utils

from .conftest import SECRET_KEY

# name: (kind, nullable). Counts were `number` until 2026-04 (integral floats below).
PUBLISHED: dict[str, tuple[str, bool]] = {
    "id": ("string", False),
    "upstream_id": ("string", True),
    "total_cost": ("number", False),
    "cache_discount": ("number", True),
    "upstream_inference_cost": ("number", True),
    "usage": ("number", False),
    "created_at": ("date-time", False),
    "model": ("string", False),
    "app_id": ("integer", True),
    "streamed": ("boolean", True),
    "cancelled": ("boolean", True),
    "is_byok": ("boolean", False),
    "provider_name": ("string", True),
    "latency": ("number", True),
    "moderation_latency": ("number", True),
    "generation_time": ("number", True),
    "finish_reason": ("string", True),
    "native_finish_reason": ("string", True),
    "tokens_prompt": ("integer", True),
    "tokens_completion": ("integer", True),
    "native_tokens_prompt": ("integer", True),
    "native_tokens_completion": ("integer", True),
    "native_tokens_completion_images": ("integer", True),
    "native_tokens_reasoning": ("integer", True),
    "native_tokens_cached": ("integer", True),
    "num_media_prompt": ("integer", True),
    "num_input_audio_prompt": ("integer", True),
    "num_media_completion": ("integer", True),
    "num_search_results": ("integer", True),
    "num_fetches": ("integer", True),
    "web_search_engine": ("string", True),
    "origin": ("string", False),
    "external_user": ("string", True),
    "api_type": ("api_type", True),
    "preset_id": ("string", True),
    "router": ("string", True),
    "service_tier": ("string", True),
    "user_agent": ("string", True),
    "http_referer": ("string", True),
    "workspace_id": ("string", True),
    "data_region": ("data_region", True),  # the SDK takes null in an open enum
    "provider_responses": ("provider_responses", True),
    "request_id": ("string", True),
    "session_id": ("string", True),
    "response_cache_source_id": ("string", True),
}
PROVIDER: dict[str, str] = {
    "id": "string",
    "endpoint_id": "string",
    "model_permaslug": "string",
    "provider_name": "string",
    "latency": "number",
    "is_byok": "boolean",
    "routed_service_tier": "routed_service_tier",
}
ENUMS = {
    "api_type": ["completions", "embeddings", "rerank", "decisions", "video", "tts", "stt", "image"],
    "data_region": ["global", "europe", "us"],
    "routed_service_tier": ["flex", "priority"],
}
# What every known body has: the 27 fields of the oldest documented example.
ALWAYS = {
    name
    for name in PUBLISHED
    if name
    not in {
        "native_tokens_completion_images", "native_tokens_cached", "external_user", "api_type", "router",
        "provider_responses", "http_referer", "user_agent", "num_fetches", "web_search_engine", "service_tier",
        "preset_id", "data_region", "workspace_id", "request_id", "session_id", "response_cache_source_id",
        "num_input_audio_prompt",
    }
}  # fmt: skip
assert len(ALWAYS) == 27

PROPERTY = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

instants = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1), timezones=st.just(datetime.UTC)
)
json_extra = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=5), children, max_size=2),
    max_leaves=5,
)


def _value(kind: str) -> st.SearchStrategy[Any]:
    """(sent, expected) for one value of a kind: the canonical form, or a lossless other form."""
    if kind == "string":
        return st.text(max_size=20).map(lambda s: (s, s))
    if kind in ENUMS:
        return (st.sampled_from(ENUMS[kind]) | st.text(max_size=12)).map(lambda s: (s, s))
    if kind == "number":
        numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)
        return numbers.flatmap(lambda n: st.sampled_from([(n, n), (json.dumps(n), n)]))
    if kind == "integer":
        return st.integers(-(2**63), 2**63).flatmap(
            lambda n: st.sampled_from([(n, n), (str(n), n)] + ([(float(n), n)] if abs(n) < 2**52 else []))
        )
    if kind == "boolean":
        return st.booleans().flatmap(lambda b: st.sampled_from([(b, b), (int(b), b), (json.dumps(b), b)]))
    if kind == "date-time":
        return st.tuples(instants, st.integers(0, 3), st.integers(0, 9)).map(_date_forms)
    if kind == "provider_responses":
        return st.lists(_provider_item(), max_size=3).map(lambda items: ([s for s, _ in items], [e for _, e in items]))
    raise AssertionError(kind)


def _date_forms(drawn: tuple[datetime.datetime, int, int]) -> tuple[str, datetime.datetime]:
    instant, form, digits = drawn
    text = instant.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{instant.microsecond:06d}{'987'[: max(0, digits - 6)]}"[:digits] if digits else ""
    expected = instant.replace(microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0)
    text += f".{fraction}" if fraction else ""
    return ([text + "Z", text.lower() + "z", text + "+00:00", text.replace("T", " ") + "Z"][form], expected)


@st.composite
def _provider_item(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    sent: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    status = draw(st.none() | _value("integer"))
    sent["status"], expected["status"] = (None, None) if status is None else status
    for name, kind in PROVIDER.items():
        choice = draw(st.sampled_from(["absent", "null", "value"]))
        if choice == "null":
            sent[name] = expected[name] = None
        elif choice == "value":
            sent[name], expected[name] = draw(_value(kind))
    return sent, expected


@st.composite
def published_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(body as sent, the values a model must give back) for a body the published schema allows."""
    sent: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for name, (kind, nullable) in PUBLISHED.items():
        if name not in ALWAYS and draw(st.integers(0, 3)) == 0:
            continue  # absent
        if nullable and draw(st.integers(0, 3)) == 0:
            sent[name] = expected[name] = None
        else:
            sent[name], expected[name] = draw(_value(kind))
    extra = draw(
        st.dictionaries(st.text(min_size=1, max_size=10).filter(lambda k: k not in PUBLISHED), json_extra, max_size=3)
    )
    sent.update(extra)
    expected.update(extra)
    return {"data": sent}, expected


def _get(body: dict[str, Any]) -> models.GetGenerationResponse:
    content = json.dumps(body).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    with (
        httpx.Client(transport=transport, trust_env=False) as http,
        OpenRouter(api_key=SECRET_KEY, client=http, retry_config=utils.NO_RETRIES) as client,
    ):
        return client.generations.get_generation(id="gen-1")


def _check(got: Any, want: Any, where: str) -> None:
    if isinstance(want, list) and want and isinstance(want[0], dict):
        assert isinstance(got, list), where
        assert len(got) == len(want), where
        for index, (item, expected) in enumerate(zip(got, want, strict=True)):
            for name, value in expected.items():
                _check(getattr(item, name), value, f"{where}[{index}].{name}")
            for name in set(PROVIDER) - set(expected):
                assert getattr(item, name) is models.UNSET, f"{where}[{index}].{name}"
        return
    assert got == want, (where, got, want)
    if want is not None and not isinstance(want, list):
        # The annotated type: an int for a count, a bool for a flag, a float (or an int) for an amount.
        assert isinstance(got, type(want)) or (isinstance(want, int) and type(got) is int), (where, got)


@PROPERTY
@given(case=published_bodies())
def test_any_published_body_parses_and_gives_every_value_back(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    body, expected = case
    data = _get(body).data
    for name, value in expected.items():
        if name in PUBLISHED:
            _check(getattr(data, name), value, name)
        else:
            assert data.additional_properties[name] == value
    for name in set(PUBLISHED) - set(expected):
        assert getattr(data, name) is models.UNSET, name
