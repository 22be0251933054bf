"""Monthly reports: ask for one (idempotent per client and month), render it in a job, list and read them.

A report row is written first (``pending``), then rendered by the ``reports.render_monthly`` job
after commit; the hourly ``reports.monthly`` job makes every client's report once its local month
has ended and picks up rows whose job was lost or failed. Rendering stores the PDF, the figures
it printed, and writes the ``report.ready`` callback deliveries in the same transaction.
"""
import hashlib
import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...clients.models import Client
from ...clients.webhook_models import WebhookEvent
from ...clients.webhooks import enqueue_event
from ...core import jobs
from ...core.clock import utcnow
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.extensions import db
from ...core.i18n import _
from ...core.live import publish, supervisor_rooms
from ...core.transactions import after_commit
from . import months
from .models import ReportFile, ReportKind, ReportStatus

log = logging.getLogger(__name__)
RENDER_JOB = 'reports.render_monthly'
MAX_ATTEMPTS = 5
STALE_PENDING = timedelta(minutes=15)  # a pending row this old lost its job: the hourly run renders it
EARLIEST = date(2000, 1, 1)


def language_of(client: Client) -> str:
    return client.default_language if client.default_language in ('en', 'es') else 'en'


def request_report(client: Client, first: date, requested_by_id: int | None = None,
                   regenerate: bool = False) -> tuple[ReportFile, bool]:
    """The client's report for the local month beginning ``first``: made (and its rendering scheduled)
    unless it exists; ``regenerate`` renders an existing one again. Returns it and whether it was made."""
    _check_month(client, first)
    report = _find(client.id, first)
    created = report is None
    if created:
        report = _insert(client, first, requested_by_id)
        if report is None:  # another request made it meanwhile
            report, created = _find(client.id, first), False
    if regenerate and not created and report.status != ReportStatus.pending:
        report.status, report.attempts, report.error, report.updated_at = ReportStatus.pending, 0, None, utcnow()
        report.requested_by_id = requested_by_id
    if created or regenerate:
        schedule(report)
    return report, created


def _check_month(client: Client, first: date) -> None:
    if first < EARLIEST:
        raise ValidationFailed(fields={'month': [_('Give a month from 2000-01 on.')]})
    if not months.has_ended(first, utcnow(), client.timezone):
        raise ValidationFailed(fields={'month': [_("This month has not ended yet in the client's time zone "
                                                   "({zone}).").format(zone=client.timezone)]})


def _find(client_id: int, first: date) -> ReportFile | None:
    return db.session.scalar(sa.select(ReportFile).filter_by(client_id=client_id, kind=ReportKind.monthly,
                                                             period_start=first))


def _insert(client: Client, first: date, requested_by_id: int | None) -> ReportFile | None:
    """A new pending row, or None when the unique constraint says one exists already."""
    now = utcnow()
    report = ReportFile(client_id=client.id, kind=ReportKind.monthly, period_start=first,
                        period_end=months.next_month(first), timezone=client.timezone,
                        language=language_of(client), status=ReportStatus.pending, requested_by_id=requested_by_id,
                        created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        return None
    return report


def schedule(report: ReportFile) -> None:
    """Render ``report`` in a job once this transaction commits."""
    db.session.flush()
    after_commit(db.session, jobs.enqueue, RENDER_JOB, report.id)


# --- rendering (the job) -----------------------------------------------------------------

def render_report(report_id: int) -> str | None:
    """Render a pending report: store the PDF and its figures, announce ``report.ready``; commits.

    A failure is stored on the row (``failed``, its error) for the hourly run to try again.
    """
    report = db.session.scalar(sa.select(ReportFile).where(ReportFile.id == report_id).with_for_update())
    if report is None or report.status != ReportStatus.pending:
        db.session.rollback()
        return None
    try:
        _render_into(report)
    except Exception as exc:  # noqa: BLE001  (any failure is stored and retried, never lost)
        log.exception('monthly report %s failed', report_id)
        db.session.rollback()
        _mark_failed(report_id, exc)
        return ReportStatus.failed.value
    db.session.commit()
    return ReportStatus.ready.value


def _render_into(report: ReportFile) -> None:
    from .figures import monthly_figures
    from .render import render
    now = utcnow()
    figures = monthly_figures(report.client, report.period_start, report.timezone, report.language, now)
    content = render(figures, report.language)
    report.content, report.size, report.sha256 = content, len(content), hashlib.sha256(content).hexdigest()
    report.figures, report.status, report.error = figures, ReportStatus.ready, None
    report.attempts += 1
    report.generated_at = report.updated_at = now
    announce(report)


def _mark_failed(report_id: int, exc: Exception) -> None:
    report = db.session.get(ReportFile, report_id)
    report.attempts += 1
    report.status, report.error = ReportStatus.failed, f'{type(exc).__name__}: {exc}'[:500]
    report.updated_at = utcnow()
    db.session.commit()


def event_data(report: ReportFile) -> dict:
    """What ``report.ready`` carries (and the live event): enough to fetch the PDF with a signed GET."""
    return {'report': {'id': report.id, 'kind': report.kind.value, 'month': report.month,
                       'timezone': report.timezone, 'language': report.language, 'size': report.size,
                       'sha256': report.sha256, 'generated_at': report.generated_at.isoformat(),
                       'pdf_url': f'/api/v1/intake/reports/monthly/{report.id}/pdf',
                       'figures': headline(report.figures)}}


def headline(figures: dict | None) -> dict | None:
    """The figures a list or a callback shows (the full document, less the series)."""
    if not figures:
        return None
    return {k: v for k, v in figures.items() if k not in ('daily', 'channels', 'client')}


def announce(report: ReportFile) -> None:
    from ...outbound.tasks import deliver_webhook  # the job that sends deliveries lives with outbound
    data = event_data(report)
    enqueue_event(db.session, report.client_id, WebhookEvent.report_ready, data, send_job=deliver_webhook)
    publish(db.session, 'report.ready', {**data, 'client': report.client.slug}, supervisor_rooms(report.client_id))


# --- the monthly run -------------------------------------------------------------------

def due_reports(now: datetime) -> list[tuple[Client, date]]:
    """(client, month) of every active client whose last local month ended and has no report yet
    (months that ended before the client existed are skipped)."""
    due = []
    for client in db.session.scalars(sa.select(Client).where(Client.active.is_(True)).order_by(Client.id)):
        first = months.last_ended_month(now, client.timezone)
        if months.month_bounds(first, client.timezone)[1] <= client.created_at:
            continue
        if _find(client.id, first) is None:
            due.append((client, first))
    return due


def run_monthly(now: datetime | None = None) -> dict:
    """Hourly: make the reports that are due, and render again those whose job was lost or failed."""
    now = now or utcnow()
    made = 0
    for client, first in due_reports(now):
        report, created = request_report(client, first)
        db.session.commit()
        made += created
    retried = 0
    for report in _to_retry(now):
        report.status, report.updated_at = ReportStatus.pending, now
        schedule(report)
        db.session.commit()
        retried += 1
    return {'made': made, 'retried': retried}


def _to_retry(now: datetime) -> list[ReportFile]:
    stale = sa.and_(ReportFile.status == ReportStatus.pending, ReportFile.updated_at < now - STALE_PENDING)
    failed = sa.and_(ReportFile.status == ReportStatus.failed, ReportFile.attempts < MAX_ATTEMPTS)
    return list(db.session.scalars(sa.select(ReportFile).where(sa.or_(stale, failed)).order_by(ReportFile.id)))


# --- reading ---------------------------------------------------------------------------

def list_reports(scope, client_id: int | None = None, month: date | None = None, before: int | None = None,
                 limit: int = 50) -> list[ReportFile]:
    """Newest month first; ``scope(select)`` applies who may see which client's; ``before`` is an id cursor."""
    query = scope(sa.select(ReportFile))
    if client_id is not None:
        query = query.where(ReportFile.client_id == client_id)
    if month is not None:
        query = query.where(ReportFile.period_start == month)
    if before is not None:
        query = query.where(ReportFile.id < before)
    return list(db.session.scalars(query.order_by(ReportFile.id.desc()).limit(limit)))


def get_report(report_id: int, visible) -> ReportFile:
    """The report with this id if ``visible(report)``; 404 otherwise (as if it did not exist)."""
    report = db.session.get(ReportFile, report_id)
    if report is None or not visible(report):
        raise NotFound(_('No such report.'))
    return report


def pdf_of(report: ReportFile) -> bytes:
    if report.status != ReportStatus.ready or report.content is None:
        raise Conflict(_('This report is not ready yet.'), code='report_not_ready')
    return report.content
