"""What the ``channel-add`` and ``channel-list`` CLI commands do."""
import click
import sqlalchemy as sa

from ..clients.models import Client
from ..core.errors import ApiError
from ..core.extensions import db
from .config import create_config
from .models import ChannelConfig, Provider
from .schemas import ChannelConfigCreatedSchema, ChannelConfigCreateSchema, ChannelConfigSchema


def _client(slug: str) -> Client:
    client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
    if client is None:
        raise click.UsageError(f'no client {slug}')
    return client


def add_channel(slug: str, provider: str, secret: str, addresses: list[str], **options) -> dict:
    from marshmallow import ValidationError
    client = _client(slug)
    given = {k: v for k, v in options.items() if v is not None}
    try:
        data = ChannelConfigCreateSchema().load({'provider': provider, 'secret': secret, 'addresses': addresses,
                                                 **given})
        config, verify_token = create_config(client, Provider(data.pop('provider')), data.pop('secret'),
                                             data.pop('addresses'), **data)
        db.session.commit()
    except ValidationError as exc:
        raise click.UsageError(str(exc.messages)) from None
    except ApiError as exc:
        raise click.UsageError(f'{exc.message} {exc.fields or ""}'.strip()) from None
    config.verify_token = verify_token
    return ChannelConfigCreatedSchema().dump(config)


def list_channels(slug: str) -> list[dict]:
    configs = db.session.scalars(sa.select(ChannelConfig).filter_by(client_id=_client(slug).id)
                                 .order_by(ChannelConfig.id)).all()
    return ChannelConfigSchema(many=True).dump(configs)
