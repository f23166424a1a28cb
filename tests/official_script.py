"""Runs tests/data/official_sdk_script.py against the loopback fake and reports what it printed
and what reached the server: the same function records the official SDK's run (in
bench/official_surface.py) and checks this package's (in tests/test_official_sdk.py)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
from collections.abc import Iterator
from typing import Any

from openrouter_generations.testing import FakeOpenRouter

DATA = pathlib.Path(__file__).parent / "data"
SCRIPT = DATA / "official_sdk_script.py"
SCRIPT_KEY = "sk-or-v1-SCRIPTSECRET-0123456789abcdef"
#: The official SDK's import line, and the one the script gets here.
OFFICIAL_IMPORT = "from openrouter import OpenRouter, errors, utils"
THIS_IMPORT = "from openrouter_generations import OpenRouter, errors, utils"
_WIRE_HEADERS = ("http-referer", "x-openrouter-title", "x-openrouter-categories", "x-request-tag")


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_script(source: str) -> dict[str, Any]:
    """The script's printed lines and, per request, its path and the headers that tell calls apart."""
    known = json.loads((DATA / "example_generation.json").read_text())["data"]
    with FakeOpenRouter(api_key=SCRIPT_KEY) as server:
        server.add_generation(**known)
        with _environment(
            {"SCRIPT_SERVER_URL": server.url, "SCRIPT_KNOWN_ID": known["id"], "SCRIPT_API_KEY": SCRIPT_KEY}
        ):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(source, str(SCRIPT), "exec"), {"__name__": "__main__"})  # noqa: S102 - the script, verbatim
            wire = [
                {
                    "path": seen.raw_path,
                    "key_sent": seen.headers.get("authorization") == f"Bearer {SCRIPT_KEY}",
                    **{name: seen.headers[name] for name in _WIRE_HEADERS if name in seen.headers},
                }
                for seen in server.requests
            ]
    return {"output": out.getvalue().splitlines(), "wire": wire}
