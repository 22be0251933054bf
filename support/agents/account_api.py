"""One's own sign-in: personal API tokens, two-factor, and single sign-on (``/api/v1/auth/...``)."""
from flask import g, redirect, request, session
from flask_smorest import Blueprint
from werkzeug.security import check_password_hash

from ..audit.operations import record
from ..core.access import public
from ..core.errors import Forbidden, Unauthorized
from ..core.extensions import db
from ..core.http import safe_next_path
from ..core.i18n import _
from . import sso, twofactor
from .auth import require_role, start_session
from .models import Role
from .schemas import (ApiTokenCreatedSchema, ApiTokenCreateSchema, ApiTokenSchema, OtpSchema, RecoveryCodesSchema,
                      ScopeSchema, SsoCallbackArgs, TwoFactorOffSchema, TwoFactorSetupSchema, TwoFactorStatusSchema)
from .tokens import ACCOUNT, ROLE_SCOPES, create_token, get_token, revoke, tokens_of

blp = Blueprint('account', __name__, url_prefix='/api/v1/auth',
                description='My sign-in: personal API tokens, two-factor, single sign-on')


# --- personal API tokens ---------------------------------------------------------------

@blp.route('/scopes', methods=['GET'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.response(200, ScopeSchema(many=True))
def my_scopes():
    """The scopes my role lets my tokens carry."""
    return [{'scope': s.value, 'label': str(s.label)} for s in sorted(ROLE_SCOPES[g.current_agent.role],
                                                                        key=lambda s: list(type(s)).index(s))]


@blp.route('/tokens', methods=['GET'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.response(200, ApiTokenSchema(many=True))
def list_tokens():
    """My personal API tokens, newest first (the tokens themselves are never shown again)."""
    return tokens_of(g.current_agent.id)


@blp.route('/tokens', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.arguments(ApiTokenCreateSchema)
@blp.response(201, ApiTokenCreatedSchema)
def post_token(data):
    """A personal API token with some of my role's scopes, expiring after ``expires_in_days``.

    Send it as ``Authorization: Bearer spt_...``; it is in this response only.
    """
    row, token = create_token(g.current_agent, data['name'], data['scopes'], data['expires_in_days'])
    record('api_token.created', target_type='api_token', target_id=row.id,
           detail={'name': row.name, 'scopes': row.scopes, 'expires_at': row.expires_at.isoformat()})
    db.session.commit()
    row.token = token  # read once by the response schema, never stored
    return row


@blp.route('/tokens/<int:token_id>', methods=['DELETE'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.response(200, ApiTokenSchema)
def delete_token(token_id):
    """Revoke one of my tokens: requests with it are refused from now on."""
    row = revoke(get_token(g.current_agent.id, token_id))
    record('api_token.revoked', target_type='api_token', target_id=row.id, detail={'name': row.name})
    db.session.commit()
    return row


# --- two-factor ------------------------------------------------------------------------

def _status():
    agent = g.current_agent
    return {'enabled': agent.two_factor_enabled, 'required': twofactor.required_for(agent.role),
            'recovery_codes_left': twofactor.recovery_codes_left(agent) if agent.two_factor_enabled else 0}


@blp.route('/two-factor', methods=['GET'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.response(200, TwoFactorStatusSchema)
def two_factor_status():
    """Is two-factor on for me, must it be, and how many recovery codes are left."""
    return _status()


@blp.route('/two-factor/setup', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.response(200, TwoFactorSetupSchema)
def two_factor_setup():
    """Step 1: a new secret for my authenticator app (scan ``otpauth_uri`` as a QR code)."""
    uri = twofactor.begin_setup(g.current_agent)
    db.session.commit()
    return {'secret': g.current_agent.totp_secret, 'otpauth_uri': uri}


@blp.route('/two-factor/enable', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.arguments(OtpSchema)
@blp.response(200, RecoveryCodesSchema)
def two_factor_enable(data):
    """Step 2: a code from the app turns two-factor on; keep the recovery codes (shown only now)."""
    codes = twofactor.enable(g.current_agent, data['code'])
    db.session.commit()
    return {'recovery_codes': codes}


def _prove(password: str, code: str) -> None:
    agent = g.current_agent
    if not check_password_hash(agent.password_hash, password) or not twofactor.verify(agent, code):
        db.session.rollback()
        record('two_factor.change_refused', target_type='agent', target_id=agent.id)
        db.session.commit()
        raise Unauthorized(_('Wrong password or code.'), code='invalid_credentials')


@blp.route('/two-factor/disable', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.arguments(TwoFactorOffSchema)
@blp.response(200, TwoFactorStatusSchema)
def two_factor_disable(data):
    """Turn two-factor off (password and a current code); refused while my role requires it."""
    _prove(data['password'], data['code'])
    if twofactor.required_for(g.current_agent.role):
        raise Forbidden(_('Your role requires two-factor sign-in.'), code='two_factor_required')
    twofactor.disable(g.current_agent)
    db.session.commit()
    return _status()


@blp.route('/two-factor/recovery-codes', methods=['POST'])
@require_role(Role.agent, scope=ACCOUNT)
@blp.arguments(TwoFactorOffSchema)
@blp.response(200, RecoveryCodesSchema)
def two_factor_recovery_codes(data):
    """New recovery codes (password and a current code); the old ones stop working."""
    _prove(data['password'], data['code'])
    codes = twofactor.regenerate_recovery_codes(g.current_agent)
    db.session.commit()
    return {'recovery_codes': codes}


# --- single sign-on --------------------------------------------------------------------

@blp.route('/sso/login', methods=['GET'])
@public
@blp.response(302, description='to the identity provider')
@blp.alt_response(404, description='single sign-on is not configured')
def sso_login():
    """Sign in with the center's identity provider (OpenID Connect); ends on the console."""
    session['sso_next'] = safe_next_path(request.args.get('next'))
    return sso.begin()


@blp.route('/sso/callback', methods=['GET'])
@public
@blp.arguments(SsoCallbackArgs, location='query')
@blp.response(302, description='to the console, signed in')
def sso_callback(args):
    """Where the identity provider sends the browser back: signed in, or back to the login page with why not."""
    target = session.pop('sso_next', None)
    try:
        agent = sso.finish()
    except sso.SsoRefused as exc:
        session['login_error'] = str(exc.message)
        return redirect('/login')
    session.clear()
    start_session(agent, sso=True)
    session.permanent = True
    return redirect(target or '/')
