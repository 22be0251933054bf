"""Passwords, bearer tokens and sessions, and the route decorators that use them.

Ways to be someone: the console session (cookie + CSRF on writes), a login bearer token
from ``/auth/token`` (the whole role, 12 h), or a personal API token (``agents.tokens``:
only its scopes, capped by the role). Every password route goes through ``authenticate``:
throttled per account and per address (``agents.throttle``), second factor when on
(``agents.twofactor``), and audited either way.
"""
import functools

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.operations import AuditActor, expect_admin_action, record
from ..core.access import mark_access, register_security_scheme
from ..core.errors import Forbidden, Unauthorized
from ..core.extensions import csrf, db, login_manager
from ..core.i18n import _
from . import throttle, twofactor
from .models import Agent, Role
from .tokens import ACCOUNT, ANY, agent_from_personal_token, default_scope, is_personal_token

_TOKEN_SALT = 'support.api-token'
_DUMMY_HASH = None
SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS')

register_security_scheme('bearerAuth', {
    'type': 'http', 'scheme': 'bearer',
    'description': 'A login token from `POST /api/v1/auth/token` (the whole role) or a personal API '
                   'token `spt_...` from `POST /api/v1/auth/tokens` (only its scopes).'})
register_security_scheme('consoleSession', {
    'type': 'apiKey', 'in': 'cookie', 'name': 'session',
    'description': 'The browser session from `POST /api/v1/auth/login`; writes also need `X-CSRFToken`.'})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get('SUPPORT_PASSWORD_METHOD', 'scrypt'))


class SecondFactorRequired(Unauthorized):
    """The password was right; the account also needs a code (``agent_id`` for the login form's next step)."""

    code = 'otp_required'

    def __init__(self, agent_id: int):
        super().__init__(_('Enter the code from your authenticator app (or a recovery code).'))
        self.agent_id = agent_id


def authenticate(email: str, password: str, otp: str | None = None) -> Agent:
    """The active agent with these credentials (and second factor), or 401/429; commits the audit entry.

    Unknown accounts, wrong passwords and inactive accounts get the same answer, take the
    same time and count against the same limits.
    """
    ip = request.remote_addr
    throttle.check(email, ip)
    agent = db.session.scalar(sa.select(Agent).where(Agent.email == email.strip().lower()))
    if not _password_matches(agent, password):
        _refuse(email, ip, agent, 'password')
    return _second_factor(agent, otp)


def authenticate_second_factor(agent_id: int, otp: str | None) -> Agent:
    """The login form's second step: the password was checked moments ago (``SecondFactorRequired``)."""
    agent = db.session.get(Agent, agent_id)
    if agent is None or not agent.active:
        raise Unauthorized(_('Wrong e-mail or password.'), code='invalid_credentials')
    throttle.check(agent.email, request.remote_addr)
    return _second_factor(agent, otp)


def _second_factor(agent: Agent, otp: str | None) -> Agent:
    if agent.two_factor_enabled and not otp:
        raise SecondFactorRequired(agent.id)
    if agent.two_factor_enabled and not twofactor.verify(agent, otp):
        _refuse(agent.email, request.remote_addr, agent, 'second_factor')
    throttle.succeeded(agent.email)
    record('login.succeeded', actor=_actor(agent), target_type='agent', target_id=agent.id,
           detail={'route': request.path, 'second_factor': agent.two_factor_enabled})
    db.session.commit()
    return agent


def _password_matches(agent: Agent | None, password: str) -> bool:
    global _DUMMY_HASH
    if agent is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password('not-a-password')
        check_password_hash(_DUMMY_HASH, password)  # same work for unknown e-mails
        return False
    return check_password_hash(agent.password_hash, password) and agent.active


def _refuse(email: str, ip: str | None, agent: Agent | None, failed: str):
    """Count and log a failed sign-in (committed: the refusal rolls nothing back), then 401."""
    db.session.rollback()
    throttle.failed(email, ip)
    actor = _actor(agent) if agent else AuditActor('anonymous', None, email.strip().lower()[:254])
    record('login.failed', actor=actor, target_type='agent', target_id=agent.id if agent else None,
           detail={'route': request.path, 'failed': failed})
    db.session.commit()
    if failed == 'second_factor':
        raise Unauthorized(_('This code is not valid.'), code='otp_invalid')
    raise Unauthorized(_('Wrong e-mail or password.'), code='invalid_credentials')


def _actor(agent: Agent) -> AuditActor:
    return AuditActor('agent', agent.id, agent.email)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config['SECRET_KEY'], salt=_TOKEN_SALT)


def issue_token(agent: Agent) -> str:
    return _serializer().dumps({'a': agent.id, 'v': agent.token_version})


def agent_from_token(token: str) -> Agent:
    """The owner of a login token or a personal token (``g.token_scopes`` set for the latter)."""
    if is_personal_token(token):
        found = agent_from_personal_token(token)
        if found is None:
            raise Unauthorized(_('This token is not valid.'), code='token_invalid')
        g.token_scopes = found[1]
        return found[0]
    try:
        data = _serializer().loads(token, max_age=current_app.config['SUPPORT_TOKEN_MAX_AGE'])
    except SignatureExpired:
        raise Unauthorized(_('Your token has expired; request a new one.'), code='token_expired')
    except BadSignature:
        raise Unauthorized(_('This token is not valid.'), code='token_invalid')
    agent = db.session.get(Agent, data.get('a')) if isinstance(data.get('a'), int) else None
    if agent is None or not agent.active or agent.token_version != data.get('v'):
        raise Unauthorized(_('This token is not valid.'), code='token_invalid')
    return agent


@login_manager.user_loader
def _load_session_agent(session_id: str):
    agent_id, _sep, version = session_id.partition(':')
    agent = db.session.get(Agent, int(agent_id)) if agent_id.isdigit() and len(agent_id) < 10 else None
    if agent is None or str(agent.token_version) != version or not agent.active:
        return None
    return agent


def load_request_agent() -> Agent | None:
    """The caller, by bearer token or session cookie; session writes must carry a CSRF token."""
    g.pop('token_scopes', None)
    header = request.headers.get('Authorization', '')
    if header:
        scheme, _sep, token = header.partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            raise Unauthorized(_('Use "Authorization: Bearer <token>".'), code='token_invalid')
        return agent_from_token(token.strip())
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        return current_user._get_current_object()
    return None


def current_agent() -> Agent:
    agent = getattr(g, 'current_agent', None)
    if agent is None:
        raise Unauthorized()
    return agent


def require_role(role: Role | str, scope=None):
    """Route decorator: callers must be logged in with ``role`` or a higher one.

    ``scope`` is what a personal API token needs (``agents.tokens.Scope``, or ``ACCOUNT`` for
    routes about one's own login, ``ANY`` for any valid token); left out, it follows the role
    and the method (``agents.tokens.default_scope``). Supervisor and admin routes that change
    something are written to the audit log when they commit.
    """
    role = Role(role)
    declared = getattr(scope, 'value', scope)

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
            needed = declared or default_scope(role, request.method)
            _check_scope(needed)
            _check_two_factor(agent, needed)
            if role != Role.agent and request.method not in SAFE_METHODS:
                expect_admin_action(request.endpoint)
            return view(*args, **kwargs)
        return mark_access(wrapper, f'role:{role.value}', _role_doc(role, declared))
    return decorator


def _check_scope(needed: str) -> None:
    scopes = g.get('token_scopes')
    if scopes is None or needed == ANY:
        return  # a session or a login token acts with the whole role
    if needed == ACCOUNT:
        raise Forbidden(_('Personal API tokens cannot manage your account; log in instead.'),
                        code='insufficient_scope')
    if needed not in scopes:
        raise Forbidden(_('This token lacks the {scope} scope.').format(scope=needed), code='insufficient_scope')


def _check_two_factor(agent: Agent, needed: str) -> None:
    if needed in (ACCOUNT, ANY) or agent.two_factor_enabled or session.get('sso'):
        return
    if twofactor.required_for(agent.role):
        raise Forbidden(_('Your role requires two-factor sign-in: set it up under your account first.'),
                        code='two_factor_required')


def _role_doc(role: Role, declared: str | None):
    def doc(method: str) -> dict:
        needed = declared or default_scope(role, method)
        if needed == ACCOUNT:
            token_note = 'Personal API tokens are refused (log in).'
        elif needed == ANY:
            token_note = 'Any personal API token.'
        else:
            token_note = f'Personal API tokens need the `{needed}` scope.'
        return {'security': [{'bearerAuth': []}, {'consoleSession': []}],
                'extensions': {'x-required-role': role.value, 'x-token-scope': needed},
                'note': f'the `{role.value}` role or higher. {token_note}'}
    return doc


def start_session(agent: Agent, sso: bool = False) -> None:
    login_user(agent, remember=False)
    session['sso'] = sso
    g.current_agent = agent
    refresh_locale()
