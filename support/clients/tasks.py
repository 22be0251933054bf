"""Housekeeping for signed requests."""
from huey import crontab

from ..core import replay
from ..core.extensions import db
from ..core.jobs import huey, in_app_context


@huey.periodic_task(crontab(minute='23'))
@in_app_context
def forget_replay_marks() -> int:
    """Hourly: drop the marks of signatures whose window has passed (Redis expires its own)."""
    removed = replay.forget_expired()
    db.session.commit()
    return removed
