"""Marking routes with their access rule; the rules themselves live in the domains.

Every route carries ``_access_rule``; a test fails for any route without one, so a
new endpoint cannot be left open by accident.
"""


def mark_access(view, rule: str):
    view._access_rule = rule
    return view


def public(view):
    """Route decorator: deliberately open to anyone (health checks, token exchange)."""
    return mark_access(view, 'public')
