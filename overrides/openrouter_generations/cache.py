"""A cache of generation records on SQLite: `get_generations(ids, cache=GenerationCache(path))`.

A generation's record does not change once it can be looked up, so a successful lookup never
needs to be made twice. The cache keeps the body exactly as the server sent it (a later version
of the spec parses it again with nothing lost), keyed by server URL and id, so a test server's
records never answer for production. Only successes are stored: an error, a 404 above all (not
queryable *yet*), is looked up again next time.

SQLite in WAL mode, so several processes may read and write one file at once. A cache that cannot
be used (a corrupt or unreadable file, a full disk) is never a crash or a wrong answer: it warns
once (`CacheWarning`) and the lookups go to the network.
"""

from __future__ import annotations

import os
import pathlib
import sqlite3
import threading
import time
import warnings

__all__ = ["CacheWarning", "GenerationCache", "default_cache_path"]

# How long a writer waits for another process's write to end before giving up on that write.
_BUSY_TIMEOUT_MS = 5_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    server_url TEXT NOT NULL,
    id TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (server_url, id)
) WITHOUT ROWID
"""


class CacheWarning(UserWarning):
    """The cache could not be used; lookups went to the network instead."""


def default_cache_path() -> pathlib.Path:
    """`$XDG_CACHE_HOME/openrouter-generations/generations.sqlite3` (`~/.cache/...` without it)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = pathlib.Path(base) if os.path.isabs(base) else pathlib.Path.home() / ".cache"
    return root / "openrouter-generations" / "generations.sqlite3"


class GenerationCache:
    """Generation bodies by (server URL, id), in one SQLite file (`default_cache_path()` if None).

    The file is opened on first use; one object may be shared by threads. `close()` (or `with`)
    closes it.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = pathlib.Path(path) if path is not None else default_cache_path()
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GenerationCache({str(self.path)!r})"

    def __enter__(self) -> GenerationCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    def get(self, server_url: str, id: str) -> bytes | None:
        """The stored body, or None (not stored, or the cache is unusable)."""
        with self._lock:
            try:
                db = self._open()
                if db is None:
                    return None
                # fetchall steps the statement to its end, so that no read stays open on this
                # connection while another process writes to the file.
                rows = db.execute(
                    "SELECT body FROM generations WHERE server_url = ? AND id = ?", (server_url.rstrip("/"), id)
                ).fetchall()
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
                return None
        return bytes(rows[0][0]) if rows and isinstance(rows[0][0], bytes) else None

    def put(self, server_url: str, id: str, body: bytes) -> None:
        """Stores a successful lookup's body (a failed write only warns)."""
        with self._lock:
            try:
                db = self._open()
                if db is None:
                    return
                with db:
                    db.execute(
                        "INSERT OR REPLACE INTO generations (server_url, id, body, stored_at) VALUES (?, ?, ?, ?)",
                        (server_url.rstrip("/"), id, body, time.time()),
                    )
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)

    def unreadable(self, id: str, exc: Exception) -> None:
        """A stored body this version cannot parse: said once; the id is looked up again."""
        warnings.warn(
            f"cached generation {id!r} in {self.path} could not be read ({type(exc).__name__}); looking it up again",
            CacheWarning,
            stacklevel=2,
        )

    def _open(self) -> sqlite3.Connection | None:
        """The connection, opened on first use; None once the cache was given up. A failure to
        open raises, for `get` or `put` to give up with the warning at their caller's line."""
        if self._broken:
            return None
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False)
            try:
                db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                db.execute("PRAGMA journal_mode = WAL")
                with db:
                    db.execute(_SCHEMA)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _give_up(self, exc: Exception) -> None:
        # stacklevel 3: the line that called `get` or `put`.
        self._broken = True
        if self._db is not None:
            self._db.close()
            self._db = None
        warnings.warn(
            f"the generation cache {self.path} cannot be used ({type(exc).__name__}: {exc}); "
            "looking generations up from the network instead (delete the file to start a new cache)",
            CacheWarning,
            stacklevel=3,
        )
