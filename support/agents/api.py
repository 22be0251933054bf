"""Login (token and session), the caller's own profile, and admin management of agents."""
import sqlalchemy as sa
from flask import current_app, g
from flask_login import logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from ..core.access import public
from ..core.errors import NotFound
from ..core.extensions import db
from ..core.i18n import _
from .auth import authenticate, issue_token, require_role, start_session
from .models import Agent, Role
from .operations import create_agent, update_agent
from .schemas import (AgentOutSchema, AgentSchema, AgentUpdateSchema, CsrfSchema, MeUpdateSchema,
                      TokenRequestSchema, TokenSchema)

auth_blp = Blueprint('auth', __name__, url_prefix='/api/v1/auth', description='Log in and get a token')
agents_blp = Blueprint('agents', __name__, url_prefix='/api/v1/agents', description='Agents (admins)')


@auth_blp.route('/token', methods=['POST'])
@public
@auth_blp.arguments(TokenRequestSchema)
@auth_blp.response(200, TokenSchema)
def token(data):
    """Exchange e-mail and password for a bearer token."""
    agent = authenticate(data['email'], data['password'])
    return {'token': issue_token(agent), 'expires_in': current_app.config['SUPPORT_TOKEN_MAX_AGE']}


@auth_blp.route('/login', methods=['POST'])
@public
@auth_blp.arguments(TokenRequestSchema)
@auth_blp.response(200, AgentOutSchema)
def login(data):
    """Start a browser session (cookie); later writes need the ``X-CSRFToken`` header."""
    agent = authenticate(data['email'], data['password'])
    start_session(agent)
    return agent


@auth_blp.route('/logout', methods=['POST'])
@require_role(Role.agent)
@auth_blp.response(204)
def logout():
    """End the browser session."""
    logout_user()


@auth_blp.route('/csrf', methods=['GET'])
@public
@auth_blp.response(200, CsrfSchema)
def csrf_token():
    """A CSRF token for session-authenticated writes (send it as ``X-CSRFToken``)."""
    return {'csrf_token': generate_csrf()}


@auth_blp.route('/me', methods=['GET'])
@require_role(Role.agent)
@auth_blp.response(200, AgentOutSchema)
def me():
    """Who am I."""
    return g.current_agent


@auth_blp.route('/me', methods=['PATCH'])
@require_role(Role.agent)
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
    """All accounts."""
    return db.session.scalars(sa.select(Agent).order_by(Agent.id)).all()


@agents_blp.route('', methods=['POST'])
@require_role(Role.admin)
@agents_blp.arguments(AgentSchema)
@agents_blp.response(201, AgentOutSchema)
def post_agent(data):
    """Create an agent, supervisor or admin."""
    agent = create_agent(**data)
    db.session.commit()
    return agent


@agents_blp.route('/<int:agent_id>', methods=['PATCH'])
@require_role(Role.admin)
@agents_blp.arguments(AgentUpdateSchema)
@agents_blp.response(200, AgentOutSchema)
def patch_agent(data, agent_id):
    """Change an account; a new password or deactivation revokes its tokens."""
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(_('No such agent.'))
    update_agent(agent, data)
    db.session.commit()
    return agent
