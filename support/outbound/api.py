"""Admins configure outbound per client: sender identity, reply endpoints, acknowledgement texts."""
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..core.extensions import db
from . import admin
from .operations import settings_for
from .schemas import (EndpointInSchema, EndpointSchema, PreviewSchema, SettingsSchema, TemplateInSchema,
                      TemplateSchema)

blp = Blueprint('outbound', __name__, url_prefix='/api/v1/clients/<slug>/outbound',
                description='How replies and acknowledgements reach customers (admins)')


@blp.route('/settings', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, SettingsSchema)
def get_settings(slug):
    """The sender identity of e-mail replies and whether new tickets are acknowledged."""
    return settings_for(db.session, scoped_client(slug).id)


@blp.route('/settings', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
def patch_settings(data, slug):
    """Change any of them."""
    settings = admin.update_settings(scoped_client(slug), **data)
    db.session.commit()
    return settings


@blp.route('/endpoints', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, EndpointSchema(many=True))
def get_endpoints(slug):
    """Reply endpoints per channel (e-mail goes through SMTP and has none)."""
    return admin.list_endpoints(scoped_client(slug))


@blp.route('/endpoints/<channel>', methods=['PUT'])
@require_role(Role.admin)
@blp.arguments(EndpointInSchema)
@blp.response(200, EndpointSchema)
def put_endpoint(data, slug, channel):
    """Set where replies on ``channel`` are POSTed (signed with the client's key)."""
    endpoint = admin.put_endpoint(scoped_client(slug), admin.reply_channel(channel), **data)
    db.session.commit()
    return endpoint


@blp.route('/endpoints/<channel>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(204)
def delete_endpoint(slug, channel):
    """Stop sending replies on ``channel``."""
    admin.delete_endpoint(scoped_client(slug), admin.reply_channel(channel))
    db.session.commit()


@blp.route('/acknowledgements', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, TemplateSchema(many=True))
def get_templates(slug):
    """The acknowledgement in English and Spanish (the client's own text or the built-in one)."""
    return admin.templates_of(scoped_client(slug))


@blp.route('/acknowledgements/<language>', methods=['PUT'])
@require_role(Role.admin)
@blp.arguments(TemplateInSchema)
@blp.response(200, TemplateSchema)
def put_template(data, slug, language):
    """Use the client's own text; placeholders {number}, {subject}, {name}, {client}."""
    view = admin.put_template(scoped_client(slug), admin.language(language), **data)
    db.session.commit()
    return view


@blp.route('/acknowledgements/<language>', methods=['DELETE'])
@require_role(Role.admin)
@blp.response(200, TemplateSchema)
def reset_template(slug, language):
    """Go back to the built-in text."""
    view = admin.reset_template(scoped_client(slug), admin.language(language))
    db.session.commit()
    return view


@blp.route('/acknowledgements/<language>/preview', methods=['GET'])
@require_role(Role.admin)
@blp.response(200, PreviewSchema)
def preview_template(slug, language):
    """The acknowledgement filled with sample values."""
    return admin.preview(scoped_client(slug), admin.language(language))
