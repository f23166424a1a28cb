"""The command line's grammar: two commands, and the options both share."""

from __future__ import annotations

import argparse
import math

from .._version import __version__

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openrouter-generations",
        description="Look OpenRouter generations up by id: exact cost, native tokens, latency, provider.",
        epilog="Exit status: 0 every id found, 1 some not (each listed with its reason), 2 usage error, "
        "130 interrupted (totals so far, marked incomplete).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    get = commands.add_parser("get", help="show generations, one after the other")
    get.add_argument("ids", nargs="+", metavar="ID", help="generation ids (gen-...)")
    get.add_argument("--json", action="store_true", help="print each record as the API sent it")

    costs = commands.add_parser("costs", help="a row per id, and exact totals")
    costs.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="ids one a line, or JSON lines with an \"id\"; '#' comments and blank lines skipped (default: - stdin)",
    )
    costs.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        help="default: table on a terminal, csv otherwise",
    )
    costs.add_argument(
        "--totals-file",
        metavar="PATH",
        help="with --format csv: also write the totals, per model, per provider and in all, as CSV to PATH",
    )
    for command in (get, costs):
        _add_common_options(command)
    return parser


def _add_common_options(command: argparse.ArgumentParser) -> None:
    """The options both commands share, under their headings. Added to each command rather than
    through `parents=`: argparse moves a parent's mutually exclusive group out of its heading."""
    net = command.add_argument_group("connection")
    net.add_argument("--api-key", metavar="KEY", help="the OpenRouter API key (default: $OPENROUTER_API_KEY)")
    net.add_argument("--server-url", metavar="URL", help="the API's base URL (default: https://openrouter.ai/api/v1)")
    net.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="per attempt (default: 15)")
    net.add_argument("--concurrency", type=_count, default=16, metavar="N", help="lookups at once (default: 16)")
    net.add_argument(
        "--wait",
        type=_seconds_or_zero,
        default=0.0,
        metavar="SECONDS",
        help="retry 'not found' this long: ids of completions that just ended (default: 0)",
    )
    cache = command.add_argument_group("cache").add_mutually_exclusive_group()
    cache.add_argument("--cache", metavar="PATH", help="the cache file (default: under the user's cache directory)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    out = command.add_argument_group("output")
    out.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME",
        help="also show this field of the record (one the documented set lacks); repeatable",
    )
    out.add_argument("-v", "--verbose", action="store_true", help="log each retry on stderr")


def _seconds(text: str) -> float:
    value = _seconds_or_zero(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _seconds_or_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
