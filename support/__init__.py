"""support: the ticketing backend of a bilingual call center."""
import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says (tests use it)."""
    app = Flask(__name__, instance_path=os.environ.get('SUPPORT_INSTANCE_PATH') or None)
    from .core.config import engine_options, from_environment, normalise_url
    app.config.update(from_environment(app.instance_path))
    app.config.update(config or {})
    app.config['SQLALCHEMY_DATABASE_URI'] = normalise_url(app.config['SQLALCHEMY_DATABASE_URI'])
    app.config.setdefault('SQLALCHEMY_ENGINE_OPTIONS', engine_options(app.config['SQLALCHEMY_DATABASE_URI']))
    from .core import json_limits
    json_limits.install(app)
    app.json.sort_keys = False
    from .core.catalogs import translation_directory
    app.config['BABEL_TRANSLATION_DIRECTORIES'] = translation_directory(app.root_path, app.instance_path)

    from .core.http import BigId, BoundedInt
    app.url_map.converters['int'] = BoundedInt
    app.url_map.converters['big'] = BigId
    _observe(app)
    _init_extensions(app)
    _register_api(app)
    from .core.http import register_request_guards
    register_request_guards(app)
    from . import cli
    cli.register(app)
    from .core import jobs
    jobs.bind_app(app)
    _trust_proxies(app)
    if not app.config.get('SUPPORT_ENCRYPTION_KEYS') and not app.testing:
        app.logger.warning('SUPPORT_ENCRYPTION_KEYS is not set: stored secrets are encrypted with a key derived '
                           'from SUPPORT_SECRET_KEY (set your own keys in production; see docs/security.md)')
    return app


def _observe(app: Flask) -> None:
    """Hooks every answer passes, registered first so they run before (and after) all others:
    the request id, metrics, the log line, language and rate-limit headers."""
    from .core import logs, metrics, requestid
    from .core.http import register_response_headers
    from .core.i18n import register_language_headers
    requestid.register(app)
    metrics.instrument(app)
    logs.configure(app)
    register_language_headers(app)
    register_response_headers(app)


def _trust_proxies(app: Flask) -> None:
    """Behind ``SUPPORT_TRUSTED_PROXIES`` proxies, the client's address is the one they forward
    (per-address sign-in limits and the audit log need it); never trust the header otherwise."""
    hops = int(app.config.get('SUPPORT_TRUSTED_PROXIES') or os.environ.get('SUPPORT_TRUSTED_PROXIES') or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from .core.config import redis_prefix
    from .core.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
    from .core.i18n import select_locale, select_timezone
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, 'migrations'))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from .core import caches
    caches.init_app(app)
    # Socket handlers must be declared before init_app, so every app (tests build several) gets them.
    from .live import handlers, sockets  # noqa: F401  (registers handlers)
    socketio.init_app(app, async_mode=app.config['SUPPORT_ASYNC_MODE'],
                      message_queue=app.config['SUPPORT_REDIS_URL'], cors_allowed_origins=[],
                      channel=redis_prefix(app.config) + 'flask-socketio',
                      logger=False, engineio_logger=False)
    from .outbound import listeners  # noqa: F401  (outbox, acknowledgements, webhook deliveries; jobs)
    from .observe import listeners as _counters  # noqa: F401  (metrics of committed facts)
    from .models import import_all
    import_all()


def _register_api(app: Flask) -> None:
    from .console import register as register_console
    from .core.api import SupportApi
    from .core.errors import register_error_handlers
    api = SupportApi(app)
    register_error_handlers(app)
    for blueprint in _api_blueprints():
        api.register_blueprint(blueprint)
    register_console(app, api)
    from .csat import register as register_csat
    register_csat(app, api)
    from .observe.api import blp as metrics_blp
    app.register_blueprint(metrics_blp)
    api.document_access(app)
    app.extensions['support_api'] = api
    if os.environ.get('SUPPORT_BENCH') == '1':
        from .core.bench import blp as bench_blp
        app.register_blueprint(bench_blp)


def _api_blueprints() -> tuple:
    """Every REST blueprint, one per domain concern; all land in the OpenAPI document."""
    from .agents.account_api import blp as account
    from .agents.api import agents_blp, auth_blp
    from .audit.api import blp as audit
    from .calendars.api import blp as calendars
    from .channels.api import config_blp as channel_configs, webhooks_blp as channel_webhooks
    from .channels.intake import blp as intake
    from .channels.reply_files import blp as reply_files
    from .clients.api import blp as clients
    from .clients.webhooks_api import admin_blp as webhooks, client_blp as client_webhooks
    from .core.health import blp as health
    from .customers.api import blp as customers
    from .lab.api import blp as lab
    from .macros.api import blp as macros
    from .outbound.api import blp as outbound
    from .reports.api import blp as reports, client_blp as client_reports
    from .reports.monthly.api import blp as monthly_reports, client_blp as client_monthly_reports
    from .routing.api import blp as routing
    from .sites.api import blp as sites
    from .sla.api import blp as sla
    from .tickets.api import blp as tickets
    from .tickets.fields_api import blp as ticket_fields
    from .tickets.search_api import blp as search
    from .wrapup.api import blp as wrapup
    return (health, auth_blp, account, agents_blp, audit, clients, sites, calendars, tickets, intake, routing,
            channel_webhooks, channel_configs, webhooks, client_webhooks, outbound, lab, sla, search, customers,
            reports, client_reports, monthly_reports, client_monthly_reports,
            wrapup, macros, ticket_fields, reply_files)
