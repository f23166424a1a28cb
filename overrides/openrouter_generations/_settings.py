"""The client settings the official SDK has besides the basic ones, read as it reads them.

`OpenRouter(...)` takes every keyword of the official SDK's constructor with the same meaning;
this module turns those that need reading (a callable key, the attribution headers with their
environment variables, a server by name, URL templating, headers per call) into plain values,
and refuses bad ones with an error that never quotes a secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

__all__ = [
    "ATTRIBUTION",
    "SERVERS",
    "SERVER_PRODUCTION",
    "ApiKey",
    "attribution_defaults",
    "check_header_value",
    "check_headers",
    "check_key",
    "server_url_for",
]

SERVER_PRODUCTION = "production"
#: The servers by name, as the official SDK names them (`OpenRouter(server="production")`).
SERVERS: dict[str, str] = {SERVER_PRODUCTION: "https://openrouter.ai/api/v1"}

#: The attribution parameters: the keyword, the header it goes out as, and the environment
#: variable the official SDK reads it from when the keyword is not given.
ATTRIBUTION: tuple[tuple[str, str, str], ...] = (
    ("http_referer", "HTTP-Referer", "OPENROUTER_HTTP_REFERER"),
    ("x_open_router_title", "X-OpenRouter-Title", "OPENROUTER_X_OPEN_ROUTER_TITLE"),
    ("x_open_router_categories", "X-OpenRouter-Categories", "OPENROUTER_X_OPEN_ROUTER_CATEGORIES"),
)

KeySource = str | Callable[[], str | None] | None


def check_key(key: object, *, source: str = "api_key") -> str:
    """The key, refused without being quoted when it cannot be sent as it is."""
    # A key read from a file often ends in a newline; sent as is, httpx would refuse the header
    # with an error that quotes it. Say what is wrong without the key itself.
    if not isinstance(key, str):
        raise TypeError(f"{source} must be a str, not {type(key).__name__}")
    if not (key.isascii() and key.isprintable()) or key != key.strip():
        raise ValueError(
            f"{source} holds whitespace at its ends, control or non-ASCII characters; "
            "an OpenRouter key is printable ASCII (strip the value you read it from)"
        )
    return key


class ApiKey:
    """The key, or the callable that gives it, asked once per call as the official SDK does.
    Never shown: its repr says only whether there is one."""

    def __init__(self, api_key: KeySource) -> None:
        self._source = api_key if callable(api_key) else None
        self._key = "" if callable(api_key) else check_key(api_key if api_key is not None else _env_key())

    @property
    def may_send(self) -> bool:
        """Whether a call may send a key (a callable may give one on any call)."""
        return bool(self._key) or self._source is not None

    @property
    def fixed(self) -> bool:
        """Whether the key is the same on every call (not asked of a callable)."""
        return self._source is None

    def current(self) -> str:
        if self._source is None:
            return self._key
        key = self._source()
        return "" if key is None else check_key(key, source="the key api_key() returned")

    def __repr__(self) -> str:
        return "<callable>" if self._source is not None else "<set>" if self._key else "<unset>"


def _env_key() -> str:
    return os.environ.get("OPENROUTER_API_KEY", "")


def check_headers(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
    for name, value in (headers or {}).items():
        check_header_value(name, value)
    return headers


def check_header_value(name: str, value: object) -> str:
    """A header value as it can go out; the message names the header, never the value (it may
    be a key)."""
    if not isinstance(value, str):
        raise TypeError(f"the {name} header value must be a str, not {type(value).__name__}")
    if not (value.isascii() and value.isprintable()):
        raise ValueError(f"the {name} header value must be printable ASCII (no control or non-ASCII characters)")
    return value


def attribution_defaults(*given: str | None) -> dict[str, str]:
    """The client's attribution values (given in the order of `ATTRIBUTION`): each one given,
    else its environment variable."""
    values = {}
    for (keyword, header, variable), value in zip(ATTRIBUTION, given, strict=True):
        if value is None:
            value = os.environ.get(variable)
        if value is not None:
            values[keyword] = check_header_value(header, value)
    return values


def server_url_for(
    server: str | None, server_url: str | None, url_params: Mapping[str, str] | None, default: str
) -> str:
    """The base URL: `server_url` (with `{name}` placeholders filled from `url_params`), else
    the server named `server`, else `default`."""
    if server_url is not None:
        for name, value in (url_params or {}).items():
            server_url = server_url.replace("{" + name + "}", value)
        return server_url
    if server is None or server == SERVER_PRODUCTION:
        return default
    raise ValueError(f"server must be one of {sorted(SERVERS)}, not {server!r} (or pass server_url=)")
