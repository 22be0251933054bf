"""Live events of routing and presence (queued on the session, emitted after commit).

``queue.updated`` is coalesced: with ``SUPPORT_QUEUE_UPDATE_INTERVAL`` > 0 (default 1 s)
changed queues are recomputed and emitted at most once per interval per process, so
a burst of tickets costs one count per queue, not one per ticket.
"""
import threading
import time

from flask import current_app

from ..agents.scope import client_rooms_of_agent
from ..agents.signals import presence_changed
from ..core.extensions import db, socketio
from ..core.live import agent_room, publish, supervisor_rooms
from ..routing import settings, views
from ..routing.models import Queue
from ..routing.signals import offer_changed, queue_changed, ticket_routed
from ..tickets.payloads import ticket_summary

_dirty: set = set()
_lock = threading.Lock()
_ticker_started = False


@offer_changed.connect
def _on_offer(offer, event, **kwargs):
    rooms = supervisor_rooms(offer.ticket.client_id) + [agent_room(offer.agent_id)]
    publish(db.session, f'offer.{event}', views.offer_entry(offer), rooms)


@ticket_routed.connect
def _on_ticket_routed(ticket, event, extra, **kwargs):
    payload = {**ticket_summary(ticket), **extra}
    rooms = supervisor_rooms(ticket.client_id)
    for key in ('agent_id', 'previous_agent_id'):
        if extra.get(key):
            rooms.append(agent_room(extra[key]))
    publish(db.session, f'ticket.{event}', payload, rooms)


@presence_changed.connect
def _on_presence(state, **kwargs):
    rooms = client_rooms_of_agent(state.agent_id) + [agent_room(state.agent_id)]
    publish(db.session, 'agent.presence', views.presence_entry(state), rooms)


@queue_changed.connect
def _on_queue(queue_id, **kwargs):
    if settings.queue_update_interval() <= 0:
        for entry in views.queue_entries(None if queue_id is None else [queue_id]):
            publish(db.session, 'queue.updated', entry, _queue_rooms(entry))
        return
    with _lock:
        _dirty.add(queue_id)
    _start_ticker(current_app._get_current_object())


def _queue_rooms(entry: dict) -> list[str]:
    """A client's queue to that client's supervisors; a queue for every client only to those who see all."""
    queue = db.session.get(Queue, entry['id'])
    return supervisor_rooms(queue.client_id if queue else None)


def _start_ticker(app) -> None:
    global _ticker_started
    with _lock:
        if _ticker_started:
            return
        _ticker_started = True
    socketio.start_background_task(_tick_forever, app)


def _tick_forever(app) -> None:
    while True:
        time.sleep(max(0.1, app.config.get('SUPPORT_QUEUE_UPDATE_INTERVAL') or 1.0))
        try:
            with app.app_context():
                flush_queue_updates()
        except Exception:
            app.logger.exception('could not emit queue updates')


def flush_queue_updates() -> int:
    """Emit ``queue.updated`` for every queue changed since the last flush."""
    with _lock:
        dirty = set(_dirty)
        _dirty.clear()
    if not dirty:
        return 0
    entries = views.queue_entries(None if None in dirty else dirty)
    for entry in entries:
        publish(db.session, 'queue.updated', entry, _queue_rooms(entry))
    db.session.commit()
    db.session.remove()
    return len(entries)
