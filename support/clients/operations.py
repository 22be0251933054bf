"""Creating clients and rotating their keys; the cache of signing keys."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..audit.operations import record
from ..core.caches import TTLCache
from ..core.clock import utcnow
from ..core.db import Snapshot
from ..core.errors import Conflict, NotFound
from ..core.extensions import db
from ..core.i18n import _
from ..core.signing import new_key_id, new_secret
from .models import Client, ClientKey

MAX_ACTIVE_KEYS = 2


def create_client(name: str, slug: str, default_language: str = 'en', intake_rate_limit: str | None = None,
                  notify_email: str | None = None, wrapup_seconds: int = 60,
                  disposition_required: bool = False, csat_enabled: bool = False,
                  csat_delay_minutes: int = 60) -> tuple[Client, ClientKey, str]:
    """A new client with its first key; returns the secret, which is shown only now."""
    if db.session.scalar(sa.select(Client.id).filter_by(slug=slug)) is not None:
        raise Conflict(_('A client with the slug "{slug}" already exists.').format(slug=slug),
                       fields={'slug': [_('Already taken.')]})
    client = Client(name=name, slug=slug, default_language=default_language,
                    intake_rate_limit=intake_rate_limit, notify_email=notify_email, wrapup_seconds=wrapup_seconds,
                    disposition_required=disposition_required, csat_enabled=csat_enabled,
                    csat_delay_minutes=csat_delay_minutes)
    db.session.add(client)
    db.session.flush()
    record('client.created', target_type='client', target_id=slug, client_id=client.id)
    key, secret = _new_key(client)
    return client, key, secret


def update_client(client: Client, data: dict) -> Client:
    """Change the given fields (audited); catalogue entries are trimmed and kept once, in order."""
    for name in ('products', 'tags'):
        if name in data:
            data[name] = list(dict.fromkeys(v.strip().lower() if name == 'tags' else v.strip() for v in data[name]))
    changed = {k: {'before': getattr(client, k), 'after': v} for k, v in data.items() if getattr(client, k) != v}
    for name, value in data.items():
        setattr(client, name, value)
    record('client.updated', target_type='client', target_id=client.slug, client_id=client.id,
           detail={'changed': changed})
    return client


def add_key(client: Client) -> tuple[ClientKey, str]:
    """Another active key for rotation; refused when two are already active."""
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    active = db.session.scalar(sa.select(sa.func.count()).select_from(ClientKey)
                               .filter_by(client_id=client.id, active=True))
    if active >= MAX_ACTIVE_KEYS:
        raise Conflict(_('A client can hold at most {count} active keys; revoke one first.')
                       .format(count=MAX_ACTIVE_KEYS), code='too_many_keys')
    return _new_key(client)


def revoke_key(client: Client, key_id: str) -> ClientKey:
    key = db.session.scalar(sa.select(ClientKey).filter_by(client_id=client.id, key_id=key_id))
    if key is None:
        raise NotFound(_('No such key.'))
    key.active = False
    key.revoked_at = utcnow()
    record('client.key_revoked', target_type='client_key', target_id=key.key_id, client_id=client.id)
    return key


def replace_keys(client: Client) -> tuple[ClientKey, str]:
    """Revoke every active key and add a new one (a lost or leaked secret); returns the new secret."""
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    for key in db.session.scalars(sa.select(ClientKey).filter_by(client_id=client.id, active=True)):
        revoke_key(client, key.key_id)
    db.session.flush()
    return _new_key(client)


def _new_key(client: Client) -> tuple[ClientKey, str]:
    secret = new_secret()
    key = ClientKey(client=client, key_id=new_key_id(client.slug[:24]), secret=secret)
    db.session.add(key)
    db.session.flush()
    record('client.key_created', target_type='client_key', target_id=key.key_id, client_id=client.id)
    return key, secret


def get_client(slug: str) -> Client:
    """The client with this slug, or 404."""
    client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
    if client is None:
        raise NotFound(_('No such client.'))
    return client


@dataclass(frozen=True)
class SigningKey:
    """An active key as the signature check needs it: its secret and its (active) client."""

    key_id: str
    secret: str
    client: Snapshot


# key id -> SigningKey. A change to a client or any key forgets them all (it is rare); a revoked
# key is refused at once in this process and within SUPPORT_CACHE_SECONDS in the others (at once
# with Redis). Unknown keys are not remembered, so a new key works at once everywhere.
_signing_keys = TTLCache('clients.signing_keys')
_signing_keys.watch(Client, ClientKey)


def signing_key(key_id: str) -> SigningKey | None:
    """The active key ``key_id`` of an active client (cached per process; no query when cached)."""
    return _signing_keys.get(key_id, lambda: _load_signing_key(key_id), store=lambda found: found is not None)


def _load_signing_key(key_id: str) -> SigningKey | None:
    key = find_active_key(key_id)
    return SigningKey(key.key_id, key.secret, Snapshot(key.client)) if key is not None else None


def find_active_key(key_id: str) -> ClientKey | None:
    return db.session.scalar(
        sa.select(ClientKey).join(Client).options(contains_eager(ClientKey.client))
        .where(ClientKey.key_id == key_id, ClientKey.active.is_(True), Client.active.is_(True)))
