"""One JSON error shape for every failure: ``{"error": {"code", "message", "fields"}}``."""
from flask import jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .i18n import _, _l

# i18n: generic messages for HTTP statuses, shown when nothing more specific is known
STATUS_MESSAGES = {
    400: ('bad_request', _l('The request could not be understood.')),
    401: ('unauthorized', _l('Authentication is required.')),
    403: ('forbidden', _l('You are not allowed to do this.')),
    404: ('not_found', _l('Not found.')),
    405: ('method_not_allowed', _l('This method is not allowed here.')),
    406: ('not_acceptable', _l('This request is not acceptable.')),
    409: ('conflict', _l('This conflicts with the current state.')),
    413: ('payload_too_large', _l('The request body is too large.')),
    415: ('unsupported_media_type', _l('The request body must be JSON (Content-Type: application/json).')),
    422: ('validation_error', _l('Some fields are not valid.')),
    429: ('rate_limited', _l('Too many requests; slow down and retry later.')),
    500: ('internal_error', _l('Something went wrong on our side.')),
    503: ('busy', _l('The service is busy right now; retry in a moment.')),
}

# PostgreSQL's serialization failure, deadlock and lock timeout: the transaction lost a race and
# was rolled back whole, so the same request can simply be sent again.
TRANSIENT_SQLSTATES = frozenset({'40001', '40P01', '55P03'})
RETRY_AFTER_SECONDS = 1


def is_transient(exc: OperationalError) -> bool:
    """A database error that the same request, sent again, would most likely not meet."""
    orig = getattr(exc, 'orig', None)
    if getattr(orig, 'sqlstate', None) in TRANSIENT_SQLSTATES:
        return True
    return 'database is locked' in str(orig)  # SQLite's busy timeout ran out


class ApiError(Exception):
    """An error an operation raises for the HTTP layer to turn into a response."""

    status = 400
    code = 'bad_request'

    def __init__(self, message=None, *, code=None, status=None, fields=None, headers=None):
        super().__init__(str(message) if message else '')
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or {}
        self.headers = headers or {}


class NotFound(ApiError):
    status, code = 404, 'not_found'


class Conflict(ApiError):
    status, code = 409, 'conflict'


class Forbidden(ApiError):
    status, code = 403, 'forbidden'


class Unauthorized(ApiError):
    status, code = 401, 'unauthorized'


class ValidationFailed(ApiError):
    status, code = 422, 'validation_error'


def error_response(status: int, code=None, message=None, fields=None, headers=None):
    default_code, default_message = STATUS_MESSAGES.get(status, STATUS_MESSAGES[500] if status >= 500
                                                        else STATUS_MESSAGES[400])
    body = {'error': {'code': code or default_code,
                      'message': str(message or default_message),
                      'fields': _field_messages(fields or {})}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_messages(value):
    """Field errors as lists of resolved strings (they are lazy); nested schemas keep their shape."""
    if isinstance(value, dict):
        return {str(key): _field_messages(item) for key, item in value.items()}
    if not isinstance(value, (list, tuple)):
        return [str(value)]
    flat = []
    for item in value:
        if isinstance(item, dict):
            flat.append(_field_messages(item))
        else:
            flat.extend(_field_messages(item))
    return flat


def _from_http_exception(exc: HTTPException):
    data = getattr(exc, 'data', None) or {}
    messages = data.get('messages')
    if messages is not None and exc.code == 400:
        return error_response(400, 'invalid_json', _('The body is not valid JSON.'))
    if messages is not None:
        # webargs puts errors under their location ("json", "query"); callers want field names
        fields = {}
        for location_errors in messages.values():
            fields.update(location_errors if isinstance(location_errors, dict) else {'_schema': location_errors})
        return error_response(422, fields=fields, headers=data.get('headers'))
    headers = dict(exc.get_headers()) if exc.code == 405 else {}
    headers.pop('Content-Type', None)
    if exc.code == 429:
        headers.update({k: v for k, v in exc.get_response().headers.items() if k == 'Retry-After'})
    message = data.get('message') if isinstance(data.get('message'), str) else None
    return error_response(exc.code or 500, message=message, headers=headers)


def _discard_changes():
    """A failed request writes nothing: drop whatever it added to the session."""
    db.session.rollback()


def handle_http_error(exc: HTTPException):
    _discard_changes()
    return _from_http_exception(exc)


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        _discard_changes()
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    app.register_error_handler(HTTPException, handle_http_error)

    @app.errorhandler(OperationalError)
    def handle_database_race(exc: OperationalError):
        if not is_transient(exc):
            return handle_unexpected(exc)
        app.logger.warning('transaction lost a race, answered 503: %s', (str(exc.orig).splitlines() or [''])[0])
        _discard_changes()
        return error_response(503, headers={'Retry-After': str(RETRY_AFTER_SECONDS)})

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception('unhandled error')
        _discard_changes()
        return error_response(500, message=_('Something went wrong on our side.'))
