"""`python -m openrouter_generations.testing [--port 8000]`: the fake as a standalone server.

For trying a client (this one, or another language's) against it by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Callable

from ._fake import FakeOpenRouter


def _until_interrupted(fake: FakeOpenRouter) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def main(argv: list[str] | None = None, *, serve: Callable[[FakeOpenRouter], object] = _until_interrupted) -> int:
    """Starts the fake, prints where it listens, and serves while `serve(fake)` runs (by default
    until Ctrl-C); a script that embeds the fake passes its own `serve`."""
    parser = argparse.ArgumentParser(prog="python -m openrouter_generations.testing", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--api-key", default="sk-or-v1-fake", help="the one key accepted (default: %(default)s)")
    parser.add_argument("--generations", type=int, default=1, metavar="N", help="how many generations to store")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to every answer")
    parser.add_argument("--rate-limit-per-s", type=int, default=None, help="answer 429 beyond this rate")
    args = parser.parse_args(argv)
    fake = FakeOpenRouter(
        api_key=args.api_key, port=args.port, latency_ms=args.latency_ms, rate_limit_per_s=args.rate_limit_per_s
    )
    records = [fake.add_generation() for _ in range(args.generations)]
    with fake:
        # One JSON line first, for scripts that start it and read where it listens; every line
        # out before it serves, even to a pipe.
        lines = [
            json.dumps({"server_url": fake.server_url, "api_key": fake.api_key, "ids": [r["id"] for r in records]}),
            f"fake OpenRouter at {fake.server_url} (key {fake.api_key}); Ctrl-C to stop",
            *(
                f"  curl -H 'Authorization: Bearer {fake.api_key}' '{fake.server_url}/generation?id={r['id']}'"
                for r in records
            ),
        ]
        print("\n".join(lines), flush=True)
        serve(fake)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
