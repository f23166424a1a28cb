"""A response body read under a byte cap, its Content-Encoding undone here rather than by httpx.

httpx inflates each compressed chunk whole before handing it over, so a few kilobytes of gzip
can become gigabytes in memory before any cap is checked. Here every inflation step is told how
much room is left, and a body that would pass the cap stops growing at once. A body that cannot
be decoded (a broken stream, a coding we did not ask for) is kept as it arrived, with the reason.
"""

from __future__ import annotations

import zlib

__all__ = ["ACCEPT_ENCODING", "Body", "BodyTooLarge"]

#: What the client asks for, and so all it decodes: codings zlib, in the standard library, reads.
ACCEPT_ENCODING = "gzip, deflate"

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class BodyTooLarge(Exception):
    """The body, as decoded, would exceed the cap."""


class Body:
    """The bytes of one response as they arrive, and their decoded form, each at most `limit`."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.raw = bytearray()
        self.problem: str | None = None
        self._decoded = bytearray()
        self._inflater: zlib._Decompress | None = None
        self._coding = ""
        if not content_encoding:
            return  # the usual case: nothing to undo
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            self.problem = f"Content-Encoding {content_encoding!r}: stacked codings are refused"
        elif codings and codings[0] not in _WBITS:
            self.problem = f"Content-Encoding {codings[0]!r} was not asked for (Accept-Encoding: {ACCEPT_ENCODING})"
        elif codings:
            self._coding = codings[0]
            self._inflater = zlib.decompressobj(_WBITS[self._coding])

    def add(self, chunk: bytes) -> None:
        """Takes the next bytes off the wire; raises `BodyTooLarge` rather than pass the cap."""
        self.raw += chunk
        if len(self.raw) > self.limit:
            raise BodyTooLarge
        if self._inflater is not None and self.problem is None:
            self._inflate(chunk)

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        while data:
            room = self.limit - len(self._decoded)
            try:
                # At most room + 1 bytes come out; when that many do, the body is too large,
                # and otherwise all of `data` was consumed, up to the end of the stream.
                self._decoded += self._inflater.decompress(data, room + 1)
            except zlib.error as exc:
                if self._coding == "deflate" and not self._decoded:
                    # Many servers send raw deflate without the zlib header: try it that way once.
                    self._coding = "raw deflate"
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    data = bytes(self.raw)
                    continue
                self.problem = f"the {self._coding} body cannot be decoded ({exc})"
                return
            if len(self._decoded) > self.limit:
                raise BodyTooLarge
            data = self._inflater.unused_data  # bytes past the end of the stream
            if not data.strip(b"\0"):  # nothing, or the zero padding some gzip writers add
                return
            if "gzip" not in self._coding:
                self.problem = f"{len(data)} bytes follow the end of the {self._coding} stream"
                return
            self._inflater = zlib.decompressobj(_WBITS[self._coding])  # a gzip file may hold several members

    def content(self) -> bytes:
        """The decoded body; the bytes as they arrived when they could not be decoded."""
        if self._inflater is None or self.problem is not None or not self.raw:
            return bytes(self.raw)
        if not self._inflater.eof:
            self.problem = f"the {self._coding} body ends before its stream does"
            return bytes(self.raw)
        return bytes(self._decoded)
