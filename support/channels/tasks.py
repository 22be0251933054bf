"""Housekeeping for channel webhooks."""
from datetime import timedelta

from huey import crontab

from ..core.extensions import db
from ..core.jobs import huey, in_app_context
from .operations import forget_nonces


@huey.periodic_task(crontab(minute='17'))
@in_app_context
def forget_spent_tokens() -> int:
    """Hourly: drop Mailgun tokens older than a day (their timestamps are refused anyway)."""
    removed = forget_nonces(timedelta(days=1))
    db.session.commit()
    return removed
