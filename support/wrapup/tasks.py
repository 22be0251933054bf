"""Jobs: end a wrap-up at its due time (one scheduled per wrap-up, plus a minute sweep).

Each job re-reads ``due_at`` and ``ended_at``: early, late, lost or repeated jobs change nothing wrong.
"""
from huey import crontab

from ..core.extensions import db
from ..core.jobs import huey, in_app_context
from ..routing import operations as routing
from . import operations


@huey.task(name='wrapup.end_due')
@in_app_context
def end_due_job(wrapup_id):
    try:
        operations.end_due(wrapup_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    routing.run_pending()


@huey.periodic_task(crontab(minute='*'))
@in_app_context
def wrapup_sweep():
    """Every minute: end the wrap-ups past their due time (the scheduled job was lost or late)."""
    operations.sweep_due()
    routing.run_pending()
