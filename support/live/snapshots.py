"""What a client receives right after connecting, before incremental events."""
import sqlalchemy as sa

from ..agents.scope import restrict
from ..core.clock import utcnow
from ..core.extensions import db, socketio
from ..core.live import NAMESPACE
from ..tickets.models import Ticket
from ..tickets.states import ACTIVE


def supervisor_snapshot(viewer) -> dict:
    """Queues, agents and open work at a glance (``queue.snapshot``), of the viewer's clients."""
    from ..routing.views import supervisor_snapshot as routing_snapshot
    return {**routing_snapshot(viewer), 'tickets': _open_work(viewer)}


def agent_snapshot(agent) -> dict:
    """The agent's presence, capacity, load and pending offers (``agent.snapshot``)."""
    from ..routing.views import me_entry
    return me_entry(agent)


def _open_work(viewer) -> dict:
    query = (sa.select(Ticket.status, sa.func.count(), sa.func.min(Ticket.created_at))
             .where(Ticket.status.in_(list(ACTIVE))).group_by(Ticket.status))
    rows = db.session.execute(restrict(query, Ticket.client_id, viewer)).all()
    now = utcnow()
    return {status.value: {'count': count, 'oldest_seconds': int((now - oldest).total_seconds()) if oldest else 0}
            for status, count, oldest in rows}


def send_supervisor_snapshot(sid: str, viewer) -> None:
    socketio.emit('queue.snapshot', supervisor_snapshot(viewer), to=sid, namespace=NAMESPACE)


def send_agent_snapshot(sid: str, agent) -> None:
    socketio.emit('agent.snapshot', agent_snapshot(agent), to=sid, namespace=NAMESPACE)
