"""The flask-smorest Api: OpenAPI from the same marshmallow schemas that validate."""
import functools

import re

from apispec import APISpec
from flask import send_from_directory
from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin

from .access import SECURITY_SCHEMES, access_doc, public
from .errors import handle_http_error
from .schemas import ErrorSchema

_IGNORED_METHODS = {'HEAD', 'OPTIONS'}


class SupportApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app):
        super().__init__(app, spec_kwargs={'info': {'description': _DESCRIPTION}})
        _serve_swagger_assets(app)
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith('api-docs.'):
                app.view_functions[endpoint] = public(functools.wraps(view)(_call(view)))

    def _init_spec(self, *args, **kwargs):
        super()._init_spec(*args, **kwargs)
        self.spec.__class__ = MarkdownSpec

    def handle_http_exception(self, error):
        return handle_http_error(error)

    def document_access(self, app) -> None:
        """Give each operation the security, role and scope its route declares (``core.access``).

        Called once every blueprint is registered; public operations get ``security: []``.
        """
        for name, definition in sorted(SECURITY_SCHEMES.items()):
            self.spec.components.security_scheme(name, definition)
        paths = self.spec._paths  # apispec keeps operations here until the document is rendered
        for rule in app.url_map.iter_rules():
            operations = paths.get(FlaskPlugin.flaskpath2openapi(rule.rule))
            if not operations:
                continue
            view = app.view_functions[rule.endpoint]
            for method in rule.methods - _IGNORED_METHODS:
                operation, doc = operations.get(method.lower()), access_doc(view, method)
                if operation is not None and doc is not None:
                    _apply(operation, doc, view._access_rule)


class MarkdownSpec(APISpec):
    """The document as readers see it: summaries and descriptions come from docstrings written for
    Python (reStructuredText double backticks, roles); OpenAPI renders Markdown, so those become
    single backticks."""

    def to_dict(self):
        return _markdown(super().to_dict())


_RST_LITERAL = re.compile(r'``(.+?)``', re.S)
_RST_ROLE = re.compile(r':(?:func|class|meth|data|attr|mod|obj):`~?([^`]+)`')


def _markdown(value, key=None):
    if isinstance(value, dict):
        return {k: _markdown(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_markdown(item, key) for item in value]
    if isinstance(value, str) and key in ('summary', 'description'):
        return _RST_ROLE.sub(r'`\1`', _RST_LITERAL.sub(r'`\1`', value))
    return value


_DESCRIPTION = ('Ticketing backend of a bilingual call center. Agents authenticate with '
                '`Authorization: Bearer <token>` (from `POST /api/v1/auth/token`, or a personal API token '
                'with scopes) or the console session; client systems sign requests with `X-Support-Key`, '
                '`X-Support-Timestamp` and `X-Support-Signature`; providers sign in their own way. Each '
                'operation lists its security scheme, and `x-required-role` / `x-token-scope` name the role '
                'and token scope it needs. Errors are `{"error": {"code", "message", "fields"}}` in the '
                'language of `Accept-Language`.')


def _apply(operation: dict, doc: dict, rule: str) -> None:
    operation['security'] = doc['security']
    operation.update(doc['extensions'])
    operation['x-access-rule'] = rule
    described = operation.get('description') or ''
    operation['description'] = f"{described}\n\n**Access:** {doc['note']}".strip()


def _call(view):
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapper


def _serve_swagger_assets(app):
    import swagger_ui_bundle
    folder = swagger_ui_bundle.swagger_ui_path

    def swagger_assets(filename):
        return send_from_directory(folder, filename)
    app.add_url_rule('/api/v1/docs/assets/<path:filename>', 'swagger_assets', public(swagger_assets))
