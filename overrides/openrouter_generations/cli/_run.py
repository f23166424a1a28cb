"""The two commands, from parsed options to exit status.

Every error the caller can fix is one line on stderr that says what to do, and exit 2; no
traceback, and never the key (the core's messages never quote it). Ctrl-C prints what was looked
up so far, its totals marked incomplete, and exits 130.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import errors
from ..bulk import GenerationResult
from ..report import Totals, generation_row
from . import EXIT_FOUND, EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_USAGE
from ._args import build_parser
from ._input import UsageError, read_ids
from ._lookup import Lookup, make_client, reason, verbose_log
from ._render import Failure, costs_csv, costs_json, costs_table, generation_summary, totals_csv

__all__ = ["run"]

PROG = "openrouter-generations"


def run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits 2 with argparse's message
    warnings.showwarning = _warning  # e.g. a cache that cannot be used: one line, not a source excerpt
    try:
        return _run(args)
    except UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:  # before or after the lookups: nothing to total
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_FOUND


class _Console(Console):
    """rich's console, but a reader that goes away (`| head`) is the `BrokenPipeError` that `run`
    answers with exit 0; rich's own answer is exit 1, which would say an id was not found."""

    def on_broken_pipe(self) -> None:  # the console is not used again: no need to quiet it
        raise BrokenPipeError


def _quiet_stdout() -> None:
    """Points stdout at /dev/null, so that the interpreter's last flush of what is still buffered
    for the reader that went away does not print an error at exit."""
    with contextlib.suppress(io.UnsupportedOperation):  # a stdout with no file descriptor (`main` run in-process)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)


def _run(args: argparse.Namespace) -> int:
    if args.command == "costs" and args.totals_file is not None and args.format != "csv":
        raise UsageError("--totals-file goes with --format csv (table and json show the totals themselves)")
    if args.command == "costs":
        read = read_ids(args.file)
        ids = read.ids
        if read.duplicates:
            _say(f"{read.duplicates} repeated ids looked up (and counted) once")
        if read.without_id:
            _say(f'{read.without_id} JSON lines without an "id" skipped')
    else:
        ids = list(dict.fromkeys(args.ids))
    client = make_client(args)
    if args.verbose:
        verbose_log()
    lookup = Lookup(client, args)
    try:
        if args.command == "get":
            return _get(args, lookup, ids)
        return _costs(args, lookup, ids)
    finally:
        lookup.close()
        client.close()


def _look_up(
    lookup: Lookup, ids: list[str], on_result: Callable[[], None] | None
) -> tuple[list[GenerationResult], bool]:
    """The results, and whether Ctrl-C cut the lookups short (the results are then those in hand)."""
    try:
        return lookup.run(ids, on_result=on_result), False
    except KeyboardInterrupt:
        return lookup.finished(ids), True


def _get(args: argparse.Namespace, lookup: Lookup, ids: list[str]) -> int:
    results, interrupted = _look_up(lookup, ids, None)
    if not interrupted and (refused := _refused(results, lookup.server_url)):
        return refused
    out = _Console()
    status = EXIT_FOUND
    for result in results:
        if result.ok:
            if args.json:
                assert result.raw is not None  # a found id's result always holds its body
                text = result.raw.decode("utf-8", "replace")
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
            else:
                generation_summary(out, _row(result, args.field), fields=args.field)
        else:
            _say(f"{result.id}: {reason(result.error)}")
            status = EXIT_NOT_FOUND
    sys.stdout.flush()  # a reader that went away is found here, not in the interpreter's flush at exit
    if interrupted:
        _say(f"interrupted: {len(results)} of {len(ids)} ids looked up")
        return EXIT_INTERRUPTED
    return status


def _costs(args: argparse.Namespace, lookup: Lookup, ids: list[str]) -> int:
    with _progress(len(ids)) as advance:
        results, interrupted = _look_up(lookup, ids, advance)
    if not interrupted and (refused := _refused(results, lookup.server_url)):
        return refused
    rows = [_row(r, args.field) for r in results if r.ok]
    failed: list[Failure] = [(str(r.id), reason(r.error)) for r in results if not r.ok]
    totals = Totals.of(rows)
    totals.incomplete = interrupted
    note = f"interrupted after {len(results)} of {len(ids)} ids"
    fmt = args.format or ("table" if sys.stdout.isatty() else "csv")
    if fmt == "table":
        # Piped, a table is as wide as COLUMNS says, else wide enough for ids and model names.
        wide = sys.stdout.isatty() or "COLUMNS" in os.environ
        console = _Console(width=None if wide else 120)
        costs_table(console, rows, failed, totals, fields=args.field, note=note)
    elif fmt == "json":
        sys.stdout.write(costs_json(rows, failed, totals, requested=len(ids)) + "\n")
    else:
        costs_csv(sys.stdout, rows, failed, fields=args.field)
        if args.totals_file is not None:
            _write_totals(args.totals_file, totals)
        _say(
            f"{len(rows)} found, {len(failed)} not found, total {format(totals.all.total_cost, 'f')} USD"
            + (f" (INCOMPLETE: {note})" if interrupted else "")
        )
    sys.stdout.flush()
    if interrupted:
        _say(f"INCOMPLETE: {note}; the totals are of those only")
        return EXIT_INTERRUPTED
    return EXIT_NOT_FOUND if failed else EXIT_FOUND  # one result per id: those not found are `failed`


def _row(result: GenerationResult, fields: Sequence[str]) -> dict[str, Any]:
    return generation_row(result, fields=fields)


def _refused(results: Sequence[GenerationResult], server_url: str) -> int:
    """A refused key, or a server that cannot be reached, fails every id alike: one line says
    so, instead of a list of them."""
    refused = next((r.error for r in results if isinstance(r.error, errors.UnauthorizedResponseError)), None)
    if refused is not None:
        _say(reason(refused))
        return EXIT_NOT_FOUND
    if results and all(
        isinstance(r.error, errors.APIConnectionError) and not isinstance(r.error, errors.APITimeoutError)
        for r in results
    ):
        first = results[0].error
        assert isinstance(first, errors.APIConnectionError)
        _say(f"could not connect to {server_url} ({first.message}): check --server-url and the network")
        return EXIT_NOT_FOUND
    return 0


def _write_totals(path: str, totals: Totals) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as file:
            totals_csv(file, totals)
    except OSError as exc:
        raise UsageError(f"cannot write the totals to {path}: {exc.strerror}") from None


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when stderr is a terminal; nothing otherwise (a log stays clean)."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    columns = (TextColumn("looking up"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("lookup", total=total)
        yield lambda: progress.advance(task)


def _warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    _say(f"warning: {message}")


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)  # line-buffered: each message is out at its newline
