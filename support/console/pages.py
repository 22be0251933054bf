"""The pages: login, the agent console, the supervisor dashboard, and their static files."""
import functools
import hashlib
import os

from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, send_from_directory,
                   session, url_for)
from flask_babel import refresh as refresh_locale
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf

from ..agents.auth import SecondFactorRequired, authenticate, authenticate_second_factor, start_session
from ..agents.availability import sign_out
from ..agents.models import Role
from ..core.access import mark_access, public
from ..core.clock import utcnow
from ..core.http import safe_next_path as _safe_next
from ..core.errors import ApiError
from ..core.extensions import csrf, db
from ..core.i18n import SUPPORTED_LOCALES, _
from .strings import js_catalog, labels

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
bp = Blueprint('console', __name__, template_folder='templates')


# Defence in depth behind the escaping: no inline or foreign script can run on these pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")


@bp.after_request
def _security_headers(response):
    response.headers.setdefault('Content-Security-Policy', CSP)
    response.headers.setdefault('X-Content-Type-Options', 'nosniff')
    response.headers.setdefault('X-Frame-Options', 'DENY')
    response.headers.setdefault('Referrer-Policy', 'same-origin')
    if response.mimetype == 'text/html':
        response.headers.setdefault('Cache-Control', 'no-store')
    return response


def page(role: Role):
    """Page decorator: logged-in people with ``role`` or higher; others go to the login page."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for('console.login', next=request.full_path.rstrip('?')))
            g.current_agent = current_user._get_current_object()
            refresh_locale()
            if not g.current_agent.has_role(role):
                return redirect(url_for('console.home'))
            return view(*args, **kwargs)
        return mark_access(wrapper, f'page:{role.value}')
    return decorator


def _home_for(agent) -> str:
    return url_for('console.dashboard' if agent.has_role(Role.supervisor) else 'console.console')


@bp.route('/')
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for('console.login'))
    return redirect(_home_for(current_user))


@bp.route('/login', methods=['GET', 'POST'])
@public
def login():
    """The login form (throttled like every password route: ``agents.throttle``)."""
    if request.args.get('lang') in SUPPORTED_LOCALES:
        g.locale = request.args['lang']
        refresh_locale()
    if request.method == 'GET':
        if current_user.is_authenticated:
            return redirect(_safe_next(request.args.get('next')) or _home_for(current_user))
        return _login_form(session.pop('login_error', None))
    try:
        csrf.protect()
    except CSRFError:
        return _login_form(_('The form expired; please try again.'), 400)
    try:
        agent = _check_login_form()
    except SecondFactorRequired as exc:
        session['login_second_factor'] = [exc.agent_id, int(utcnow().timestamp())]
        return _login_form(exc.message, 401, ask_code=True)
    except ApiError as exc:
        return _refused(exc)
    if agent is None:
        return _login_form(_('Enter your e-mail and password.'), 400)
    session.clear()
    start_session(agent)
    session.permanent = True
    return redirect(_safe_next(request.form.get('next')) or _home_for(agent))


SECOND_STEP_SECONDS = 300


def _check_login_form():
    """E-mail and password, or (second step, within five minutes) the code; None when fields are missing."""
    pending = session.pop('login_second_factor', None)
    code = request.form.get('otp', '')[:40]
    if pending and code and int(utcnow().timestamp()) - pending[1] <= SECOND_STEP_SECONDS:
        return authenticate_second_factor(pending[0], code)
    email, password = request.form.get('email', ''), request.form.get('password', '')
    if not email.strip() or not password:
        return None
    return authenticate(email[:254], password[:200])


def _refused(exc: ApiError):
    page, status = _login_form(exc.message, exc.status)
    return page, status, exc.headers


def _login_form(error=None, status=200, ask_code=False):
    from ..agents.sso import sso_enabled
    return render_template('console/login.html', error=error, email=request.form.get('email', ''),
                           ask_code=ask_code, sso=sso_enabled(), next=_safe_next(request.values.get('next')) or '',
                           **_page_context()), status


@bp.route('/logout', methods=['POST'])
@public
def logout():
    """Ends the session; the form carries a CSRF token so another site cannot log you out."""
    try:
        csrf.protect()
    except CSRFError:
        abort(400)
    if current_user.is_authenticated:
        sign_out(current_user.id)
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for('console.login'))


@bp.route('/console')
@page(Role.agent)
def console():
    return render_template('console/console.html', **_page_context())


@bp.route('/dashboard')
@page(Role.supervisor)
def dashboard():
    return render_template('console/dashboard.html', **_page_context())


@bp.route('/reports')
@page(Role.supervisor)
def reports():
    """Charts of today against last week, speed and handle time by language and channel, occupancy,
    and the clients' monthly reports (drawn in the browser from the reports API)."""
    return render_template('console/reports.html', **_page_context())


@bp.route('/console/macros')
@page(Role.supervisor)
def macros():
    """Supervisors manage the macros of their clients: both texts, the actions, a preview."""
    from ..macros.rendering import FILTERS, PLACEHOLDERS
    return render_template('console/macros.html', placeholders=PLACEHOLDERS, filters=sorted(FILTERS),
                           **_page_context())


@bp.route('/console/clients')
@page(Role.supervisor)
def client_settings():
    """A client's custom ticket fields and its CSAT switch and delay; admins change them, supervisors read them."""
    return render_template('console/clients.html', **_page_context())


@bp.route('/console/static/<path:filename>')
@public
def static(filename):
    return send_from_directory(STATIC_DIR, filename, max_age=3600 if not current_app.debug else 0)


def _page_context() -> dict:
    agent = getattr(g, 'current_agent', None)
    from ..core.i18n import select_locale
    locale = select_locale()
    return {'me': _me(agent) if agent else None, 'locale': locale, 'csrf_token': generate_csrf(),
            'features': features(), 'strings': js_catalog(), 'labels': labels(),
            'asset_version': asset_version()}


def _me(agent) -> dict:
    return {'id': agent.id, 'name': agent.name, 'role': agent.role.value, 'languages': list(agent.languages),
            'locale': agent.locale, 'site': agent.site.name if agent.site else None,
            'timezone': agent.site.timezone if agent.site else current_app.config['BABEL_DEFAULT_TIMEZONE']}


def features() -> dict:
    """Which optional domains this deployment has (the pages hide what is missing)."""
    cached = current_app.extensions.get('console_features')
    if cached is None:
        rules = [rule.rule for rule in current_app.url_map.iter_rules()]
        cached = {name: any(r.startswith(f'/api/v1/{name}') for r in rules) for name in ('routing', 'lab')}
        current_app.extensions['console_features'] = cached
    return cached


def asset_version() -> str:
    """Changes whenever a static file changes, so browsers never run stale scripts."""
    cached = current_app.extensions.get('console_asset_version')
    if cached is None or current_app.debug:
        digest = hashlib.sha1()
        for root, _dirs, files in sorted(os.walk(STATIC_DIR)):
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                digest.update(f'{name}:{stat.st_mtime_ns}:{stat.st_size}'.encode())
        cached = current_app.extensions['console_asset_version'] = digest.hexdigest()[:10]
    return cached
