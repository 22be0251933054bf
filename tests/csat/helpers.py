"""Steps the CSAT tests share, through the HTTP API."""
import re
from datetime import timedelta

from support.core import clock
from support.core.extensions import db


def enable_csat(http, admin, slug, delay=0):
    response = http.patch(f'/api/v1/clients/{slug}', json={'csat_enabled': True, 'csat_delay_minutes': delay},
                          headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def resolve(http, agent, ticket_id, reply='It works again: we reset your modem.'):
    """The agent answers and resolves (new → open → resolved)."""
    response = http.post(f'/api/v1/tickets/{ticket_id}/messages', json={'kind': 'reply', 'body': reply},
                         headers=agent.headers)
    assert response.status_code == 201, response.get_json()
    response = http.patch(f'/api/v1/tickets/{ticket_id}', json={'status': 'resolved'}, headers=agent.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ticket(http, agent, ticket_id):
    response = http.get(f'/api/v1/tickets/{ticket_id}', headers=agent.headers)
    assert response.status_code == 200
    return response.get_json()


def sweep():
    """Run the minute sweep as the worker would."""
    from support.csat.tasks import csat_sweep
    db.session.close()
    return csat_sweep.call_local()


def later(minutes):
    clock.advance(timedelta(minutes=minutes))
    return sweep()


def survey_mails(smtp_server):
    return [m['message'] for m in smtp_server.messages if 'X-Support-Ticket' in m['message']
            and m['message']['Auto-Submitted'] == 'auto-generated']


LINK = re.compile(r'http://localhost(/csat/[^\s]+/([1-5]))')


def links_of(mail) -> dict[int, str]:
    return {int(rating): path for path, rating in LINK.findall(mail.get_content())}


def subscribe(http, admin, slug, url, events=('csat.received',)):
    response = http.post(f'/api/v1/clients/{slug}/webhooks', json={'url': url, 'events': list(events)},
                         headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def page_of(link: str) -> str:
    """The survey page a rating link belongs to (``/csat/<token>``)."""
    return link.rsplit('/', 1)[0]


def rate(http, link: str, comment: str | None = None, client=None):
    """What the customer does: open the e-mail's link (which records nothing), then send the form."""
    client = client or http
    rating = link.rsplit('/', 1)[1]
    shown = client.get(link)
    if shown.status_code != 200:
        return shown
    assert re.search(rf'value="{rating}" required\s+checked', shown.get_data(as_text=True))  # preselected
    return client.post(page_of(link), data={'rating': rating, **({'comment': comment} if comment else {})})
