"""Configuration read from the environment (``SUPPORT_*``)."""
import os
from datetime import timedelta

# What SECRET_KEY is when SUPPORT_SECRET_KEY is unset: fine for tests and debugging, refused by servers.
DEVELOPMENT_SECRET_KEY = 'dev-insecure-change-me'


def _sqlite_url(instance_path: str) -> str:
    os.makedirs(instance_path, exist_ok=True)
    return 'sqlite:///' + os.path.join(instance_path, 'support.sqlite')


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from ``SUPPORT_*`` environment variables."""
    env = os.environ.get
    redis_url = env('SUPPORT_REDIS_URL') or None
    database_url = env('SUPPORT_DATABASE_URL') or _sqlite_url(instance_path)
    database_url = normalise_url(database_url)
    return {
        'SECRET_KEY': env('SUPPORT_SECRET_KEY') or DEVELOPMENT_SECRET_KEY,
        'SQLALCHEMY_DATABASE_URI': database_url,
        'SUPPORT_REDIS_URL': redis_url,
        'SUPPORT_REDIS_PREFIX': env('SUPPORT_REDIS_PREFIX', ''),
        'SUPPORT_ASYNC_MODE': env('SUPPORT_ASYNC_MODE') or _running_async_mode(),
        'SUPPORT_JOBS': env('SUPPORT_JOBS', 'redis' if redis_url else 'sqlite'),
        'SUPPORT_INTAKE_RATE_LIMIT': env('SUPPORT_INTAKE_RATE_LIMIT', '600/minute'),
        'SUPPORT_SIGNATURE_TOLERANCE': int(env('SUPPORT_SIGNATURE_TOLERANCE', '300')),
        'SUPPORT_TOKEN_MAX_AGE': int(env('SUPPORT_TOKEN_MAX_AGE', str(12 * 3600))),
        'SUPPORT_ENCRYPTION_KEYS': env('SUPPORT_ENCRYPTION_KEYS') or None,
        'SUPPORT_LOG_FORMAT': env('SUPPORT_LOG_FORMAT') or None,
        'SUPPORT_LOG_LEVEL': env('SUPPORT_LOG_LEVEL') or 'INFO',
        'MAX_CONTENT_LENGTH': 1024 * 1024,
        'PERMANENT_SESSION_LIFETIME': timedelta(hours=12),
        'SESSION_COOKIE_HTTPONLY': True,
        'SESSION_COOKIE_SAMESITE': 'Lax',
        'WTF_CSRF_CHECK_DEFAULT': False,
        'WTF_CSRF_TIME_LIMIT': None,
        'RATELIMIT_STORAGE_URI': redis_url or 'memory://',
        'RATELIMIT_KEY_PREFIX': env('SUPPORT_REDIS_PREFIX', ''),
        'RATELIMIT_HEADERS_ENABLED': True,
        'BABEL_DEFAULT_LOCALE': 'en',
        'BABEL_DEFAULT_TIMEZONE': 'UTC',
        'API_TITLE': 'support',
        'API_VERSION': 'v1',
        'OPENAPI_VERSION': '3.0.3',
        'OPENAPI_URL_PREFIX': '/api/v1',
        'OPENAPI_JSON_PATH': 'openapi.json',
        'OPENAPI_SWAGGER_UI_PATH': '/docs',
        'OPENAPI_SWAGGER_UI_URL': '/api/v1/docs/assets/',
        'JSON_SORT_KEYS': False,
    }


def development_secret_problem(secret: str | None, debug: bool = False, testing: bool = False) -> str | None:
    """Why a server must not start with this secret key (None when it may): outside debug or
    testing, the development key would let anyone forge sessions, CSRF and bearer tokens."""
    if debug or testing or (secret and secret != DEVELOPMENT_SECRET_KEY):
        return None
    return ('Refusing to start: SUPPORT_SECRET_KEY is unset or the development value, so sessions, CSRF tokens and bearer tokens '
            'would be signed with the public development key. Set SUPPORT_SECRET_KEY to a long random '
            'secret (python3 -c "import secrets; print(secrets.token_urlsafe(48))") and keep it the same '
            'on every process and across restarts (stored secrets are encrypted with a key derived from it '
            'unless SUPPORT_ENCRYPTION_KEYS is set).')


def engine_options(url: str) -> dict:
    """Pool and driver options that suit the backend of ``url``.

    PostgreSQL: ``SUPPORT_DATABASE_POOL_SIZE`` (10) and ``SUPPORT_DATABASE_MAX_OVERFLOW`` (20)
    connections per process, ``SUPPORT_DATABASE_STATEMENT_TIMEOUT`` and
    ``SUPPORT_DATABASE_LOCK_TIMEOUT`` in milliseconds (unset: the server's own). See docs/deploy.md.
    """
    if url.startswith('sqlite'):
        return {'connect_args': {'timeout': 30, 'check_same_thread': False}}
    env = os.environ.get
    options = {'pool_pre_ping': True, 'pool_size': int(env('SUPPORT_DATABASE_POOL_SIZE') or 10),
               'max_overflow': int(env('SUPPORT_DATABASE_MAX_OVERFLOW') or 20)}
    settings = [f'-c {name}={int(env(variable))}' for name, variable in (
        ('statement_timeout', 'SUPPORT_DATABASE_STATEMENT_TIMEOUT'), ('lock_timeout', 'SUPPORT_DATABASE_LOCK_TIMEOUT'))
        if env(variable)]
    if settings:
        options['connect_args'] = {'options': ' '.join(settings)}
    return options


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here."""
    if url.startswith(('postgresql://', 'postgres://')):
        return 'postgresql+psycopg://' + url.split('://', 1)[1]
    return url


def _running_async_mode() -> str:
    """gevent when a gevent worker patched this process, threading otherwise (never eventlet)."""
    try:
        from gevent import monkey
        if monkey.is_module_patched('socket'):
            return 'gevent'
    except ImportError:
        pass
    return 'threading'


def redis_prefix(config: dict | None = None) -> str:
    """``SUPPORT_REDIS_PREFIX``: put before every Redis key and channel we write (replay marks, Socket.IO, rate limits,
    jobs, cache invalidations), so several installs or test runs share one Redis. ``config`` is an app's config while
    it is being built; else the current app's, else the environment (huey is built at import, before any app)."""
    if config is not None:
        return config.get('SUPPORT_REDIS_PREFIX') or ''
    return setting('SUPPORT_REDIS_PREFIX', '') or ''


def setting(name: str, default=None):
    """An area's knob: the Flask config, else the ``SUPPORT_*`` environment variable, else ``default``.

    Text from the environment takes the type of ``default``: ``1/true/yes/on`` for a bool,
    a comma-separated list for a list or tuple, ``key=number,...`` for a dict.
    """
    from flask import current_app, has_app_context
    value = current_app.config.get(name) if has_app_context() else None
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return default
    if isinstance(value, str) and default is not None and not isinstance(default, str):
        return _like(value, default)
    return value


def _like(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in ('1', 'true', 'yes', 'on')
    if isinstance(default, (list, tuple)):
        return type(default)(part.strip() for part in raw.split(',') if part.strip())
    if isinstance(default, dict):
        pairs = (part.split('=', 1) for part in raw.split(',') if '=' in part)
        return {key.strip(): int(number) for key, number in pairs}
    return type(default)(raw)
