"""Every body OpenRouter has really sent, and everything its own SDK accepts, parses; what has no
lossless reading is still refused, naming the field; a refused 200 body keeps its decoded JSON."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from openrouter_generations import errors, models
from openrouter_generations._validation import parse_model
from openrouter_generations.testing import FakeOpenRouter, Reply

from .conftest import EXAMPLE_BODY, ROOT, SECRET_KEY

CORPUS = sorted((ROOT / "tests" / "data" / "corpus").glob("*.json"))
UTC = datetime.UTC


def _same(produced: Any, sent: Any, path: str = "") -> None:
    """`produced` (a model's `to_dict()`) holds every value of `sent`: equal, with a date-time
    compared as the instant it names (`...Z` comes back as `...+00:00`)."""
    if isinstance(sent, dict):
        assert isinstance(produced, dict), path
        assert set(produced) == set(sent), path
        for key, value in sent.items():
            _same(produced[key], value, f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(produced, list), path
        assert len(produced) == len(sent), path
        for index, (p, s) in enumerate(zip(produced, sent, strict=True)):
            _same(p, s, f"{path}[{index}]")
    elif path.endswith("created_at"):
        assert datetime.datetime.fromisoformat(produced) == datetime.datetime.fromisoformat(sent), path
    else:
        assert (produced == sent and type(produced) is type(sent)) or (
            isinstance(sent, float) and sent.is_integer() and produced == int(sent) and type(produced) is int
        ), (path, produced, sent)


def _corpus_entry(path: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(path.read_text())
    return entry


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_body_of_the_corpus_parses_with_nothing_lost(path: Path, server: FakeOpenRouter, lookup: Any) -> None:
    entry = _corpus_entry(path)
    assert {"repository", "path", "commit", "date"} <= set(entry["_source"]), "each body names its source"
    body = entry["body"]
    server.script_next(Reply(200, body))
    res = lookup(id=body["data"]["id"])
    _same(res.to_dict(), body)
    for name in models.Generation.__annotations__:
        if name != "additional_properties" and name not in body["data"]:
            assert getattr(res.data, name) is models.UNSET, name


#: A body as RFC 8259 readers (and `json.loads`) take it: any UTF of section 8.1, and a lone
#: surrogate written raw, which reads as the escaped `\\ud800` would.
ENCODED_BODIES = {
    "utf_16": json.dumps(EXAMPLE_BODY).encode("utf-16"),
    "utf_16_le": json.dumps(EXAMPLE_BODY).encode("utf-16-le"),
    "utf_32_be": json.dumps(EXAMPLE_BODY).encode("utf-32-be"),
    "utf_8_with_bom": b"\xef\xbb\xbf" + json.dumps(EXAMPLE_BODY).encode(),
    "lone_surrogate": json.dumps(EXAMPLE_BODY).encode().replace(b'"openai/', b'"\xed\xa0\x80openai/', 1),
}


@pytest.mark.parametrize("name", sorted(ENCODED_BODIES))
def test_a_body_in_any_json_encoding_reads_as_json_loads_reads_it(
    name: str, server: FakeOpenRouter, lookup: Any
) -> None:
    content = ENCODED_BODIES[name]
    server.script_next(Reply(200, content))
    res = lookup(id=EXAMPLE_BODY["data"]["id"])
    _same(res.to_dict(), json.loads(content))
    if name == "lone_surrogate":
        assert res.data.model == "\ud800" + EXAMPLE_BODY["data"]["model"]


def test_the_corpus_holds_the_oldest_shapes() -> None:
    sizes = {p.stem: len(_corpus_entry(p)["body"]["data"]) for p in CORPUS}
    assert sizes["documented_27_fields"] == 27
    assert sizes["real_2025_08_30_fields"] == 30
    oldest = _corpus_entry(ROOT / "tests" / "data" / "corpus" / "documented_27_fields.json")["body"]["data"]
    assert not {"native_tokens_completion_images", "api_type", "external_user", "native_tokens_cached"} & set(oldest)


def _parse(data: dict[str, Any]) -> models.GetGenerationResponse:
    return parse_model(models.GetGenerationResponse, {"data": data})


def _example() -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(EXAMPLE_BODY["data"])
    return data


def test_nulls_the_official_sdk_accepts() -> None:
    data = _example()
    data["data_region"] = None
    data["provider_responses"] = [
        {"status": 200, **dict.fromkeys(["id", "endpoint_id", "model_permaslug", "provider_name"]), "is_byok": None},
        {"status": None, "latency": None, "routed_service_tier": None},
        # A failed attempt, as OpenRouter sends it: no `id` at all.
        {
            "endpoint_id": "e-1",
            "is_byok": False,
            "latency": 327,
            "model_permaslug": "google/x",
            "provider_name": "Google",
            "status": 429,
        },
    ]
    g = _parse(data).data
    assert g.data_region is None
    assert isinstance(g.provider_responses, list)
    first, second, failed = g.provider_responses
    assert (first.id, first.endpoint_id, first.model_permaslug, first.provider_name, first.is_byok) == (None,) * 5
    assert first.latency is models.UNSET  # absent, not null
    assert (second.status, second.latency, second.routed_service_tier) == (None, None, None)
    assert failed.id is models.UNSET
    assert (failed.status, failed.latency, failed.provider_name) == (429, 327, "Google")


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2026-07-16t21:31:30z", datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)),
        ("2026-07-16T21:31:30Z", datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)),
        ("2026-07-16 21:31:30+00:00", datetime.datetime(2026, 7, 16, 21, 31, 30, tzinfo=UTC)),
        # A leap second is the last microsecond of its minute: same day, order kept.
        ("2016-12-31T23:59:60Z", datetime.datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2016-12-31T23:59:60.5z", datetime.datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        # Fractional digits past the sixth are cut, not rounded.
        ("2026-07-16T21:31:30.123456789Z", datetime.datetime(2026, 7, 16, 21, 31, 30, 123456, tzinfo=UTC)),
        ("2026-07-16T21:31:30.1z", datetime.datetime(2026, 7, 16, 21, 31, 30, 100000, tzinfo=UTC)),
        # No offset: read as it is, a naive date-time, as the generated parser reads it.
        ("2026-07-16T21:31:30", datetime.datetime(2026, 7, 16, 21, 31, 30)),
        ("2026-07-16T21:31:60", datetime.datetime(2026, 7, 16, 21, 31, 59, 999999)),
        (
            "2026-07-16T21:31:30.5-05:30",
            datetime.datetime(
                2026, 7, 16, 21, 31, 30, 500000, tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30))
            ),
        ),
    ],
)
def test_created_at_reads_every_rfc3339_form(sent: str, expected: datetime.datetime) -> None:
    data = _example()
    data["created_at"] = sent
    created = _parse(data).data.created_at
    assert created == expected
    assert created.utcoffset() == expected.utcoffset()
    assert data["created_at"] == sent  # the caller's JSON is not rewritten


@pytest.mark.parametrize(
    ("field", "sent", "expected"),
    [
        ("app_id", "1234567", 1234567),
        ("tokens_prompt", "42", 42),
        ("native_tokens_prompt", "4.2e1", 42),
        ("native_tokens_cached", "-0", 0),
        ("total_cost", "0.5", 0.5),
        ("usage", "12", 12),
        ("latency", "1e3", 1000.0),
        ("cache_discount", "-0.25", -0.25),
        ("cache_discount", "-1", -1),  # as the number unquoted: an int, which a `number` field holds
        ("streamed", 1, True),
        ("cancelled", 0, False),
        ("is_byok", "true", True),
        ("is_byok", "false", False),
    ],
)
def test_a_lossless_reading_is_stored_with_the_annotated_type(field: str, sent: object, expected: object) -> None:
    data = _example()
    data[field] = sent
    value = getattr(_parse(data).data, field)
    assert value == expected
    assert type(value) is type(expected)


def test_lossless_readings_inside_provider_responses() -> None:
    data = _example()
    data["provider_responses"] = [{"status": "429", "latency": "327.5", "is_byok": 0}]
    (item,) = _parse(data).data.provider_responses or []
    assert (item.status, item.latency, item.is_byok) == (429, 327.5, False)
    assert (type(item.status), type(item.latency), type(item.is_byok)) == (int, float, bool)


@pytest.mark.parametrize(
    ("field", "sent"),
    [
        ("tokens_prompt", True),  # a boolean is no count
        ("tokens_prompt", "12.5"),  # not integral
        ("app_id", " 12"),  # not a JSON number: spaces
        ("app_id", "012"),  # nor leading zeros
        ("total_cost", "NaN"),
        ("total_cost", "Infinity"),
        ("total_cost", "1e400"),  # past a float
        ("total_cost", "0x10"),
        ("app_id", "9" * 5000),  # past Python's digit limit for an int
        ("is_byok", 2),
        ("is_byok", "1"),
        ("is_byok", "True"),
        ("streamed", 1.5),
        ("provider_name", {"name": "OpenAI"}),  # an object where a string belongs
        ("model", 12),  # no number is read as a string
        ("created_at", "yesterday"),  # a date that is no date
        ("created_at", "2026-02-30T00:00:00Z"),
        ("created_at", "2026-07-16T24:00:00Z"),
        ("created_at", 1752701490),
    ],
)
def test_what_has_no_lossless_reading_is_refused_naming_the_field(
    field: str, sent: object, server: FakeOpenRouter, lookup: Any
) -> None:
    body = {"data": {**_example(), field: sent}}
    server.script_next(Reply(200, body))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id="gen-1")
    assert f"data.{field}" in caught.value.message
    assert caught.value.payload == body  # the decoded JSON, as it was sent


def test_a_refused_body_still_gives_its_total_cost(server: FakeOpenRouter, lookup: Any) -> None:
    body = {"data": {**_example(), "tokens_prompt": "many"}}
    server.script_next(Reply(200, body))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id="gen-1")
    assert caught.value.payload["data"]["total_cost"] == EXAMPLE_BODY["data"]["total_cost"]


def test_a_body_that_is_not_json_has_no_payload(server: FakeOpenRouter, lookup: Any) -> None:
    server.script_next(Reply(200, b"<html>oops</html>"))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id="gen-1")
    assert caught.value.payload is None


def test_the_payload_of_a_refused_body_never_holds_the_key(server: FakeOpenRouter, lookup: Any) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in SECRET_KEY)  # only the decoded JSON shows the key
    content = (
        b'{"data": {"id": "gen-1", "model": "' + escaped.encode() + b'", "echo": {"' + escaped.encode() + b'": 1}}}'
    )
    server.script_next(Reply(200, content))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id="gen-1")
    assert SECRET_KEY not in repr(caught.value.payload)
    assert caught.value.payload["data"]["model"] == "<api key>"
    assert caught.value.payload["data"]["echo"] == {"<api key>": 1}
