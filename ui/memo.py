"""Results shared by every session of the server process, without copying them through pickle.

Streamlit's st.cache_data hashes every argument with its own hasher and unpickles the result on every
hit: with ten sessions on one server, that was a fifth of the CPU a page view took. Here a key is built
from the arguments as they are (hashable values, tagged with their type; DataFrames and settings by a
content digest), one computation per key runs at a time (the other sessions wait for it instead of
computing it again), and each caller gets its own shallow copy: pandas' copy-on-write keeps whatever a
page does to its copy out of the shared result."""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

_SCALARS = frozenset(
    {str, int, float, bool, bytes, complex, date, datetime, time, timedelta, Decimal, type(None)}
)
_IMMUTABLE = (*_SCALARS, Enum, range)  # and their subclasses, for `private_copy`


class Shared:
    """At most `max_entries` results, least recently used dropped first. When a key carries a data
    version (`get(..., version=(path, *stamps))`), a newer version of the same path drops the older
    versions' entries: nobody asks for them again."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._versions: dict[Hashable, tuple] = {}  # key → its version, for keys that have one
        self._latest: dict[Any, tuple] = {}  # path → newest version seen
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, version: tuple | None = None) -> T:
        """The stored result for `key`, else `compute()` stored (an exception is not stored)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._entries:  # computed by another session while this one waited
                    self._entries.move_to_end(key)
                    return self._entries[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                self._store(key, value, version)
            return value

    def _store(self, key: Hashable, value: Any, version: tuple | None) -> None:
        if version is not None:
            path, latest = version[0], self._latest.get(version[0])
            if latest is None or version > latest:
                self._latest[path] = version
                if latest is not None:
                    for old in [k for k, v in self._versions.items() if v[0] == path and v < version]:
                        self._entries.pop(old, None)
                        del self._versions[old]
            self._versions[key] = version
        self._entries[key] = value
        while len(self._entries) > self.max_entries:
            old, _ = self._entries.popitem(last=False)
            self._versions.pop(old, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._versions.clear()
            self._latest.clear()

    def __len__(self) -> int:
        return len(self._entries)


def key_of(value: Any, digests: dict[type, Callable[[Any], str]]) -> Hashable:
    """A hashable key for an argument: equal keys for equal values of the same types (1, 1.0 and True
    differ), content digests for the types in `digests` (e.g. DataFrame, Settings)."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if kind is tuple or kind is list:
        return (kind, tuple(key_of(v, digests) for v in value))
    for base, digest in digests.items():
        if isinstance(value, base):
            return (base.__qualname__, digest(value))
    if isinstance(value, (list, tuple)):
        return (kind, tuple(key_of(v, digests) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), key_of(v, digests)) for k, v in value.items()))))
    if isinstance(value, (set, frozenset)):
        return (kind, tuple(sorted(repr(key_of(v, digests)) for v in value)))
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return key_of(pd.DataFrame({"v": np.asarray(value)}), digests) + (kind.__qualname__,)
    names = _field_names(kind)
    if names is not None:
        return (kind, tuple(key_of(getattr(value, name), digests) for name in names))
    hash(value)  # anything else must be hashable (TypeError otherwise: a bug in the caller's arguments)
    return (kind, value)


@functools.lru_cache(maxsize=256)
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for other types), looked up once per type."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def private_copy(value: T) -> T:
    """What a caller may change without touching the shared `value`: frames and series as shallow copies
    (copy-on-write), containers and dataclasses copied around them, immutable values as they are, and
    anything else deep-copied."""
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return value.copy(deep=False)
    if value is None or isinstance(value, _IMMUTABLE) or value is pd.NA or value is pd.NaT:
        return value
    if isinstance(value, np.generic):
        return value
    if isinstance(value, tuple):
        items = [private_copy(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # type: ignore[return-value]
    if isinstance(value, list):
        return [private_copy(v) for v in value]  # type: ignore[return-value]
    if type(value) is dict:
        return {k: private_copy(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, frozenset):
        return value
    if isinstance(value, set):
        return set(value)  # type: ignore[return-value]
    if isinstance(value, np.ndarray):
        return value.copy()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(out, f.name, private_copy(getattr(value, f.name)))
        return out
    return copy.deepcopy(value)
