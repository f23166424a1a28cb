"""Type checks for generated models, driven by their own annotations.

The generated `from_dict` methods `cast` primitive fields without looking at them, so
`{"total_cost": "abc"}` would become a model whose `total_cost` is a str. Rather than repeat the
schema by hand, this walks the annotations the generator wrote (so it follows every
regeneration) and reports the first value that does not fit.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import sys
import types
import typing
from typing import Any, TypeVar, cast

import attrs

from openrouter_generations_client import models as _generated_models
from openrouter_generations_client.types import Unset

__all__ = ["ModelTypeError", "check_json_shape", "check_model", "find_json_problem", "loads_json", "parse_model"]

T = TypeVar("T")


class ModelTypeError(Exception):
    """A parsed model holds a value its annotation does not allow; the message names the path."""


_Field = tuple[str, Any, frozenset[type]]
_FIELDS: dict[type, tuple[_Field, ...]] = {}


def _fields(cls: type) -> tuple[_Field, ...]:
    """(name, annotation, exact types accepted at a glance) for each field, computed once."""
    cached = _FIELDS.get(cls)
    if cached is None:
        # The generated modules import sibling models only under TYPE_CHECKING, so resolve names
        # against the models package as well as the defining module.
        module_globals = vars(sys.modules[cls.__module__])
        hints = typing.get_type_hints(cls, globalns=module_globals, localns=vars(_generated_models))
        cached = tuple(
            (f.name, hints[f.name], _exact_types(hints[f.name]))
            for f in attrs.fields(cls)
            if f.name != "additional_properties"
        )
        _FIELDS[cls] = cached
    return cached


def _exact_types(hint: Any) -> frozenset[type]:
    """Types whose values fit `hint` whatever they hold: the fast path of `check_model`.

    Containers and models are left out (their contents need a look), and so is every subclass
    and the integral-float case, which take the full path in `_fits`.
    """
    members = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    exact: set[type] = set()
    for member in members:
        if member is float:
            exact.update((float, int))
        elif member in (int, str, bool, type(None), Unset, datetime.datetime) or (
            isinstance(member, type) and issubclass(member, enum.Enum)
        ):
            exact.add(member)
    return frozenset(exact)


def loads_json(content: bytes) -> Any:
    """JSON as RFC 8259 has it: `NaN`, `Infinity` and numbers too large for a float are refused
    (`ValueError`), since a cost of inf or nan would poison every sum it enters."""
    return json.loads(content, parse_constant=_refuse_constant, parse_float=_finite_float)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a number")
    return value


def parse_model(cls: type[T], payload: object) -> T:
    """`cls.from_dict(payload)`, refused unless the result is exactly what the JSON said.

    Raises `ModelTypeError` (a value of the wrong type, or a JSON array or list of pairs where
    an object belongs) or whatever the generated `from_dict` raises on what it cannot read
    (`KeyError`, `ValueError`, `TypeError`, ...).
    """
    model = cast(Any, cls).from_dict(payload)
    check_model(model)
    check_json_shape(model.to_dict(), payload)
    return cast(T, model)


def check_model(model: Any, path: str = "") -> None:
    """Raise `ModelTypeError` unless every field of `model`, recursively, fits its annotation.

    A count sent as an integral float (`12.0`, as the API did while counts were `number`) is
    stored as the `int` its annotation promises.
    """
    for name, hint, exact in _fields(type(model)):
        value = getattr(model, name)
        if type(value) not in exact:
            _check_value(value, hint, f"{path}.{name}" if path else name)
            if type(value) is float and int in exact:
                setattr(model, name, int(value))


def _check_value(value: object, hint: Any, path: str) -> None:
    if not _fits(value, hint, path):
        raise ModelTypeError(f"{path}: expected {_describe(hint)}, got {type(value).__name__} {_shown(value)}")


def _fits(value: object, hint: Any, path: str) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        # A list or model member checks its contents only once the value's kind matched, so a
        # nested error that escapes here is the precise one.
        return any(_fits(value, member, path) for member in typing.get_args(hint))
    if hint is Any or hint is object:
        return True
    if hint is type(None):
        return value is None
    if origin is list:
        if not isinstance(value, list):
            return False
        (item_hint,) = typing.get_args(hint) or (Any,)
        for index, item in enumerate(value):
            _check_value(item, item_hint, f"{path}[{index}]")
        return True
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        # JSON has one number type; 12.0 for a count is still the count 12.
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is datetime.datetime or hint is Unset:
        return isinstance(value, hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return isinstance(value, hint)
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, hint):
            return False
        check_model(value, path)
        return True
    raise TypeError(f"{path}: no check for annotation {hint!r}")  # a generator change to handle


def check_json_shape(produced: object, raw: object, path: str = "") -> None:
    """Raise `ModelTypeError` where a model's `to_dict()` has an object or array the JSON had not.

    The generated `from_dict` methods call `dict()` on their input, which also takes a list of
    pairs: `{"data": [["id", "gen-1"], ...]}` would become a model. `to_dict()` writes the JSON
    keys, so comparing its output with the JSON the model came from finds every such place.
    """
    where = path or "the body"
    if isinstance(produced, dict):
        if not isinstance(raw, dict):
            raise ModelTypeError(f"{where}: expected an object, got {_json_kind(raw)}")
        for key, value in produced.items():
            if key in raw:
                check_json_shape(value, raw[key], f"{path}.{key}" if path else key)
    elif isinstance(produced, list):
        if not isinstance(raw, list):
            raise ModelTypeError(f"{where}: expected an array, got {_json_kind(raw)}")
        for index, (item, raw_item) in enumerate(zip(produced, raw, strict=False)):
            check_json_shape(item, raw_item, f"{path}[{index}]")


def find_json_problem(hint: Any, value: object, path: str = "") -> str | None:
    """Why `value` (decoded JSON) cannot become `hint`, for the message of a failed parse.

    Only what makes a generated parser raise is looked at: a model from a non-object, a missing
    required field, a list from a non-array, a date-time from a non-ISO-8601 value. (A union's
    parser keeps what it cannot parse, for `check_model` to report.) A field's JSON key is taken
    to be its attribute name, as for this API's snake_case keys; this only words the error, so a
    miss costs a vaguer message (None), never a wrong verdict.
    """
    where = path or "the body"
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, dict):
            return f"{where}: expected an object, got {_json_kind(value)}"
        for name, field_hint, _ in _fields(hint):
            child = f"{path}.{name}" if path else name
            if name not in value:
                if Unset not in typing.get_args(field_hint):
                    return f"{child}: missing"
                continue
            problem = find_json_problem(field_hint, value[name], child)
            if problem is not None:
                return problem
        return None
    if origin is list:
        if not isinstance(value, list):
            return f"{where}: expected an array, got {_json_kind(value)}"
        (item_hint,) = typing.get_args(hint) or (Any,)
        for index, item in enumerate(value):
            problem = find_json_problem(item_hint, item, f"{path}[{index}]")
            if problem is not None:
                return problem
        return None
    if hint is datetime.datetime:
        if isinstance(value, str):
            try:
                datetime.datetime.fromisoformat(value)
            except ValueError:
                return f"{where}: expected an ISO 8601 date-time, got {_shown(value)}"
            return None
        got = _json_kind(value) if value is None else f"{_json_kind(value)} {_shown(value)}"
        return f"{where}: expected an ISO 8601 date-time, got {got}"
    return None


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(_describe(member) for member in typing.get_args(hint))
    if hint is type(None):
        return "null"
    if hint is Unset:
        return "absent"
    return getattr(hint, "__name__", None) or repr(hint)
