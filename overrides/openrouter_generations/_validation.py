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

import dataclasses
import datetime
import enum
import json
import math
import operator
import re
import types
import typing
from collections.abc import Callable
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
        # against the models package as well as the defining module (get_type_hints' default).
        hints = typing.get_type_hints(cls, localns=vars(_generated_models))
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
    # As `json.loads` reads bytes, with one decoder made once rather than one per body.
    return _DECODER.decode(content.decode(json.detect_encoding(content), "surrogatepass"))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a number")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def parse_model(cls: type[T], payload: object) -> T:
    """`cls.from_dict(payload)`, refused unless the result is exactly what the JSON said.

    Raises `ModelTypeError` (a value of the wrong type, or a JSON array or list of pairs where
    an object belongs) or whatever the generated `from_dict` raises on what it cannot read
    (`KeyError`, `ValueError`, `TypeError`, ...).
    """
    if _keyed(cls):
        # One walk: each value's type, and the JSON object under each nested model.
        if not isinstance(payload, dict):
            raise ModelTypeError(f"the body: expected an object, got {_json_kind(payload)}")
        model = cast(Any, cls).from_dict(_with_rfc3339_dates(cls, payload))
        check_model(model, raw=payload)
    else:  # a field whose JSON key is not its name: compare with what `to_dict()` writes
        model = cast(Any, cls).from_dict(_with_rfc3339_dates(cls, payload))
        check_model(model)
        check_json_shape(model.to_dict(), payload)
    return cast(T, model)


_KEYED: dict[type, bool] = {}


def _keyed(cls: type) -> bool:
    """Whether each field of `cls`, and of every model under it, is read from the JSON key of
    its own name, computed once. The generated `from_dict` (a classmethod) names each key it
    reads as a constant of its code, so a name among them is the key."""
    known = _KEYED.get(cls)
    if known is None:
        _KEYED[cls] = True  # a model that holds itself is keyed if the rest is
        keys = set(cast(Any, cls).from_dict.__func__.__code__.co_consts)
        known = all(name in keys and all(_keyed(m) for m in _models_in(hint)) for name, hint, _ in _fields(cls))
        _KEYED[cls] = known
    return known


def _models_in(hint: Any) -> list[type]:
    """The generated model classes an annotation can hold, list items included."""
    found: list[type] = []
    for member in _members(hint):
        if typing.get_origin(member) is list:
            found.extend(_models_in(typing.get_args(member)[0]))
        elif isinstance(member, type) and attrs.has(member):
            found.append(member)
    return found


# An RFC 3339 date-time (section 5.6), in any case, with any number of fractional digits.
_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}):([0-9]{2})(?:\.([0-9]+))?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def rfc3339(text: str) -> str:
    """`text` in the form `datetime.fromisoformat` reads, when it is an RFC 3339 date-time.

    `fromisoformat` (3.11+) refuses two RFC 3339 forms: a lower-case `z`, and a leap second
    (`23:59:60`), which `datetime` cannot hold. A leap second is read as the last microsecond
    of its minute (`23:59:59.999999`), so the order of timestamps is kept and the date stays
    the one sent. The rest `fromisoformat` reads itself: `Z`, any separator, any number of
    fractional digits (cut past the sixth, as a datetime holds microseconds). Any other text is
    returned as it is, for `fromisoformat` to read or refuse.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return text
    date, minute, second, fraction, offset = match.groups()
    if second != "60" and offset != "z":
        return text  # as `fromisoformat` reads it: unchanged, so the body is not copied for it
    if second == "60":
        second, fraction = "59", "999999"
    return f"{date}T{minute}:{second}{'.' + fraction if fraction else ''}{(offset or '').upper()}"


_Dates = tuple[tuple[str, "_Dates | None"], ...]
_DATES: dict[type, _Dates] = {}


def _date_fields(cls: type) -> _Dates:
    """(key, None) for each date-time field of `cls`, (key, plan) for each field of a model (or
    a list of models) that has some, computed once: the few places `_with_rfc3339_dates` looks at."""
    cached = _DATES.get(cls)
    if cached is None:
        _DATES[cls] = ()  # a model inside itself: its own date-times are read, not those under it
        plan: list[tuple[str, _Dates | None]] = []
        for name, hint, _ in _fields(cls):
            if datetime.datetime in _members(hint):
                plan.append((name, None))
                continue
            for model in _models_in(hint):
                if _date_fields(model):
                    plan.append((name, _date_fields(model)))
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
    if isinstance(value, list):  # a list of models: each item by the plan
        items = [_rewrite_dates(plan, item) for item in value]
        return items if any(map(operator.is_not, items, value)) else value
    if not isinstance(value, dict):
        return value
    changed: dict[str, object] = {}
    for key, inner in plan:
        if key not in value:
            continue
        old = value[key]
        new = (rfc3339(old) if isinstance(old, str) else old) if inner is None else _rewrite_dates(inner, old)
        if new is not old:  # each reading returns what it was given when it changes nothing
            changed[key] = new
    return {**value, **changed} if changed else value


def check_model(model: Any, path: str = "", raw: object = None) -> None:
    """Raise `ModelTypeError` unless every field of `model`, recursively, fits its annotation.

    A value that does not fit but has one lossless reading of the annotated type (`_lenient`) is
    replaced by it, in this same walk: a count sent as an integral float (`12.0`, as the API did
    while counts were `number`) or as the string `"12"` is stored as the int 12.

    With `raw`, the JSON object the model was read from (its keys being the field names, see
    `_keyed`), each nested model is also checked to come from a JSON object: the generated
    `from_dict` calls `dict()`, which takes a list of pairs too.
    """
    plan = _plan(type(model))
    # The usual case, every plain field of an exact type, is decided in one C-level pass.
    if not all(map(frozenset.__contains__, plan.flat_exact, map(type, plan.flat_values(model)))):
        _check_fields(model, plan.flat, path)
    for name, hint, exact, one_model, item_model in plan.nested:
        value = getattr(model, name)
        kind = type(value)
        if kind in exact:
            continue
        child = raw.get(name) if type(raw) is dict else None
        where = f"{path}.{name}" if path else name
        if kind is one_model:
            _check_object(value, where, child)
        elif kind is list and item_model is not None and all(type(item) is item_model for item in value):
            if child is not None and (type(child) is not list or len(child) != len(value)):
                raise ModelTypeError(f"{where}: expected an array, got {_json_kind(child)}")
            for index, item in enumerate(value):
                _check_object(item, f"{where}[{index}]", child[index] if child is not None else None)
        else:  # anything else takes the general path
            read = _read(value, hint, where, child)
            if read is not value:
                setattr(model, name, read)


def _check_object(model: Any, path: str, raw: object) -> None:
    if raw is not None and type(raw) is not dict:
        raise ModelTypeError(f"{path}: expected an object, got {_json_kind(raw)}")
    check_model(model, path, raw)


def _check_fields(model: Any, fields: tuple[_Field, ...], path: str) -> None:
    """The plain fields: none holds a list or a model, so none needs the JSON it came from."""
    for name, hint, exact in fields:
        value = getattr(model, name)
        if type(value) not in exact:
            read = _read(value, hint, f"{path}.{name}" if path else name)
            if read is not value:
                setattr(model, name, read)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A model's fields split once: plain ones (types that need no look inside) and the rest
    (lists and models, whose contents are checked field by field)."""

    flat: tuple[_Field, ...]
    flat_exact: tuple[frozenset[type], ...]
    flat_values: Callable[[Any], tuple[object, ...]]
    #: (name, annotation, exact types, the model it may hold, the model its list may hold)
    nested: tuple[tuple[str, Any, frozenset[type], type | None, type | None], ...]


_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        fields = _fields(cls)
        flat = tuple(f for f in fields if not _has_contents(f[1]))
        names = [name for name, _, _ in flat]
        getter = operator.attrgetter(*names) if len(names) > 1 else (lambda m: tuple(getattr(m, n) for n in names))
        plan = _PLANS[cls] = _Plan(
            flat=flat,
            flat_exact=tuple(exact for _, _, exact in flat),
            flat_values=getter,
            nested=tuple((*f, *_held_models(f[1])) for f in fields if _has_contents(f[1])),
        )
    return plan


def _held_models(hint: Any) -> tuple[type | None, type | None]:
    """The one model a field may hold, and the one model its list may hold (None: not one)."""
    models = [m for m in _members(hint) if isinstance(m, type) and attrs.has(m)]
    lists = [typing.get_args(m) for m in _members(hint) if typing.get_origin(m) is list]
    items = [args[0] for args in lists if len(args) == 1 and isinstance(args[0], type) and attrs.has(args[0])]
    return (models[0] if len(models) == 1 else None, items[0] if len(items) == 1 and len(lists) == 1 else None)


def _has_contents(hint: Any) -> bool:
    """Whether a value of `hint` can hold values of its own to check (a list, a model, ...)."""
    for member in _members(hint):
        if member in (int, float, str, bool, type(None), Unset, datetime.datetime):
            continue
        if isinstance(member, type) and issubclass(member, enum.Enum):
            continue
        return True
    return False


class _NoReading:
    """What `_strict` and `_lenient` return for a value that does not fit (None is a value)."""


_NO = _NoReading()


def _read(value: object, hint: Any, path: str, raw: object = None) -> object:
    """`value` as `hint` has it, or `ModelTypeError`: a strict fit first, then a lossless reading.
    `raw` is the JSON `value` was read from, when known (`check_model`), else None."""
    read = _strict(value, hint, path, raw)
    if read is _NO:
        read = _lenient(value, hint)
        if read is _NO:
            got = "null" if value is None else f"{type(value).__name__} {_shown(value)}"  # as the JSON said it
            raise ModelTypeError(f"{path}: expected {_describe(hint)}, got {got}")
    return read


def _strict(value: object, hint: Any, path: str, raw: object = None) -> object:
    """`value` when it fits `hint` as it is (an integral float for an int becomes the int), else
    `_NO`. Lists and models are checked inside, and raise for what is wrong there, a model read
    from something else than the JSON object `raw` included."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        # A list or model member checks its contents only once the value's kind matched, so a
        # nested error that escapes here is the precise one.
        for member in typing.get_args(hint):
            read = _strict(value, member, path, raw)
            if read is not _NO:
                return read
        return _NO
    if hint is type(None):
        return value if value is None else _NO
    if origin is list:
        if not isinstance(value, list):
            return _NO
        (item_hint,) = typing.get_args(hint)
        if raw is not None and (type(raw) is not list or len(raw) != len(value)):
            raise ModelTypeError(f"{path}: expected an array, got {_json_kind(raw)}")
        raw_items = raw
        for index, item in enumerate(value):
            read = _read(item, item_hint, f"{path}[{index}]", raw_items[index] if raw_items is not None else None)
            if read is not item:
                value[index] = read
        return value
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
        if raw is not None and type(raw) is not dict:
            raise ModelTypeError(f"{path}: expected an object, got {_json_kind(raw)}")
        check_model(value, path, raw)
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
        return _strict(_json_number(value), hint, "")  # None (too large) is no int or float: _NO
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
        (item_hint,) = typing.get_args(hint)
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
        got = "null" if value is None else f"{_json_kind(value)} {_shown(value)}"
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
    # Every annotation `_strict` checks has a name: a class, or `list[...]`/`dict[...]` ("list").
    return str(hint.__name__)
