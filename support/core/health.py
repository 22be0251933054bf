"""Health probes: liveness (the process answers), readiness (it can do its work now), and the
original ``/api/v1/health`` (database reachable) kept for the probes that already use it."""
import logging

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import fields

from . import jobs
from .access import public
from .config import setting
from .extensions import db
from .i18n import _
from .schemas import Schema

log = logging.getLogger(__name__)

blp = Blueprint('health', __name__, url_prefix='/api/v1',
                description='Liveness and readiness probes (for load balancers, orchestrators, monitors).')


class HealthSchema(Schema):
    status = fields.String(metadata={'description': '`ok`, or `unavailable` when the database did not answer'})
    database = fields.String(metadata={'description': 'the database backend (`sqlite`, `postgresql`)'})


class LiveSchema(Schema):
    status = fields.String(metadata={'description': 'always `ok`: the process is up and answering'})


class CheckSchema(Schema):
    ok = fields.Boolean()
    error = fields.String(allow_none=True, metadata={'description': 'why the check failed'})
    pending = fields.Integer(allow_none=True, metadata={'description': 'jobs waiting (the `jobs` check)'})
    limit = fields.Integer(allow_none=True, metadata={'description': 'the backlog that fails the `jobs` check'})


class ReadySchema(Schema):
    status = fields.String(metadata={'description': '`ok` or `unavailable`'})
    message = fields.String(metadata={'description': 'which checks failed, in the language of the request'})
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckSchema),
                         metadata={'description': '`database`, `redis` (when configured), `jobs`'})


@blp.route('/health', methods=['GET'])
@public
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description='The database did not answer.')
def health():
    """Is the service up and can it reach its database (kept as it was; prefer `/health/ready`)."""
    check = _database()
    if not check['ok']:
        return {'status': 'unavailable', 'database': db.engine.dialect.name}, 503
    return {'status': 'ok', 'database': db.engine.dialect.name}


@blp.route('/health/live', methods=['GET'])
@public
@blp.response(200, LiveSchema)
def live():
    """Liveness: the process is up; touches no dependency (restart the process when this fails)."""
    return {'status': 'ok'}


@blp.route('/health/ready', methods=['GET'])
@public
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description='A dependency failed: `checks` says which.')
def ready():
    """Readiness: the database answers `SELECT 1`, Redis answers a ping (when configured), and the
    job backlog is under `SUPPORT_READY_MAX_PENDING_JOBS`; 503 naming the failed checks otherwise
    (send no traffic here until it passes)."""
    checks = {'database': _database()}
    if setting('SUPPORT_REDIS_URL'):
        checks['redis'] = _redis(setting('SUPPORT_REDIS_URL'))
    checks['jobs'] = _jobs(setting('SUPPORT_READY_MAX_PENDING_JOBS', 1000))
    failed = sorted(name for name, check in checks.items() if not check['ok'])
    if failed:
        message = _('Not ready; failed checks: {checks}.').format(checks=', '.join(failed))
        return {'status': 'unavailable', 'message': message, 'checks': checks}, 503
    return {'status': 'ok', 'message': _('Ready.'), 'checks': checks}


def _database() -> dict:
    try:
        db.session.execute(sa.text('SELECT 1'))
    except Exception as exc:  # any failure means not ready; its text says why
        db.session.rollback()
        return {'ok': False, 'error': _describe(exc)}
    return {'ok': True}


def _redis(url: str) -> dict:
    import redis
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except Exception as exc:
        return {'ok': False, 'error': _describe(exc)}
    finally:
        client.close()
    return {'ok': True}


def _jobs(limit: int) -> dict:
    pending = jobs.pending()
    if pending is None:
        return {'ok': False, 'error': 'the job queue could not be read', 'pending': None, 'limit': limit}
    return {'ok': pending <= limit, 'error': None if pending <= limit else 'backlog over the limit',
            'pending': pending, 'limit': limit}


def _describe(exc: Exception) -> str:
    """The kind of failure only (the probe is public); the details go to the log."""
    log.warning('readiness check failed: %s', exc)
    return f'{type(exc).__name__} (details in the log)'
