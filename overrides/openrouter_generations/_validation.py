"""Type checks for generated models, driven by their own annotations.

The generated `from_dict` methods `cast` primitive fields without looking at them, so
`{"total_cost": "abc"}` would become a model whose `total_cost` is a str. Rather than repeat the
schema by hand, this walks the annotations the generator wrote (so it follows every
regeneration) and reports the first value that does not fit.

It is also the one place where the client is liberal in what it reads, and only where a reading
is lossless (see `_lenient`): the same walk that checks a value stores the reading in its place,
so every value of a model has its annotated type and nothing is read twice. Date-times are the
one exception, since the generated parser reads them itself: `parse_model` hands it the RFC 3339
form that `datetime.fromisoformat` reads (see `rfc3339`).
"""

from __future__ import annotations

import datetime
import enum
import json
import math
import re
import sys
import types
import typing
from typing import Any, TypeVar, cast

import attrs

from openrouter_generations_client import models as _generated_models
from openrouter_generations_client.types import Unset

__all__ = [
    "ModelTypeError",
    "check_json_shape",
    "check_model",
    "find_json_problem",
    "loads_json",
    "parse_model",
    "rfc3339",
]

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


def _members(hint: Any) -> tuple[Any, ...]:
    """The members of a union annotation; any other annotation alone."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _exact_types(hint: Any) -> frozenset[type]:
    """Types whose values fit `hint` whatever they hold: the fast path of `check_model`.

    Containers and models are left out (their contents need a look), and so is every subclass
    and the integral-float case, which take the full path in `_read`.
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
    model = cast(Any, cls).from_dict(_with_rfc3339_dates(cls, payload))
    check_model(model)
    check_json_shape(model.to_dict(), payload)
    return cast(T, model)


# An RFC 3339 date-time (section 5.6), in any case, with any number of fractional digits.
_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}):([0-9]{2})(?:\.([0-9]+))?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def rfc3339(text: str) -> str:
    """`text` in the form `datetime.fromisoformat` reads, when it is an RFC 3339 date-time.

    `fromisoformat` (3.11+) refuses two RFC 3339 forms: a lower-case `z`, and a leap second
    (`23:59:60`), which `datetime` cannot hold. A leap second is read as the last microsecond
    of its minute (`23:59:59.999999`), so the order of timestamps is kept and the date stays
    the one sent. Fractional digits past the sixth are cut (a datetime holds microseconds).
    Any other text is returned as it is, for `fromisoformat` to read or refuse.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return text
    date, minute, second, fraction, offset = match.groups()
    if second == "60":
        second, fraction = "59", "999999"
    fraction = f".{fraction[:6].ljust(6, '0')}" if fraction else ""
    if offset in ("Z", "z"):
        offset = "+00:00"
    return f"{date}T{minute}:{second}{fraction}{offset or ''}"


_Dates = tuple[tuple[str, "_Dates | None"], ...]
_DATES: dict[type, _Dates] = {}


def _date_fields(cls: type) -> _Dates:
    """(key, None) for each date-time field of `cls`, (key, plan) for each model field that has
    some, computed once: the few places `_with_rfc3339_dates` looks at."""
    cached = _DATES.get(cls)
    if cached is None:
        plan: list[tuple[str, _Dates | None]] = []
        for name, hint, _ in _fields(cls):
            members = _members(hint)
            if datetime.datetime in members:
                plan.append((name, None))
                continue
            for member in members:
                if isinstance(member, type) and attrs.has(member) and _date_fields(member):
                    plan.append((name, _date_fields(member)))
                    break
        cached = _DATES[cls] = tuple(plan)
    return cached


def _with_rfc3339_dates(cls: type, payload: object) -> object:
    """`payload` with each date-time of `cls` in the form the generated parser reads (`rfc3339`).

    Only the date-time fields are looked at, so this is not another pass over the body. The
    payload itself is not changed (it is kept whole in a `ResponseValidationError`): an object
    whose date-time is rewritten is copied, and so are the objects around it.
    """
    return _rewrite_dates(_date_fields(cls), payload)


def _rewrite_dates(plan: _Dates, value: object) -> object:
    if not plan or not isinstance(value, dict):
        return value
    changed: dict[str, object] = {}
    for key, inner in plan:
        if key not in value:
            continue
        old = value[key]
        new = (rfc3339(old) if isinstance(old, str) else old) if inner is None else _rewrite_dates(inner, old)
        if new is not old and new != old:
            changed[key] = new
    return {**value, **changed} if changed else value


def check_model(model: Any, path: str = "") -> None:
    """Raise `ModelTypeError` unless every field of `model`, recursively, fits its annotation.

    A value that does not fit but has one lossless reading of the annotated type (`_lenient`) is
    replaced by it, in this same walk: a count sent as an integral float (`12.0`, as the API did
    while counts were `number`) or as the string `"12"` is stored as the int 12.
    """
    for name, hint, exact in _fields(type(model)):
        value = getattr(model, name)
        if type(value) not in exact:
            read = _read(value, hint, f"{path}.{name}" if path else name)
            if read is not value:
                setattr(model, name, read)


class _NoReading:
    """What `_strict` and `_lenient` return for a value that does not fit (None is a value)."""


_NO = _NoReading()


def _read(value: object, hint: Any, path: str) -> object:
    """`value` as `hint` has it, or `ModelTypeError`: a strict fit first, then a lossless reading."""
    read = _strict(value, hint, path)
    if read is _NO:
        read = _lenient(value, hint)
        if read is _NO:
            raise ModelTypeError(f"{path}: expected {_describe(hint)}, got {type(value).__name__} {_shown(value)}")
    return read


def _strict(value: object, hint: Any, path: str) -> object:
    """`value` when it fits `hint` as it is (an integral float for an int becomes the int), else
    `_NO`. Lists and models are checked inside, and raise for what is wrong there."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        # A list or model member checks its contents only once the value's kind matched, so a
        # nested error that escapes here is the precise one.
        for member in typing.get_args(hint):
            read = _strict(value, member, path)
            if read is not _NO:
                return read
        return _NO
    if hint is Any or hint is object:
        return value
    if hint is type(None):
        return value if value is None else _NO
    if origin is list:
        if not isinstance(value, list):
            return _NO
        (item_hint,) = typing.get_args(hint) or (Any,)
        for index, item in enumerate(value):
            read = _read(item, item_hint, f"{path}[{index}]")
            if read is not item:
                value[index] = read
        return value
    if origin is dict or hint is dict:
        return value if isinstance(value, dict) else _NO
    if hint is bool:
        return value if isinstance(value, bool) else _NO
    if hint is int:
        # JSON has one number type; 12.0 for a count is still the count 12.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return int(value) if isinstance(value, float) and value.is_integer() else _NO
    if hint is float:
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _NO
    if hint is str:
        return value if isinstance(value, str) else _NO
    if hint is datetime.datetime or hint is Unset:
        return value if isinstance(value, hint) else _NO
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return value if isinstance(value, hint) else _NO
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, hint):
            return _NO
        check_model(value, path)
        return value
    raise TypeError(f"{path}: no check for annotation {hint!r}")  # a generator change to handle


# A JSON number (RFC 8259), whole: no sign but "-", no leading zeros, no spaces, no hex.
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_JSON_BOOLEANS = {"true": True, "false": False}


def _lenient(value: object, hint: Any) -> object:
    """The one lossless reading of a value of another JSON type as `hint`, or `_NO`.

    These are all there are, for every field alike:
    - a number or integer field takes a JSON string holding a JSON number (`"0.5"`, `"12"`,
      `"1e3"`), read as that number would be unquoted (an integer field only when it is integral);
    - a boolean field takes the numbers `0` and `1` and the strings `"true"` and `"false"`.
    Everything else that does not fit stays an error: `true` for a count, `"12.5"` for a count,
    `" 12"`, `"NaN"`, `"yes"`, an object for a string.
    """
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for member in typing.get_args(hint):
            read = _lenient(value, member)
            if read is not _NO:
                return read
        return _NO
    if hint is bool:
        if type(value) is int and value in (0, 1):
            return value == 1
        if type(value) is str:
            return _JSON_BOOLEANS.get(value, _NO)
        return _NO
    if (hint is int or hint is float) and type(value) is str and _JSON_NUMBER.fullmatch(value):
        number = _json_number(value)
        return _NO if number is None else _strict(number, hint, "")
    return _NO


def _json_number(text: str) -> int | float | None:
    """What `loads_json` makes of `text` as a number: an int, a finite float, or None (too large)."""
    try:
        return int(text) if text.lstrip("-").isdigit() else _finite_float(text)
    except ValueError:  # past the float range, or an int past Python's digit limit
        return None


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
    required field, a list from a non-array, a date-time from a value that is none. (A union's
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
                datetime.datetime.fromisoformat(rfc3339(value))
            except ValueError:
                return f"{where}: expected an RFC 3339 date-time, got {_shown(value)}"
            return None
        got = _json_kind(value) if value is None else f"{_json_kind(value)} {_shown(value)}"
        return f"{where}: expected an RFC 3339 date-time, got {got}"
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
