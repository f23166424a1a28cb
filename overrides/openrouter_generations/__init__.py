"""A typed client for OpenRouter's `GET /generation`: a generation's exact cost and usage.

from openrouter_generations import OpenRouter, errors, utils

with OpenRouter() as open_router:  # the key comes from OPENROUTER_API_KEY
    res = open_router.generations.get_generation(id="gen-...")
    print(res.data.total_cost)
"""

from . import errors, models, utils
from ._client import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_SERVER_URL, DEFAULT_TIMEOUT_MS, Generations, OpenRouter
from ._version import __version__

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
