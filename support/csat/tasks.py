"""Jobs: ask a survey at its due time (one scheduled per survey, plus a minute sweep).

Each job re-reads ``status`` and ``due_at``: early, late, lost or repeated jobs change nothing wrong.
"""
from huey import crontab

from ..core.extensions import db
from ..core.jobs import huey, in_app_context
from . import operations


@huey.task(name='csat.send_due')
@in_app_context
def send_due_job(survey_id):
    try:
        operations.send_due(survey_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


@huey.periodic_task(crontab(minute='*'))
@in_app_context
def csat_sweep():
    """Every minute: ask the surveys past their due time (the scheduled job was lost or late)."""
    return operations.sweep_due()
