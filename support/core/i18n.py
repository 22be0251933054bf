"""Locale selection and the gettext entry points every module uses.

``_`` translates now (inside a request or with a forced locale); ``_l`` is lazy,
for strings built at import time (schema messages, enum labels).
"""
from flask import g, has_request_context, request
from flask_babel import force_locale, format_datetime, gettext, lazy_gettext, ngettext

SUPPORTED_LOCALES = ('en', 'es')

_ = gettext
_l = lazy_gettext
_n = ngettext

__all__ = ['_', '_l', '_n', 'force_locale', 'format_datetime', 'select_locale', 'SUPPORTED_LOCALES']


def select_locale() -> str:
    """The user's preference, then ``Accept-Language``, else English."""
    if not has_request_context():
        return 'en'
    g.answer_locale = locale = _request_locale()  # the answer is translated: Content-Language, Vary
    return locale


def _request_locale() -> str:
    forced = getattr(g, 'locale', None)
    if forced in SUPPORTED_LOCALES:
        return forced
    user = getattr(g, 'current_agent', None)
    preferred = getattr(user, 'locale', None)
    if preferred in SUPPORTED_LOCALES:
        return preferred
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or 'en'


def register_language_headers(app) -> None:
    """An answer whose text was translated says in which language (``Content-Language``) and that
    it depends on ``Accept-Language`` (``Vary``), so caches keep one copy per language."""
    @app.before_request
    def _no_language_yet():
        g.pop('answer_locale', None)

    @app.after_request
    def _language_headers(response):
        locale = g.pop('answer_locale', None)
        if locale:
            response.headers['Content-Language'] = locale
            response.vary.add('Accept-Language')
        return response


def select_timezone() -> str | None:
    user = getattr(g, 'current_agent', None) if has_request_context() else None
    site = getattr(user, 'site', None)
    return getattr(site, 'timezone', None)
