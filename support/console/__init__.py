"""The agent console and the supervisor dashboard: pages, static files, read markers.

Both pages are clients of the same REST API and ``/live`` events anyone else can use;
this package adds only what they need and no other domain has: per-agent read markers
and the page routes (canned answers grew into support/macros).
"""


def register(app, api) -> None:
    """Pages, static files, the console's REST API and its live event (called by ``create_app``)."""
    from . import events  # noqa: F401  (connects the signal receiver)
    from ..macros.canned import blp as canned_blp  # the old canned-answer API, over macros
    from .api import console_blp
    from .pages import bp
    app.register_blueprint(bp)
    api.register_blueprint(canned_blp)
    api.register_blueprint(console_blp)
