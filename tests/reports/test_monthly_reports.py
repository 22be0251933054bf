"""Monthly reports through the API and the job: made after each client's own local midnight (DST too),
once per client and month, listed and downloaded by supervisors and by the client's signed pull,
and announced by a signed ``report.ready`` callback."""
import json
from datetime import datetime, timezone

import pytest

from support.core import clock
from support.reports.tasks import monthly_job

from ..outbound.conftest import admin, outbound_config, receiver_factory  # noqa: F401  (fixtures)
from .test_monthly_render import text_of

UTC = timezone.utc


def _client(http, make, admin, slug, zone, language='en'):
    creds = make.client(slug=slug, name=slug.title() + ' Cable', default_language=language)
    response = http.patch(f'/api/v1/clients/{slug}', json={'timezone': zone}, headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return creds


def _reports(http, who, **query):
    response = http.get('/api/v1/reports/monthly', query_string=query, headers=who.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()['items']


def _made(http, who) -> list[tuple[str, str, str]]:
    return sorted((r['client'], r['month'], r['status']) for r in _reports(http, who))


def _run_job_at(when: datetime) -> dict:
    clock.travel_to(when, freeze=True)
    return monthly_job.call_local()


def test_the_job_makes_each_report_after_the_clients_own_midnight(http, make, admin):
    clock.travel_to(datetime(2026, 11, 1, 12, tzinfo=UTC), freeze=True)  # every zone's October is over
    _client(http, make, admin, 'madrid', 'Europe/Madrid', 'es')
    _client(http, make, admin, 'nyc', 'America/New_York')
    _client(http, make, admin, 'cdmx', 'America/Mexico_City', 'es')
    assert _run_job_at(datetime(2026, 11, 30, 22, 55, tzinfo=UTC)) == {'made': 0, 'retried': 0}
    _run_job_at(datetime(2026, 11, 30, 23, 5, tzinfo=UTC))  # 00:05 on 1 December in Madrid (CET, +1)
    assert _made(http, admin) == [('madrid', '2026-11', 'ready')]
    _run_job_at(datetime(2026, 12, 1, 5, 5, tzinfo=UTC))  # 00:05 in New York (EST, -5); 23:05 in Mexico City
    assert _made(http, admin) == [('madrid', '2026-11', 'ready'), ('nyc', '2026-11', 'ready')]
    _run_job_at(datetime(2026, 12, 1, 6, 5, tzinfo=UTC))  # 00:05 in Mexico City (-6 all year)
    assert _run_job_at(datetime(2026, 12, 1, 7, 5, tzinfo=UTC)) == {'made': 0, 'retried': 0}  # once only
    assert [r['month'] for r in _reports(http, admin, client='cdmx')] == ['2026-11']
    spanish = _reports(http, admin, client='cdmx')[0]
    assert (spanish['language'], spanish['timezone']) == ('es', 'America/Mexico_City')
    pdf = http.get(spanish['pdf_url'], headers=admin.headers)
    assert pdf.status_code == 200 and pdf.mimetype == 'application/pdf'
    assert 'Informe mensual: Cdmx Cable, noviembre de 2026' in text_of(pdf.data)


def test_a_dst_change_moves_the_end_of_the_month_by_an_hour(http, make, admin):
    clock.travel_to(datetime(2027, 2, 10, tzinfo=UTC), freeze=True)
    _client(http, make, admin, 'nyc', 'America/New_York')
    # March 2027 in New York: EST (-5) until the 14th, EDT (-4) after; it ends at 04:00 UTC, not 05:00.
    _run_job_at(datetime(2027, 4, 1, 3, 55, tzinfo=UTC))
    assert _made(http, admin) == [('nyc', '2027-02', 'ready')]  # 23:55 on 31 March there: February is the last
    _run_job_at(datetime(2027, 4, 1, 4, 5, tzinfo=UTC))
    assert _made(http, admin) == [('nyc', '2027-02', 'ready'), ('nyc', '2027-03', 'ready')]


def test_a_report_on_demand_is_made_once_per_client_and_month(http, make, admin):
    clock.travel_to(datetime(2026, 11, 20, tzinfo=UTC), freeze=True)
    creds = _client(http, make, admin, 'acme', 'America/Mexico_City', 'es')
    supervisor = make.agent(role='supervisor')
    clock.travel_to(datetime(2026, 12, 3, 15, tzinfo=UTC), freeze=True)
    first = http.post('/api/v1/reports/monthly', json={'client': 'acme', 'month': '2026-11'}, headers=supervisor.headers)
    assert first.status_code == 202, first.get_json()
    report = first.get_json()
    again = http.post('/api/v1/reports/monthly', json={'client': 'acme', 'month': '2026-11'}, headers=admin.headers)
    assert again.status_code == 200 and again.get_json()['id'] == report['id']
    shown = http.get(f"/api/v1/reports/monthly/{report['id']}", headers=supervisor.headers).get_json()
    assert shown['status'] == 'ready' and shown['size'] > 1000 and len(shown['sha256']) == 64
    assert shown['pdf_url'] == f"/api/v1/reports/monthly/{report['id']}/pdf"
    pdf = http.get(shown['pdf_url'], headers=supervisor.headers)
    assert pdf.headers['Content-Disposition'].startswith('attachment; filename="acme-2026-11.pdf"')
    assert pdf.data.startswith(b'%PDF-') and len(pdf.data) == shown['size']
    redone = http.post('/api/v1/reports/monthly', json={'client': 'acme', 'month': '2026-11', 'regenerate': True},
                       headers=supervisor.headers)
    assert redone.status_code == 202 and redone.get_json()['id'] == report['id']
    assert [r['id'] for r in _reports(http, supervisor)] == [report['id']]
    assert creds.slug == 'acme'


def test_bad_requests_are_refused_per_field_in_the_callers_language(http, make, admin):
    clock.travel_to(datetime(2026, 11, 2, tzinfo=UTC), freeze=True)
    _client(http, make, admin, 'acme', 'America/Mexico_City')
    other = _client(http, make, admin, 'other', 'UTC')
    restricted = make.agent(role='supervisor', clients=['acme'])
    agent = make.agent()
    clock.travel_to(datetime(2026, 12, 1, 5, 30, tzinfo=UTC), freeze=True)  # 23:30 on 30 November in Mexico City
    spanish = {**admin.headers, 'Accept-Language': 'es'}
    cases = [({'client': 'acme', 'month': '2026-11'}, 'month', 'todavía no ha terminado'),
             ({'client': 'acme', 'month': '2026-13'}, 'month', 'AAAA-MM'),
             ({'client': 'acme', 'month': '1999-12'}, 'month', '2000-01'),
             ({'client': 'nope', 'month': '2026-10'}, 'client', 'No existe ese cliente'),
             ({'client': 'acme'}, 'month', None),
             ({'client': 'acme', 'month': '2026-10', 'extra': 1}, 'extra', None)]
    for body, field, words in cases:
        response = http.post('/api/v1/reports/monthly', json=body, headers=spanish)
        assert response.status_code == 422, (body, response.get_json())
        messages = response.get_json()['error']['fields'][field]
        assert words is None or words in messages[0], messages
    refused = http.post('/api/v1/reports/monthly', json={'client': 'other', 'month': '2026-10'},
                        headers=restricted.headers)
    assert refused.status_code == 422 and 'client' in refused.get_json()['error']['fields']
    assert http.post('/api/v1/reports/monthly', json={'client': 'acme', 'month': '2026-10'},
                     headers=agent.headers).status_code == 403
    made = http.post('/api/v1/reports/monthly', json={'client': 'other', 'month': '2026-11'}, headers=admin.headers)
    assert made.status_code == 202, made.get_json()
    hidden = made.get_json()['id']
    assert http.get(f'/api/v1/reports/monthly/{hidden}', headers=restricted.headers).status_code == 404
    assert http.get(f'/api/v1/reports/monthly/{hidden}/pdf', headers=restricted.headers).status_code == 404
    assert _reports(http, restricted) == []
    assert other.slug == 'other'


def _signed_get(http, creds, path):
    headers = creds.headers(b'')
    headers.pop('Content-Type')
    return http.get(path, headers=headers)


def test_the_client_pulls_its_own_reports_and_is_told_when_one_is_ready(http, make, admin, receiver_factory):
    receiver = receiver_factory()
    clock.travel_to(datetime(2026, 10, 20, tzinfo=UTC), freeze=True)
    creds = _client(http, make, admin, 'acme', 'America/Mexico_City', 'es')
    other = _client(http, make, admin, 'other', 'UTC')
    subscription = http.post('/api/v1/clients/acme/webhooks', json={'url': receiver.url, 'events': ['report.ready']},
                             headers=admin.headers)
    assert subscription.status_code == 201, subscription.get_json()
    secret = subscription.get_json()['secret']
    clock.travel_to(datetime(2026, 12, 1, 6, 5, tzinfo=UTC), freeze=True)
    monthly_job.call_local()
    ready = [json.loads(r['body']) for r in receiver.requests]
    assert [(e['type'], e['client'], e['data']['report']['month']) for e in ready] == [('report.ready', 'acme', '2026-11')]
    assert receiver.verifies(secret) and receiver.requests[0]['headers']['X-Support-Event'] == 'report.ready'
    announced = ready[0]['data']['report']
    listed = _signed_get(http, creds, '/api/v1/intake/reports/monthly')
    assert listed.status_code == 200, listed.get_json()
    assert [r['id'] for r in listed.get_json()['items']] == [announced['id']]
    pdf = _signed_get(http, creds, announced['pdf_url'])
    assert pdf.status_code == 200 and len(pdf.data) == announced['size']
    import hashlib
    assert hashlib.sha256(pdf.data).hexdigest() == announced['sha256']
    assert _signed_get(http, other, announced['pdf_url']).status_code == 404
    assert _signed_get(http, other, '/api/v1/intake/reports/monthly').get_json()['items'] != []  # its own November
    unsigned = http.get(announced['pdf_url'])
    assert unsigned.status_code == 401


@pytest.fixture(autouse=True)
def _real_clock_after():
    yield
    clock.reset()
