"""Per-client provider accounts: create, change, remove, and find the one a webhook is for."""
import hashlib
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..audit.operations import record
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import PROVIDER_ADDRESS, AddressKind, ChannelAddress, ChannelConfig, Provider

_EMAIL = re.compile(r'^[^@\s<>",;]{1,64}@[a-z0-9.-]{1,252}\.[a-z]{2,63}$')
_PAGE = re.compile(r'^\d{1,32}$')
_PHONE = re.compile(r'^\+[1-9]\d{6,14}$')


def normalise_address(kind: AddressKind, value: str) -> str | None:
    """The canonical form of an address, or ``None`` when it is not one."""
    value = (value or '').strip()
    if kind == AddressKind.email:
        value = value.lower()
        return value if _EMAIL.match(value) else None
    if kind == AddressKind.phone:
        value = re.sub(r'[\s().-]', '', value.removeprefix('whatsapp:'))
        return value if _PHONE.match(value) else None
    return value if _PAGE.match(value) else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_config(client: Client, provider: Provider, secret: str, addresses: list[str], *,
                  name: str | None = None, verify_token: str | None = None, account_sid: str | None = None,
                  public_url: str | None = None) -> tuple[ChannelConfig, str | None]:
    """A provider account for ``client``; for Meta also returns the verify token (shown once)."""
    if provider == Provider.meta and not verify_token:
        verify_token = secrets.token_urlsafe(24)
    config = ChannelConfig(client_id=client.id, provider=provider, name=name, secret=secret,
                           verify_token_hash=hash_token(verify_token) if verify_token else None,
                           account_sid=account_sid, public_url=public_url, created_at=utcnow(),
                           updated_at=utcnow())
    db.session.add(config)
    _set_addresses(config, addresses)
    _flush_or_conflict()
    _audit(config, 'channel.created', {'provider': provider.value, 'addresses': addresses})
    return config, verify_token if provider == Provider.meta else None


def _audit(config: ChannelConfig, action: str, detail: dict | None = None) -> None:
    record(action, target_type='channel_config', target_id=config.id, client_id=config.client_id, detail=detail)


def update_config(config: ChannelConfig, changes: dict) -> None:
    """Change a config; a new secret or verify token replaces the old one at once."""
    _check_fields_fit(config.provider, changes)
    _audit(config, 'channel.updated', {'changed': sorted(changes), 'secret_replaced': 'secret' in changes,
                                       'verify_token_replaced': 'verify_token' in changes})
    if 'verify_token' in changes:
        token = changes.pop('verify_token')
        config.verify_token_hash = hash_token(token) if token else None
    if 'addresses' in changes:
        _set_addresses(config, changes.pop('addresses'))
    for name, value in changes.items():
        setattr(config, name, value)
    config.updated_at = utcnow()
    _flush_or_conflict()


def _check_fields_fit(provider: Provider, changes: dict) -> None:
    wrong = {}
    if changes.get('verify_token') and provider != Provider.meta:
        wrong['verify_token'] = [_('Only Meta uses a verify token.')]
    for name in ('account_sid', 'public_url'):
        if changes.get(name) and provider != Provider.twilio:
            wrong[name] = [_('Only Twilio uses this field.')]
    if wrong:
        raise ValidationFailed(fields=wrong)


def delete_config(config: ChannelConfig) -> None:
    _audit(config, 'channel.deleted', {'provider': config.provider.value})
    db.session.delete(config)
    db.session.flush()


def _set_addresses(config: ChannelConfig, values: list[str]) -> None:
    kind = PROVIDER_ADDRESS[config.provider]
    wanted, bad = [], []
    for value in values:
        normal = normalise_address(kind, value)
        if normal is None:
            bad.append(value)
        elif normal not in wanted:
            wanted.append(normal)
    if bad:
        raise ValidationFailed(fields={'addresses': [
            _('Not a valid {kind}: {value}').format(kind=_address_label(kind), value=value) for value in bad]})
    taken = db.session.scalars(sa.select(ChannelAddress.value).where(
        ChannelAddress.kind == kind, ChannelAddress.value.in_(wanted),
        ChannelAddress.config_id != (config.id or 0))).all()
    if taken:
        raise Conflict(_('Already used by a channel configuration: {values}').format(values=', '.join(taken)),
                       code='address_taken', fields={'addresses': [_('Already taken.')]})
    keep = [a for a in config.addresses if a.value in wanted]
    config.addresses = keep + [ChannelAddress(kind=kind, value=v) for v in wanted
                               if v not in {a.value for a in keep}]


def _address_label(kind: AddressKind) -> str:
    return {AddressKind.email: _('email address'), AddressKind.page: _('page or account id'),
            AddressKind.phone: _('phone number in E.164 form (+15551234567)')}[kind]


def _flush_or_conflict() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('An address or verify token is already used by another channel configuration.'),
                       code='address_taken') from None


def get_config(client: Client, config_id: int) -> ChannelConfig:
    config = db.session.scalar(sa.select(ChannelConfig).filter_by(id=config_id, client_id=client.id))
    if config is None:
        raise NotFound(_('No such channel configuration.'))
    return config


def config_for_address(provider: Provider, value: str | None) -> ChannelConfig | None:
    """The active config of an active client that owns this address."""
    kind = PROVIDER_ADDRESS[provider]
    normal = normalise_address(kind, value or '')
    if normal is None:
        return None
    return db.session.scalar(
        sa.select(ChannelConfig).join(ChannelAddress).join(Client)
        .where(ChannelAddress.kind == kind, ChannelAddress.value == normal, ChannelConfig.provider == provider,
               ChannelConfig.active.is_(True), Client.active.is_(True)))


def config_for_verify_token(token: str) -> ChannelConfig | None:
    return db.session.scalar(
        sa.select(ChannelConfig).join(Client)
        .where(ChannelConfig.verify_token_hash == hash_token(token), ChannelConfig.provider == Provider.meta,
               ChannelConfig.active.is_(True), Client.active.is_(True)))
