"""Admin management of clients and their keys."""
import sqlalchemy as sa
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import require_every_client, restrict, scoped_client
from ..core.extensions import db
from .models import Client
from . import tasks  # noqa: F401  (registers the housekeeping job)
from .operations import add_key, create_client, revoke_key, update_client
from .schemas import (ClientCreateSchema, ClientCreatedSchema, ClientOutSchema, ClientUpdateSchema, KeyOutSchema,
                      NewKeySchema)

blp = Blueprint('clients', __name__, url_prefix='/api/v1/clients', description='Clients and their keys (admins)')


def _fields(obj, schema) -> dict:
    """The attributes ``schema`` shows, still as Python values (the response schema dumps them)."""
    return {name: getattr(obj, name) for name in schema().fields}


@blp.route('', methods=['GET'])
@require_role(Role.supervisor)
@blp.response(200, ClientOutSchema(many=True))
def list_clients():
    """The clients I work for (secrets are never shown)."""
    return db.session.scalars(restrict(sa.select(Client), Client.id, g.current_agent).order_by(Client.name)).all()


@blp.route('', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(ClientCreateSchema)
@blp.response(201, ClientCreatedSchema)
def post_client(data):
    """Create a client and its first key; the secret is in this response only (needs an admin of every client)."""
    require_every_client(g.current_agent)
    client, key, secret = create_client(**data)
    db.session.commit()
    return {**_fields(client, ClientOutSchema), 'key_id': key.key_id, 'secret': secret}


@blp.route('/<slug>', methods=['GET'])
@require_role(Role.supervisor)
@blp.response(200, ClientOutSchema)
def get_client_view(slug):
    """One client I work for (secrets are never shown)."""
    return scoped_client(slug)


@blp.route('/<slug>', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(ClientUpdateSchema)
@blp.response(200, ClientOutSchema)
def patch_client(data, slug):
    """Change a client's name, language, rate limit, zone, catalogue of products and tags, contact
    e-mail, or pause it (``active``)."""
    client = update_client(scoped_client(slug), data)
    db.session.commit()
    return client


@blp.route('/<slug>/keys', methods=['POST'])
@require_role(Role.admin)
@blp.response(201, NewKeySchema)
def post_key(slug):
    """Add a second key to rotate without downtime (at most two are active)."""
    key, secret = add_key(scoped_client(slug))
    db.session.commit()
    return {**_fields(key, KeyOutSchema), 'secret': secret}


@blp.route('/<slug>/keys/<key_id>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(200, KeyOutSchema)
def delete_key(slug, key_id):
    """Revoke a key: requests signed with it are refused from now on."""
    key = revoke_key(scoped_client(slug), key_id)
    db.session.commit()
    return key
