"""CSAT as live events: ``csat.received`` (an answer or its comment) and ``csat.sent`` (the question went
out, or could not) to the supervisors of the ticket's client, its assignee and the agent it is attributed to."""
from ..core.extensions import db
from ..core.live import agent_room, publish, supervisor_rooms
from ..csat.operations import response_data, survey_data
from ..csat.signals import csat_received, survey_sent
from ..tickets.models import Ticket
from ..tickets.payloads import ticket_summary


def _rooms(ticket, agent_id) -> list[str]:
    agents = dict.fromkeys(a for a in (ticket.assignee_id, agent_id) if a)
    return supervisor_rooms(ticket.client_id) + [agent_room(a) for a in agents]


@csat_received.connect
def _on_received(response, event, **kwargs):
    ticket = db.session.get(Ticket, response.ticket_id)
    publish(db.session, 'csat.received', {'ticket': ticket_summary(ticket), 'csat': response_data(response),
                                          'event': event}, _rooms(ticket, response.agent_id))


@survey_sent.connect
def _on_sent(survey, **kwargs):
    ticket = db.session.get(Ticket, survey.ticket_id)
    block = survey_data(survey)
    for key in ('due_at', 'sent_at', 'expires_at'):
        block[key] = block[key].isoformat() if block[key] else None
    publish(db.session, 'csat.sent', {'ticket': ticket_summary(ticket), 'survey': block},
            _rooms(ticket, survey.agent_id))
