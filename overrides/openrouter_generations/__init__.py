"""A typed client for OpenRouter's `GET /generation`: a generation's exact cost and usage.

from openrouter_generations import OpenRouter, errors, utils

with OpenRouter() as open_router:  # the key comes from OPENROUTER_API_KEY
    res = open_router.generations.get_generation(id="gen-...")
    print(res.data.total_cost)
"""

from typing import TYPE_CHECKING, Any

from . import errors, utils
from ._client import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_SERVER_URL, DEFAULT_TIMEOUT_MS, Generations, OpenRouter
from ._version import __version__

if TYPE_CHECKING:
    from . import models

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_SERVER_URL",
    "DEFAULT_TIMEOUT_MS",
    "Generations",
    "OpenRouter",
    "__version__",
    "errors",
    "models",
    "utils",
]


def __getattr__(name: str) -> Any:
    # The response models (the generated package) are imported when first asked for, here or by
    # the first client, not with the package: they are most of what it would cost to import.
    if name == "models":
        import importlib

        return importlib.import_module(".models", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
