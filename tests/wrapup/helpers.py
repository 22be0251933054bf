import sqlalchemy as sa

from support.core.extensions import db
from support.wrapup.models import WrapUp


def set_client(http, admin, slug, **fields):
    response = http.patch(f'/api/v1/clients/{slug}', json=fields, headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def reply_and_resolve(http, login, ticket_id, **extra):
    return http.post(f'/api/v1/tickets/{ticket_id}/messages', json={'body': 'Fixed, thanks.', 'status': 'resolved',
                                                                     **extra}, headers=login.headers)


def ticket(http, login, ticket_id):
    response = http.get(f'/api/v1/tickets/{ticket_id}', headers=login.headers)
    assert response.status_code == 200
    return response.get_json()


def wrapups(agent_id=None):
    db.session.expire_all()
    query = sa.select(WrapUp).order_by(WrapUp.id)
    if agent_id is not None:
        query = query.where(WrapUp.agent_id == agent_id)
    return list(db.session.scalars(query))
