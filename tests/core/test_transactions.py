"""after_commit() and publish(): nothing leaves before the outermost commit, nothing after a rollback."""
import pytest

from support.core import live
from support.core.extensions import db
from support.sites.models import Site


@pytest.fixture
def emitted(app, monkeypatch):
    sent = []
    monkeypatch.setattr(live, '_emitter', lambda name, payload, rooms: sent.append(name))
    return sent


def test_nothing_is_sent_before_commit_and_savepoints_do_not_count(app, emitted):
    db.session.add(Site(name='Polanco'))
    live.publish(db.session, 'first', {}, 'supervisors')
    with db.session.begin_nested():
        db.session.add(Site(name='Santa Fe'))
    assert emitted == []
    live.publish(db.session, 'second', {}, ['supervisors'])
    with pytest.raises(ValueError), db.session.begin_nested():
        live.publish(db.session, 'inside-savepoint', {}, ['supervisors'])
        raise ValueError
    db.session.commit()
    assert emitted == ['first', 'second']


def test_a_rolled_back_change_is_never_announced(app, emitted):
    db.session.add(Site(name='Tijuana'))
    live.publish(db.session, 'ghost', {}, ['supervisors'])
    db.session.rollback()
    db.session.add(Site(name='Monterrey'))
    db.session.commit()
    assert emitted == []


def test_after_commit_callbacks_follow_the_same_rules(app):
    from support.core.transactions import after_commit
    ran = []
    after_commit(db.session, ran.append, 'outer')
    with pytest.raises(ValueError), db.session.begin_nested():
        after_commit(db.session, ran.append, 'rolled back savepoint')
        raise ValueError
    with db.session.begin_nested():
        after_commit(db.session, ran.append, 'released savepoint')
    db.session.add(Site(name='Polanco'))
    assert ran == []
    db.session.commit()
    assert ran == ['outer', 'released savepoint']
