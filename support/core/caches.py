"""Per-process caches register here, so tests (and a config reload) can forget them all at once."""
from typing import Callable

_clearers: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    if clear not in _clearers:
        _clearers.append(clear)
    return clear


def clear_all() -> None:
    for clear in _clearers:
        clear()


def register_dict(cache: dict) -> dict:
    """A plain dict as a per-process cache, emptied with the others."""
    register(cache.clear)
    return cache
