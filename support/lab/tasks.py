"""Jobs that sweep the lab's timers (stored as timestamps, so a lost run loses nothing)."""
import functools

from flask import has_app_context
from huey import crontab

from ..core import jobs
from ..core.jobs import huey
from .operations import expire_holds, sweep_overdue


def _with_app(fn):
    """Run inside the bound app's context unless one is already pushed (tests run jobs inline)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with jobs._flask_app.app_context():
            return fn(*args, **kwargs)
    return wrapper


@huey.periodic_task(crontab(minute='*'), name='lab.sweep')
@_with_app
def lab_sweep() -> dict:
    """Every minute: raise ``lab.overdue`` for late units; pass on units whose hold was not claimed."""
    return {'overdue': sweep_overdue(), 'holds_expired': expire_holds()}
