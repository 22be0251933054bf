"""Reservations for a time window: overlaps refused by name (A.from <= B.to and A.to >= B.from)."""
import threading
from datetime import datetime, timedelta, timezone

from support.core import clock
from support.core.extensions import db

START = datetime(2030, 3, 4, 15, 0, tzinfo=timezone.utc)


def _at(hours):
    return (START + timedelta(hours=hours)).isoformat()


def _reserve(lab, who, unit, start, end, purpose='Training'):
    return lab.post(who, '/reservations', {'unit_id': unit['id'], 'starts_at': _at(start), 'ends_at': _at(end),
                                           'purpose': purpose})


def test_overlapping_reservation_is_refused_naming_the_other(lab):
    first = _reserve(lab, lab.ana, lab.units[0], 0, 2, 'Onboarding class')
    assert first.status_code == 201
    response = _reserve(lab, lab.bob, lab.units[0], 1, 3)
    assert response.status_code == 409
    error = response.get_json()['error']
    assert error['code'] == 'reservation_conflict'
    assert 'Ana Agent' in error['message'] and 'Onboarding class' in error['message']
    assert f'reservation {first.get_json()["id"]}' in error['message']


def test_touching_windows_overlap_and_separate_ones_do_not(lab):
    assert _reserve(lab, lab.ana, lab.units[0], 0, 2).status_code == 201
    assert _reserve(lab, lab.bob, lab.units[0], 2, 3).status_code == 409      # A.to == B.from
    assert _reserve(lab, lab.bob, lab.units[0], -1, 0).status_code == 409     # A.from == B.to
    assert _reserve(lab, lab.bob, lab.units[0], -2, 4).status_code == 409     # B contains A
    assert _reserve(lab, lab.bob, lab.units[0], 3, 4).status_code == 201
    assert _reserve(lab, lab.bob, lab.units[1], 0, 2).status_code == 201      # another unit


def test_cancelled_reservation_frees_the_window(lab):
    reservation = _reserve(lab, lab.ana, lab.units[0], 0, 2).get_json()
    assert lab.http.delete(f'/api/v1/lab/reservations/{reservation["id"]}', headers=lab.bob.headers).status_code == 404
    assert lab.http.delete(f'/api/v1/lab/reservations/{reservation["id"]}',
                           headers=lab.ana.headers).status_code == 200
    assert _reserve(lab, lab.bob, lab.units[0], 1, 3).status_code == 201


def test_reservation_blocks_overlapping_checkouts_of_others(lab):
    clock.advance(START - timedelta(hours=1) - clock.utcnow())
    _reserve(lab, lab.ana, lab.units[0], 0, 2, 'Callback with Mr. Miller')
    response = lab.checkout(lab.bob, lab.units[0])  # due in 2 h: runs into the reservation
    assert response.status_code == 409
    assert response.get_json()['error']['code'] == 'reservation_conflict'
    assert 'Ana Agent' in response.get_json()['error']['message']
    short = lab.checkout(lab.bob, lab.units[0], due_at=(START - timedelta(minutes=10)).isoformat())
    assert short.status_code == 201
    lab.checkin(lab.bob, lab.units[0])
    mine = lab.checkout(lab.ana, lab.units[0])
    assert mine.status_code == 201, mine.get_json()  # her own reservation does not block her


def test_reservation_refused_while_a_checkout_runs_into_it(lab):
    clock.advance(START - timedelta(hours=1) - clock.utcnow())
    lab.checkout(lab.bob, lab.units[0])
    response = _reserve(lab, lab.ana, lab.units[0], 0, 2)
    assert response.status_code == 409 and 'Bob Agent' in response.get_json()['error']['message']
    assert _reserve(lab, lab.ana, lab.units[0], 2, 3).status_code == 201


def test_window_validation_and_site_rules(lab):
    assert _reserve(lab, lab.ana, lab.units[0], 2, 1).status_code == 422
    assert _reserve(lab, lab.ana, lab.units[0], 0, 24 * 15).status_code == 422
    past = lab.post(lab.ana, '/reservations', {'unit_id': lab.units[0]['id'], 'purpose': 'x',
                                               'starts_at': '2020-01-01T10:00:00Z', 'ends_at': '2020-01-01T11:00:00Z'})
    assert past.status_code == 422
    assert _reserve(lab, lab.far, lab.units[0], 0, 1).status_code == 403
    assert _reserve(lab, lab.ana, {'id': 999}, 0, 1).status_code == 404
    missing = lab.post(lab.ana, '/reservations', {'unit_id': lab.units[0]['id']})
    assert missing.status_code == 422
    assert set(missing.get_json()['error']['fields']) == {'starts_at', 'ends_at', 'purpose'}


def test_list_reservations_by_unit(lab):
    _reserve(lab, lab.ana, lab.units[0], 0, 1)
    _reserve(lab, lab.bob, lab.units[1], 0, 1)
    listed = lab.get(lab.ana, f'/reservations?unit_id={lab.units[0]["id"]}').get_json()
    assert [(r['agent']['name'], r['unit']['asset_tag']) for r in listed] == [('Ana Agent', 'POL-001')]


def test_simultaneous_overlapping_reservations_one_wins(app, lab, make):
    agents = [lab.ana, lab.bob] + [make.agent(site='Polanco', name=f'Booker {n}') for n in (3, 4)]
    db.session.close()
    barrier, statuses = threading.Barrier(len(agents)), []

    def book(agent, offset):
        client = app.test_client()
        barrier.wait()
        response = client.post('/api/v1/lab/reservations', headers=agent.headers, json={
            'unit_id': lab.units[0]['id'], 'starts_at': _at(offset), 'ends_at': _at(offset + 2), 'purpose': 'Class'})
        statuses.append(response.status_code)
    threads = [threading.Thread(target=book, args=(agent, n * 0.5)) for n, agent in enumerate(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201, 409, 409, 409]
    assert len(lab.get(lab.ana, f'/reservations?unit_id={lab.units[0]["id"]}').get_json()) == 1
