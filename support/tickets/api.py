"""Agents' REST API for tickets: list, read, change, reply, note."""
from flask import current_app, g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.extensions import db
from .models import MessageKind, Priority
from .operations import UNSET, Actor, add_agent_message, update_ticket
from .queries import get_visible_ticket, history_page, search_tickets, tag_suggestions, thread_page
from .schemas import (EventListArgs, EventPageSchema, MessageCreateSchema, MessageListArgs, MessagePageSchema,
                      MessageSchema, TagArgs, TagSuggestionSchema, TicketDetailSchema,
                      TicketListArgs, TicketPageSchema, TicketUpdateSchema)
from .states import Status

blp = Blueprint('tickets', __name__, url_prefix='/api/v1/tickets', description='Tickets, messages and history')


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(TicketListArgs(), location='query', as_kwargs=True)  # an instance: not built per request
@blp.response(200, TicketPageSchema)
def list_tickets(**args):
    """List tickets, newest first (or by SLA due time), with filters and a cursor (docs/lists.md)."""
    items, next_cursor = search_tickets(g.current_agent, args)
    return current_app.json.response({'items': items, 'next_cursor': next_cursor})  # items already in shape


@blp.route('/tags', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(TagArgs, location='query', as_kwargs=True)
@blp.response(200, TagSuggestionSchema(many=True))
def list_tags(client, prefix=''):
    """Autocompletion: the client's tags starting with `prefix`, most used first (its latest 1,000 tickets),
    then those of its catalogue no recent ticket carries."""
    return tag_suggestions(g.current_agent, client, prefix)


@blp.route('/<big:ticket_id>', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, TicketDetailSchema)
def get_ticket(ticket_id):
    """One ticket with its messages and its history."""
    return get_visible_ticket(g.current_agent, ticket_id)


@blp.route('/<big:ticket_id>/messages', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(MessageListArgs, location='query', as_kwargs=True)
@blp.response(200, MessagePageSchema)
def list_messages(ticket_id, limit, after=None):
    """The ticket's messages, oldest first, a page at a time (pass `next_cursor` as `after`)."""
    items, next_cursor = thread_page(get_visible_ticket(g.current_agent, ticket_id), after, limit)
    return {'items': items, 'next_cursor': next_cursor}


@blp.route('/<big:ticket_id>/events', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(EventListArgs, location='query', as_kwargs=True)
@blp.response(200, EventPageSchema)
def list_events(ticket_id, limit, after=None):
    """The ticket's history, oldest first, a page at a time (pass `next_cursor` as `after`)."""
    items, next_cursor = history_page(get_visible_ticket(g.current_agent, ticket_id), after, limit)
    return {'items': items, 'next_cursor': next_cursor}


@blp.route('/<big:ticket_id>', methods=['PATCH'])
@require_role(Role.agent)
@blp.arguments(TicketUpdateSchema)
@blp.response(200, TicketDetailSchema)
def patch_ticket(data, ticket_id):
    """Change status, priority, tags, product, disposition code or custom fields; an illegal status move is a
    409; resolving without the disposition code or a field the client requires before resolve is a 422, and so
    is an unknown field name or a value that does not fit its field (each named under `fields`)."""
    ticket = get_visible_ticket(g.current_agent, ticket_id, for_update=True)
    update_ticket(ticket, Actor.agent(g.current_agent),
                  status=Status(data['status']) if 'status' in data else None,
                  priority=Priority(data['priority']) if 'priority' in data else None,
                  tags=data.get('tags'), product=data.get('product'),
                  disposition_id=data['disposition_id'] if 'disposition_id' in data else UNSET,
                  fields=data.get('custom_fields'))
    db.session.commit()
    return ticket


@blp.route('/<big:ticket_id>/messages', methods=['POST'])
@require_role(Role.agent)
@blp.arguments(MessageCreateSchema)
@blp.response(201, MessageSchema)
def post_message(data, ticket_id):
    """Reply to the customer (``kind: reply``) or add an internal note (``kind: note``)."""
    ticket = get_visible_ticket(g.current_agent, ticket_id, for_update=True)
    kind = MessageKind.outbound if data['kind'] == 'reply' else MessageKind.note
    if 'disposition_id' in data:
        update_ticket(ticket, Actor.agent(g.current_agent), disposition_id=data['disposition_id'])
    message = add_agent_message(ticket, g.current_agent, data['body'], kind,
                                status=Status(data['status']) if data.get('status') else None)
    db.session.commit()
    return message
