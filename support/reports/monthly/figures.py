"""The figures a monthly report prints, read through the reports' own queries (``reports.queries``):
the month's totals, the month by day, and the month by channel, all in the client's zone.

The result is plain JSON (stored with the report as ``figures``), so the PDF can be rendered,
listed and announced from it without asking the database again.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...clients.models import Client
from ...core.extensions import db
from ...sla.models import SlaPolicy
from ..buckets import Interval
from ..definitions import CLOCK_METRICS
from ..queries import ReportParams, intervals_report, tickets_report
from . import months

VOLUME = ('created', 'answered', 'resolved', 'abandoned', 'reopened', 'transferred')


def monthly_figures(client: Client, first: date, zone: str, language: str, now: datetime) -> dict:
    """Everything the PDF shows of ``client``'s local month beginning ``first``."""
    start, end = months.month_bounds(first, zone)
    params = dict(start=start, end=end, zone=ZoneInfo(zone), filters={'client': [client.slug]}, language=language)
    # Grouped by the one client: no row at all for a month without a single fact.
    total = next(tickets_report(ReportParams(**params, group=('client',))).dicts(), None) or {}
    daily = {row['interval_start'][:10]: row for row in
             intervals_report(ReportParams(**params, interval=Interval.day)).dicts()}
    channels = list(tickets_report(ReportParams(**params, group=('channel',))).dicts())
    return {
        'client': {'slug': client.slug, 'name': client.name}, 'month': months.month_text(first), 'timezone': zone,
        'language': language, 'period': {'start': first.isoformat(), 'end': months.next_month(first).isoformat()},
        'generated_at': now.isoformat(),
        'volume': {name: total.get(name) or 0 for name in VOLUME},
        'asa_seconds': total.get('asa_mean_s'),
        'service_level': _service_level(client, total),
        'sla': _sla(total),
        'aht_seconds': total.get('aht_s'),
        'resolution_seconds': {'median': total.get('resolution_median_s'), 'p90': total.get('resolution_p90_s')},
        'daily': [_day(day, daily.get(day.isoformat(), {})) for day in months.days_of(first)],
        'channels': [{'channel': row['channel'], 'created': row['created'], 'asa_seconds': row['asa_mean_s'],
                      'aht_seconds': row['aht_s']} for row in channels if row['created'] or row['handled']],
    }


def _service_level(client: Client, total: dict) -> dict | None:
    offered = total.get('service_level_offered') or 0
    if not offered:
        return None
    target, goal = answer_target(client.id)
    return {'share': total.get('service_level'), 'within': total.get('service_level_within') or 0, 'total': offered,
            'target_seconds': target, 'goal_percent': goal}


def answer_target(client_id: int) -> tuple[int | None, int | None]:
    """The answer target (seconds) and service-level goal (%) of the client's active policies, when they
    all agree on one (the label then says "answered within X s"); None where they differ."""
    rows = db.session.execute(sa.select(SlaPolicy.answer_seconds, SlaPolicy.service_level_percent).where(
        SlaPolicy.client_id == client_id, SlaPolicy.active.is_(True), SlaPolicy.answer_seconds.is_not(None))).all()
    targets, goals = {r.answer_seconds for r in rows}, {r.service_level_percent for r in rows}
    return (targets.pop() if len(targets) == 1 else None), (goals.pop() if len(goals) == 1 else None)


def _sla(total: dict) -> dict:
    """Every SLA target of the month together: met, breached and the share met."""
    met = sum(total.get(f'sla_{metric}_met') or 0 for metric in CLOCK_METRICS)
    breached = sum(total.get(f'sla_{metric}_breached') or 0 for metric in CLOCK_METRICS)
    return {'met': met, 'breached': breached, 'share': round(met / (met + breached), 4) if met + breached else None}


def _day(day: date, row: dict) -> dict:
    return {'date': day.isoformat(), 'created': row.get('created') or 0, 'answered': row.get('answered') or 0,
            'service_level': row.get('service_level')}
