"""What client systems receive in webhook events: small, stable documents (see docs/outbound.md)."""
from sqlalchemy.orm import object_session


def ticket_data(ticket) -> dict:
    customer, assignee = ticket.customer, _assignee(ticket)
    return {
        'id': ticket.id, 'number': ticket.number, 'status': ticket.status.value, 'channel': ticket.channel.value,
        'language': ticket.language, 'priority': ticket.priority.value, 'subject': ticket.subject,
        'product': ticket.product, 'tags': list(ticket.tags or []), 'external_id': ticket.external_id,
        'customer': {'id': customer.id, 'name': customer.name, 'email': customer.email, 'phone': customer.phone,
                     'handle': customer.handle} if customer else None,
        'assignee': {'id': assignee.id, 'name': assignee.name} if assignee else None,
        'created_at': ticket.created_at.isoformat(), 'updated_at': ticket.updated_at.isoformat(),
        'fields': _fields(ticket),
    }


def _fields(ticket) -> dict:
    """The ticket's custom fields, ``{name: value}`` (support/tickets/fields.py)."""
    from ..tickets.fields import document
    return document(ticket)


def _assignee(ticket):
    """Read by id: routing sets ``assignee_id``, and a loaded ``assignee`` would be stale."""
    if ticket.assignee_id is None:
        return None
    from ..agents.models import Agent
    return object_session(ticket).get(Agent, ticket.assignee_id)


def message_data(message) -> dict:
    if message.author_agent_id is not None:
        author = {'type': 'agent', 'id': message.author_agent_id,
                  'name': message.author_agent.name if message.author_agent else None}
    elif message.author_customer_id is not None:
        author = {'type': 'customer', 'id': message.author_customer_id}
    else:
        author = {'type': 'system', 'id': None}
    return {'id': message.id, 'kind': message.kind.value, 'body': message.body, 'language': message.language,
            'author': author, 'created_at': message.created_at.isoformat()}


def actor_data(actor) -> dict | None:
    return {'type': actor.type, 'id': actor.id, 'name': actor.name} if actor is not None else None
