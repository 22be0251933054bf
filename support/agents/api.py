"""Login (token and session), the caller's own profile, and admin management of agents and lockouts."""
import sqlalchemy as sa
from flask import current_app, g
from flask_login import logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..core.access import public
from ..core.errors import NotFound
from ..core.extensions import db
from ..core.i18n import _
from . import throttle, twofactor
from .availability import sign_out
from .auth import authenticate, issue_token, require_role, start_session
from .models import Agent, Role
from .operations import create_agent, update_agent
from .schemas import (AgentOutSchema, AgentSchema, AgentUpdateSchema, CsrfSchema, LiftedSchema, LiftSchema,
                      LockoutSchema, MeUpdateSchema, TokenRequestSchema, TokenSchema)
from .scope import agents_in_scope, require_every_client
from .tokens import ACCOUNT, ANY

auth_blp = Blueprint('auth', __name__, url_prefix='/api/v1/auth', description='Log in and get a token')
agents_blp = Blueprint('agents', __name__, url_prefix='/api/v1/agents', description='Agents (admins)')


@auth_blp.route('/token', methods=['POST'])
@public
@auth_blp.arguments(TokenRequestSchema)
@auth_blp.response(200, TokenSchema)
def token(data):
    """Exchange e-mail and password (and ``otp`` when two-factor is on) for a bearer token.

    Failed attempts are limited per account and per address: past the limit the answer is a
    429 with ``Retry-After``, the same for accounts that exist and those that do not.
    """
    agent = authenticate(data['email'], data['password'], data.get('otp'))
    return {'token': issue_token(agent), 'expires_in': current_app.config['SUPPORT_TOKEN_MAX_AGE']}


@auth_blp.route('/login', methods=['POST'])
@public
@auth_blp.arguments(TokenRequestSchema)
@auth_blp.response(200, AgentOutSchema)
def login(data):
    """Start a browser session (cookie); later writes need the ``X-CSRFToken`` header. Limited like ``/token``."""
    agent = authenticate(data['email'], data['password'], data.get('otp'))
    start_session(agent)
    return agent


@auth_blp.route('/logout', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@auth_blp.response(204)
def logout():
    """End the browser session; the agent goes offline."""
    sign_out(g.current_agent.id)
    db.session.commit()
    logout_user()


@auth_blp.route('/csrf', methods=['GET'])
@public
@auth_blp.response(200, CsrfSchema)
def csrf_token():
    """A CSRF token for session-authenticated writes (send it as ``X-CSRFToken``)."""
    return {'csrf_token': generate_csrf()}


@auth_blp.route('/me', methods=['GET'])
@require_role(Role.agent, scope=ANY)
@auth_blp.response(200, AgentOutSchema)
def me():
    """Who am I."""
    return g.current_agent


@auth_blp.route('/me', methods=['PATCH'])
@require_role(Role.agent, scope=ACCOUNT)
@auth_blp.arguments(MeUpdateSchema)
@auth_blp.response(200, AgentOutSchema)
def update_me(data):
    """Change my interface language (``en``, ``es``, or null to follow the browser)."""
    g.current_agent.locale = data['locale']
    db.session.commit()
    return g.current_agent


@agents_blp.route('', methods=['GET'])
@require_role(Role.supervisor)
@agents_blp.response(200, AgentOutSchema(many=True))
def list_agents():
    """Accounts (a supervisor restricted to some clients sees those who serve one of them)."""
    query = agents_in_scope(sa.select(Agent), g.current_agent)
    return db.session.scalars(query.options(selectinload(Agent.clients), selectinload(Agent.site))
                              .order_by(Agent.id)).all()


@agents_blp.route('', methods=['POST'])
@require_role(Role.admin)
@agents_blp.arguments(AgentSchema)
@agents_blp.response(201, AgentOutSchema)
def post_agent(data):
    """Create an agent, supervisor or admin, serving ``clients`` or, with ``all_clients``, every client.

    Someone with neither serves no client: sees and receives no ticket. ``site`` is a site id
    or its exact name; an unknown one is a 422. Needs an admin who sees every client.
    """
    require_every_client(g.current_agent)
    agent = create_agent(**data)
    db.session.commit()
    return agent


def _account(agent_id: int) -> Agent:
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(_('No such agent.'))
    return agent


@agents_blp.route('/<int:agent_id>', methods=['PATCH'])
@require_role(Role.admin)
@agents_blp.arguments(AgentUpdateSchema)
@agents_blp.response(200, AgentOutSchema)
def patch_agent(data, agent_id):
    """Change an account; a new password or deactivation revokes its login tokens and sessions."""
    require_every_client(g.current_agent)
    agent = update_agent(_account(agent_id), data)
    db.session.commit()
    return agent


@agents_blp.route('/<int:agent_id>/two-factor', methods=['DELETE'])
@require_role(Role.admin)
@agents_blp.response(200, AgentOutSchema)
def reset_two_factor(agent_id):
    """Switch off someone's two-factor sign-in (a lost phone); they set it up again at next sign-in."""
    require_every_client(g.current_agent)
    agent = _account(agent_id)
    twofactor.disable(agent, by_admin=True)
    db.session.commit()
    return agent


@agents_blp.route('/lockouts', methods=['GET'])
@require_role(Role.admin)
@agents_blp.response(200, LockoutSchema(many=True))
def list_lockouts():
    """Accounts (e-mails as typed) and addresses that must wait before the next sign-in attempt."""
    return throttle.current_lockouts()


@agents_blp.route('/lockouts/lift', methods=['POST'])
@require_role(Role.admin)
@agents_blp.arguments(LiftSchema)
@agents_blp.response(200, LiftedSchema)
def lift_lockout(data):
    """End a lockout now (and forget its failed attempts)."""
    kind = throttle.KeyKind(data['kind'])
    lifted = throttle.lift(kind, data['key'])
    record('login.lockout_lifted', target_type=kind.value, target_id=data['key'].strip().lower(),
           detail={'was_locked': lifted})
    db.session.commit()
    return {'lifted': lifted}
