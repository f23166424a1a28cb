"""Records the public surface of OpenRouter's official SDK that code written for it relies on.

Run with the official package installed (`make official-surface`, which uses `.venv-bench`); it
writes `tests/data/official_sdk_surface.json`, which tests/test_official_sdk.py holds this
package to: every keyword of `OpenRouter(...)` and of the generation methods, every error name of
`openrouter.errors` with its bases and the status each class is raised for.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import re
import sys
from typing import Any

import openrouter
from openrouter import errors
from openrouter.generations import Generations

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "official_sdk_surface.json"


def _parameters(func: Any) -> list[dict[str, Any]]:
    params = []
    for name, param in inspect.signature(func).parameters.items():
        if name == "self":
            continue
        default = param.default
        params.append(
            {
                "name": name,
                "kind": param.kind.name,
                "required": default is inspect.Parameter.empty,
                "default": None if default is inspect.Parameter.empty or not _plain(default) else default,
                "annotation": str(param.annotation),
            }
        )
    return params


def _plain(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


# `if utils.match_response(http_res, "404", "application/json"): ... raise errors.NotFoundResponseError(`
_RAISE = re.compile(r'match_response\(http_res, "(\d{3})", "[^"]+"\)\s*:\s*\n(?:.*\n){0,4}?\s*raise errors\.(\w+)\(')


def _status_mapping(source: str) -> dict[str, int]:
    """Each error class the source raises for one status, read from the generated code itself."""
    return {cls: int(status) for status, cls in _RAISE.findall(source)}


def _every_operation() -> str:
    package = pathlib.Path(openrouter.__file__).parent
    return "\n".join(path.read_text() for path in sorted(package.glob("*.py")))


def _errors() -> dict[str, Any]:
    names = {}
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            bases = [b.__name__ for b in obj.__mro__[1:] if b.__module__.startswith("openrouter.")]
            names[name] = {"bases": bases, "doc": (obj.__doc__ or "").strip().splitlines()[0]}
    return names


def _script_run() -> dict[str, Any]:
    # The fake server and the runner come from this repository, the SDK from this venv.
    root = OUT.parent.parent.parent
    sys.path[:0] = [str(root), str(root / "overrides"), str(root / "generated")]
    from tests.official_script import SCRIPT, run_script

    return run_script(SCRIPT.read_text())


def main() -> None:
    surface = {
        "_produced_by": "bench/official_surface.py run in .venv-bench (make official-surface)",
        "openrouter_version": openrouter.__version__,
        "OpenRouter": _parameters(openrouter.OpenRouter.__init__),
        "get_generation": _parameters(Generations.get_generation),
        "get_generation_async": _parameters(Generations.get_generation_async),
        "get_generation_status_errors": _status_mapping(inspect.getsource(Generations.get_generation)),
        "status_of_error_class": _status_mapping(_every_operation()),
        "errors": _errors(),
        "script_run": _script_run(),
    }
    OUT.write_text(json.dumps(surface, indent=2, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {OUT}\n")


if __name__ == "__main__":
    main()
