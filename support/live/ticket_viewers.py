"""Who has a ticket open: the console sends ``ticket.view`` / ``ticket.leave`` over ``/live``; everyone viewing the
ticket (room ``ticket:<id>``) receives ``ticket.viewers`` with the agents who have it open.

The console repeats ``ticket.view`` every ``HEARTBEAT`` seconds; a viewer not heard from for ``STALE`` seconds is
dropped (a worker that died cannot say goodbye). With ``SUPPORT_REDIS_URL`` the viewers are kept in Redis, so the
workers behind a load balancer share them (events cross through the Socket.IO message queue); else in the process.
"""
import json
import threading
import time

from flask import request, session
from flask_socketio import join_room, leave_room

from ..agents.models import Agent
from ..core.config import redis_prefix, setting
from ..core.errors import ApiError, Unauthorized
from ..core.extensions import db, socketio
from ..core.live import NAMESPACE

HEARTBEAT = 30
STALE = 75
SESSION_KEY = 'live_agent'


def ticket_room(ticket_id: int) -> str:
    return f'ticket:{ticket_id}'


class MemoryViewers:
    """Viewers in this process: ticket id -> {sid: (agent id, name, last seen)}."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rows: dict[int, dict[str, tuple]] = {}

    def add(self, ticket_id: int, sid: str, agent_id: int, name: str, now: float) -> None:
        with self._lock:
            self._rows.setdefault(ticket_id, {})[sid] = (agent_id, name, now)

    def remove(self, ticket_id: int, sid: str) -> None:
        with self._lock:
            rows = self._rows.get(ticket_id, {})
            rows.pop(sid, None)
            if not rows:
                self._rows.pop(ticket_id, None)

    def rows(self, ticket_id: int, now: float) -> list[tuple]:
        with self._lock:
            rows = self._rows.get(ticket_id, {})
            for sid in [s for s, row in rows.items() if now - row[2] > STALE]:
                del rows[sid]
            return list(rows.values())


class RedisViewers:
    """Viewers shared by every worker: a hash per ticket, sid -> [agent id, name, last seen]."""

    def __init__(self, url: str):
        import redis
        self._redis = redis.Redis.from_url(url)

    def _key(self, ticket_id: int) -> str:
        return f'{redis_prefix()}viewers:{ticket_id}'

    def add(self, ticket_id: int, sid: str, agent_id: int, name: str, now: float) -> None:
        key = self._key(ticket_id)
        self._redis.pipeline().hset(key, sid, json.dumps([agent_id, name, now])).expire(key, STALE * 2).execute()

    def remove(self, ticket_id: int, sid: str) -> None:
        self._redis.hdel(self._key(ticket_id), sid)

    def rows(self, ticket_id: int, now: float) -> list[tuple]:
        key, found, stale = self._key(ticket_id), [], []
        for sid, raw in self._redis.hgetall(key).items():
            agent_id, name, seen = json.loads(raw)
            (stale if now - seen > STALE else found).append((sid, (agent_id, name, seen)))
        if stale:
            self._redis.hdel(key, *[sid for sid, _row in stale])
        return [row for _sid, row in found]


_store = None
_store_lock = threading.Lock()
_watching: dict[str, set] = {}  # sid -> ticket ids it views (a socket lives in one process)


def store():
    global _store
    with _store_lock:
        url = setting('SUPPORT_REDIS_URL')
        wanted = RedisViewers if url else MemoryViewers
        if not isinstance(_store, wanted):
            _store = RedisViewers(url) if url else MemoryViewers()
        return _store


def viewers_of(ticket_id: int) -> list[dict]:
    """The agents who have the ticket open, once each (two tabs of one agent count once), by name."""
    agents = {agent_id: name for agent_id, name, _seen in store().rows(ticket_id, time.time())}
    return [{'id': agent_id, 'name': name} for agent_id, name in sorted(agents.items(), key=lambda a: a[1])]


def _broadcast(ticket_id: int) -> None:
    socketio.emit('ticket.viewers', {'ticket_id': ticket_id, 'viewers': viewers_of(ticket_id)},
                  to=ticket_room(ticket_id), namespace=NAMESPACE)


def _ticket_id(data) -> int | None:
    value = data.get('ticket_id') if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 63 else None


def _check(ticket_id: int) -> Agent:
    """The connected agent, if they may see the ticket (else ``ApiError``)."""
    from ..tickets.queries import get_visible_ticket
    agent_id = (session.get(SESSION_KEY) or [None])[0]
    agent = db.session.get(Agent, agent_id) if agent_id else None
    if agent is None or not agent.active:
        raise Unauthorized('unauthorized')
    get_visible_ticket(agent, ticket_id)
    return agent


@socketio.on('ticket.view', namespace=NAMESPACE)
def on_view(data=None):
    """Join the ticket's room and say so; the answer (ack) is ``{ok, viewers}`` or ``{ok: false, error}``."""
    ticket_id = _ticket_id(data)
    if ticket_id is None:
        return {'ok': False, 'error': 'ticket_id must be a ticket number'}
    try:
        agent = _check(ticket_id)
    except ApiError as exc:
        return {'ok': False, 'error': str(exc.message)}
    finally:
        db.session.remove()
    for other in _watching.get(request.sid, set()) - {ticket_id}:
        _leave(other, request.sid)  # one ticket at a time per connection
    join_room(ticket_room(ticket_id))
    _watching.setdefault(request.sid, set()).add(ticket_id)
    store().add(ticket_id, request.sid, agent.id, agent.name, time.time())
    _broadcast(ticket_id)
    return {'ok': True, 'viewers': viewers_of(ticket_id)}


@socketio.on('ticket.leave', namespace=NAMESPACE)
def on_leave(data=None):
    ticket_id = _ticket_id(data)
    if ticket_id is not None and ticket_id in _watching.get(request.sid, set()):
        _leave(ticket_id, request.sid)
    return {'ok': True}


def _leave(ticket_id: int, sid: str) -> None:
    _watching.get(sid, set()).discard(ticket_id)
    leave_room(ticket_room(ticket_id), sid=sid, namespace=NAMESPACE)
    store().remove(ticket_id, sid)
    _broadcast(ticket_id)


def forget_connection(sid: str) -> None:
    """A socket went away: it views nothing any more (called on disconnect)."""
    for ticket_id in _watching.pop(sid, set()):
        store().remove(ticket_id, sid)
        _broadcast(ticket_id)


@socketio.on('disconnect', namespace=NAMESPACE)
def on_disconnect(*args):
    forget_connection(request.sid)
