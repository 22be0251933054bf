"""Creating and changing agents."""
import sqlalchemy as sa

from ..clients.models import Client
from ..core.errors import Conflict, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..sites.operations import get_or_create_site
from .auth import hash_password
from .models import Agent, Role


def create_agent(email: str, name: str, password: str, role: Role = Role.agent, languages=('en',),
                 site: str | None = None, locale: str | None = None, clients=(), active: bool = True) -> Agent:
    """A new login; the site is created when new. Not committed."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(_('An account with this e-mail already exists.'), fields={'email': [_('Already taken.')]})
    agent = Agent(email=email, name=name, password_hash=hash_password(password), role=Role(role),
                  languages=sorted(set(languages)), locale=locale, active=active)
    if site:
        agent.site = get_or_create_site(site)
    agent.clients = _clients_by_slug(clients)
    db.session.add(agent)
    db.session.flush()
    return agent


def update_agent(agent: Agent, data: dict) -> Agent:
    for attr in ('name', 'locale', 'active'):
        if attr in data:
            setattr(agent, attr, data[attr])
    if 'role' in data:
        agent.role = Role(data['role'])
    if 'languages' in data:
        agent.languages = sorted(set(data['languages']))
    if 'site' in data:
        agent.site = get_or_create_site(data['site']) if data['site'] else None
    if 'clients' in data:
        agent.clients = _clients_by_slug(data['clients'])
    if 'password' in data or data.get('active') is False:
        if 'password' in data:
            agent.password_hash = hash_password(data['password'])
        agent.token_version += 1  # log out everywhere
    return agent


def _clients_by_slug(slugs) -> list[Client]:
    slugs = list(dict.fromkeys(slugs))
    found = list(db.session.scalars(sa.select(Client).where(Client.slug.in_(slugs)))) if slugs else []
    missing = sorted(set(slugs) - {c.slug for c in found})
    if missing:
        raise ValidationFailed(fields={'clients': [_('Unknown client: {slug}.').format(slug=s) for s in missing]})
    return found
