import pytest

from support.core.extensions import db
from support.tickets.models import Ticket


class Macros:
    """Shortcuts for the macro tests, through the HTTP API."""

    def __init__(self, make, http):
        self.make, self.http = make, http
        self.acme = make.client('acme', name='Acme Cable', default_language='es')
        self.boss = make.agent(role='supervisor', clients=['acme'])
        self.admin = make.agent(role='admin')
        self.agent = make.agent(languages=['en', 'es'], name='Lucía Hernández', clients=['acme'])

    def create(self, who=None, expect=201, **body):
        body.setdefault('client', 'acme')
        response = self.http.post('/api/v1/macros', json=body, headers=(who or self.boss).headers)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def ticket(self, assign=True, **overrides):
        overrides.setdefault('language', 'es')
        overrides.setdefault('customer', {'name': 'María López', 'email': 'maria@example.com'})
        ticket = self.make.ticket(self.acme, **overrides)
        if assign:
            row = db.session.get(Ticket, ticket['id'])
            row.assignee_id = self.agent.id
            db.session.commit()
        return ticket

    def preview(self, ticket, macro, who=None):
        return self.http.get(f"/api/v1/tickets/{ticket['id']}/macros/{macro['id']}/preview",
                             headers=(who or self.agent).headers)

    def apply(self, ticket, macro, who=None, **body):
        return self.http.post(f"/api/v1/tickets/{ticket['id']}/macros/{macro['id']}/apply", json=body,
                              headers=(who or self.agent).headers)

    def detail(self, ticket, who=None):
        return self.http.get(f"/api/v1/tickets/{ticket['id']}", headers=(who or self.agent).headers).get_json()


@pytest.fixture
def macros(make, http):
    return Macros(make, http)
