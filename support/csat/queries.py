"""Reading the answers: a page of them, and the figures reports need (responses, average, share satisfied)."""
import sqlalchemy as sa

from ..agents.models import Agent
from ..agents.scope import restrict
from ..clients.models import Client
from ..core.extensions import db
from .models import SATISFIED, CsatResponse


def _filtered(query, viewer: Agent, args: dict):
    query = restrict(query, CsatResponse.client_id, viewer)
    if args.get('client'):
        query = query.where(CsatResponse.client_id == sa.select(Client.id).where(Client.slug == args['client'])
                            .scalar_subquery())
    for name, column in (('agent_id', CsatResponse.agent_id), ('channel', CsatResponse.channel),
                         ('language', CsatResponse.language), ('rating', CsatResponse.rating)):
        if args.get(name) is not None:
            query = query.where(column == args[name])
    if args.get('from_'):
        query = query.where(CsatResponse.answered_at >= args['from_'])
    if args.get('to'):
        query = query.where(CsatResponse.answered_at < args['to'])
    return query


def responses(viewer: Agent, args: dict) -> tuple[list[CsatResponse], int | None]:
    """A page of answers, newest first (keyset on the id)."""
    query = _filtered(sa.select(CsatResponse), viewer, args)
    if args.get('after'):
        query = query.where(CsatResponse.id < args['after'])
    limit = args['limit']
    rows = db.session.scalars(query.order_by(CsatResponse.id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    return rows, (rows[-1].id if more else None)


GROUP_COLUMNS = {'client': Client.slug, 'agent': CsatResponse.agent_id, 'channel': CsatResponse.channel,
                 'language': CsatResponse.language}


def summary(viewer: Agent, args: dict) -> list[dict]:
    """Per group (or overall): responses, mean rating, answers rated 4-5 and their share."""
    group = args.get('group')
    figures = [sa.func.count(CsatResponse.id).label('responses'), sa.func.avg(CsatResponse.rating).label('average'),
               sa.func.coalesce(sa.func.sum(sa.case((CsatResponse.rating >= SATISFIED, 1), else_=0)), 0)
               .label('satisfied')]
    key = GROUP_COLUMNS[group].label('key') if group else sa.literal(None).label('key')
    query = sa.select(key, *figures).select_from(CsatResponse)
    if group == 'client':
        query = query.join(Client, Client.id == CsatResponse.client_id)
    query = _filtered(query, viewer, args)
    if group:
        query = query.group_by(GROUP_COLUMNS[group]).order_by(GROUP_COLUMNS[group])
    rows = db.session.execute(query).all()
    labels = _labels(group, [row.key for row in rows])
    return [{'key': None if row.key is None else str(row.key), 'label': labels.get(row.key),
             'responses': row.responses, 'satisfied': int(row.satisfied),
             'average': round(float(row.average), 2) if row.average is not None else None,
             'satisfied_share': round(int(row.satisfied) / row.responses, 4) if row.responses else None}
            for row in rows]


def _labels(group: str | None, keys) -> dict:
    if group == 'agent':
        ids = [k for k in keys if k is not None]
        return {row.id: row.name for row in db.session.execute(sa.select(Agent.id, Agent.name).where(Agent.id.in_(ids)))}
    if group == 'client':
        return {row.slug: row.name for row in db.session.execute(sa.select(Client.slug, Client.name)
                                                                .where(Client.slug.in_(list(keys))))}
    return {}
