"""Passwords, bearer tokens and sessions, and the route decorators that use them."""
import functools

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.access import mark_access
from ..core.errors import Forbidden, Unauthorized
from ..core.extensions import csrf, db, login_manager
from ..core.i18n import _
from .models import Agent, Role

_TOKEN_SALT = 'support.api-token'
_DUMMY_HASH = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get('SUPPORT_PASSWORD_METHOD', 'scrypt'))


def authenticate(email: str, password: str) -> Agent:
    """The active agent with these credentials, or 401 (same answer for any mismatch)."""
    global _DUMMY_HASH
    agent = db.session.scalar(sa.select(Agent).where(Agent.email == email.strip().lower()))
    if agent is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password('not-a-password')
        check_password_hash(_DUMMY_HASH, password)  # same work for unknown e-mails
    if agent is None or not agent.active or not check_password_hash(agent.password_hash, password):
        raise Unauthorized(_('Wrong e-mail or password.'), code='invalid_credentials')
    return agent


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config['SECRET_KEY'], salt=_TOKEN_SALT)


def issue_token(agent: Agent) -> str:
    return _serializer().dumps({'a': agent.id, 'v': agent.token_version})


def agent_from_token(token: str) -> Agent:
    try:
        data = _serializer().loads(token, max_age=current_app.config['SUPPORT_TOKEN_MAX_AGE'])
    except SignatureExpired:
        raise Unauthorized(_('Your token has expired; request a new one.'), code='token_expired')
    except BadSignature:
        raise Unauthorized(_('This token is not valid.'), code='token_invalid')
    agent = db.session.get(Agent, data.get('a'))
    if agent is None or not agent.active or agent.token_version != data.get('v'):
        raise Unauthorized(_('This token is not valid.'), code='token_invalid')
    return agent


@login_manager.user_loader
def _load_session_agent(session_id: str):
    agent_id, _sep, version = session_id.partition(':')
    agent = db.session.get(Agent, int(agent_id)) if agent_id.isdigit() else None
    if agent is None or str(agent.token_version) != version or not agent.active:
        return None
    return agent


def load_request_agent() -> Agent | None:
    """The caller, by bearer token or session cookie; session writes must carry a CSRF token."""
    header = request.headers.get('Authorization', '')
    if header:
        scheme, _sep, token = header.partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            raise Unauthorized(_('Use "Authorization: Bearer <token>".'), code='token_invalid')
        return agent_from_token(token.strip())
    if current_user.is_authenticated:
        if request.method not in ('GET', 'HEAD', 'OPTIONS'):
            csrf.protect()
        return current_user._get_current_object()
    return None


def current_agent() -> Agent:
    agent = getattr(g, 'current_agent', None)
    if agent is None:
        raise Unauthorized()
    return agent


def require_role(role: Role | str):
    """Route decorator: callers must be logged in with ``role`` or a higher one."""
    role = Role(role)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            agent = load_request_agent()
            if agent is None:
                raise Unauthorized(_('Log in or send a bearer token.'), code='authentication_required')
            g.current_agent = agent
            refresh_locale()
            if not agent.has_role(role):
                raise Forbidden(_('This needs the {role} role.').format(role=role.label))
            return view(*args, **kwargs)
        return mark_access(wrapper, f'role:{role.value}')
    return decorator


def start_session(agent: Agent) -> None:
    login_user(agent, remember=False)
    g.current_agent = agent
    refresh_locale()
