# SPDX-License-Identifier: MIT
"""Loading the packaged dataset: a pure parser, a locator and a once-only, thread-safe cache.

* :func:`read_table` parses a text stream (no file system involved; tests feed it strings).
* :func:`open_packaged` finds a file next to this module with :mod:`importlib.resources`
  (works from a wheel, a zip or a vendored copy), checks its SHA-256 against the manifest and
  decodes it.
* :func:`cached` builds a table once under a lock and publishes it in one assignment.

Nothing here runs at import time: ``import cptkit`` opens no file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any, TextIO, TypeVar

from .errors import DatasetError

__all__ = [
    "cached",
    "manifest",
    "open_packaged",
    "optional_date",
    "optional_int",
    "read_table",
    "verify_packaged",
]

_T = TypeVar("_T")
_PACKAGE = __name__.rpartition(".")[0]  # "cptkit", or "acme._vendor.cptkit" when vendored
_LOCK = threading.RLock()  # re-entrant: a table may load the manifest while loading
_CACHE: dict[str, Any] = {}
CACHE = _CACHE  # read-only view for the loaders' fast path; only cached() and _clear() write


def _new_lock_in_child() -> None:
    # fork() copies the lock as it was: held, if another thread was loading a table at that
    # moment, and by a thread the child does not have, so the child's first load would wait
    # for ever. The child starts with a fresh lock (a half-built table is never in _CACHE).
    global _LOCK
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # pragma: no branch - absent on Windows only
    os.register_at_fork(after_in_child=_new_lock_in_child)


def read_table(
    stream: TextIO, filename: str, columns: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row of a cptkit CSV table.

    Lines starting with ``#`` before the header are the provenance header and are skipped.

    Raises:
        DatasetError: the header is not *columns*, or a row has the wrong number of fields.
    """
    line_number = 0
    header: list[str] | None = None
    reader = csv.reader(stream)
    for fields in reader:
        line_number = reader.line_num
        if header is None:
            if fields and fields[0].startswith("#"):
                continue
            header = fields
            if tuple(header) != columns:
                raise DatasetError(
                    f"{filename} line {line_number}: header {header!r} is not {list(columns)!r}"
                )
            continue
        if len(fields) != len(columns):
            raise DatasetError(
                f"{filename} line {line_number}: {len(fields)} fields, expected {len(columns)}"
            )
        yield line_number, dict(zip(columns, fields, strict=True))
    if header is None:
        raise DatasetError(f"{filename}: no header line (empty or truncated file)")


def optional_int(text: str, filename: str, line: int, field: str) -> int | None:
    """``""`` -> ``None``; ASCII digits -> ``int``; anything else raises :class:`DatasetError`."""
    if text == "":
        return None
    if not (text.isascii() and text.isdigit()):
        raise DatasetError(f"{filename} line {line}: {field} {text!r} is not a whole number")
    return int(text)


def optional_date(text: str, filename: str, line: int, field: str) -> datetime.date | None:
    """``""`` -> ``None``; ``YYYY-MM-DD`` -> a date; anything else raises DatasetError."""
    if text == "":
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DatasetError(f"{filename} line {line}: {field} {text!r} is not a date") from None


def _read_bytes(name: str) -> bytes:
    try:
        return resources.files(_PACKAGE).joinpath("data").joinpath(name).read_bytes()
    except OSError as err:
        raise DatasetError(f"{name}: packaged data file cannot be read ({err})") from None


def manifest() -> dict[str, Any]:
    """The packaged manifest (dataset version, editions, SHA-256 of every data file)."""
    return cached("manifest.json", _load_manifest)


def _load_manifest() -> dict[str, Any]:
    try:
        data = json.loads(_read_bytes("manifest.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DatasetError(f"manifest.json: not valid JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise DatasetError("manifest.json: no 'files' table")
    return data


def open_packaged(name: str) -> TextIO:
    """Open a packaged data file as text after checking it against the manifest.

    Raises:
        DatasetError: the file is missing, damaged, truncated or edited (its SHA-256 differs
            from the manifest).
    """
    expected = manifest()["files"].get(name)
    if expected is None:
        raise DatasetError(f"{name}: not listed in the packaged manifest")
    data = _read_bytes(name)
    if hashlib.sha256(data).hexdigest() != expected:
        raise DatasetError(
            f"{name}: SHA-256 does not match the manifest (damaged or edited data file)"
        )
    # Decoded as it is read, so a large table never sits in memory as one decoded string (the
    # hash check has already refused any file the build did not write as UTF-8).
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")


def verify_packaged() -> None:
    """Check every packaged data file against the manifest now (the command line does this
    before it prints anything, so damaged data is refused up front, not half-way through).

    Raises:
        DatasetError: naming the first file that is missing or damaged.
    """
    cached("verified", _verify)


def _verify() -> bool:
    for name, expected in sorted(manifest()["files"].items()):
        if hashlib.sha256(_read_bytes(name)).hexdigest() != expected:
            raise DatasetError(
                f"{name}: SHA-256 does not match the manifest (damaged or edited data file)"
            )
    return True


def cached(key: str, build: Callable[[], _T]) -> _T:
    """Return the value cached under *key*, building it once (check, lock, check again)."""
    try:
        return _CACHE[key]  # type: ignore[no-any-return]
    except KeyError:
        pass
    with _LOCK:
        if key not in _CACHE:
            value = build()
            _CACHE[key] = value  # published whole, after it is completely built
        return _CACHE[key]  # type: ignore[no-any-return]


def _clear() -> None:
    """Forget every loaded table (for tests only)."""
    with _LOCK:
        _CACHE.clear()
