"""How fast a batch may go (`_batch_limits.BatchLimits`), decision by decision, on a clock the test
sets: when an attempt may begin, how long the whole batch pauses after a 429, how many attempts
it then allows in flight and how fast it starts them, and which 429s are the batch's to wait out
rather than one of the call's retries. The end-to-end form of the same, on a rate-limited fake
server, is in test_bulk.py."""

from __future__ import annotations

import email.utils
import logging
from typing import Any

import httpx
import pytest

from openrouter_generations import utils
from openrouter_generations._batch_limits import BatchLimits

WALL = 1_800_000_000.0  # the wall clock (2027), for Retry-After dates


class _Options:
    logger = logging.getLogger("openrouter_generations")


class _Attempt:
    """The parts of a call that the batch reads: its last response, and whether it succeeded."""

    def __init__(self, id: str) -> None:
        self.response: httpx.Response | None = None
        self.options = _Options()
        self.method, self.target = "GET", f"/generation?id={id}"

    def succeeded(self) -> bool:
        return self.response is not None and self.response.status_code == 200


def _call(id: str = "gen-1") -> Any:
    return _Attempt(id)


def _limits(concurrency: int = 8, **retries: Any) -> BatchLimits:
    return BatchLimits(concurrency, utils.RetryConfig(**{"jitter": 0.0, **retries}), lambda: 0.5)


def _ok(limits: BatchLimits, call: Any, now: float) -> bool:
    assert limits.admit(call, now) == 0.0
    call.response = httpx.Response(200)
    return limits.release(call, True, now, WALL + now)


def _limited(limits: BatchLimits, call: Any, now: float, retry_after: str | None = "2") -> bool:
    """`call`, admitted before, answered 429 at `now`: whether the batch excuses it."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    call.response = httpx.Response(429, headers=headers)
    return limits.release(call, True, now, WALL + now)


def test_at_most_concurrency_attempts_are_in_flight_and_an_ending_one_makes_room() -> None:
    limits = _limits(concurrency=2)
    a, b, c = _call("a"), _call("b"), _call("c")
    assert limits.admit(a, 0.0) == 0.0
    assert limits.admit(b, 0.0) == 0.0
    assert limits.admit(c, 0.0) is None  # wait for one to end
    assert limits.in_flight == 2
    a.response = httpx.Response(200)
    assert limits.release(a, True, 0.1, WALL) is False
    assert limits.admit(c, 0.1) == 0.0  # no 429 yet: no pause and no pacing
    assert limits.in_flight == 2
    assert (limits.successes, limits.rate_limited) == (1, 0)


def test_an_attempt_that_did_not_finish_frees_its_place_and_is_not_excused() -> None:
    limits = _limits(concurrency=1)
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    call.response = httpx.Response(429, headers={"Retry-After": "2"})  # from before; this attempt failed
    assert limits.release(call, False, 0.1, WALL) is False
    assert limits.in_flight == 0
    assert limits.admit(_call("next"), 0.1) == 0.0  # no pause: nothing was rate-limited
    assert limits.rate_limited == 0


def test_a_429_pauses_the_whole_batch_for_retry_after_halves_the_window_and_paces_the_starts() -> None:
    limits = _limits(concurrency=8)
    for n in range(4):  # four answers accepted in the last second
        assert _ok(limits, _call(f"ok-{n}"), 0.1 * (n + 1)) is False
    limited = [_call(f"l-{n}") for n in range(3)]
    for call in limited:
        assert limits.admit(call, 0.5) == 0.0
    assert _limited(limits, limited[0], 0.5) is True  # the batch's to wait out, not a retry
    assert limits.window == 4.0
    assert limits.rate == pytest.approx(4 * 0.9)  # a little under the rate the server accepted
    # The other attempts of the same burst met the same limit: no second decrease.
    assert _limited(limits, limited[1], 0.5) is True
    assert _limited(limits, limited[2], 0.5) is True
    assert (limits.window, limits.rate_limited, limits.in_flight) == (4.0, 3, 0)
    # Everyone waits for the pause (Retry-After: 2), then starts are paced.
    assert limits.admit(_call("x"), 1.5) == 1.0
    first = _call("first")
    assert limits.admit(first, 2.5) == 0.0  # exactly at the pause's end
    assert limits.in_flight == 1
    assert limits.admit(_call("second"), 2.5) == pytest.approx(1 / 3.6)
    starts = [2.5 + n / 3.6 for n in range(1, 4)]
    for n, now in enumerate(starts):
        assert limits.admit(_call(f"paced-{n}"), now + 1e-9) == 0.0
    assert limits.in_flight == 4
    assert limits.admit(_call("fifth"), 10.0) is None  # the halved window is full


def test_successes_raise_the_window_and_the_pace_again_up_to_the_concurrency() -> None:
    limits = _limits(concurrency=4)
    assert _ok(limits, _call("ok"), 0.5) is False
    call = _call()
    assert limits.admit(call, 0.6) == 0.0
    _limited(limits, call, 0.6, retry_after="1")
    # One accepted answer in the last second: 0.9 a second, but never under 1 a second.
    assert (limits.window, limits.rate) == (2.0, 1.0)
    assert _ok(limits, _call("a"), 1.6) is False
    assert limits.window == 2.5  # + 1 / window
    assert limits.rate == pytest.approx(1.5)  # + 0.5 / rate
    assert _ok(limits, _call("b"), 3.0) is False
    assert limits.rate == pytest.approx(1.5 + 0.5 / 1.5)
    for n in range(20):
        _ok(limits, _call(f"more-{n}"), 5.0 + n)
    assert limits.window == 4.0  # never above the concurrency


def test_without_a_success_in_the_last_second_the_pace_halves_down_to_one_a_second() -> None:
    limits = _limits(concurrency=64)
    for n in range(10):
        _ok(limits, _call(f"ok-{n}"), 0.05 * n)
    first = _call("first")
    assert limits.admit(first, 0.5) == 0.0
    _limited(limits, first, 0.5, retry_after="1")
    assert limits.rate == pytest.approx(9.0)  # 10 accepted in the last second, less 10 %
    # A success older than the window no longer counts as accepted.
    second = _call("second")
    assert limits.admit(second, 1.6) == 0.0
    _limited(limits, second, 1.6, retry_after="1")
    assert limits.rate == pytest.approx(4.5)
    for n, expected in enumerate([2.25, 1.125, 1.0, 1.0]):
        call = _call(f"again-{n}")
        now = 3.0 + 2 * n
        assert limits.admit(call, now) == 0.0
        _limited(limits, call, now, retry_after="1")
        assert limits.rate == pytest.approx(expected)
    assert limits.window == 1.0  # halved each time, never under one attempt in flight
    assert limits.admit(_call("alone"), 100.0) == 0.0
    assert limits.admit(_call("waits"), 200.0) is None


def test_the_accepted_rate_counts_only_the_successes_of_the_last_second() -> None:
    limits = _limits(concurrency=64)
    for now in (0.0, 1.0, 1.2, 1.5, 1.9):
        _ok(limits, _call(), now)
    call = _call()
    assert limits.admit(call, 2.0) == 0.0
    _limited(limits, call, 2.0, retry_after="1")
    assert limits.rate == pytest.approx(3 * 0.9)  # the success at 1.0 is a second old: not counted


def test_a_429_without_retry_after_pauses_the_backoff_longer_each_time_until_a_success() -> None:
    limits = _limits(concurrency=8)
    pauses = []
    now = 0.0
    for n in range(3):
        call = _call(f"l-{n}")
        assert limits.admit(call, now) == 0.0
        assert _limited(limits, call, now, retry_after=None) is True
        pauses.append(limits.admit(_call(), now))
        now = limits.paused_until
    assert pauses == [0.5, 1.0, 2.0]  # the policy's backoff: 500 ms, doubling
    _ok(limits, _call("ok"), now)
    call = _call("after")
    assert limits.admit(call, now) == 0.0
    _limited(limits, call, now, retry_after=None)
    assert limits.admit(_call(), now) == 0.5  # a success starts the backoff over


def test_a_retry_after_longer_than_the_policy_waits_is_the_calls_own_to_end() -> None:
    limits = _limits(concurrency=8, max_retry_after=1_000)
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    assert _limited(limits, call, 0.0, retry_after="2") is False
    assert limits.rate_limited == 1
    assert limits.admit(_call(), 0.0) == 0.0  # the batch does not pause for it
    assert limits.window == 8.0
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    assert _limited(limits, call, 0.0, retry_after="1") is True  # exactly the longest wait: waited out


@pytest.mark.parametrize(
    "retries", [{"strategy": "none"}, {"statuses": frozenset({500, 503})}], ids=["no-retries", "429-not-retried"]
)
def test_a_policy_that_does_not_retry_429_leaves_the_call_to_end_but_the_batch_still_pauses(
    retries: dict[str, Any],
) -> None:
    limits = _limits(concurrency=8, **retries)
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    assert _limited(limits, call, 0.0) is False
    assert limits.admit(_call(), 0.0) == 2.0


def test_a_call_is_excused_again_only_once_the_batch_made_progress() -> None:
    limits = _limits(concurrency=8)
    call = _call()
    for now in (0.0, 2.0):
        assert limits.admit(call, now) == 0.0
        excused = _limited(limits, call, now)
        assert excused is (now == 0.0)  # the second 429, with no success between: its own retry
    _ok(limits, _call("other"), 4.0)
    assert limits.admit(call, 4.0) == 0.0
    assert _limited(limits, call, 4.0) is True  # a call succeeded since: the batch's again
    _ok(limits, _call("another"), 6.0)
    assert limits.admit(call, 7.0) == 0.0  # paced: one start a second
    assert _limited(limits, call, 7.0) is True  # and again after the next success
    assert limits.successes == 2


@pytest.mark.parametrize("outcome", [200, 500, None])
def test_any_other_outcome_of_a_call_ends_its_excuse(outcome: int | None) -> None:
    limits = _limits(concurrency=8)
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    assert _limited(limits, call, 0.0) is True
    assert limits.admit(call, 2.0) == 0.0
    call.response = httpx.Response(outcome) if outcome is not None else None
    assert limits.release(call, outcome is not None, 2.0, WALL) is False
    assert limits.admit(call, 3.0) == 0.0
    # A 429 after a success, an error or a failed attempt of its own is the batch's again (for
    # the 200: the batch made progress; for the others: the call spent its own retry meanwhile).
    assert _limited(limits, call, 3.0) is True


def test_the_log_line_says_the_new_bound_on_requests_in_flight(caplog: pytest.LogCaptureFixture) -> None:
    limits = _limits(concurrency=3)
    call = _call("gen-x")
    assert limits.admit(call, 0.0) == 0.0
    with caplog.at_level(logging.INFO, logger="openrouter_generations"):
        _limited(limits, call, 0.0, retry_after="1")
        again = _call("gen-y")
        assert limits.admit(again, 1.0) == 0.0
        _limited(limits, again, 1.0, retry_after="1")  # exactly as the pause ends: a new one begins
    assert [r.getMessage() for r in caplog.records] == [
        "GET /generation?id=gen-x answered status 429: the batch pauses 1.000 s, then allows 1 requests in flight",
        "GET /generation?id=gen-y answered status 429: the batch pauses 1.000 s, then allows 1 requests in flight",
    ]
    assert caplog.records[0].levelno == logging.INFO


def test_a_retry_after_date_is_read_on_the_wall_clock() -> None:
    limits = _limits(concurrency=8)
    call = _call()
    assert limits.admit(call, 10.0) == 0.0
    assert _limited(limits, call, 10.0, retry_after=email.utils.formatdate(WALL + 10.0 + 3, usegmt=True)) is True
    assert limits.admit(_call(), 10.0) == 3.0


def test_a_first_answer_that_is_an_error_is_the_calls_own() -> None:
    limits = _limits(concurrency=8)
    call = _call()
    assert limits.admit(call, 0.0) == 0.0
    call.response = httpx.Response(500)
    assert limits.release(call, True, 0.0, WALL) is False
    assert limits.admit(_call(), 0.0) == 0.0  # no pause
    assert (limits.rate_limited, limits.window) == (0, 8.0)


def test_an_attempt_begun_before_the_last_decrease_does_not_decrease_again() -> None:
    limits = _limits(concurrency=8)
    early, late = _call("early"), _call("late")
    assert limits.admit(early, 0.0) == 0.0
    _limited(limits, early, 0.0, retry_after="1")
    assert limits.window == 4.0
    assert limits.admit(early, 1.0) == 0.0
    assert limits.admit(late, 1.0) == 0.0
    _limited(limits, early, 1.0, retry_after="1")
    assert limits.window == 2.0
    _limited(limits, late, 1.0, retry_after="1")  # begun before that decrease: met the same limit
    assert limits.window == 2.0
