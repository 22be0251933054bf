"""Creating and changing agents."""
import sqlalchemy as sa

from ..audit.operations import record
from ..clients.models import Client
from ..core.errors import Conflict, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..sites.operations import find_site
from .auth import hash_password
from .models import Agent, Role

# What an audit entry says changed about an account (never the password itself).
_AUDITED = ('name', 'role', 'languages', 'locale', 'site', 'clients', 'all_clients', 'active')


def create_agent(email: str, name: str, password: str, role: Role = Role.agent, languages=('en',),
                 site: int | str | None = None, locale: str | None = None, clients=(), active: bool = True,
                 all_clients: bool = False) -> Agent:
    """A new login, serving ``clients`` (or every client with ``all_clients``). Not committed."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(_('An account with this e-mail already exists.'), fields={'email': [_('Already taken.')]})
    agent = Agent(email=email, name=name, password_hash=hash_password(password), role=Role(role),
                  languages=sorted(set(languages)), locale=locale, active=active, all_clients=all_clients)
    if site is not None:
        agent.site = find_site(site)
    agent.clients = _clients_by_slug(clients)
    db.session.add(agent)
    db.session.flush()
    record('agent.created', target_type='agent', target_id=agent.id, detail=_audited(agent))
    return agent


def update_agent(agent: Agent, data: dict) -> Agent:
    before = _audited(agent)
    for attr in ('name', 'locale', 'active'):
        if attr in data:
            setattr(agent, attr, data[attr])
    if 'role' in data:
        agent.role = Role(data['role'])
    if 'languages' in data:
        agent.languages = sorted(set(data['languages']))
    if 'site' in data:
        agent.site = find_site(data['site']) if data['site'] is not None else None
    if 'clients' in data or 'all_clients' in data:
        set_clients(agent, data)
    if 'password' in data or data.get('active') is False:
        if 'password' in data:
            agent.password_hash = hash_password(data['password'])
        agent.token_version += 1  # log out everywhere
    after = _audited(agent)
    changed = {k: {'before': before[k], 'after': after[k]} for k in _AUDITED if before[k] != after[k]}
    record('agent.updated', target_type='agent', target_id=agent.id,
           detail={'changed': changed, 'password_changed': 'password' in data})
    return agent


def set_clients(agent: Agent, data: dict) -> None:
    """``clients`` replaces the list and, unless ``all_clients`` comes too, means exactly those clients."""
    if 'clients' in data:
        agent.clients = _clients_by_slug(data['clients'])
    agent.all_clients = data.get('all_clients', False if 'clients' in data else agent.all_clients)


def _audited(agent: Agent) -> dict:
    return {'name': agent.name, 'role': Role(agent.role).value, 'languages': list(agent.languages or []),
            'locale': agent.locale, 'site': agent.site.name if agent.site else None,
            'clients': sorted(c.slug for c in agent.clients), 'all_clients': bool(agent.all_clients),
            'active': agent.active}


def _clients_by_slug(slugs) -> list[Client]:
    slugs = list(dict.fromkeys(slugs))
    found = list(db.session.scalars(sa.select(Client).where(Client.slug.in_(slugs)))) if slugs else []
    missing = sorted(set(slugs) - {c.slug for c in found})
    if missing:
        raise ValidationFailed(fields={'clients': [_('Unknown client: {slug}.').format(slug=s) for s in missing]})
    return found
