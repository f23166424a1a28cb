"""Many lookups at once: `Generations.get_generations` and `get_generations_async`.

Each id of the input gets one `GenerationResult`, in input order, whatever happened to the
others: a failed lookup's typed error, a bad id's `ValueError`/`TypeError`. Ids are read from the
iterable as the work goes (never all up front), a repeated id is fetched once and reported at each
of its positions, and a `cache` answers the ids it has without a request. At most `concurrency`
attempts are in flight, fewer while the server rate-limits (see `_batch_limits`).

The bookkeeping (`_Ledger`) and the pacing (`BatchLimits`) are written once; what differs between
the two forms is only how they wait: worker threads on the client's sync pool, or worker tasks
on the running loop's pool, `concurrency` of them at most, never one per id.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from openrouter_generations_client.api.generations import get_generation as _get_generation
from openrouter_generations_client.models.get_generation_response import GetGenerationResponse

from . import errors
from ._batch_limits import BatchLimits
from ._call import Call
from ._client import _check_id
from ._validation import loads_json, parse_model
from .utils import RetryConfig, SystemClock

if TYPE_CHECKING:
    import asyncio

    from ._client import OpenRouter
    from .cache import GenerationCache

__all__ = ["GenerationResult"]


@dataclasses.dataclass(frozen=True)
class GenerationResult:
    """The outcome for one id of a batch: `response` or `error`, never both.

    `raw` is the 200 body as it was received (or read from the cache), so that a later version
    of the spec can parse it again with nothing lost, and so that sums can be exact
    (`total_cost`). `error` is the typed `errors.OpenRouterError` (with `attempts`), or the
    `ValueError`/`TypeError` for a bad id.
    """

    id: object
    response: GetGenerationResponse | None = None
    error: Exception | None = None
    raw: bytes | None = dataclasses.field(default=None, repr=False)
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def total_cost(self) -> decimal.Decimal | None:
        """The cost exactly as the JSON wrote it (`0.1 + 0.2` sums to `0.3`), or None."""
        if self.raw is None:
            return None
        data = json.loads(self.raw, parse_float=decimal.Decimal).get("data")
        cost = data.get("total_cost") if isinstance(data, dict) else None
        if isinstance(cost, bool) or not isinstance(cost, (int, decimal.Decimal)):
            return None
        return decimal.Decimal(cost)


class _Stopped(Exception):
    """Raised in a worker when its batch has stopped: it ends without starting anything more."""


@dataclasses.dataclass(frozen=True)
class _Options:
    server_url: str
    retries: RetryConfig
    timeout_ms: int | None


def check_concurrency(concurrency: object) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, not {concurrency!r}")
    return concurrency


class _Ledger:
    """Reads the ids, settles what needs no request, and places every result at its positions."""

    def __init__(
        self,
        ids: Iterable[object],
        options: _Options,
        cache: GenerationCache | None,
        on_result: Callable[[GenerationResult], object] | None,
    ) -> None:
        if isinstance(ids, (str, bytes)):
            raise TypeError("ids must be an iterable of ids, not a single str: wrap it in a list")
        self._ids: Iterator[object] = iter(ids)
        self._options = options
        self._cache = cache
        self._on_result = on_result
        self.results: list[GenerationResult | None] = []
        self._waiting: dict[str, list[int]] = {}  # id -> its positions, while it is being fetched
        self._done: dict[str, GenerationResult] = {}

    def next_to_fetch(self) -> str | None:
        """The next id that needs a request, or None when the input is over."""
        for value in self._ids:
            position = len(self.results)
            self.results.append(None)
            try:
                _check_id(value)
            except (TypeError, ValueError) as exc:
                self._settle(position, GenerationResult(value, error=exc))
                continue
            assert isinstance(value, str)
            if value in self._done:
                self._settle(position, self._done[value])
            elif value in self._waiting:
                self._waiting[value].append(position)
            elif (cached := self._cached(value)) is not None:
                self._done[value] = cached
                self._settle(position, cached)
            else:
                self._waiting[value] = [position]
                return value
        return None

    def finish(self, id: str, result: GenerationResult) -> None:
        self._done[id] = result
        if result.raw is not None and self._cache is not None:
            self._cache.put(self._options.server_url, id, result.raw)
        for position in self._waiting.pop(id):
            self._settle(position, result)

    def _settle(self, position: int, result: GenerationResult) -> None:
        self.results[position] = result
        if self._on_result is not None:
            self._on_result(result)

    def _cached(self, id: str) -> GenerationResult | None:
        if self._cache is None:
            return None
        raw = self._cache.get(self._options.server_url, id)
        if raw is None:
            return None
        try:
            response = parse_model(GetGenerationResponse, loads_json(raw))
        except Exception as exc:  # a body this version cannot read: fetched again, with a warning
            self._cache.unreadable(id, exc)
            return None
        return GenerationResult(id, response=response, raw=raw, from_cache=True)

    def outcome(self) -> list[GenerationResult]:
        assert all(result is not None for result in self.results)
        return [result for result in self.results if result is not None]


def _options(sdk: OpenRouter, retries: RetryConfig | None, server_url: str | None, timeout_ms: int | None) -> _Options:
    # Checked before anything is sent, as a single call checks them.
    url = sdk._checked_url(server_url) if server_url is not None else sdk.server_url
    if timeout_ms is not None:
        from ._client import _positive

        _positive("timeout_ms", timeout_ms)
    return _Options(url, retries if retries is not None else sdk.retry_config, timeout_ms)


def _new_call(sdk: OpenRouter, id: str, options: _Options) -> Call[GetGenerationResponse]:
    # The client's attribution headers go out with each lookup, as with a single call.
    params = {"id": id, **sdk.attribution}
    return sdk._call(
        _get_generation, params, GetGenerationResponse, options.retries, options.server_url, options.timeout_ms, None
    )


def _result(id: str, call: Call[GetGenerationResponse]) -> GenerationResult:
    try:
        response = call.result()
    except errors.OpenRouterError as exc:
        return GenerationResult(id, error=exc)
    return GenerationResult(id, response=response, raw=call.content)


def _settled(result: GenerationResult | BaseException) -> GenerationResult:
    # A worker hands on what ended it rather than dying of it: else the batch would wait forever.
    if isinstance(result, BaseException):
        raise result
    return result


# -- threads -----------------------------------------------------------------------------------


class _ThreadAdmission:
    """`BatchLimits` for worker threads, waiting on the client's clock."""

    def __init__(self, sdk: OpenRouter, limits: BatchLimits) -> None:
        self._clock = sdk.clock
        self._limits = limits
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self.stopped = False

    def acquire(self, call: Call[Any]) -> None:
        while True:
            with self._changed:
                if self.stopped:
                    raise _Stopped
                wait = self._limits.admit(call, self._clock.monotonic())
                if wait == 0.0:
                    return
                if wait is None:  # until an attempt ends or the batch stops: both notify
                    self._changed.wait()
                    continue
            self.wait(wait)

    def release(self, call: Call[Any], finished: bool) -> bool:
        with self._changed:
            excused = self._limits.release(call, finished, self._clock.monotonic(), self._clock.time())
            self._changed.notify_all()
            return excused

    def wait(self, seconds: float) -> None:
        if self.stopped:
            raise _Stopped
        if isinstance(self._clock, SystemClock):
            self._stop.wait(seconds)  # the real clock's wait, cut short when the batch stops
        else:
            self._clock.sleep(seconds)  # a test's clock: its waits cost no real time anyway
        if self.stopped:
            raise _Stopped

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._stop.set()
            self._changed.notify_all()


def get_generations(
    sdk: OpenRouter,
    ids: Iterable[object],
    *,
    concurrency: int,
    on_result: Callable[[GenerationResult], object] | None,
    cache: GenerationCache | None,
    retries: RetryConfig | None,
    server_url: str | None,
    timeout_ms: int | None,
) -> list[GenerationResult]:
    """The sync batch: worker threads share the client's sync pool; the caller's thread reads
    the ids, keeps the books and calls `on_result`. An exception there (Ctrl-C, one raised by
    `on_result`) stops the workers: no attempt or wait begins after it, the attempts in flight
    end (each within its timeout), and it is raised once every worker has ended."""
    concurrency = check_concurrency(concurrency)
    options = _options(sdk, retries, server_url, timeout_ms)
    ledger = _Ledger(ids, options, cache, on_result)
    admission = _ThreadAdmission(sdk, BatchLimits(concurrency, options.retries, sdk._runtime.random))
    work: queue.SimpleQueue[str | None] = queue.SimpleQueue()
    done: queue.SimpleQueue[tuple[str, GenerationResult | BaseException]] = queue.SimpleQueue()

    def worker() -> None:
        while (id := work.get()) is not None:
            try:
                call = _new_call(sdk, id, options)
                done.put((id, _result(id, sdk._run(call, admission))))
            except _Stopped:
                return
            except (ValueError, TypeError) as exc:  # e.g. an id too long for a URL
                done.put((id, GenerationResult(id, error=exc)))
            except BaseException as exc:  # not the id's failure but the batch's: raised by the caller
                done.put((id, exc))
                return

    workers: list[threading.Thread] = []
    outstanding = 0
    try:
        while True:
            while outstanding < 2 * concurrency and (id := ledger.next_to_fetch()) is not None:
                work.put(id)
                outstanding += 1
                if len(workers) < min(concurrency, outstanding):
                    workers.append(threading.Thread(target=worker, name="openrouter-generations", daemon=True))
                    workers[-1].start()
            if outstanding == 0:
                break
            id, result = done.get()
            outstanding -= 1
            ledger.finish(id, _settled(result))
    except BaseException:
        admission.stop()
        raise
    finally:
        for _ in workers:
            work.put(None)
        for thread in workers:
            thread.join()
    return ledger.outcome()


# -- tasks -------------------------------------------------------------------------------------


class _TaskAdmission:
    """`BatchLimits` for worker tasks of one event loop, waiting on the client's clock."""

    def __init__(self, sdk: OpenRouter, limits: BatchLimits) -> None:
        import asyncio

        self._clock = sdk.clock
        self._limits = limits
        self._changed = asyncio.Event()

    async def acquire(self, call: Call[Any]) -> None:
        while True:
            changed = self._changed  # taken before asking: a release in between sets this one
            wait = self._limits.admit(call, self._clock.monotonic())
            if wait == 0.0:
                return
            if wait is None:
                await changed.wait()
            else:
                await self.wait(wait)

    def release(self, call: Call[Any], finished: bool) -> bool:
        import asyncio

        excused = self._limits.release(call, finished, self._clock.monotonic(), self._clock.time())
        self._changed.set()
        self._changed = asyncio.Event()
        return excused

    async def wait(self, seconds: float) -> None:
        await self._clock.sleep_async(seconds)


async def get_generations_async(
    sdk: OpenRouter,
    ids: Iterable[object],
    *,
    concurrency: int,
    on_result: Callable[[GenerationResult], object] | None,
    cache: GenerationCache | None,
    retries: RetryConfig | None,
    server_url: str | None,
    timeout_ms: int | None,
) -> list[GenerationResult]:
    """The async batch: at most `concurrency` worker tasks on the running loop. Cancelling it
    (or an exception from `on_result`) cancels them, waits for them to end, and raises."""
    import asyncio

    concurrency = check_concurrency(concurrency)
    options = _options(sdk, retries, server_url, timeout_ms)
    ledger = _Ledger(ids, options, cache, on_result)
    admission = _TaskAdmission(sdk, BatchLimits(concurrency, options.retries, sdk._runtime.random))
    work: asyncio.Queue[str] = asyncio.Queue()
    done: asyncio.Queue[tuple[str, GenerationResult | BaseException]] = asyncio.Queue()

    async def worker() -> None:
        while True:
            id = await work.get()
            try:
                call = _new_call(sdk, id, options)
                result: GenerationResult | BaseException = _result(id, await sdk._run_async(call, admission))
            except (ValueError, TypeError) as exc:
                result = GenerationResult(id, error=exc)
            except Exception as exc:  # not the id's failure but the batch's: raised by the caller
                done.put_nowait((id, exc))
                return
            done.put_nowait((id, result))

    workers: list[asyncio.Task[None]] = []
    outstanding = 0
    try:
        while True:
            while outstanding < 2 * concurrency and (id := ledger.next_to_fetch()) is not None:
                work.put_nowait(id)
                outstanding += 1
                if len(workers) < min(concurrency, outstanding):
                    workers.append(asyncio.ensure_future(worker()))
            if outstanding == 0:
                break
            id, result = await done.get()
            outstanding -= 1
            ledger.finish(id, _settled(result))
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return ledger.outcome()
