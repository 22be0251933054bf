"""Wrap-up as live events: ``wrapup.started`` / ``wrapup.ended`` to the agent and the supervisors of the
ticket's client, and the agent's ``agent.presence`` again (its ``activity`` reads "wrap_up" meanwhile)."""
from ..agents.presence import AgentState
from ..agents.scope import client_rooms_of_agent
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..routing import views
from ..wrapup.operations import wrapup_entry
from ..wrapup.signals import wrapup_changed


@wrapup_changed.connect
def _on_wrapup(wrap, event, **kwargs):
    publish(db.session, f'wrapup.{event}', wrapup_entry(wrap),
            supervisor_rooms(wrap.client_id) + [agent_room(wrap.agent_id)])
    state = db.session.get(AgentState, wrap.agent_id)
    publish(db.session, 'agent.presence', views.presence_entry(state, wrap.agent_id),
            client_rooms_of_agent(wrap.agent_id) + [agent_room(wrap.agent_id)])
