"""Property tests: generated and mutated bodies through the client's real parsing path.

Each example goes through `OpenRouter.generations.get_generation` (the same `Call` that the
socket tests drive) on an `httpx.MockTransport`, so thousands of bodies cost seconds. The oracle
is the documented wire format (`tests/data/documented_api.json`), written independently of the
generated code: a body parses to a model exactly when it fits, every other outcome is one of the
package's typed errors, and nothing else ever escapes.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import math
import re
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_generations import OpenRouter, errors, models, utils
from openrouter_generations.errors import error_class_for_status

from .conftest import EXAMPLE_BODY, SECRET_KEY, FakeClock, load_json

DOC: dict[str, Any] = load_json("documented_api.json")
FIELDS: dict[str, str] = DOC["data_fields"]
OPTIONAL: frozenset[str] = frozenset(DOC["fields_added_since_2025_09"])
ENUMS: dict[str, list[str]] = DOC["enums"]
ENUM_OF = {"api_type": "ApiType", "data_region": "DataRegion"}
PROVIDER_FIELDS: dict[str, str] = {
    "status": "integer|null",
    "id": "string",
    "endpoint_id": "string",
    "model_permaslug": "string",
    "provider_name": "string",
    "latency": "number",
    "is_byok": "boolean",
    "routed_service_tier": "enum",
}
assert set(PROVIDER_FIELDS) == set(DOC["provider_response_fields"])

# Deterministic (the same examples every run, no database written into the checkout) and small
# enough that the whole file takes seconds.
PROPERTY = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
LIGHT = settings(PROPERTY, max_examples=100)
Outcome = models.GetGenerationResponse | errors.OpenRouterError


# -- the client under test, on a mock transport ---------------------------------------------------


def _respond(status: int, content: bytes, headers: dict[str, str]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"
        return httpx.Response(status, content=content, headers=headers)

    return handler


def _get(
    content: bytes,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    mode: str = "sync",
) -> Outcome:
    """One lookup answered with this status and body: the model, or the typed error raised."""
    transport = httpx.MockTransport(_respond(status, content, headers or {"content-type": "application/json"}))
    if mode == "sync":
        with (
            httpx.Client(transport=transport, trust_env=False) as http,
            OpenRouter(api_key=SECRET_KEY, client=http, retry_config=utils.NO_RETRIES) as client,
        ):
            try:
                return client.generations.get_generation(id="gen-1")
            except errors.OpenRouterError as exc:
                return exc

    async def main() -> Outcome:
        async with (
            httpx.AsyncClient(transport=transport, trust_env=False) as http,
            OpenRouter(api_key=SECRET_KEY, async_client=http, retry_config=utils.NO_RETRIES) as client,
        ):
            try:
                return await client.generations.get_generation_async(id="gen-1")
            except errors.OpenRouterError as exc:
                return exc

    return asyncio.run(main())


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


# -- the oracle: the documented wire format --------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fits(kind: str, value: object) -> bool:
    """Whether a present JSON value is valid for a documented kind, e.g. `integer|null`."""
    base, _, null = kind.partition("|")
    if value is None:
        return null == "null"
    if base == "string" or base == "enum":  # open enums: any string
        return isinstance(value, str)
    if base == "number":
        return _is_number(value)
    if base == "integer":  # JSON has one number type: 12.0 is the count 12
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if base == "boolean":
        return isinstance(value, bool)
    if base == "date-time":
        if not isinstance(value, str):
            return False
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    if base == "array":  # provider_responses
        return isinstance(value, list) and all(_provider_fits(item) for item in value)
    raise AssertionError(f"no oracle for {kind}")


def _provider_fits(item: object) -> bool:
    if not isinstance(item, dict) or "status" not in item:
        return False
    return all(_fits(kind, item[name]) for name, kind in PROVIDER_FIELDS.items() if name in item)


def _problems(data: dict[str, Any]) -> list[str]:
    """The documented fields that make `data` invalid."""
    return [
        name
        for name, kind in FIELDS.items()
        if (name not in data and name not in OPTIONAL) or (name in data and not _fits(kind, data[name]))
    ]


# -- strategies ------------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
unknown_keys = st.text(min_size=1, max_size=12).filter(lambda k: k not in FIELDS)
datetimes = st.datetimes(
    min_value=datetime.datetime(1970, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.none() | st.just(datetime.UTC) | st.timezones(),  # type: ignore[arg-type]
).map(lambda d: d.isoformat())


def _open_enum(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(ENUMS[name]) | st.text(max_size=16)


def _valid(kind: str, enum: str | None = None) -> st.SearchStrategy[Any]:
    base, _, null = kind.partition("|")
    strategy: st.SearchStrategy[Any]
    if base == "string":
        strategy = st.text(max_size=24)
    elif base == "enum":
        assert enum is not None
        strategy = _open_enum(enum)
    elif base == "number":
        strategy = st.integers(min_value=-(2**53), max_value=2**53) | st.floats(allow_nan=False, allow_infinity=False)
    elif base == "integer":
        strategy = st.integers(min_value=-(2**63), max_value=2**63) | st.integers(-(2**52), 2**52).map(float)
    elif base == "boolean":
        strategy = st.booleans()
    elif base == "date-time":
        strategy = datetimes
    elif base == "array":
        strategy = st.lists(valid_provider_responses, max_size=3)
    else:
        raise AssertionError(kind)
    return st.none() | strategy if null == "null" else strategy


def _merged(parts: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    return {**parts[1], **parts[0]}


# Built once: a strategy per field, optional fields present or not, unknown keys alongside.
valid_provider_responses = st.tuples(
    st.fixed_dictionaries(
        {"status": _valid("integer|null")},
        optional={n: _valid(k, "RoutedServiceTier") for n, k in PROVIDER_FIELDS.items() if n != "status"},
    ),
    st.dictionaries(unknown_keys.filter(lambda k: k not in PROVIDER_FIELDS), json_values, max_size=2),
).map(_merged)
_FIELD_STRATEGIES = {name: _valid(kind, ENUM_OF.get(name)) for name, kind in FIELDS.items()}

#: A generation as the documented format allows: any value of each field's kind, optional fields
#: present or not, unknown enum values, unknown keys.
valid_data = st.tuples(
    st.fixed_dictionaries(
        {n: s for n, s in _FIELD_STRATEGIES.items() if n not in OPTIONAL},
        optional={n: s for n, s in _FIELD_STRATEGIES.items() if n in OPTIONAL},
    ),
    st.dictionaries(unknown_keys, json_values, max_size=3),
).map(_merged)


@st.composite
def mutated_data(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A valid generation with 1 to 3 fields dropped or replaced by any JSON value."""
    data = draw(valid_data)
    touched = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3, unique=True))
    for name in touched:
        if draw(st.booleans()):
            data.pop(name, None)
        else:
            data[name] = draw(json_values)
    return data, touched


# -- properties ------------------------------------------------------------------------------------


def _assert_matches(res: models.GetGenerationResponse, body: dict[str, Any]) -> None:
    """The model holds exactly what was sent: nothing lost, nothing invented."""
    assert res.to_dict() == body
    data = res.data
    for name in OPTIONAL - set(body["data"]):
        assert getattr(data, name) is models.UNSET
    for name, enum in ENUM_OF.items():
        value = getattr(data, name)
        if name in body["data"] and body["data"][name] is not None:
            sent = body["data"][name]
            assert value == sent
            assert isinstance(value, getattr(models, enum)) == (sent in ENUMS[enum])


@PROPERTY
@given(data=valid_data, extra=st.dictionaries(unknown_keys.filter(lambda k: k != "data"), json_values, max_size=2))
def test_every_documented_body_parses_to_exactly_what_was_sent(data: dict[str, Any], extra: dict[str, Any]) -> None:
    body = {"data": data, **extra}
    res = _get(_dumps(body))
    assert isinstance(res, models.GetGenerationResponse), res
    _assert_matches(res, body)
    assert res.additional_properties == extra
    assert res.data.additional_properties == {k: v for k, v in data.items() if k not in FIELDS}


@PROPERTY
@given(mutation=mutated_data(), mode=st.sampled_from(["sync", "async"]))
def test_a_mutated_body_parses_exactly_when_it_still_fits(
    mutation: tuple[dict[str, Any], list[str]], mode: str
) -> None:
    data, touched = mutation
    body = {"data": data}
    content = _dumps(body)
    outcome = _get(content, mode=mode)
    problems = _problems(data)
    if not problems:
        assert isinstance(outcome, models.GetGenerationResponse), (outcome, data)
        _assert_matches(outcome, body)
        return
    assert type(outcome) is errors.ResponseValidationError, (problems, outcome)
    assert set(problems) <= set(touched)
    # The message names a culprit: `data.<field>` in a path, or `'<field>'` for a missing one.
    named = [n for n in problems if re.search(rf"data\.{re.escape(n)}\b|'{re.escape(n)}'", outcome.message)]
    assert named, (problems, outcome.message)
    assert outcome.body == content.decode()
    assert outcome.status_code == 200


@LIGHT
@given(
    data=valid_data,
    field=st.sampled_from(sorted(ENUM_OF)) | st.just("routed_service_tier"),
    value=st.text(max_size=30),
)
def test_unknown_enum_values_parse_and_keep_the_string(data: dict[str, Any], field: str, value: str) -> None:
    if field == "routed_service_tier":
        data["provider_responses"] = [{"status": 200, "routed_service_tier": value}]
    else:
        data[field] = value
    res = _get(_dumps({"data": data}))
    assert isinstance(res, models.GetGenerationResponse), res
    if field == "routed_service_tier":
        assert isinstance(res.data.provider_responses, list)
        kept = res.data.provider_responses[0].routed_service_tier
    else:
        kept = getattr(res.data, field)
    assert kept == value
    assert isinstance(kept, str)  # a str either way: the members are str enums


def _as_pairs(value: Any) -> Any:
    return [[k, v] for k, v in value.items()] if isinstance(value, dict) else value


@LIGHT
@given(data=valid_data, where=st.sampled_from(["body", "data", "provider_response"]))
def test_a_list_of_pairs_is_not_an_object(data: dict[str, Any], where: str) -> None:
    """`dict()` accepts `[["id", ...], ...]`; the JSON object it stands for must not be accepted."""
    body: Any = {"data": data}
    if where == "body":
        body = _as_pairs(body)
    elif where == "data":
        body["data"] = _as_pairs(data)
    else:
        data["provider_responses"] = [_as_pairs({"status": 200, "id": "r"})]
    outcome = _get(_dumps(body))
    assert type(outcome) is errors.ResponseValidationError, outcome
    assert "expected an object" in outcome.message


@PROPERTY
@given(body=json_values, mode=st.sampled_from(["sync", "async"]))
def test_any_json_document_is_a_model_or_a_typed_error(body: Any, mode: str) -> None:
    outcome = _get(_dumps(body), mode=mode)
    if isinstance(outcome, models.GetGenerationResponse):
        assert isinstance(body, dict)
        assert isinstance(body.get("data"), dict)
        assert not _problems(body["data"])
    else:
        assert type(outcome) is errors.ResponseValidationError


statuses = st.integers(min_value=100, max_value=599) | st.sampled_from([200, 401, 402, 404, 429, 500, 502, 524, 529])
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/html", "text/plain; charset=latin-1", ""]
)


@PROPERTY
@given(status=statuses, content=st.binary(max_size=300), content_type=content_types)
def test_random_bytes_and_statuses_give_typed_errors(status: int, content: bytes, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    outcome = _get(content, status=status, headers=headers)
    assert isinstance(outcome, errors.OpenRouterError), outcome
    expected = errors.ResponseValidationError if 200 <= status < 300 else error_class_for_status(status)
    assert type(outcome) is expected
    assert outcome.status_code == status
    assert outcome.body == httpx.Response(status, content=content, headers=headers).text
    assert outcome.message


def _error_object_fits(body: object) -> bool:
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return False
    error = body["error"]
    if "code" not in error or "message" not in error:
        return False
    if not (_fits("integer", error["code"]) and isinstance(error["message"], str)):
        return False
    if "metadata" in error and not (error["metadata"] is None or isinstance(error["metadata"], dict)):
        return False
    if "user_id" in body and not _fits("string|null", body["user_id"]):
        return False
    meta = body.get("openrouter_metadata")
    return meta is None or isinstance(meta, dict)


@st.composite
def error_bodies(draw: st.DrawFn) -> Any:
    error: dict[str, Any] = {"code": draw(st.integers(100, 599)), "message": draw(st.text(max_size=40))}
    if draw(st.booleans()):
        error["metadata"] = draw(st.none() | st.dictionaries(st.text(max_size=6), json_values, max_size=2))
    body: dict[str, Any] = {"error": error}
    if draw(st.booleans()):
        body["user_id"] = draw(st.none() | st.text(max_size=10))
    if draw(st.booleans()):
        body["openrouter_metadata"] = draw(st.none() | st.dictionaries(st.text(max_size=6), json_values, max_size=2))
    # Mutations: drop or retype a key at either level, add unknown keys, or replace the lot.
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from([body, error]))
        key = draw(st.sampled_from(sorted(target)) | unknown_keys if target else unknown_keys)
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(json_values)
    if draw(st.integers(0, 9)) == 0 and isinstance(body.get("error"), dict):
        body["error"] = [[k, v] for k, v in body["error"].items()]  # dict() would take it
    replaced: Any = draw(st.none() | json_values) if draw(st.integers(0, 9)) == 0 else body
    return replaced


@PROPERTY
@given(
    status=statuses.filter(lambda s: not 200 <= s < 300), body=error_bodies(), mode=st.sampled_from(["sync", "async"])
)
def test_error_statuses_keep_the_error_object_when_it_is_one(status: int, body: Any, mode: str) -> None:
    content = _dumps(body)
    outcome = _get(content, status=status, mode=mode)
    assert type(outcome) is error_class_for_status(status)
    assert isinstance(outcome, errors.OpenRouterError)
    assert outcome.body == content.decode()
    if _error_object_fits(body):
        assert outcome.data is not None
        assert outcome.data.to_dict() == body
        if body["error"]["message"]:
            assert outcome.message == body["error"]["message"]
    else:
        assert outcome.data is None
        assert outcome.message


@PROPERTY
@given(
    script=st.lists(
        st.sampled_from([200, 200, 400, 404, 408, 429, 500, 501, 502, 503, 524, 529]) | st.none(),
        min_size=1,
        max_size=8,
    ),
    retry_after=st.none() | st.sampled_from(["0", "1", "0.5", "garbage", "-3", "1e9", "Wed, 21 Oct 2015 07:28:00 GMT"]),
)
def test_retried_sequences_end_in_a_model_or_a_typed_error(script: list[int | None], retry_after: str | None) -> None:
    """A run of answers (None: the connection drops) under the default policy, on a fake clock."""
    clock = FakeClock()
    answers = iter(script)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        status = next(answers, 200)
        if status is None:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        content = _dumps(EXAMPLE_BODY) if status == 200 else b"<html>busy</html>"
        return httpx.Response(status, content=content, headers=headers)

    with (
        httpx.Client(transport=httpx.MockTransport(handler), trust_env=False) as http,
        OpenRouter(
            api_key=SECRET_KEY,
            client=http,
            clock=clock,
            _random=clock.random,
        ) as client,
    ):
        try:
            outcome: Outcome = client.generations.get_generation(id="gen-1")
        except errors.OpenRouterError as exc:
            outcome = exc
    attempts = len(sent)
    assert 1 <= attempts <= utils.DEFAULT_RETRY_CONFIG.max_retries + 1
    assert len(clock.sleeps) == attempts - 1
    assert all(0 <= s < math.inf for s in clock.sleeps)
    assert sum(clock.sleeps) <= 60.0
    if isinstance(outcome, errors.OpenRouterError):
        assert outcome.attempts == attempts
        if outcome.status_code is None:
            assert isinstance(outcome, errors.APIConnectionError)
        else:
            assert type(outcome) is error_class_for_status(outcome.status_code)
    else:
        assert outcome.data.id == EXAMPLE_BODY["data"]["id"]
