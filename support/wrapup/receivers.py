"""How wrap-up reacts to routing, tickets and presence (inside the sender's transaction)."""
from ..agents.presence import Presence
from ..agents.signals import presence_changed
from ..routing import views as routing_views
from ..routing.signals import work_handed_off, work_resumed
from ..tickets.signals import ticket_updated
from . import operations
from .models import EndedBy


@work_handed_off.connect
def _on_handed_off(ticket, agent_id, channel, trigger, **kwargs) -> bool:
    """Keep the capacity taken while the agent wraps up (True tells routing not to free it)."""
    return operations.start(ticket, agent_id, channel, trigger) is not None


@work_resumed.connect
def _on_resumed(ticket, agent_id, channel, **kwargs) -> bool:
    return operations.hand_back(ticket, agent_id)


@ticket_updated.connect
def _on_ticket_updated(ticket, changes, actor=None, **kwargs):
    if 'disposition' in changes:
        operations.note_disposition(ticket, actor.id if actor is not None and actor.type == 'agent' else None)


@presence_changed.connect
def _on_presence_changed(state, **kwargs):
    if state.status == Presence.offline:
        operations.end_all_of(state.agent_id, EndedBy.offline)


@routing_views.presence_extra
def _running_wrapups(agent_ids) -> dict:
    """Presence entries show the running wrap-ups; the agent's activity reads "wrap_up" meanwhile."""
    running = operations.running_of(agent_ids)
    extras = {}
    for agent_id in agent_ids:
        wraps = running.get(agent_id, [])
        extras[agent_id] = {'wrapups': [operations.wrapup_entry(w) for w in wraps]}
        if wraps:
            extras[agent_id]['activity'] = 'wrap_up'
    return extras
