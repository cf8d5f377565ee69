# SPDX-License-Identifier: MIT
"""Bounded caches: the one policy every cache cptkit keeps while reading and checking follows.

A cache that is full keeps what it has and stops adding: in a claim file, what comes first is
what repeats, so emptying it would throw the frequent entries away. What is not kept is
computed again each time it is asked for.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["CACHE_LIMIT", "keep"]

CACHE_LIMIT = 65536
"""Entries a cache holds at most unless its owner gives a smaller limit."""

_K = TypeVar("_K")
_V = TypeVar("_V")


def keep(cache: dict[_K, _V], key: _K, value: _V, limit: int | None = None) -> _V:
    """Store *value* under *key* unless *cache* holds *limit* entries (default
    :data:`CACHE_LIMIT`); return *value*."""
    if len(cache) < (CACHE_LIMIT if limit is None else limit):
        cache[key] = value
    return value
