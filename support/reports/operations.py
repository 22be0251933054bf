"""From validated query arguments to ``ReportParams``: the reader's clients, the filter values
checked against what exists, the zone of the buckets."""
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..clients.models import Client
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .buckets import Interval
from .queries import ReportParams

FILTERS = ('client', 'language', 'channel', 'site', 'queue', 'agent', 'product', 'disposition')


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _clients_named(slugs: list[str], allowed: frozenset[int] | None) -> list[Client]:
    """The clients of a ``client`` filter: 422 on the field for a slug unknown or not the reader's."""
    found = {c.slug: c for c in db.session.scalars(sa.select(Client).where(Client.slug.in_(slugs)))}
    bad = [s for s in slugs if s not in found or (allowed is not None and found[s].id not in allowed)]
    if bad:
        raise ValidationFailed(fields={'client': [_('No such client: {slugs}.').format(slugs=', '.join(bad))]})
    return [found[s] for s in slugs]


def _zone(args: dict, clients: list[Client], allowed: frozenset[int] | None) -> ZoneInfo:
    if args.get('tz'):
        return ZoneInfo(args['tz'])
    if len(clients) == 1:
        return ZoneInfo(clients[0].timezone)
    if allowed is not None and len(allowed) == 1:
        client = db.session.get(Client, next(iter(allowed)))
        return ZoneInfo(client.timezone)
    return ZoneInfo('UTC')


def build_params(args: dict, allowed: frozenset[int] | None, language: str) -> ReportParams:
    """``ReportParams`` from the arguments of ``schemas.ReportArgs``; ``allowed`` are the reader's clients."""
    clients = _clients_named(args.get('client') or [], allowed)
    filters = {name: list(args[name]) for name in FILTERS if args.get(name)}
    return ReportParams(start=_aware(args['from_']), end=_aware(args['to']), group=tuple(args.get('group') or ()),
                        interval=Interval(args['interval']) if args.get('interval') else None,
                        zone=_zone(args, clients, allowed), filters=filters, client_ids=allowed,
                        language=language)
