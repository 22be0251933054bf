"""A small lab: one site (Polanco) with two modems, a far site, agents, a supervisor and an admin."""
from dataclasses import dataclass, field

import pytest

from support.core import live


@dataclass
class Lab:
    http: object
    make: object
    creds: object = None
    admin: object = None
    supervisor: object = None
    ana: object = None
    bob: object = None
    far: object = None
    site_id: int = 0
    far_site_id: int = 0
    model: dict = field(default_factory=dict)
    units: list = field(default_factory=list)

    def post(self, who, path, json=None, **kwargs):
        body = json if json is not None else {}
        return self.http.post(f'/api/v1/lab{path}', json=body, headers=who.headers, **kwargs)

    def get(self, who, path, **kwargs):
        return self.http.get(f'/api/v1/lab{path}', headers=who.headers, **kwargs)

    def checkout(self, who, unit, **body):
        return self.post(who, f'/units/{unit["id"]}/checkout', body)

    def checkin(self, who, unit, condition='good', **body):
        return self.post(who, f'/units/{unit["id"]}/checkin', dict(condition=condition, **body))

    def add_unit(self, tag, model=None, site_id=None, **body):
        response = self.post(self.admin, '/units', dict(asset_tag=tag, model_id=(model or self.model)['id'],
                                                        site_id=site_id or self.site_id, **body))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def unit(self, unit):
        return self.get(self.ana, f'/units/{unit["id"]}').get_json()

    def ticket(self, **overrides):
        overrides.setdefault('product', 'modem')
        ticket = self.make.ticket(self.creds, **overrides)
        return ticket


@pytest.fixture
def lab(app, make, http):
    lab = Lab(http, make)
    lab.creds = make.client(slug='northwind')
    lab.admin = make.agent(role='admin', site='Polanco', name='Ada Admin')
    lab.supervisor = make.agent(role='supervisor', site='Polanco', name='Sam Supervisor')
    lab.ana = make.agent(site='Polanco', name='Ana Agent')
    lab.bob = make.agent(site='Polanco', name='Bob Agent')
    lab.far = make.agent(site='Tijuana', name='Tina Far')
    sites = {s['name']: s['id'] for s in http.get('/api/v1/sites', headers=lab.admin.headers).get_json()}
    lab.site_id, lab.far_site_id = sites['Polanco'], sites['Tijuana']
    response = lab.post(lab.admin, '/models', {'maker': 'Arris', 'name': 'SB8200', 'category': 'modem',
                                               'client': 'northwind', 'product_lines': ['Modem', 'internet']})
    assert response.status_code == 201, response.get_json()
    lab.model = response.get_json()
    lab.units = [lab.add_unit('POL-001', serial='SN-A1', shelf='A1'), lab.add_unit('POL-002', serial='SN-A2')]
    return lab


@pytest.fixture
def events(monkeypatch):
    """Live events emitted after commit, as ``(name, payload, rooms)``."""
    sent = []
    monkeypatch.setattr(live, '_emitter', lambda name, payload, rooms: sent.append((name, payload, list(rooms))))
    return sent


def named(events, name):
    return [(payload, rooms) for event, payload, rooms in events if event == name]
