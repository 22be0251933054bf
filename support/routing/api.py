"""REST for routing: presence, skills, away reasons, queues, offers, transfer and reassign."""
import sqlalchemy as sa
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.availability import add_away_reason, away_reasons, set_presence, update_skills
from ..agents.models import Agent, Role
from ..agents.scope import agents_in_scope, in_scope, require_every_client
from ..agents.presence import AgentState, Presence
from ..core.errors import Forbidden, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..tickets.payloads import ticket_summary
from ..tickets.schemas import TicketSummarySchema
from ..tickets.models import MessageKind
from ..tickets.operations import Actor, add_agent_message
from ..tickets.queries import get_visible_ticket
from . import operations, receivers, tasks, views  # noqa: F401  (signal receivers; jobs for the worker)
from .models import Queue
from .schemas import (AgentEntrySchema, AwayReasonCreatedSchema, AwayReasonOutSchema, AwayReasonSchema,
                      MeSchema, OfferSchema, OkSchema, PresenceEntrySchema, PresenceSchema, QueueCreateSchema,
                      QueueEntrySchema, ReassignSchema, SkillsSchema, TransferSchema)

blp = Blueprint('routing', __name__, url_prefix='/api/v1', description='Routing: presence, queues, offers, transfers')


@blp.after_app_request
def _route_after_request(response):
    """Route what this request's transaction left waiting (after its commit, before the next request)."""
    try:
        operations.run_pending()
    except Exception:  # routing must not break the response; the sweep retries
        db.session.rollback()
    return response


@blp.record_once
def _route_after_jobs(state):
    @state.app.teardown_appcontext
    def _route_pending(exc):
        if exc is None:
            operations.run_pending()


@blp.route('/routing/me', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, MeSchema)
def me():
    """My presence, capacities, load and pending offers."""
    return views.me_entry(g.current_agent)


def _change_presence(agent_id: int, data: dict):
    state = set_presence(agent_id, Presence(data['status']), data.get('reason'), actor_id=g.current_agent.id)
    db.session.commit()
    return views.presence_entry(db.session.get(AgentState, state.agent_id))


@blp.route('/routing/me/presence', methods=['PUT'])
@require_role(Role.agent)
@blp.arguments(PresenceSchema)
@blp.response(200, PresenceEntrySchema)
def put_my_presence(data):
    """Set my presence: available, away (with a reason) or offline."""
    return _change_presence(g.current_agent.id, data)


@blp.route('/routing/away-reasons', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, AwayReasonOutSchema(many=True))
def get_away_reasons():
    """Away reasons, labels in the caller's language."""
    return [{'code': code, 'label': label} for code, label in away_reasons().items()]


@blp.route('/routing/away-reasons', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(AwayReasonSchema)
@blp.response(201, AwayReasonCreatedSchema)
def post_away_reason(data):
    """Add a custom away reason (e.g. "lab") with its English and Spanish label."""
    reason = add_away_reason(data['code'], data['label_en'], data['label_es'])
    db.session.commit()
    return {'code': reason.code, 'label_en': reason.label_en, 'label_es': reason.label_es}


@blp.route('/routing/agents', methods=['GET'])
@require_role(Role.supervisor)
@blp.response(200, AgentEntrySchema(many=True))
def list_agents():
    """Every active agent: presence, skills, capacity, load and open tickets."""
    return views.agent_entries(views.routable_agents(g.current_agent), viewer=g.current_agent)


def _agent(agent_id: int) -> Agent:
    """An account the caller may manage (a restricted supervisor: one who serves one of their clients)."""
    agent = db.session.scalar(agents_in_scope(sa.select(Agent).where(Agent.id == agent_id), g.current_agent))
    if agent is None:
        raise NotFound(_('No such agent.'))
    return agent


@blp.route('/routing/agents/<int:agent_id>/presence', methods=['PUT'])
@require_role(Role.supervisor)
@blp.arguments(PresenceSchema)
@blp.response(200, PresenceEntrySchema)
def put_agent_presence(data, agent_id):
    """Set an agent's presence."""
    return _change_presence(_agent(agent_id).id, data)


@blp.route('/routing/agents/<int:agent_id>', methods=['PATCH'])
@require_role(Role.supervisor)
@blp.arguments(SkillsSchema)
@blp.response(200, AgentEntrySchema)
def patch_agent(data, agent_id):
    """Change an agent's languages, capacities, clients and products, live."""
    if 'clients' in data or 'all_clients' in data:
        require_every_client(g.current_agent)  # a restricted supervisor cannot hand out clients
    agent = update_skills(_agent(agent_id), data)
    db.session.commit()
    return views.agent_entries([agent], viewer=g.current_agent)[0]


@blp.route('/routing/queues', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, QueueEntrySchema(many=True))
def list_queues():
    """Queues with live figures (agents see the queues they serve)."""
    return views.queue_entries(agent=g.current_agent)


@blp.route('/routing/queues', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(QueueCreateSchema)
@blp.response(201, QueueEntrySchema)
def post_queue(data):
    """Define a queue (a rule: client, language and channel family, each optional) and its threshold."""
    client_id = None
    if not data['client']:
        require_every_client(g.current_agent)
    else:
        client = views.client_by_slug(data['client'])
        if client is None or not in_scope(g.current_agent, client.id):
            raise ValidationFailed(fields={'client': [_('Unknown client: {slug}.').format(slug=data['client'])]})
        client_id = client.id
    queue = operations.create_queue(data['name'], client_id, data['language'], data['family'],
                                    data['threshold_seconds'])
    db.session.commit()
    return views.queue_entries([queue.id])[0]


@blp.route('/routing/offers', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, OfferSchema(many=True))
def list_offers():
    """My pending offers."""
    return [views.offer_entry(o) for o in views.pending_offers(g.current_agent.id)]


@blp.route('/routing/offers/<big:offer_id>/accept', methods=['POST'])
@require_role(Role.agent)
@blp.response(200, TicketSummarySchema)
def accept(offer_id):
    """Accept an offer: the ticket is mine (409 when it expired or was taken back)."""
    ticket = operations.accept_offer(offer_id, g.current_agent)
    db.session.commit()
    return ticket_summary(ticket)


@blp.route('/routing/offers/<big:offer_id>/decline', methods=['POST'])
@require_role(Role.agent)
@blp.response(200, OkSchema)
def decline(offer_id):
    """Decline an offer: it goes to the next agent."""
    operations.decline_offer(offer_id, g.current_agent)
    db.session.commit()
    return {'ok': True}


def _ticket(agent: Agent, ticket_id: int):
    return get_visible_ticket(agent, ticket_id, for_update=True)


def _note(ticket, agent, note):
    if note:
        add_agent_message(ticket, agent, note, MessageKind.note)


@blp.route('/tickets/<big:ticket_id>/transfer', methods=['POST'])
@require_role(Role.agent)
@blp.arguments(TransferSchema)
@blp.response(200, TicketSummarySchema)
def transfer(data, ticket_id):
    """Hand a ticket to another agent or back to a queue (agents: only their own tickets)."""
    agent = g.current_agent
    ticket = _ticket(agent, ticket_id)
    if not agent.has_role(Role.supervisor) and ticket.assignee_id != agent.id:
        raise Forbidden(_('You can only transfer tickets assigned to you.'))
    if 'agent_id' in data:
        operations.transfer_to_agent(ticket, data['agent_id'], Actor.agent(agent))
    else:
        queue = db.session.get(Queue, data['queue_id'])
        if queue is None:
            raise ValidationFailed(fields={'queue_id': [_('No such queue.')]})
        operations.transfer_to_queue(ticket, queue, Actor.agent(agent))
    _note(ticket, agent, data.get('note'))
    db.session.commit()
    return ticket_summary(ticket)


@blp.route('/tickets/<big:ticket_id>/reassign', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(ReassignSchema)
@blp.response(200, TicketSummarySchema)
def reassign(data, ticket_id):
    """Give a ticket to another agent (supervisors only; agents get 403)."""
    ticket = _ticket(g.current_agent, ticket_id)
    operations.transfer_to_agent(ticket, data['agent_id'], Actor.agent(g.current_agent), via='reassign')
    _note(ticket, g.current_agent, data.get('note'))
    db.session.commit()
    return ticket_summary(ticket)
