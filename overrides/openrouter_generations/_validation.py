"""Type checks for generated models, driven by their own annotations.

The generated `from_dict` methods `cast` primitive fields without looking at them, so
`{"total_cost": "abc"}` would become a model whose `total_cost` is a str. Rather than repeat the
schema by hand, this walks the annotations the generator wrote (so it follows every
regeneration) and reports the first value that does not fit.
"""

from __future__ import annotations

import datetime
import enum
import sys
import types
import typing
from typing import Any

import attrs

from openrouter_generations_client import models as _generated_models
from openrouter_generations_client.types import Unset

__all__ = ["ModelTypeError", "check_model"]


class ModelTypeError(Exception):
    """A parsed model holds a value its annotation does not allow; the message names the path."""


_HINTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    cached = _HINTS.get(cls)
    if cached is None:
        # The generated modules import sibling models only under TYPE_CHECKING, so resolve names
        # against the models package as well as the defining module.
        module_globals = vars(sys.modules[cls.__module__])
        hints = typing.get_type_hints(cls, globalns=module_globals, localns=vars(_generated_models))
        cached = tuple((f.name, hints[f.name]) for f in attrs.fields(cls) if f.name != "additional_properties")
        _HINTS[cls] = cached
    return cached


def check_model(model: Any, path: str = "") -> None:
    """Raise `ModelTypeError` unless every field of `model`, recursively, fits its annotation."""
    for name, hint in _field_hints(type(model)):
        _check_value(getattr(model, name), hint, f"{path}.{name}" if path else name)


def _check_value(value: object, hint: Any, path: str) -> None:
    if not _fits(value, hint, path):
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        raise ModelTypeError(f"{path}: expected {_describe(hint)}, got {type(value).__name__} {shown}")


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


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(_describe(member) for member in typing.get_args(hint))
    if hint is type(None):
        return "null"
    if hint is Unset:
        return "absent"
    return getattr(hint, "__name__", None) or repr(hint)
