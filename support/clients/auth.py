"""Who a client system is: the signed-request check on intake routes."""
import functools
import hashlib
import time
from datetime import datetime, timezone

from flask import current_app, g, request

from ..core import replay
from ..core.access import mark_access, register_security_scheme
from ..core.errors import Conflict, Unauthorized
from ..core.i18n import _
from ..core.signing import sign, signature_matches
from .operations import find_active_key

_DUMMY_SECRET = 'x' * 43
SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS')

# A signed request carries three headers; OpenAPI ANDs the three apiKey schemes in one requirement.
_HOW = ('Client systems sign every request with three headers: `X-Support-Key: <key id>`, `X-Support-Timestamp: '
        '<unix seconds>` and `X-Support-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. '
        'A timestamp more than 300 s away is refused; a write whose signature was already seen is a 409.')
CLIENT_SCHEMES = {
    'clientKey': ('X-Support-Key', 'The id of the client key that signs (one of three headers). '),
    'clientTimestamp': ('X-Support-Timestamp', 'Unix time in seconds of the signature (one of three headers). '),
    'clientSignature': ('X-Support-Signature', 'The HMAC of timestamp and body (one of three headers). '),
}
for _name, (_header, _what) in CLIENT_SCHEMES.items():
    register_security_scheme(_name, {'type': 'apiKey', 'in': 'header', 'name': _header, 'description': _what + _HOW})


# What a route does with a write whose signature was already seen (headers are not signed, so
# an attacker holding a copy may change them: nothing here trusts a header of the copy).
REFUSED = 'refused'              # 409 (every write that has no key of its own to dedupe by)
SAME_IDEMPOTENCY_KEY = 'same-idempotency-key'   # allowed when the first copy carried the same
                                                # Idempotency-Key: idempotency answers it, creating nothing
DEDUPLICATED = 'deduplicated'    # allowed: the signed body names its own message or event id


def verify_signed_request(replays: str = REFUSED):
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
    if request.method not in SAFE_METHODS and replays != DEDUPLICATED:
        _refuse_replay(key_id, int(timestamp), signature, tolerance, replays)


def _refuse_replay(key_id: str, timestamp: int, signature: str, tolerance: int, replays: str) -> None:
    """A write whose signature we saw already is a replay: 409, unless the route can answer it safely.

    The mark lasts as long as the timestamp is accepted, so every copy inside the window is caught.
    """
    digest = hashlib.sha256('\n'.join((key_id, request.method, request.path, str(timestamp), signature))
                            .encode()).hexdigest()
    until = datetime.fromtimestamp(timestamp + tolerance + 1, timezone.utc)
    key = request.headers.get('Idempotency-Key') or ''
    first_key = replay.first_time(digest, until, key)
    if first_key is None or (replays == SAME_IDEMPOTENCY_KEY and key and first_key == key):
        return
    raise Conflict(_('This signed request was already received; sign every request (and every retry) anew.'),
                   code='replayed_request')


def _signed_doc(method: str) -> dict:
    return {'security': [{name: [] for name in CLIENT_SCHEMES}], 'extensions': {'x-required-role': 'client-system'},
            'note': 'a client system signing with its key (`X-Support-Key`, `X-Support-Timestamp`, '
                    '`X-Support-Signature`); no person has access.'}


def signed_client(view=None, *, replays: str = REFUSED):
    """Route decorator: only a client system with a valid signature may call it.

    ``@signed_client`` refuses replayed writes; ``@signed_client(replays=...)`` says how the route
    answers them safely instead (``SAME_IDEMPOTENCY_KEY``, ``DEDUPLICATED``).
    """
    if view is None:
        return functools.partial(signed_client, replays=replays)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        verify_signed_request(replays)
        return view(*args, **kwargs)
    return mark_access(wrapper, 'signed-client', _signed_doc)


__all__ = ['signed_client', 'verify_signed_request', 'sign']
