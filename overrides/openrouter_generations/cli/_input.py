"""Reading ids: a plain list, or a log of completion responses (JSON lines with an "id")."""

from __future__ import annotations

import dataclasses
import json
import sys

__all__ = ["Ids", "UsageError", "read_ids"]


class UsageError(Exception):
    """A mistake of the caller's (a file, a key, a URL) that nothing was looked up for: exit 2."""


@dataclasses.dataclass
class Ids:
    ids: list[str]
    #: Ids that appeared more than once, looked up (and counted) once.
    duplicates: int = 0
    #: JSON lines with no string "id" (an error response in a log, say): skipped, and said so.
    without_id: int = 0


def read_ids(path: str) -> Ids:
    """The ids in `path` (`-`: stdin) in order, each once; blank lines and `#` comments skipped."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else _read_file(path)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{_name(path)} is not UTF-8 text") from None
    ids: dict[str, None] = {}
    total = without_id = 0
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                raise UsageError(f"{_name(path)}, line {number}: starts with '{{' but is not JSON") from None
            if not (isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]):
                without_id += 1
                continue
            line = record["id"]
        total += 1
        ids.setdefault(line)
    return Ids(list(ids), duplicates=total - len(ids), without_id=without_id)


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a file of ids") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _name(path: str) -> str:
    return "stdin" if path == "-" else path
