"""What a client receives right after connecting, before incremental events."""
import sqlalchemy as sa

from ..core.clock import utcnow
from ..core.extensions import db, socketio
from ..core.live import NAMESPACE
from ..tickets.models import Ticket
from ..tickets.states import ACTIVE


def supervisor_snapshot() -> dict:
    """Open work at a glance; the routing domain extends this with queues and agents."""
    rows = db.session.execute(
        sa.select(Ticket.status, sa.func.count(), sa.func.min(Ticket.created_at))
        .where(Ticket.status.in_(list(ACTIVE))).group_by(Ticket.status)).all()
    now = utcnow()
    return {'generated_at': now.isoformat(),
            'tickets': {status.value: {'count': count,
                                       'oldest_seconds': int((now - oldest).total_seconds()) if oldest else 0}
                        for status, count, oldest in rows}}


def send_supervisor_snapshot(sid: str) -> None:
    socketio.emit('queue.snapshot', supervisor_snapshot(), to=sid, namespace=NAMESPACE)
