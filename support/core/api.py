"""The flask-smorest Api: OpenAPI from the same marshmallow schemas that validate."""
import functools

from flask import send_from_directory
from flask_smorest import Api

from .access import mark_access
from .errors import handle_http_error
from .schemas import ErrorSchema


class SupportApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app):
        super().__init__(app, spec_kwargs={'info': {'description': _DESCRIPTION}})
        self.spec.components.security_scheme('bearer', {'type': 'http', 'scheme': 'bearer'})
        self.spec.options['security'] = [{'bearer': []}]
        _serve_swagger_assets(app)
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith('api-docs.'):
                app.view_functions[endpoint] = mark_access(functools.wraps(view)(_call(view)), 'public')

    def handle_http_exception(self, error):
        return handle_http_error(error)


_DESCRIPTION = ('Ticketing backend of a bilingual call center. Agents authenticate with '
                '`Authorization: Bearer <token>` from `POST /api/v1/auth/token`; client systems sign '
                'requests with `X-Support-Key`, `X-Support-Timestamp` and `X-Support-Signature`. Errors are '
                '`{"error": {"code", "message", "fields"}}` in the language of `Accept-Language`.')


def _call(view):
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapper


def _serve_swagger_assets(app):
    import swagger_ui_bundle
    folder = swagger_ui_bundle.swagger_ui_path

    def swagger_assets(filename):
        return send_from_directory(folder, filename)
    app.add_url_rule('/api/v1/docs/assets/<path:filename>', 'swagger_assets', mark_access(swagger_assets, 'public'))
