"""The signed links of a survey e-mail: ``/csat/<survey id>.<expiry>.<signature>/<rating>`` (each opens the page
with that rating preselected; the form there records it).

The signature is ``core.signing.sign`` (HMAC-SHA256) over the survey id, keyed with a secret
derived from ``SECRET_KEY``, with the expiry as its timestamp: changing the id or the expiry
breaks it, and the rating in the path is the customer's choice (any of 1 to 5).
"""
import hashlib
import re
from datetime import datetime, timezone

from flask import current_app

from ..core.clock import utcnow
from ..core.config import setting
from ..core.signing import sign, signature_matches

_TOKEN = re.compile(r'^(\d{1,19})\.(\d{1,12})\.(sha256=[0-9a-f]{64})$')


class BadLink(Exception):
    """Not one of our links (tampered, truncated)."""


class ExpiredLink(Exception):
    """One of our links, past its expiry."""

    def __init__(self, survey_id: int):
        self.survey_id = survey_id


def _secret() -> str:
    return hashlib.sha256(b'support.csat-links:' + current_app.config['SECRET_KEY'].encode()).hexdigest()


def _body(survey_id: int) -> bytes:
    return f'csat:{survey_id}'.encode()


def make_token(survey_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    signature = sign(_secret(), expires, _body(survey_id))
    return f'{survey_id}.{expires}.{signature}'


def read_token(token: str) -> int:
    """The survey id of a valid, unexpired token; ``BadLink`` or ``ExpiredLink`` otherwise."""
    match = _TOKEN.match((token or '').replace('~', '='))
    if match is None:
        raise BadLink()
    survey_id, expires, signature = int(match.group(1)), match.group(2), match.group(3)
    if not signature_matches(_secret(), expires, _body(survey_id), signature):
        raise BadLink()
    if datetime.fromtimestamp(int(expires), timezone.utc) <= utcnow():
        raise ExpiredLink(survey_id)
    return survey_id


def public_base() -> str:
    return (setting('SUPPORT_PUBLIC_URL') or 'http://localhost:5000').rstrip('/')


def url_for_token(token: str, rating: int | None = None) -> str:
    """The public page's address (``~`` instead of ``=``, which some mail clients break at)."""
    path = f'/csat/{token.replace("=", "~")}'
    return public_base() + path + (f'/{rating}' if rating is not None else '')
