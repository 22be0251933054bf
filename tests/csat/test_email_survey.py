"""CSAT by e-mail: asked after the client's delay, in the ticket's language, with signed links; a link opens
the page with its rating preselected and records nothing until the customer sends the form (a mail scanner's
GET or HEAD rates nothing); one rating and an optional comment; bad, tampered and expired links are refused."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from support.core import clock
from support.core.extensions import db
from support.csat.models import AnswerVia, CsatResponse

from .helpers import enable_csat, later, links_of, page_of, rate, resolve, subscribe, survey_mails, sweep, ticket


@pytest.fixture
def setup(http, make, admin, smtp_server, public_url):
    creds = make.client(name='CableNet')
    enable_csat(http, admin, creds.slug, delay=30)
    agent = make.agent(name='Rosa Díaz', languages=['en', 'es'])
    return creds, agent


def test_resolve_asks_by_email_after_the_delay_and_one_click_records_the_rating(http, make, admin, setup,
                                                                                  smtp_server, receiver_factory,
                                                                                  events):
    creds, agent = setup
    hook = receiver_factory()
    secret = subscribe(http, admin, creds.slug, hook.url)['secret']
    opened = make.ticket(creds, customer={'name': 'John Miller', 'email': 'john@example.com'})
    resolve(http, agent, opened['id'])
    assert ticket(http, agent, opened['id'])['csat']['status'] == 'scheduled'
    assert later(29) == 0 and survey_mails(smtp_server) == []
    assert later(2) == 1
    [mail] = survey_mails(smtp_server)
    assert mail['Subject'] == f'How did we do? [#{opened["number"]}]'
    assert mail['To'] == 'John Miller <john@example.com>'
    links = links_of(mail)
    assert sorted(links) == [1, 2, 3, 4, 5]
    shown = ticket(http, agent, opened['id'])
    assert shown['csat']['status'] == 'sent' and shown['csat']['response'] is None
    assert '/csat/' not in shown['messages'][-1]['body']  # agents never see the customer's links

    opened_link = http.get(links[4])  # what a mail scanner does too: nothing is recorded
    assert opened_link.status_code == 200
    assert opened_link.headers['Content-Security-Policy'].startswith("default-src 'none'")
    assert 'Your rating is recorded when you send it.' in opened_link.get_data(as_text=True)
    assert ticket(http, agent, opened['id'])['csat']['response'] is None and not hook.requests
    page = rate(http, links[4])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'Thank you! Your rating was recorded.' in text and 'Your rating: 4 of 5 (Satisfied)' in text
    csat = ticket(http, agent, opened['id'])['csat']
    assert csat['status'] == 'answered'
    assert csat['response']['rating'] == 4 and csat['response']['via'] == 'link'
    assert csat['response']['agent'] == {'id': agent.id, 'name': 'Rosa Díaz'}
    assert ticket(http, agent, opened['id'])['status'] == 'resolved'
    [(name, payload, rooms)] = [e for e in events if e[0] == 'csat.received']
    assert payload['csat']['rating'] == 4 and f'agent:{agent.id}' in rooms
    document = hook.json()
    assert document['type'] == 'csat.received' and document['data']['csat']['rating'] == 4
    assert document['data']['ticket']['number'] == opened['number'] and hook.verifies(secret)

    again = http.get(links[1])
    assert again.status_code == 409 and 'This ticket has already been rated' in again.get_data(as_text=True)
    assert http.post(page_of(links[1]), data={'rating': '1'}).status_code == 409
    assert ticket(http, agent, opened['id'])['csat']['response']['rating'] == 4

    commented = http.post(links[4].rsplit('/', 1)[0], data={'comment': 'Quick and kind, thanks!'})
    assert commented.status_code == 200 and 'Thank you for your comment.' in commented.get_data(as_text=True)
    assert ticket(http, agent, opened['id'])['csat']['response']['comment'] == 'Quick and kind, thanks!'
    assert http.post(links[4].rsplit('/', 1)[0], data={'comment': 'again'}).status_code == 409
    assert [e[1]['event'] for e in events if e[0] == 'csat.received'] == ['rating', 'comment']
    assert len(hook.requests) == 2 and hook.json()['data']['csat']['comment'] == 'Quick and kind, thanks!'


def test_spanish_ticket_gets_a_spanish_question_and_page(http, make, setup, smtp_server):
    creds, agent = setup
    opened = make.ticket(creds, subject='Mi módem se desconecta', language='es',
                         body='Hola, mi módem se desconecta todas las noches.',
                         customer={'name': 'Ana García', 'email': 'ana@example.com'})
    resolve(http, agent, opened['id'], reply='Ya funciona: reiniciamos su módem.')
    later(31)
    [mail] = survey_mails(smtp_server)
    assert mail['Subject'] == f'¿Qué tal lo hicimos? [#{opened["number"]}]'
    assert mail['Content-Language'] == 'es'
    assert mail.get_content().startswith('Hola Ana García')
    confirm = http.get(links_of(mail)[5]).get_data(as_text=True)
    assert 'Su calificación se registra cuando la envía.' in confirm and 'Enviar mi calificación' in confirm
    page = rate(http, links_of(mail)[5], comment='Muy amables')
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es">' in text
    assert '¡Gracias! Registramos su calificación.' in text
    english = http.get(links_of(mail)[5].rsplit('/', 1)[0] + '?lang=en')
    assert 'Your rating: 5 of 5 (Very satisfied)' in english.get_data(as_text=True)
    assert 'Muy amables' in english.get_data(as_text=True)  # the comment sent with the rating


def test_tampered_expired_and_out_of_range_links_are_refused(http, make, setup, smtp_server):
    creds, agent = setup
    opened = make.ticket(creds)
    resolve(http, agent, opened['id'])
    later(31)
    link = links_of(survey_mails(smtp_server)[0])[3]
    token = link.split('/')[2]
    survey_id, expires, signature = token.split('.')
    tampered = [f'/csat/{int(survey_id) + 1}.{expires}.{signature}/3', f'/csat/{survey_id}.{int(expires) + 86400}.'
                f'{signature}/3', f'/csat/{token[:-1]}{"1" if token[-1] == "0" else "0"}/3', '/csat/garbage/3', '/csat/' + 'x' * 5000 + '/3']
    for path in tampered:
        page = http.get(path)
        assert page.status_code == 404, path
        assert 'This survey link is not valid' in page.get_data(as_text=True)
    out_of_range = http.get(link[:-1] + '7')
    assert out_of_range.status_code == 400 and 'Choose a rating from 1 to 5.' in out_of_range.get_data(as_text=True)
    assert http.get(link[:-1] + '0').status_code == 400
    assert http.head(link).status_code == 200  # a link scanner's look records nothing
    assert http.get(link).status_code == 200  # nor does one that follows the link
    for form in ({}, {'rating': '7'}, {'rating': 'muy bien'}, {'rating': '4.5'}, {'comment': 'sin nota'}):
        refused = http.post(page_of(link), data=form)
        assert refused.status_code == 400 and 'Choose a rating from 1 to 5.' in refused.get_data(as_text=True), form
    assert 'sin nota' in refused.get_data(as_text=True)  # the comment typed is kept in the form
    assert http.post(page_of(tampered[0]), data={'rating': '3'}).status_code == 404
    assert ticket(http, agent, opened['id'])['csat']['response'] is None
    clock.advance(timedelta(days=7, minutes=1))
    expired = http.get(link)
    assert expired.status_code == 410 and 'This survey link has expired.' in expired.get_data(as_text=True)
    assert http.post(page_of(link), data={'rating': '3'}).status_code == 410
    assert ticket(http, agent, opened['id'])['csat']['response'] is None


def test_one_answer_per_ticket_is_the_database_s_rule(http, make, setup, smtp_server):
    creds, agent = setup
    opened = make.ticket(creds)
    resolve(http, agent, opened['id'])
    later(31)
    assert rate(http, links_of(survey_mails(smtp_server)[0])[2]).status_code == 200
    first = db.session.scalar(sa.select(CsatResponse))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(CsatResponse(survey_id=first.survey_id, ticket_id=first.ticket_id, client_id=first.client_id,
                                        customer_id=first.customer_id, channel='email', language='en', rating=5,
                                        via=AnswerVia.link, answered_at=clock.utcnow()))
            db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):  # and a rating outside 1..5 never gets in
        with db.session.begin_nested():
            db.session.execute(sa.update(CsatResponse).values(rating=7))
    db.session.rollback()


def test_disabled_by_default_and_a_reopen_before_the_delay_asks_nothing(http, make, admin, setup, smtp_server):
    creds, agent = setup
    quiet = make.client()
    opened = make.ticket(quiet)
    resolve(http, agent, opened['id'])
    assert ticket(http, agent, opened['id'])['csat'] is None
    assert http.get(f'/api/v1/tickets/{opened["id"]}/csat', headers=agent.headers).status_code == 404
    reopened = make.ticket(creds)
    resolve(http, agent, reopened['id'])
    assert http.patch(f'/api/v1/tickets/{reopened["id"]}', json={'status': 'open'},
                      headers=agent.headers).status_code == 200
    later(31)
    assert survey_mails(smtp_server) == []
    assert ticket(http, agent, reopened['id'])['csat']['status'] == 'cancelled'
    http.patch(f'/api/v1/tickets/{reopened["id"]}', json={'status': 'resolved'}, headers=agent.headers)
    later(31)
    assert len(survey_mails(smtp_server)) == 1


@pytest.mark.parametrize('body, field', [({'csat_delay_minutes': -1}, 'csat_delay_minutes'),
                                         ({'csat_delay_minutes': 'soon'}, 'csat_delay_minutes'),
                                         ({'csat_enabled': 'perhaps'}, 'csat_enabled')])
def test_client_settings_are_validated(http, make, admin, body, field):
    creds = make.client()
    response = http.patch(f'/api/v1/clients/{creds.slug}', json=body, headers=admin.headers)
    assert response.status_code == 422 and field in response.get_json()['error']['fields']


def test_no_way_to_reach_the_customer_marks_the_survey_failed(http, make, admin, monkeypatch, app):
    monkeypatch.setitem(app.config, 'SUPPORT_SMTP_URL', None)
    creds = make.client()
    enable_csat(http, admin, creds.slug, delay=0)
    agent = make.agent()
    opened = make.ticket(creds)
    resolve(http, agent, opened['id'])
    sweep()
    csat = ticket(http, agent, opened['id'])['csat']
    assert csat['status'] == 'failed' and 'SMTP' in csat['failure']


def test_an_e_mail_reply_with_a_number_is_the_answer(http, make, admin, smtp_server, public_url):
    from ..channels.providers import MAILGUN_KEY, add_channel, mailgun_fields, post_mailgun
    creds = make.client(slug='acme', name='Acme')
    add_channel(http, make, 'acme', 'mailgun', MAILGUN_KEY, ['support@acme.example'])
    enable_csat(http, admin, 'acme', delay=0)
    agent = make.agent()
    opened = make.ticket(creds, customer={'name': 'Ana López', 'email': 'ana@example.com'}, language='es')
    resolve(http, agent, opened['id'])
    sweep()
    [mail] = survey_mails(smtp_server)
    reply = mailgun_fields(subject=f'Re: {mail["Subject"]}', text='4 muy amables', in_reply_to=mail['Message-Id'])
    assert post_mailgun(http, reply).status_code in (200, 201)
    db.session.remove()
    shown = ticket(http, agent, opened['id'])
    assert shown['status'] == 'resolved'
    assert (shown['csat']['response']['rating'], shown['csat']['response']['comment']) == (4, 'muy amables')


def test_two_answers_at_once_record_one(http, make, setup, smtp_server, app):
    import threading
    creds, agent = setup
    opened = make.ticket(creds)
    resolve(http, agent, opened['id'])
    later(31)
    links = links_of(survey_mails(smtp_server)[0])
    db.session.close()
    statuses, start = [], threading.Barrier(2)

    def click(rating):
        client = app.test_client()
        start.wait()
        statuses.append(client.post(page_of(links[rating]), data={'rating': str(rating)}).status_code)
    threads = [threading.Thread(target=click, args=(rating,)) for rating in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    assert db.session.scalar(sa.select(sa.func.count(CsatResponse.id))) == 1
