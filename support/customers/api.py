"""Agents' REST API for customers: search, one customer, their story, duplicates, merge (docs/customers.md)."""
import sqlalchemy as sa
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..clients.models import Client
from ..core.extensions import db
from ..tickets.models import Ticket
from ..tickets.operations import Actor
from .operations import merge_customers
from .queries import duplicates, get_visible_customer, search_customers, timeline
from .schemas import (CustomerDetailSchema, CustomerListArgs, CustomerPageSchema, DuplicateSchema, MergeResultSchema,
                      MergeSchema, TimelineArgs, TimelinePageSchema)

blp = Blueprint('customers', __name__, url_prefix='/api/v1/customers',
                description="Customers: search, identities, their story across channels, merging duplicates")


def _with_client(customers):
    """Give each customer its client's slug, name and ticket count (what the schemas show), in two statements."""
    ids = [c.id for c in customers]
    clients = {row.id: row for row in db.session.execute(sa.select(Client.id, Client.slug, Client.name).where(
        Client.id.in_({c.client_id for c in customers}))).all()} if customers else {}
    counts = dict(db.session.execute(sa.select(Ticket.customer_id, sa.func.count()).where(
        Ticket.customer_id.in_(ids)).group_by(Ticket.customer_id)).all()) if ids else {}
    for customer in customers:
        client = clients.get(customer.client_id)
        customer.client_slug, customer.client_name = (client.slug, client.name) if client else (None, None)
        customer.ticket_count = counts.get(customer.id, 0)
    return customers


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(CustomerListArgs, location='query', as_kwargs=True)
@blp.response(200, CustomerPageSchema)
def list_customers(**args):
    """Customers by name, e-mail, phone or handle, newest first (keyset pages)."""
    customers, next_cursor = search_customers(g.current_agent, args)
    return {'items': _with_client(customers), 'next_cursor': next_cursor}


@blp.route('/<big:customer_id>', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, CustomerDetailSchema)
def get_customer(customer_id):
    """One customer with every identity (e-mail, phone, handle, chat id) and how many tickets."""
    return _with_client([get_visible_customer(g.current_agent, customer_id)])[0]


@blp.route('/<big:customer_id>/timeline', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(TimelineArgs, location='query', as_kwargs=True)
@blp.response(200, TimelinePageSchema)
def get_timeline(customer_id, **args):
    """The customer's story across channels, newest first: tickets, messages, calls, lab checkouts."""
    customer = get_visible_customer(g.current_agent, customer_id)
    items, next_cursor = timeline(g.current_agent, customer, args)
    return {'items': items, 'next_cursor': next_cursor}


@blp.route('/<big:customer_id>/duplicates', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, DuplicateSchema(many=True))
def get_duplicates(customer_id):
    """Other customers of the same client that share an e-mail or phone with this one (merge candidates)."""
    found = duplicates(g.current_agent, get_visible_customer(g.current_agent, customer_id))
    _with_client([entry['customer'] for entry in found])
    return found


@blp.route('/<big:customer_id>/merge', methods=['POST'])
@require_role(Role.agent)
@blp.arguments(MergeSchema)
@blp.response(200, MergeResultSchema)
def post_merge(data, customer_id):
    """Merge another customer of the same client into this one: identities, tickets and history move."""
    first, second = sorted((customer_id, data['customer_id']))  # lock in id order: two merges never deadlock
    locked = {c: get_visible_customer(g.current_agent, c, for_update=True) for c in dict.fromkeys((first, second))}
    detail = merge_customers(locked[customer_id], locked[data['customer_id']], Actor.agent(g.current_agent))
    db.session.commit()
    kept = _with_client([get_visible_customer(g.current_agent, customer_id)])[0]
    return {'customer': kept, **detail}
