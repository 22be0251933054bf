import pytest

from support.core.extensions import db
from support.routing.models import Offer, RoutingItem


class Routing:
    """Shortcuts for routing tests, all through the HTTP API."""

    def __init__(self, make, http):
        self.make, self.http = make, http

    def agent(self, role='agent', languages=('en',), presence='available', capacities=None, **kwargs):
        login = self.make.agent(role=role, languages=languages, **kwargs)
        if capacities:
            self.supervisor_patch(login.id, capacities=capacities)
        if presence:
            self.presence(login, presence)
        return login

    @property
    def boss(self):
        if not hasattr(self, '_boss'):
            self._boss = self.make.agent(role='supervisor')
        return self._boss

    def supervisor_patch(self, agent_id, **body):
        response = self.http.patch(f'/api/v1/routing/agents/{agent_id}', json=body, headers=self.boss.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def presence(self, login, status, reason=None):
        body = {'status': status, **({'reason': reason} if reason else {})}
        response = self.http.put('/api/v1/routing/me/presence', json=body, headers=login.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def offers(self, login):
        response = self.http.get('/api/v1/routing/offers', headers=login.headers)
        assert response.status_code == 200
        return response.get_json()

    def me(self, login):
        return self.http.get('/api/v1/routing/me', headers=login.headers).get_json()

    def item(self, ticket_id) -> RoutingItem:
        db.session.expire_all()
        return db.session.get(RoutingItem, ticket_id)

    def offer_rows(self, ticket_id):
        db.session.expire_all()
        return list(db.session.query(Offer).filter_by(ticket_id=ticket_id).order_by(Offer.id))


@pytest.fixture
def routing(make, http):
    return Routing(make, http)
