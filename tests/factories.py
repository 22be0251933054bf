"""Objects with sensible defaults, built through the same operations the service uses."""
import itertools
import json
import time
from dataclasses import dataclass

from support.agents.auth import issue_token
from support.agents.operations import create_agent
from support.clients.operations import create_client
from support.core.extensions import db
from support.core.signing import sign
from support.sites.operations import get_or_create_site

_seq = itertools.count(1)


@dataclass
class ClientCreds:
    id: int
    slug: str
    key_id: str
    secret: str

    def headers(self, body: bytes, timestamp: int | None = None, **extra) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        return {'X-Support-Key': self.key_id, 'X-Support-Timestamp': str(timestamp),
                'X-Support-Signature': sign(self.secret, timestamp, body),
                'Content-Type': 'application/json', **extra}


@dataclass
class AgentLogin:
    id: int
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict:
        return {'Authorization': f'Bearer {self.token}'}


def ticket_body(**overrides) -> dict:
    body = {'subject': 'Modem keeps dropping', 'body': 'My internet disconnects every evening around eight.',
            'channel': 'email', 'customer': {'name': 'John Miller', 'email': f'john{next(_seq)}@example.com'}}
    body.update(overrides)
    return body


def _commit():
    """Commit and end the transaction, so this thread holds no SQLite lock while others work."""
    db.session.commit()
    db.session.close()


class Factories:
    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def client(self, slug=None, name=None, **kwargs) -> ClientCreds:
        slug = slug or f'client-{next(_seq)}'
        client, key, secret = create_client(name or slug.title(), slug, **kwargs)
        creds = ClientCreds(client.id, slug, key.key_id, secret)
        _commit()
        return creds

    def agent(self, role='agent', languages=('en',), password='password-123', **kwargs) -> AgentLogin:
        """An account; one given no ``clients`` serves every client (``all_clients``) unless told otherwise."""
        email = kwargs.pop('email', None) or f'agent{next(_seq)}@example.com'
        kwargs.setdefault('all_clients', not kwargs.get('clients'))
        if isinstance(kwargs.get('site'), str):
            get_or_create_site(kwargs['site'])  # sites are never created by naming them; tests make them here
        agent = create_agent(email, kwargs.pop('name', email.split('@')[0].title()), password, role,
                             languages, **kwargs)
        login = AgentLogin(agent.id, email, password, issue_token(agent))
        _commit()
        return login

    def post_ticket(self, creds: ClientCreds, headers=None, **overrides):
        # A trailing space per request: two equal tickets posted in one second are still two signatures
        # (the same signature twice is refused as a replay).
        raw = json.dumps(ticket_body(**overrides)).encode() + b' ' * (next(_seq) % 64)
        return self.http.post('/api/v1/intake/tickets', data=raw, headers=creds.headers(raw, **(headers or {})))

    def ticket(self, creds: ClientCreds | None = None, **overrides) -> dict:
        creds = creds or self.client()
        response = self.post_ticket(creds, **overrides)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
