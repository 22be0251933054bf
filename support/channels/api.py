"""Channel routes: provider webhooks under ``/api/v1/channels`` and the admins'
per-client channel configuration under ``/api/v1/clients/<slug>/channels``."""
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..core.errors import NotFound
from ..core.extensions import db
from ..core.i18n import _
from ..tickets.queries import get_visible_ticket
from . import chat, email, meta, phone, tasks, twilio  # noqa: F401  (tasks registers a periodic job)
from .config import create_config, delete_config, get_config, update_config
from .models import Attachment, ChannelConfig, Provider
from .schemas import (ChannelConfigCreatedSchema, ChannelConfigCreateSchema, ChannelConfigSchema,
                      ChannelConfigUpdateSchema)

webhooks_blp = Blueprint('channels', __name__, url_prefix='/api/v1/channels',
                         description='Inbound channels: provider webhooks in their own formats')
config_blp = Blueprint('channel_configs', __name__, url_prefix='/api/v1/clients',
                       description="Clients' channel configuration (admins)")

for adapter in (email, meta, twilio, chat, phone):
    adapter.register(webhooks_blp)


@webhooks_blp.route('/attachments/<big:attachment_id>', methods=['GET'])
@require_role(Role.agent)
@webhooks_blp.response(200, {'type': 'string', 'format': 'binary'}, content_type='application/octet-stream')
def download_attachment(attachment_id):
    """An attachment's bytes, for agents who may see its ticket."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_('No such attachment.'))
    get_visible_ticket(g.current_agent, attachment.message.ticket_id)
    return Response(attachment.data, mimetype=attachment.content_type, headers={
        'Content-Disposition': f'attachment; filename="{_ascii(attachment.filename)}"; '
                               f"filename*=UTF-8''{quote(attachment.filename)}",
        'X-Content-Type-Options': 'nosniff'})


def _ascii(name: str) -> str:
    return name.encode('ascii', 'replace').decode().replace('"', "'").replace('?', '_')


@config_blp.route('/<slug>/channels', methods=['GET'])
@require_role(Role.admin)
@config_blp.response(200, ChannelConfigSchema(many=True))
def list_configs(slug):
    """A client's provider accounts (secrets are never shown)."""
    return db.session.scalars(sa.select(ChannelConfig).filter_by(client_id=scoped_client(slug).id)
                              .order_by(ChannelConfig.id)).all()


@config_blp.route('/<slug>/channels', methods=['POST'])
@require_role(Role.admin)
@config_blp.arguments(ChannelConfigCreateSchema)
@config_blp.response(201, ChannelConfigCreatedSchema)
def post_config(data, slug):
    """Add a provider account; a generated Meta verify token is in this response only."""
    provider = Provider(data.pop('provider'))
    config, verify_token = create_config(scoped_client(slug), provider, data.pop('secret'), data.pop('addresses'),
                                         **data)
    db.session.commit()
    config.verify_token = verify_token  # read once by the response schema, never stored
    return config


@config_blp.route('/<slug>/channels/<int:config_id>', methods=['GET'])
@require_role(Role.admin)
@config_blp.response(200, ChannelConfigSchema)
def get_one(slug, config_id):
    """One provider account."""
    return get_config(scoped_client(slug), config_id)


@config_blp.route('/<slug>/channels/<int:config_id>', methods=['PATCH'])
@require_role(Role.admin)
@config_blp.arguments(ChannelConfigUpdateSchema)
@config_blp.response(200, ChannelConfigSchema)
def patch_config(data, slug, config_id):
    """Change a provider account: rotate its secret, change addresses, pause it."""
    config = get_config(scoped_client(slug), config_id)
    update_config(config, data)
    db.session.commit()
    return config


@config_blp.route('/<slug>/channels/<int:config_id>', methods=['DELETE'])
@require_role(Role.admin)
@config_blp.response(204)
def delete_one(slug, config_id):
    """Remove a provider account: its webhooks are refused from now on."""
    delete_config(get_config(scoped_client(slug), config_id))
    db.session.commit()
