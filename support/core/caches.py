"""Per-process caches of what intake reads on every request and rarely changes.

Each cache is a :class:`TTLCache`: entries live ``SUPPORT_CACHE_SECONDS`` (default 5 s).
A cache *watches* the models it is built from: when a session flushes a change to one of
them (insert, update, delete through the ORM), this process forgets the matching entries at
once and again when the transaction commits, so the next request in this process reads the
new rows. Other processes forget them when the TTL runs out, or at once when Redis is
configured (``SUPPORT_REDIS_URL``): every forget is published on a Redis channel that each
process listens to. A generation number stops a request that loaded the old row before the
change from storing it after the forget.

Caches register here too, so tests (and a config reload) can forget them all at once.
"""
import logging
import threading
import time
from typing import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .config import redis_prefix, setting

log = logging.getLogger(__name__)
DEFAULT_SECONDS = 5.0
_MISSING = object()
_clearers: list[Callable[[], None]] = []
_named: dict[str, 'TTLCache'] = {}
_watchers: list[tuple[tuple[type, ...], 'TTLCache', Callable]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    if clear not in _clearers:
        _clearers.append(clear)
    return clear


def clear_all() -> None:
    for clear in _clearers:
        clear()


def ttl_seconds() -> float:
    """``SUPPORT_CACHE_SECONDS``: how long another process may go on using an entry after a change."""
    try:
        return float(setting('SUPPORT_CACHE_SECONDS', DEFAULT_SECONDS))
    except RuntimeError:  # outside an app context
        return DEFAULT_SECONDS


class TTLCache:
    """``get(key, load)``: the cached value, else ``load()`` stored for ``seconds`` (the TTL setting)."""

    def __init__(self, name: str, seconds: Callable[[], float] = ttl_seconds, maxsize: int = 10_000):
        self.name, self._seconds, self._maxsize = name, seconds, maxsize
        self._data: dict = {}
        self._generation = 0
        self._lock = threading.Lock()
        _named[name] = self
        register(self.clear)

    def get(self, key: Hashable, load: Callable, store: Callable[[object], bool] = lambda value: True):
        """``store(value)`` False: hand the value out without keeping it (e.g. "nobody" only)."""
        entry = self._data.get(key, _MISSING)
        now = time.monotonic()
        if entry is not _MISSING and entry[0] > now:
            return entry[1]
        generation = self._generation
        value = load()
        if store(value):
            self.put(key, value, generation, now)
        return value

    @property
    def generation(self) -> int:
        """Pass it to ``put`` after loading, so a forget that happened meanwhile wins."""
        return self._generation

    def put(self, key, value, generation: int | None = None, now: float | None = None) -> None:
        with self._lock:
            if generation is not None and generation != self._generation:
                return  # forgotten while we loaded: the value may predate the change
            if len(self._data) >= self._maxsize:
                self._data.clear()
            self._data[key] = ((now or time.monotonic()) + self._seconds(), value)

    def forget(self, key: Hashable | None = None, publish: bool = True) -> None:
        """Forget one key (``None``: everything) here, and in every process when Redis is configured."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._data.clear()
            else:
                self._data.pop(key, None)
        if publish:
            _publish(self.name, key)

    def clear(self) -> None:
        self.forget(None, publish=False)

    def watch(self, *models: type, key: Callable = lambda obj: None) -> None:
        """Forget ``key(obj)`` whenever a session flushes a change to an instance of ``models``."""
        _watchers.append((models, self, key))


# --- invalidation by the ORM ------------------------------------------------------------

_PENDING = 'caches_to_forget'


@event.listens_for(Session, 'after_flush')
def _forget_changed(session, flush_context):
    if not _watchers:
        return
    changed = [*session.new, *session.dirty, *session.deleted]
    for models, cache, key in _watchers:
        for obj in changed:
            if isinstance(obj, models) and (obj not in session.dirty or session.is_modified(obj)):
                forget_key = key(obj)
                cache.forget(forget_key)
                session.info.setdefault(_PENDING, set()).add((cache.name, forget_key))


@event.listens_for(Session, 'after_commit')
def _forget_again_after_commit(session):
    """A request that read the old row between the flush and the commit may have stored it: forget again."""
    if session.in_nested_transaction():
        return
    for name, key in session.info.pop(_PENDING, ()) or ():
        _named[name].forget(key)


@event.listens_for(Session, 'after_soft_rollback')
def _drop_pending(session, previous_transaction):
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


# --- across processes, through Redis ------------------------------------------------------

CHANNEL = 'support:caches'
_listening: dict[str, bool] = {}


def _redis_url() -> str | None:
    try:
        return setting('SUPPORT_REDIS_URL') or None
    except RuntimeError:
        return None


def shared_invalidation() -> bool:
    """Whether forgets reach every process at once (Redis configured); else the TTL bounds staleness."""
    return bool(_redis_url())


def _channel() -> str:
    return redis_prefix() + CHANNEL


def _publish(name: str, key) -> None:
    url = _redis_url()
    if not url:
        return
    try:
        from .replay import _redis
        _redis(url).publish(_channel(), _encode(name, key))
    except Exception:  # the TTL still bounds how long other processes keep the entry
        log.warning('could not publish a cache invalidation', exc_info=True)


def _encode(name: str, key) -> str:
    import json
    return json.dumps([name, list(key) if isinstance(key, tuple) else key])


def listen(url: str, channel: str) -> None:
    """Start (once per process) the thread that forgets what other processes publish."""
    if _listening.get(channel):
        return
    _listening[channel] = True
    thread = threading.Thread(target=_listen_forever, args=(url, channel), name='cache-invalidation', daemon=True)
    thread.start()


def _listen_forever(url: str, channel: str) -> None:
    import json

    import redis
    while True:
        try:
            pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            for message in pubsub.listen():
                name, key = json.loads(message['data'])
                if name in _named:
                    _named[name].forget(tuple(key) if isinstance(key, list) else key, publish=False)
        except Exception:
            log.warning('cache invalidation listener lost Redis; retrying', exc_info=True)
            clear_all()  # we may have missed messages
            time.sleep(1)


def init_app(app) -> None:
    """A new app forgets what an earlier app of this process cached (its ids belong to another database, as when
    a command or a test builds a second app); with Redis configured, listen for other processes' invalidations
    (from the first request on)."""
    clear_all()
    url = app.config.get('SUPPORT_REDIS_URL')
    if not url:
        return
    channel = redis_prefix(app.config) + CHANNEL

    @app.before_request
    def _start_listening():
        listen(url, channel)


def register_dict(cache: dict) -> dict:
    """A plain dict as a per-process cache, emptied with the others."""
    register(cache.clear)
    return cache
