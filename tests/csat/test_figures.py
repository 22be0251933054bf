"""What others read of the answers: the customer's story, the answers list, and the figures for reports."""
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from support.core import clock
from support.csat.parsing import read_rating

from .helpers import enable_csat, later, links_of, rate, resolve, survey_mails


@pytest.fixture
def rated(http, make, admin, smtp_server, public_url):
    """Three e-mail tickets of one client rated 5, 4 and 2: two by Rosa, one by Tom."""
    creds = make.client(name='CableNet')
    enable_csat(http, admin, creds.slug, delay=0)
    rosa, tom = make.agent(name='Rosa'), make.agent(name='Tom')
    tickets = []
    for agent, rating, email in ((rosa, 5, 'ann@example.com'), (rosa, 4, 'ann@example.com'),
                                 (tom, 2, 'bob@example.com')):
        opened = make.ticket(creds, customer={'name': email.split('@')[0], 'email': email})
        resolve(http, agent, opened['id'])
        later(0)
        assert rate(http, links_of(survey_mails(smtp_server)[-1])[rating]).status_code == 200
        tickets.append(opened)
    return creds, rosa, tom, tickets


def test_the_customer_s_story_holds_the_answers(http, rated):
    creds, rosa, tom, tickets = rated
    first = http.get(f'/api/v1/tickets/{tickets[0]["id"]}', headers=rosa.headers).get_json()
    story = http.get(f'/api/v1/customers/{first["customer"]["id"]}/timeline', headers=rosa.headers).get_json()
    answers = [item for item in story['items'] if item['kind'] == 'csat']
    assert [(a['csat']['rating'], a['ticket']['id'], a['csat']['agent_id']) for a in answers] == [
        (4, tickets[1]['id'], rosa.id), (5, tickets[0]['id'], rosa.id)]
    assert story['items'][0]['kind'] == 'csat'  # the newest thing that happened


def test_summary_overall_and_per_agent(http, make, rated):
    creds, rosa, tom, tickets = rated
    supervisor = make.agent(role='supervisor')
    overall = http.get('/api/v1/csat/summary', headers=supervisor.headers).get_json()
    assert overall['rows'] == [{'key': None, 'label': None, 'responses': 3, 'average': 3.67, 'satisfied': 2,
                                'satisfied_share': 0.6667}]
    per_agent = http.get(f'/api/v1/csat/summary?group=agent&client={creds.slug}', headers=supervisor.headers)
    rows = {row['label']: row for row in per_agent.get_json()['rows']}
    assert (rows['Rosa']['responses'], rows['Rosa']['average'], rows['Rosa']['satisfied_share']) == (2, 4.5, 1.0)
    assert (rows['Tom']['responses'], rows['Tom']['average'], rows['Tom']['satisfied_share']) == (1, 2.0, 0.0)
    assert http.get('/api/v1/csat/summary?group=client', headers=supervisor.headers).get_json()['rows'][0][
        'label'] == 'CableNet'
    low = http.get('/api/v1/csat/responses?rating=2', headers=supervisor.headers).get_json()
    assert [item['ticket_id'] for item in low['items']] == [tickets[2]['id']]
    page = http.get('/api/v1/csat/responses?limit=2', headers=supervisor.headers).get_json()
    assert len(page['items']) == 2 and page['next_cursor']
    rest = http.get(f'/api/v1/csat/responses?limit=2&after={page["next_cursor"]}', headers=supervisor.headers)
    assert [item['rating'] for item in rest.get_json()['items']] == [5]


def test_figures_are_for_supervisors_of_the_client_and_validate_their_input(http, make, rated):
    creds, rosa, tom, tickets = rated
    assert http.get('/api/v1/csat/summary', headers=rosa.headers).status_code == 403
    other = make.client()
    outsider = make.agent(role='supervisor', clients=[other.slug])
    assert http.get('/api/v1/csat/summary', headers=outsider.headers).get_json()['rows'][0]['responses'] == 0
    assert http.get(f'/api/v1/tickets/{tickets[0]["id"]}/csat', headers=outsider.headers).status_code == 404
    supervisor = make.agent(role='supervisor')
    for query, field in (('group=site', 'group'), ('from=2026-12-02&to=2026-12-01', 'from'), ('rating=7', 'rating'),
                         ('limit=0', 'limit'), ('after=-1', 'after')):
        response = http.get(f'/api/v1/csat/responses?{query}' if field != 'group' else f'/api/v1/csat/summary?{query}',
                            headers=supervisor.headers)
        assert response.status_code == 422 and field in response.get_json()['error']['fields'], query


@pytest.mark.parametrize('text, rating, comment', [
    ('5', 5, None), ('4 gracias', 4, 'gracias'), ('  3, lento pero bien ', 3, 'lento pero bien'), ('5/5', 5, None),
    ('2 de 5: tardaron mucho', 2, 'tardaron mucho'), ('1 - terrible', 1, 'terrible'), ('5 estrellas', 5, None),
    ('⭐⭐⭐', 3, None), ('4!', 4, None), ('5.', 5, None)])
def test_replies_that_are_ratings(text, rating, comment):
    reading = read_rating(text)
    assert (reading.rating, reading.comment) == (rating, comment)


@pytest.mark.parametrize('text', ['muy bien', '7', '0', '10', '55', '4.5', '4,5', '12345 es mi cuenta', '',
                                  '3 horas sin servicio', '5 minutes later it broke again', 'five', '5' + 'x' * 600])
def test_replies_that_are_not(text):
    assert read_rating(text) is None


def test_the_tickets_report_has_csat_columns(http, make, rated):
    creds, rosa, tom, tickets = rated
    supervisor = make.agent(role='supervisor')
    spanish = {**supervisor.headers, 'Accept-Language': 'es'}
    now = clock.utcnow()
    window = urlencode({'from': (now - timedelta(days=1)).isoformat(), 'to': (now + timedelta(days=1)).isoformat()})
    report = http.get(f'/api/v1/reports/tickets?{window}&group=agent', headers=spanish).get_json()
    columns = {c['key']: c for c in report['columns']}
    assert columns['csat_average']['unit'] == 'rating' and columns['csat_satisfied_share']['unit'] == 'share'
    assert columns['csat_satisfied_share']['label'] == 'CSAT: proporción satisfecha (4 o 5)'
    rows = {row['agent']: row for row in report['rows']}
    figures = {agent.email: (rows[agent.email]['csat_responses'], rows[agent.email]['csat_average'],
                       rows[agent.email]['csat_satisfied_share']) for agent in (rosa, tom)}
    assert figures == {rosa.email: (2, 4.5, 1.0), tom.email: (1, 2.0, 0.0)}
    assert rows[None]['csat_responses'] == 0 and rows[None]['csat_average'] is None
    csv = http.get(f'/api/v1/reports/tickets?{window}&format=csv', headers=spanish).get_data(as_text=True)
    header, total = csv.splitlines()[:2]
    assert header.endswith('Respuestas CSAT,CSAT promedio (1 a 5),CSAT: proporción satisfecha (4 o 5)')
    assert total.endswith(',3,3.67,0.6667')
