"""Figures read from the database (and the job broker) when Prometheus scrapes: one grouped
query over the routing index per scrape, nothing kept in memory between scrapes."""
import logging

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily

from ..core import jobs
from ..core.clock import utcnow
from ..core.extensions import db
from ..routing.models import ItemState, Queue, RoutingItem

log = logging.getLogger(__name__)
_OPEN = (ItemState.waiting, ItemState.offered)


class QueueCollector:
    """``support_queue_tickets{queue_id, queue, state}`` and ``support_queue_oldest_wait_seconds``."""

    def collect(self):
        depth = GaugeMetricFamily('support_queue_tickets', 'Tickets in each queue not yet accepted, by state '
                                  '(waiting, offered).', labels=('queue_id', 'queue', 'state'))
        oldest = GaugeMetricFamily('support_queue_oldest_wait_seconds', 'How long the longest-waiting ticket '
                                   'of each queue (waiting or offered) has waited; 0 when none.',
                                   labels=('queue_id', 'queue'))
        try:
            self._fill(depth, oldest)
        except Exception:  # the scrape still answers the other series; the log says why these are missing
            log.exception('could not read the queue figures')
            db.session.rollback()
            return
        yield depth
        yield oldest

    @staticmethod
    def _fill(depth, oldest) -> None:
        figures = {}
        for queue_id, state, count, since in db.session.execute(
                sa.select(RoutingItem.queue_id, RoutingItem.state, sa.func.count(), sa.func.min(RoutingItem.waiting_since))
                .where(RoutingItem.state.in_(_OPEN)).group_by(RoutingItem.queue_id, RoutingItem.state)):
            figures.setdefault(queue_id, {})[state] = (count, since)
        now = utcnow()
        for queue_id, name in db.session.execute(sa.select(Queue.id, Queue.name).order_by(Queue.id)):
            states = figures.get(queue_id, {})
            for state in _OPEN:
                depth.add_metric([str(queue_id), name, state.value], states.get(state, (0, None))[0])
            starts = [since for _count, since in states.values() if since is not None]
            oldest.add_metric([str(queue_id), name], max(0.0, (now - min(starts)).total_seconds()) if starts else 0.0)
        db.session.commit()  # end the read transaction: a scrape holds no snapshot or lock


class JobsCollector:
    """``support_jobs_pending``: jobs waiting in the broker (absent when it cannot be read)."""

    def collect(self):
        pending = jobs.pending()
        if pending is not None:
            gauge = GaugeMetricFamily('support_jobs_pending', 'Jobs waiting in the queue (not counting scheduled ones).')
            gauge.add_metric([], pending)
            yield gauge
