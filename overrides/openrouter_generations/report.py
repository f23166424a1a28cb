"""Generations as rows, and exact totals of their costs and tokens: for programs and the CLI.

A model is the right thing to work with in code, but not to hand to pandas, a database or a CSV
writer: `to_dict()` omits the fields a body lacks (so rows from bodies of different API versions
have different keys) and `json.dumps` cannot take a model. `generation_row` gives every
documented field, in one fixed order, with `None` where a body lacks one.

Money is summed as `Decimal` from the digits the JSON wrote, never as floats: 188 float costs
summed in two orders gave 1.8906000000000003 and 1.8905999999999996. Decimal sums here are exact
(no rounding at any precision), so a total is the same in any order and matches OpenRouter's
activity page to the digit.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openrouter_generations_client.models.generation import Generation
from openrouter_generations_client.models.get_generation_response import GetGenerationResponse

from .bulk import GenerationResult

__all__ = [
    "DOCUMENTED_FIELDS",
    "Tally",
    "Totals",
    "generation_row",
    "json_text",
    "read_body",
]

#: Every field the spec documents for a generation, in the spec's order: the columns of a row.
DOCUMENTED_FIELDS: tuple[str, ...] = (
    "id",
    "upstream_id",
    "total_cost",
    "cache_discount",
    "upstream_inference_cost",
    "usage",
    "created_at",
    "model",
    "app_id",
    "streamed",
    "cancelled",
    "is_byok",
    "provider_name",
    "latency",
    "moderation_latency",
    "generation_time",
    "finish_reason",
    "native_finish_reason",
    "tokens_prompt",
    "tokens_completion",
    "native_tokens_prompt",
    "native_tokens_completion",
    "native_tokens_completion_images",
    "native_tokens_reasoning",
    "native_tokens_cached",
    "num_media_prompt",
    "num_input_audio_prompt",
    "num_media_completion",
    "num_search_results",
    "num_fetches",
    "web_search_engine",
    "origin",
    "external_user",
    "api_type",
    "preset_id",
    "router",
    "service_tier",
    "user_agent",
    "http_referer",
    "workspace_id",
    "data_region",
    "provider_responses",
    "request_id",
    "session_id",
    "response_cache_source_id",
)

# Additions that never round: a sum of any costs is exact, whatever their magnitudes.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, traps=[decimal.Inexact, decimal.InvalidOperation])


def read_body(raw: bytes | str) -> dict[str, Any]:
    """The `data` object of a `GET /generation` body, its non-integer numbers as `Decimal`.

    Numbers keep the digits the JSON wrote (`0.0004175` is `Decimal("0.0004175")`, not the
    nearest float). `NaN` and `Infinity`, which are not JSON, raise `ValueError`, as does a body
    that is not a generation.
    """
    body = json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)
    return _data_of(body)


def generation_row(
    source: GenerationResult | bytes | str | Mapping[str, Any] | GetGenerationResponse | Generation,
    *,
    fields: Sequence[str] = (),
) -> dict[str, Any]:
    """One generation as a flat dict: every documented field in `DOCUMENTED_FIELDS` order, then
    each name in `fields` (fields the spec does not know yet, read from the body).

    A field the body lacks is `None`, never `UNSET`, so rows from bodies of any API version have
    the same keys. Values are JSON's: `str`, `int`, `bool`, `None`, `Decimal` for non-integer
    numbers (exact), lists and dicts (`provider_responses`); enum fields are their string values
    and `created_at` its ISO 8601 text.

    `source` is best a successful bulk result or the raw body (bytes as received, as bulk results
    and the cache keep it): its numbers are exact to the digit. A parsed body or a model works
    too; its floats become the shortest decimal that reads back as the same float, which is what
    the JSON wrote unless it wrote more digits than a float holds.
    """
    if isinstance(source, GenerationResult):
        if source.raw is None:
            raise ValueError(f"the lookup of {source.id!r} failed, so it has no row: {source.error}")
        source = source.raw
    if isinstance(source, bytes | str):
        data: Mapping[str, Any] = read_body(source)
    elif isinstance(source, GetGenerationResponse):
        data = _exact(source.data.to_dict())
    elif isinstance(source, Generation):
        data = _exact(source.to_dict())
    else:
        data = _exact(_data_of(source))
    names = DOCUMENTED_FIELDS + tuple(name for name in dict.fromkeys(fields) if name not in DOCUMENTED_FIELDS)
    return {name: data.get(name) for name in names}


@dataclasses.dataclass
class Tally:
    """What a group of generations came to: how many, their cost, and their billed tokens."""

    count: int = 0
    total_cost: Decimal = Decimal(0)
    native_tokens_prompt: int = 0
    native_tokens_completion: int = 0

    @property
    def native_tokens(self) -> int:
        return self.native_tokens_prompt + self.native_tokens_completion

    def add(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        self.total_cost = _EXACT.add(self.total_cost, _decimal(row.get("total_cost")))
        self.native_tokens_prompt += _int(row.get("native_tokens_prompt"))
        self.native_tokens_completion += _int(row.get("native_tokens_completion"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "total_cost": self.total_cost,
            "native_tokens_prompt": self.native_tokens_prompt,
            "native_tokens_completion": self.native_tokens_completion,
        }


@dataclasses.dataclass
class Totals:
    """Exact totals per model, per provider and in all; add rows (from `generation_row`) as they come.

    `incomplete` is for the caller to set when the lookups were cut short, so that whoever reads
    the totals can tell a partial sum from a whole one.
    """

    all: Tally = dataclasses.field(default_factory=Tally)
    by_model: dict[str, Tally] = dataclasses.field(default_factory=dict)
    by_provider: dict[str, Tally] = dataclasses.field(default_factory=dict)
    incomplete: bool = False

    #: The group a generation with no provider (or model) goes into.
    UNKNOWN = "(unknown)"

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> Totals:
        totals = cls()
        for row in rows:
            totals.add(row)
        return totals

    def add(self, row: Mapping[str, Any]) -> None:
        self.all.add(row)
        self.by_model.setdefault(_group(row.get("model")), Tally()).add(row)
        self.by_provider.setdefault(_group(row.get("provider_name")), Tally()).add(row)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (Decimals for money), groups sorted by name: for `json_text` or a program."""
        return {
            "incomplete": self.incomplete,
            "all": self.all.as_dict(),
            "by_model": {name: self.by_model[name].as_dict() for name in sorted(self.by_model)},
            "by_provider": {name: self.by_provider[name].as_dict() for name in sorted(self.by_provider)},
        }


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON like `json.dumps`, but a `Decimal` is written as the exact number it holds.

    (`json.dumps` refuses a `Decimal`, and converting to float first would lose digits.)
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return format(value, "f")
    pad, sep = ("", "") if indent is None else ("\n" + " " * indent, "\n")
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{json.dumps(str(k))}: {json_text(v, indent=indent)}" for k, v in value.items()]
        return _join("{", items, "}", pad, sep)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return _join("[", [json_text(v, indent=indent) for v in value], "]", pad, sep)
    return json.dumps(value, allow_nan=False)


def _join(open_: str, items: list[str], close: str, pad: str, sep: str) -> str:
    if not sep:
        return open_ + ", ".join(items) + close
    return open_ + pad + ("," + pad).join(item.replace("\n", pad) for item in items) + sep + close


def _data_of(body: object) -> dict[str, Any]:
    if isinstance(body, Mapping) and "id" not in body and isinstance(body.get("data"), Mapping):
        body = body["data"]
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
        raise ValueError("not a generation: expected a JSON object with an 'id', or one under 'data'")
    return dict(body)


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        return Decimal(0)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"total_cost must be a number, not {type(value).__name__}")


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _group(value: object) -> str:
    return value if isinstance(value, str) and value else Totals.UNKNOWN


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
