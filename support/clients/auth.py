"""Who a client system is: the signed-request check on intake routes."""
import functools
import time

from flask import current_app, g, request

from ..core.access import mark_access
from ..core.errors import Unauthorized
from ..core.i18n import _
from ..core.signing import sign, signature_matches
from .operations import find_active_key

_DUMMY_SECRET = 'x' * 43


def verify_signed_request():
    """Check ``X-Support-Key/Timestamp/Signature`` on the raw body; sets ``g.client``."""
    key_id = request.headers.get('X-Support-Key', '')
    timestamp = request.headers.get('X-Support-Timestamp', '')
    signature = request.headers.get('X-Support-Signature', '')
    if not (key_id and timestamp and signature):
        raise Unauthorized(_('Signed requests need the X-Support-Key, X-Support-Timestamp and '
                             'X-Support-Signature headers.'), code='signature_missing')
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise Unauthorized(_('X-Support-Timestamp must be a Unix time in seconds.'), code='timestamp_invalid')
    tolerance = current_app.config['SUPPORT_SIGNATURE_TOLERANCE']
    if abs(time.time() - int(timestamp)) > tolerance:
        raise Unauthorized(_('The request timestamp is more than {seconds} seconds away from our clock.')
                           .format(seconds=tolerance), code='timestamp_out_of_window')
    key = find_active_key(key_id)
    body = request.get_data(cache=True)
    # Compare even for an unknown key, so timing does not reveal which keys exist.
    if not signature_matches(key.secret if key else _DUMMY_SECRET, timestamp, body, signature) or key is None:
        raise Unauthorized(_('The signature does not match this key and body.'), code='signature_invalid')
    g.client = key.client
    g.client_key = key


def signed_client(view):
    """Route decorator: only a client system with a valid signature may call it."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        verify_signed_request()
        return view(*args, **kwargs)
    return mark_access(wrapper, 'signed-client')


__all__ = ['signed_client', 'verify_signed_request', 'sign']
