"""Customer satisfaction (CSAT): ask after a resolve, record one answer per ticket (docs/csat.md)."""


def register(app, api) -> None:
    """The REST API and the public survey page (called by ``create_app``)."""
    from .api import blp
    from .pages import bp
    api.register_blueprint(blp)
    app.register_blueprint(bp)
