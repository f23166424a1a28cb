"""The capped body reader on its own: what memory a refused body costs, and what a broken one says.

The client-level tests (test_hostile_responses.py) show the errors a caller gets; these pin the
part only the reader can show: that refusing a body never holds much more than the cap, however
late in the stream the body blows up.
"""

from __future__ import annotations

import gzip
import os
import tracemalloc
import zlib

import pytest

from openrouter_generations._body import ACCEPT_ENCODING, Body, BodyTooLarge

MiB = 1024 * 1024
CHUNK = 64 * 1024  # what a socket read hands over, at most


def _feed(body: Body, stream: bytes) -> None:
    for start in range(0, len(stream), CHUNK):
        body.add(stream[start : start + CHUNK])


def test_a_body_that_blows_up_late_is_refused_within_the_cap() -> None:
    """3 MiB that do not compress, then a bomb: the reader has used most of its room already.

    Each inflation step may produce only the room left, so the decoded body never passes the cap
    by more than a byte: memory stays within what arrived plus about twice the cap (the decoded
    bytes and one step's output), not the cap plus what was decoded before.
    """
    limit = 4 * MiB
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    stream = packer.compress(os.urandom(3 * MiB)) + packer.compress(b" " * (256 * MiB)) + packer.flush()
    body = Body("gzip", limit)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            _feed(body, stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(body.raw) + 2 * limit, f"peak {peak / MiB:.1f} MiB for a {limit / MiB:.0f} MiB cap"


def test_a_body_exactly_at_the_cap_is_kept_and_one_byte_more_is_refused() -> None:
    payload = b"x" * 1000
    for coding, stream in [(None, payload), ("gzip", gzip.compress(payload)), ("deflate", zlib.compress(payload))]:
        at_cap = Body(coding, len(payload))
        _feed(at_cap, stream)
        assert at_cap.problem is None
        assert at_cap.content() == payload
        with pytest.raises(BodyTooLarge):
            _feed(Body(coding, len(payload) - 1), stream)


@pytest.mark.parametrize(
    ("content_encoding", "problem"),
    [
        ("gzip, deflate", "Content-Encoding 'gzip, deflate': stacked codings are refused"),
        ("br", f"Content-Encoding 'br' was not asked for (Accept-Encoding: {ACCEPT_ENCODING})"),
        (" BR ,identity", f"Content-Encoding 'br' was not asked for (Accept-Encoding: {ACCEPT_ENCODING})"),
    ],
)
def test_a_coding_not_asked_for_is_kept_as_it_arrived_with_the_reason(content_encoding: str, problem: str) -> None:
    body = Body(content_encoding, 100)
    body.add(b'{"data": 1}')
    assert body.problem == problem
    assert body.content() == b'{"data": 1}'


def test_identity_and_empty_codings_are_no_coding() -> None:
    for content_encoding in (None, "", "identity", " Identity , ", ","):
        body = Body(content_encoding, 100)
        body.add(b"{}")
        assert (body.problem, body.content()) == (None, b"{}")


def test_an_empty_compressed_body_is_empty_not_a_broken_stream() -> None:
    """A 204-like empty body labelled gzip: nothing arrived, so nothing is wrong with it."""
    body = Body("gzip", 100)
    assert body.content() == b""
    assert body.problem is None
