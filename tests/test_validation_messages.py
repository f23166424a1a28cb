"""What a refused 200 body's message says: where (a path from the top, no leading dot), what was
expected (the annotated type by name, a union member by member), and what came, in JSON's words
for a value of the wrong kind (`null`, `boolean`, `number`, `string`, `array`, `object`)."""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from openrouter_generations import errors, models, utils
from openrouter_generations._validation import ModelTypeError, parse_model
from openrouter_generations.testing import FakeOpenRouter, Reply
from openrouter_generations_client.api.generations import get_generation

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, ClientFactory

PREFIX = "the 200 response is not a valid GetGenerationResponse: "


def _with(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_BODY)
    body["data"].update(changes)
    return body


def _without(*names: str) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_BODY)
    for name in names:
        del body["data"][name]
    return body


#: name -> (the body sent, the problem the message names after PREFIX)
MESSAGES: dict[str, tuple[Any, str]] = {
    # The body itself, then `data`, then a field of `data`: each path starts at the top.
    "body_null": (None, "the body: expected an object, got null"),
    "body_boolean": (True, "the body: expected an object, got boolean"),
    "body_number": (42, "the body: expected an object, got number"),
    "body_string": ("data", "the body: expected an object, got string"),
    "body_array": ([1, 2], "the body: expected an object, got array"),
    "data_missing": ({}, "data: missing"),
    "data_null": ({"data": None}, "data: expected an object, got null"),
    "data_array": ({"data": [1, 2]}, "data: expected an object, got array"),
    "data_list_of_pairs": (
        {"data": [[k, v] for k, v in EXAMPLE_BODY["data"].items()]},
        "data: expected an object, got array",
    ),
    "id_missing": (_without("id"), "data.id: missing"),
    "id_number": (_with(id=123), "data.id: expected str, got int 123"),
    "total_cost_string": (_with(total_cost="abc"), "data.total_cost: expected float, got str 'abc'"),
    "total_cost_boolean": (_with(total_cost=True), "data.total_cost: expected float, got bool True"),
    "is_byok_string": (_with(is_byok="no"), "data.is_byok: expected bool, got str 'no'"),
    "model_object": (_with(model={"slug": "x"}), "data.model: expected str, got dict {'slug': 'x'}"),
    # A union is named member by member, `null` and `absent` included.
    "tokens_prompt_fraction": (_with(tokens_prompt=12.5), "data.tokens_prompt: expected int | null, got float 12.5"),
    "tokens_prompt_boolean": (_with(tokens_prompt=False), "data.tokens_prompt: expected int | null, got bool False"),
    "streamed_string": (_with(streamed="1"), "data.streamed: expected bool | null, got str '1'"),
    "router_number": (_with(router=5), "data.router: expected null | str | absent, got int 5"),
    "api_type_number": (_with(api_type=3), "data.api_type: expected ApiType | null | str | absent, got int 3"),
    "data_region_boolean": (
        _with(data_region=True),
        "data.data_region: expected DataRegion | null | str | absent, got bool True",
    ),
    "provider_responses_object": (
        _with(provider_responses={"status": 200}),
        "data.provider_responses: expected list | null | absent, got dict {'status': 200}",
    ),
    # Inside a list: the index, then the field.
    "provider_responses_empty_object": (
        _with(provider_responses={}),
        "data.provider_responses: expected list | null | absent, got dict {}",
    ),
    "is_byok_float_one": (_with(is_byok=1.0), "data.is_byok: expected bool, got float 1.0"),
    "provider_response_null": (
        _with(provider_responses=[None]),
        "data.provider_responses[0]: expected ProviderResponse, got null",
    ),
    "provider_response_without_status": (
        _with(provider_responses=[{"id": "r"}]),
        "data.provider_responses[0]: expected ProviderResponse, got dict {'id': 'r'}",
    ),
    "provider_response_as_pairs": (
        _with(provider_responses=[{"status": 200}, [["status", 200]]]),
        "data.provider_responses[1]: expected an object, got array",
    ),
    # Two problems: the first in the body is named, an object sent as pairs included.
    "provider_response_as_pairs_before_a_bad_status": (
        _with(provider_responses=[[["status", 200]], {"status": 12.5}]),
        "data.provider_responses[0]: expected an object, got array",
    ),
    # A list the generated parser could not read is kept as sent, and named item by item.
    "provider_responses_pairs_and_null": (
        _with(provider_responses=[[["status", 200]], None]),
        "data.provider_responses[0]: expected ProviderResponse, got list [['status', 200]]",
    ),
    "provider_response_status": (
        _with(provider_responses=[{"status": 200}, {"status": 12.5}]),
        "data.provider_responses[1].status: expected int | null, got float 12.5",
    ),
    "provider_response_is_byok": (
        _with(provider_responses=[{"status": 200, "is_byok": "yes"}]),
        "data.provider_responses[0].is_byok: expected bool | null | absent, got str 'yes'",
    ),
    # A date-time: the text as sent when it is no date, the JSON kind and value otherwise.
    "created_at_missing": (_without("created_at"), "data.created_at: missing"),
    "created_at_words": (
        _with(created_at="yesterday"),
        "data.created_at: expected an RFC 3339 date-time, got 'yesterday'",
    ),
    "created_at_null": (_with(created_at=None), "data.created_at: expected an RFC 3339 date-time, got null"),
    "created_at_boolean": (_with(created_at=True), "data.created_at: expected an RFC 3339 date-time, got boolean True"),
    "created_at_number": (
        _with(created_at=1752622399),
        "data.created_at: expected an RFC 3339 date-time, got number 1752622399",
    ),
    "created_at_array": (_with(created_at=[1]), "data.created_at: expected an RFC 3339 date-time, got array [1]"),
    "created_at_object": (_with(created_at={}), "data.created_at: expected an RFC 3339 date-time, got object {}"),
    # A value's repr is shown whole up to 80 characters, then cut.
    "repr_of_80": (_with(total_cost="a" * 78), "data.total_cost: expected float, got str '" + "a" * 78 + "'"),
    "repr_of_81": (_with(total_cost="a" * 79), "data.total_cost: expected float, got str '" + "a" * 76 + "..."),
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_a_refused_body_names_the_place_what_was_expected_and_what_came(
    name: str, server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    body, problem = MESSAGES[name]
    server.script_next(Reply(200, json.dumps(body).encode()))
    with make_client() as client, pytest.raises(errors.ResponseValidationError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.message == PREFIX + problem
    assert (PREFIX + problem) in str(caught.value)


def test_a_value_python_reads_but_json_has_not_is_named_by_its_type() -> None:
    # What the client parses always comes from JSON; a caller of the parser may hand it more.
    with pytest.raises(ModelTypeError, match=r"^the body: expected an object, got tuple$"):
        parse_model(models.GetGenerationResponse, ("data", EXAMPLE_BODY["data"]))


NOT_JSON_NUMBERS = [
    ("NaN", "NaN is not a JSON number"),
    ("-Infinity", "-Infinity is not a JSON number"),
    ("1e999", "1e999 is too large for a number"),
    # A long number is quoted up to its 40th character.
    ("1234567890" * 5 + "e999", "1234567890" * 4 + " is too large for a number"),
]


@pytest.mark.parametrize(("number", "problem"), NOT_JSON_NUMBERS)
def test_a_number_json_has_not_is_named_in_the_message(
    number: str, problem: str, server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    text = json.dumps(_with(total_cost=0)).replace('"total_cost": 0', f'"total_cost": {number}')
    server.script_next(Reply(200, text.encode()))
    with make_client() as client, pytest.raises(errors.ResponseValidationError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.message == f"{PREFIX}the body is not readable JSON (ValueError: {problem})"


def test_a_body_that_is_not_utf8_is_named_in_the_message(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    content = json.dumps(EXAMPLE_BODY).encode().replace(b'"openai/', b'"\xffopenai/', 1)
    at = content.index(b"\xff")
    server.script_next(Reply(200, content))
    with make_client() as client, pytest.raises(errors.ResponseValidationError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.message == (
        f"{PREFIX}the body is not readable JSON "
        f"(UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position {at}: invalid start byte)"
    )
    assert caught.value.payload is None


# -- a model of another operation, whose parser fails where the body check sees nothing wrong ----


class Tier(enum.Enum):
    """A closed enum, as a generator writes one without `x-open-enum`."""

    FREE = "free"
    PAID = "paid"


@attrs.define
class Account:
    """A model as a generator writes it for a field whose JSON key (`accountTier`) is not its
    name: the body check looks for the name, so a body that has it passes that check."""

    tier: Tier

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Account:
        d = dict(src_dict)
        return cls(tier=Tier(d.pop("accountTier")))

    def to_dict(self) -> dict[str, Any]:
        return {"accountTier": self.tier.value}


@attrs.define
class Plan:
    """A model whose field's key is its name, of a closed enum."""

    tier: Tier

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Plan:
        d = dict(src_dict)
        return cls(tier=Tier(d.pop("tier")))

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier.value}


@attrs.define
class Bare:
    """A hand-written model whose parser raises a KeyError that names nothing."""

    tier: str

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Bare:
        raise KeyError

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier}


@pytest.mark.parametrize(
    ("model", "body", "problem"),
    [
        # The body has the field under its Python name, not the key the parser reads.
        (Account, {"tier": "free"}, "missing field 'accountTier'"),
        (Bare, {"tier": "free"}, "missing field"),
        (Plan, {"tier": "gold"}, "ValueError: 'gold' is not a valid Tier"),
    ],
    ids=["key_named", "key_unnamed", "enum_value"],
)
def test_what_another_operations_parser_raises_is_named_when_the_body_check_finds_nothing(
    model: type[Any], body: Any, problem: str, server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    server.script_next(Reply(200, json.dumps(body).encode()))
    with make_client() as client, pytest.raises(errors.ResponseValidationError) as caught:
        client.request(get_generation, model, id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.message == f"the 200 response is not a valid {model.__name__}: {problem}"
    assert caught.value.payload == body
