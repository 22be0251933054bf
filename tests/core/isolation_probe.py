"""Run twice at once by test_parallel_suites.py (not collected on its own: no ``test_`` prefix).

Each round empties the tables (the ``app`` fixture), then counts every ticket and every probe
key it sees after each write: a second suite sharing this database or Redis prefix would
empty or add to them, and the counts would be off.
"""
import time

import pytest
import sqlalchemy as sa

from support.core.extensions import db
from support.tickets.models import Ticket

from ..conftest import REDIS_PREFIX, REDIS_URL

ROUNDS = 6


@pytest.mark.parametrize('round_', range(ROUNDS))
def test_sees_only_its_own_rows_and_keys(app, make, round_):
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('the PostgreSQL part')
    creds = make.client()
    for count in range(1, 5):
        make.ticket(creds)
        time.sleep(0.05)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == count
    if REDIS_URL:
        import redis
        assert redis.Redis.from_url(REDIS_URL).incr(REDIS_PREFIX + 'probe') == round_ + 1
    print('\nPROBE-DATABASE', db.session.scalar(sa.text('SELECT current_database()')))
