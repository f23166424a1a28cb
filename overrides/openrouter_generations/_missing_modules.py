"""A failed import, remembered: the HTTP stack asks for an optional module on every request.

httpcore's async locks, events and semaphores each ask `import sniffio` as they are set up (about
ten times per request) to learn which async library runs them, and treat its absence as asyncio.
anyio no longer depends on sniffio, so it is often not installed; and Python does not remember a
failed import: each one searches every directory of `sys.path` again. On a small machine that
was about 1 ms of CPU per request, the largest cost of an async batch after httpcore's own pool
bookkeeping. Recording the absence in `sys.modules` (None: "import sniffio" raises ImportError at
once) changes no behaviour, since httpcore reads a failed import the same way, only its cost.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["remember_missing"]

# Optional modules that httpcore imports per request, and handles when they are missing.
_ASKED_PER_REQUEST = ("sniffio",)


def remember_missing() -> None:
    """Records each of those modules that cannot be imported as missing, once per process."""
    modules: dict[str, Any] = sys.modules  # a None entry is how the import system marks a module missing
    for name in _ASKED_PER_REQUEST:
        if name in modules:
            continue
        try:
            missing = importlib.util.find_spec(name) is None
        except (ImportError, ValueError):  # a broken finder: leave the import system as it is
            continue
        if missing:
            modules.setdefault(name, None)
