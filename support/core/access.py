"""Marking routes with their access rule; the rules themselves live in the domains.

Every route carries ``_access_rule`` (a test fails for any route without one, so a new
endpoint cannot be left open by accident) and, for the OpenAPI document, ``_access_doc``:
``doc(method) -> {"security": [...], "extensions": {"x-...": ...}, "note": "..."}``. The
document applies exactly that to each operation (``core.api``), and a test compares the
document with the rules, so it can never claim more or less than the routes enforce.

The decorators that declare a rule come from the domains that own the policy:

* ``core.access.public``: open to anyone (health, token exchange, provider handshakes...);
* ``agents.auth.require_role(Role.supervisor, scope=Scope.reports)``: people, by role, and
  for personal API tokens by scope (the default scope is ``admin`` for admin routes, else
  ``tickets:read`` for GET and ``tickets:write`` for the rest);
* ``clients.auth.signed_client``: client systems signing with their key;
* ``channels.webhooks.provider_signed('meta', verify)``: a provider's own signature.

Each registers the OpenAPI security scheme it relies on with ``register_security_scheme``.
"""
SECURITY_SCHEMES: dict[str, dict] = {}


def register_security_scheme(name: str, definition: dict) -> None:
    SECURITY_SCHEMES[name] = definition


def mark_access(view, rule: str, doc=None):
    view._access_rule = rule
    view._access_doc = doc
    return view


def _public_doc(method: str) -> dict:
    return {'security': [], 'extensions': {}, 'note': 'public: no authentication.'}


def public(view):
    """Route decorator: deliberately open to anyone (health checks, token exchange)."""
    return mark_access(view, 'public', _public_doc)


def access_doc(view, method: str) -> dict | None:
    doc = getattr(view, '_access_doc', None)
    return doc(method) if doc else None
