"""REST for custom ticket fields: each client's definitions (docs/fields.md)."""
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..core.extensions import db
from . import fields as ticket_fields
from .fields_schemas import FieldCreateSchema, FieldListArgs, FieldSchema, FieldUpdateSchema

blp = Blueprint('fields', __name__, url_prefix='/api/v1/clients',
                description="Custom ticket fields: each client's definitions")


@blp.route('/<slug>/fields', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(FieldListArgs, location='query')
@blp.response(200, FieldSchema(many=True))
def list_fields(args, slug):
    """The client's custom fields in their order, labels in the reader's language (admins: inactive too)."""
    client = scoped_client(slug)
    include_inactive = args['all'] and g.current_agent.has_role(Role.admin)
    return [ticket_fields.definition_entry(row) for row in ticket_fields.definitions_of(client.id, include_inactive)]


@blp.route('/<slug>/fields', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(FieldCreateSchema)
@blp.response(201, FieldSchema)
def post_field(data, slug):
    """Add a field (a select field with its options), labels in English and Spanish; 409 when the name is taken."""
    client = scoped_client(slug)
    row = ticket_fields.create_field(client.id, data)
    db.session.commit()
    return ticket_fields.definition_entry(row)


@blp.route('/<slug>/fields/<int:field_id>', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, FieldSchema)
def get_field(slug, field_id):
    """One field of the client."""
    client = scoped_client(slug)
    return ticket_fields.definition_entry(ticket_fields.get_field(client.id, field_id))


@blp.route('/<slug>/fields/<int:field_id>', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(FieldUpdateSchema)
@blp.response(200, FieldSchema)
def patch_field(data, slug, field_id):
    """Change a field's labels, options, requirement, order or active flag (name and type stay); removing an
    option some ticket holds is a 409."""
    client = scoped_client(slug)
    row = ticket_fields.update_field(ticket_fields.get_field(client.id, field_id), data)
    db.session.commit()
    return ticket_fields.definition_entry(row)


@blp.route('/<slug>/fields/<int:field_id>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(204)
def delete_field(slug, field_id):
    """Remove a field no ticket holds a value of; 409 otherwise: deactivate it instead."""
    client = scoped_client(slug)
    ticket_fields.delete_field(ticket_fields.get_field(client.id, field_id))
    db.session.commit()
