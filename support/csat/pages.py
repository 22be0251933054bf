"""The public survey page. ``/csat/<token>/<rating>`` (the e-mail's links) shows the choices with that
rating preselected and a comment box; only the form's ``POST /csat/<token>`` records the answer, so a mail
scanner that follows the links with ``GET`` (or ``HEAD``) records nothing. ``/csat/<token>`` shows the
choices, or the answer given and its comment form. No login: the signed token is the key (and so the form
needs no CSRF token: nobody can post for a survey whose link they were not sent).

Bad or tampered links answer 404, expired ones 410, a second rating 409, each as a page in the survey's
language (or the browser's).
"""
import os

from flask import Blueprint, g, render_template, request, send_from_directory
from flask_babel import refresh as refresh_locale

from ..core.access import public
from ..core.errors import ApiError
from ..core.extensions import db, limiter
from ..core.i18n import SUPPORTED_LOCALES, _, select_locale
from . import links, operations
from .models import RATING_LABELS, RATINGS

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
bp = Blueprint('csat_page', __name__, template_folder='templates')
LIMIT = '60/minute'


def _address() -> str:
    return 'csat:' + (request.remote_addr or '-')


@bp.after_request
def _headers(response):
    response.headers.setdefault('Content-Security-Policy', CSP)
    response.headers.setdefault('X-Content-Type-Options', 'nosniff')
    response.headers.setdefault('X-Frame-Options', 'DENY')
    response.headers.setdefault('Referrer-Policy', 'no-referrer')  # the token must not leak to other sites
    response.headers.setdefault('Cache-Control', 'no-store')
    response.headers['X-Robots-Tag'] = 'noindex'
    return response


@bp.teardown_request
def _forget_language(exc=None):
    g.pop('locale', None)  # a context that outlives the request (tests) must not keep the page's language
    g.pop('support_writes', None)


def _use_language(language: str | None) -> None:
    """``?lang=`` first, then the survey's language, then the browser's."""
    wanted = request.args.get('lang')
    g.locale = wanted if wanted in SUPPORTED_LOCALES else language
    refresh_locale()
    g.locale = select_locale()


@bp.route('/csat/<token>/<int:rating>', methods=['GET'])
@public
@limiter.limit(LIMIT, key_func=_address)
def rate(token, rating):
    """A link of the e-mail: the confirmation form with this rating chosen; nothing is recorded."""
    try:
        survey = operations.survey_by_token(token)
    except (links.BadLink, ApiError) as exc:
        return _refused(exc)
    _use_language(survey.language)
    if rating not in RATINGS:
        return _page(token, survey, error=_('Choose a rating from 1 to 5.'), status=400)
    if survey.response is not None:
        return _page(token, survey, error=_('This ticket has already been rated. Thank you!'), status=409)
    return _page(token, survey, chosen=rating)


@bp.route('/csat/<token>', methods=['GET', 'POST'])
@public
@limiter.limit(LIMIT, key_func=_address)
def answer(token):
    """The survey's page: the choices, or the answer given and the comment form. ``POST`` with ``rating``
    (and an optional ``comment``) records the answer once; with ``comment`` alone it adds the comment."""
    try:
        survey = operations.survey_by_token(token)
    except (links.BadLink, ApiError) as exc:
        return _refused(exc)
    _use_language(survey.language)
    if request.method == 'GET':
        return _page(token, survey)
    comment = request.form.get('comment', '')[:operations.MAX_COMMENT]
    try:
        if 'rating' in request.form or survey.response is None:
            return _rated(token, survey, _rating(request.form.get('rating')), comment)
        operations.add_comment(survey.response, comment)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        return _page(token, operations.survey_by_token(token), error=exc.message, status=exc.status,
                     chosen=_rating(request.form.get('rating'), None), comment=comment)
    return _page(token, survey, commented=True)


class _NoRating(ApiError):
    status, code = 400, 'csat_rating'


def _rating(value, missing=_NoRating):
    """The form's rating, 1 to 5; ``missing`` raised (or returned) when there is none."""
    rating = int(value) if (value or '').strip().isdigit() and len(value.strip()) == 1 else None
    if rating in RATINGS:
        return rating
    if missing is _NoRating:
        raise _NoRating(_('Choose a rating from 1 to 5.'))
    return missing


def _rated(token, survey, rating, comment):
    operations.answer_by_link(token, rating, comment)
    db.session.commit()
    return _page(token, operations.survey_by_token(token), thanks=True)


def _page(token, survey, status=200, chosen=None, comment='', **state):
    response = survey.response
    choices = [{'rating': n, 'label': str(RATING_LABELS[n])} for n in reversed(RATINGS)]
    return render_template('csat/answer.html', token=token.replace('=', '~'), survey=survey, response=response,
                           ticket=survey.ticket, client=survey.ticket.client, choices=choices, chosen=chosen,
                           comment=comment, rating_label=str(RATING_LABELS[response.rating]) if response else None,
                           locale=str(g.get('locale') or 'en'), **state), status


def _refused(exc):
    """The page for a link that is not ours (404) or too old (410), in the survey's or the browser's language."""
    expired = isinstance(exc, operations.LinkExpired)
    _use_language(getattr(exc, 'language', None))
    message = (_('This survey link has expired.') if expired else
               _('This survey link is not valid. Please use the link of the e-mail as it came.'))
    return render_template('csat/refused.html', message=message, locale=str(g.get('locale') or 'en'),
                           expired=expired), 410 if expired else 404


@bp.route('/csat/static/<path:filename>')
@public
def static(filename):
    return send_from_directory(STATIC_DIR, filename, max_age=3600)
