"""REST for wrap-up: my running wrap-ups and ending one, clients' disposition codes, presence history."""
from datetime import timedelta

import sqlalchemy as sa
from flask import g
from flask_babel import get_locale
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Agent, Role
from ..agents.presence_history import history
from ..agents.scope import agents_in_scope, scoped_client
from ..core.clock import utcnow
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..tickets import dispositions
from ..tickets.operations import Actor, update_ticket
from ..tickets.queries import get_visible_ticket
from . import operations, receivers, tasks  # noqa: F401  (signal receivers; jobs for the worker)
from .schemas import (DispositionCreateSchema, DispositionListArgs, DispositionNodeSchema, DispositionSchema,
                      DispositionUpdateSchema, PresenceHistoryArgs, PresenceHistorySchema, WrapUpEndSchema,
                      WrapUpEntrySchema)

blp = Blueprint('wrapup', __name__, url_prefix='/api/v1',
                description='Wrap-up after a contact, disposition codes and presence history')


@blp.route('/routing/wrapups', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, WrapUpEntrySchema(many=True))
def my_wrapups():
    """My running wrap-ups (each keeps one unit of my capacity on its channel)."""
    running = operations.running_of([g.current_agent.id]).get(g.current_agent.id, [])
    return [operations.wrapup_entry(w) for w in running]


@blp.route('/routing/wrapups/<big:wrapup_id>/end', methods=['POST'])
@require_role(Role.agent)
@blp.arguments(WrapUpEndSchema)
@blp.response(200, WrapUpEntrySchema)
def end_wrapup(data, wrapup_id):
    """End a wrap-up now (mine; supervisors: of their clients' agents), optionally setting the ticket's
    disposition code; routing offers the freed capacity at once. 409 when it has ended already."""
    wrap = operations.visible_wrapup(wrapup_id, g.current_agent)
    if 'disposition_id' in data:
        ticket = get_visible_ticket(g.current_agent, wrap.ticket_id, for_update=True)
        update_ticket(ticket, Actor.agent(g.current_agent), disposition_id=data['disposition_id'])
    operations.end_by(wrap, g.current_agent)
    db.session.commit()
    return operations.wrapup_entry(wrap)


# --- disposition codes -----------------------------------------------------------------------

def _language() -> str:
    return str(get_locale() or 'en')


@blp.route('/clients/<slug>/dispositions', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(DispositionListArgs, location='query')
@blp.response(200, DispositionNodeSchema(many=True))
def list_dispositions(args, slug):
    """The client's disposition codes as a two-level tree, labels in the reader's language."""
    client = scoped_client(slug)
    include_inactive = args['all'] and g.current_agent.has_role(Role.admin)
    return dispositions.tree(dispositions.dispositions_of(client.id, include_inactive), _language())


@blp.route('/clients/<slug>/dispositions', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(DispositionCreateSchema)
@blp.response(201, DispositionSchema)
def post_disposition(data, slug):
    """Add a code (top level, or under a top-level ``parent_id``) with its English and Spanish label."""
    client = scoped_client(slug)
    row = dispositions.create_disposition(client.id, data)
    db.session.commit()
    return dispositions._node(row, _language())


@blp.route('/clients/<slug>/dispositions/<int:disposition_id>', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(DispositionUpdateSchema)
@blp.response(200, DispositionSchema)
def patch_disposition(data, slug, disposition_id):
    """Change a code's labels, order, parent or active flag (an inactive code is no longer offered)."""
    client = scoped_client(slug)
    row = dispositions.update_disposition(dispositions.get_disposition(client.id, disposition_id), data)
    db.session.commit()
    return dispositions._node(row, _language())


@blp.route('/clients/<slug>/dispositions/<int:disposition_id>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(204)
def delete_disposition(slug, disposition_id):
    """Remove a code no ticket used (with its sub-codes); 409 otherwise: deactivate it instead."""
    client = scoped_client(slug)
    dispositions.delete_disposition(dispositions.get_disposition(client.id, disposition_id))
    db.session.commit()


# --- presence history --------------------------------------------------------------------------

@blp.route('/agents/<int:agent_id>/presence-history', methods=['GET'])
@require_role(Role.supervisor)
@blp.arguments(PresenceHistoryArgs, location='query')
@blp.response(200, PresenceHistorySchema)
def presence_history(args, agent_id):
    """The agent's presence over an interval: each stretch with its state, away reason, who set it, and the
    seconds it spent inside the interval; oldest first, a page at a time."""
    agent = db.session.scalar(agents_in_scope(sa.select(Agent).where(Agent.id == agent_id), g.current_agent))
    if agent is None:
        raise NotFound(_('No such agent.'))
    end = args.get('to') or utcnow()
    start = args.get('from_') or end - timedelta(hours=24)
    if start >= end:
        raise ValidationFailed(fields={'from': [_('Must be before "to".')]})
    items, next_cursor = history(agent.id, start, end, args.get('after'), args['limit'])
    return {'agent_id': agent.id, 'items': items, 'next_cursor': next_cursor}
