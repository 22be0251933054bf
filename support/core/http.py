"""Request guards every API route gets: JSON bodies only (within limits), CSRF errors in our shape."""
from urllib.parse import urlsplit

from flask import g, request
from flask_babel import refresh as refresh_locale
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from .db import BIGINT_MAX, INT_MAX
from .errors import error_response
from .i18n import _

WRITE_METHODS = frozenset({'POST', 'PUT', 'PATCH'})


class BoundedInt(IntegerConverter):
    """``<int:...>`` in our URLs stops at the integer column's range: a larger id is a 404, not a 500.

    (PostgreSQL casts the parameter to the column's type, so 2**31 fails there before any row is read.)
    """

    maximum = INT_MAX

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault('max', self.maximum)
        super().__init__(url_map, *args, **kwargs)


class BigId(BoundedInt):
    """``<big:...>`` for ids of big tables (``core.db.big_pk``: tickets, messages, offers...)."""

    maximum = BIGINT_MAX


def register_request_guards(app):
    @app.before_request
    def _fresh_caller():
        # Tests reuse one app context (and so one ``g``) across requests; each request names its caller anew.
        g.pop('current_agent', None)
        g.pop('_login_user', None)  # Flask-Login's cache of the session user, likewise
        refresh_locale()  # and Flask-Babel's of the locale
        if '\x00' in request.path:
            return error_response(404)  # no name we serve holds a NUL (PostgreSQL could not even look it up)
        return None

    @app.before_request
    def _json_only():
        if request.method not in WRITE_METHODS or not request.path.startswith('/api/'):
            return None
        view = app.view_functions.get(request.endpoint)
        accepted = getattr(view, '_content_types', ('application/json',))
        if not request.content_length and 'chunked' not in request.headers.get('Transfer-Encoding', ''):
            return None
        if request.mimetype not in accepted:
            return error_response(415)
        if request.is_json:
            request.get_json()  # parsed once, within the depth and number limits (core.json_limits)
        return None

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc):
        return error_response(400, 'csrf_failed', _('The CSRF token is missing or wrong; reload the page.'))


def register_response_headers(app) -> None:
    """Registered before the rate limiter, so this runs after it has added its headers:
    ``X-RateLimit-*`` stay on every limited answer, ``Retry-After`` only where waiting is the
    answer (429, 503)."""
    @app.after_request
    def _retry_after_only_when_refused(response):
        if response.status_code not in (429, 503):
            response.headers.pop('Retry-After', None)
        return response


def safe_next_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: a login never redirects to another host."""
    if not target or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def accepts(*content_types):
    """Route decorator for adapters that take form posts instead of JSON."""
    def decorator(view):
        view._content_types = content_types
        return view
    return decorator
