"""Telephony call events: ``POST /api/v1/channels/phone/events``, signed like intake.

A call's first event makes it a phone ticket, or a message on the caller's open
ticket; every event (ringing, answered by an agent, ended with duration,
disposition, recording and notes) fills in its call log and the ticket history.
Events may arrive late or out of order; each is taken once.
"""
import sqlalchemy as sa
from flask import g

from ..agents.auth import require_role
from ..agents.models import Agent, Role
from ..clients.auth import DEDUPLICATED, signed_client
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.extensions import db
from ..sla import clocks as sla_clocks
from ..tickets.models import Channel, Customer, Ticket
from ..tickets.operations import (Actor, CustomerContact, InboundTicket, add_customer_message,
                                  find_or_create_customer, lock_ticket, open_ticket, record)
from ..tickets.queries import get_visible_ticket
from ..tickets.states import Status
from .models import Call, CallStatus
from .operations import claim_delivery, first_message, lock_thread
from .signals import call_updated, customer_left
from .schemas import CallListArgs, CallLogSchema, PhoneEventSchema, CallEventResultSchema

_ORDER = list(CallStatus)
_TIMES = {CallStatus.ringing: 'ringing_at', CallStatus.answered: 'answered_at', CallStatus.ended: 'ended_at'}


def _phone(value: str) -> str:
    digits = ''.join(ch for ch in value if ch.isdigit())
    return '+' + digits


def record_call_event(client: Client, data: dict) -> tuple[Call | None, bool, bool]:
    """Apply one call event; ``(call, created, duplicate)``. Flushes, does not commit."""
    event = CallStatus(data['event'])
    if claim_delivery(client.id, 'phone', f"{data['call_id']}:{event.value}") is None:
        return _call(client.id, data['call_id']), False, True
    caller = _phone(data['from_'])
    thread = lock_thread(client.id, f'phone:{caller}')  # serialises every event of this caller
    call, created = _call(client.id, data['call_id']), False
    if call is None:
        call, created = _new_call(client, thread, caller, data), True
    _apply(call, event, data)
    ticket = db.session.get(Ticket, call.ticket_id)
    record(ticket, f'call_{event.value}', Actor('system', None, 'telephony'),
           after={'call_id': call.call_id, **_event_details(event, data)})
    _follow_sla(ticket, call, event)
    db.session.flush()
    call_updated.send(call, ticket=ticket, event=event)
    return call, created, False


def _call(client_id: int, call_id: str) -> Call | None:
    return db.session.scalar(sa.select(Call).filter_by(client_id=client_id, call_id=call_id)
                             .execution_options(populate_existing=True))


def _new_call(client: Client, thread, caller: str, data: dict) -> Call:
    contact = CustomerContact(name=data.get('caller_name'), phone=caller)
    customer = find_or_create_customer(client, contact)
    actor = Actor('customer', customer.id, customer.name or caller)
    summary = f"☎ {caller}" + (f" → {data['to']}" if data.get('to') else '') + f" ({data['call_id']})"
    ticket = _open_ticket_of(thread, customer)
    if ticket is not None:
        message = add_customer_message(ticket, summary, actor)
    else:
        ticket = open_ticket(client, InboundTicket(channel=Channel.phone, subject=f'phone · {caller}', body=summary,
                                                   customer=contact, language=data.get('language'),
                                                   fields=data.get('custom_fields') or {}), actor)
        message = first_message(ticket)
    thread.ticket_id, thread.updated_at = ticket.id, utcnow()
    call = Call(client_id=client.id, call_id=data['call_id'], ticket_id=ticket.id, message_id=message.id,
                from_number=caller, to_number=data.get('to'), status=CallStatus.ringing, created_at=utcnow(),
                updated_at=utcnow())
    db.session.add(call)
    return call


def _open_ticket_of(thread, customer: Customer) -> Ticket | None:
    """The conversation's ticket, else the caller's most recent ticket that is not closed."""
    ticket = thread.ticket
    if ticket is None or ticket.status == Status.closed:
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.customer_id == customer.id,
                                                           Ticket.status != Status.closed)
                                   .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(1))
    return lock_ticket(ticket.id) if ticket is not None else None


def _apply(call: Call, event: CallStatus, data: dict) -> None:
    when = data.get('occurred_at') or utcnow()
    setattr(call, _TIMES[event], when)
    if _ORDER.index(event) > _ORDER.index(call.status):
        call.status = event  # a late "ringing" does not undo "ended"
    if event == CallStatus.answered and data.get('agent'):
        call.agent_id, call.agent_name = _agent(data['agent'])
    if event == CallStatus.ended:
        for name in ('duration_seconds', 'disposition', 'recording_url', 'notes'):
            if data.get(name) is not None:
                setattr(call, name, data[name])
    call.updated_at = utcnow()


def _follow_sla(ticket: Ticket, call: Call, event: CallStatus) -> None:
    """A person picking up answers the call (answer and first response); hanging up unanswered abandons it."""
    if event == CallStatus.answered:
        sla_clocks.answered(ticket, call.answered_at, first_response=True)
    elif event == CallStatus.ended and call.answered_at is None:
        sla_clocks.abandoned(ticket, call.ended_at)
        customer_left.send(ticket, at=call.ended_at, channel='phone')


def _agent(ref: dict) -> tuple[int | None, str | None]:
    agent = None
    if ref.get('id'):
        agent = db.session.get(Agent, ref['id'])
    elif ref.get('email'):
        agent = db.session.scalar(sa.select(Agent).filter_by(email=ref['email'].lower()))
    if agent is not None:
        return agent.id, agent.name
    return None, (ref.get('name') or ref.get('email') or '')[:120] or None


def _event_details(event: CallStatus, data: dict) -> dict:
    names = {CallStatus.answered: ('agent',),
             CallStatus.ended: ('duration_seconds', 'disposition', 'recording_url', 'notes')}.get(event, ())
    return {name: data[name] for name in names if data.get(name) is not None}


def register(blp):
    @blp.route('/phone/events', methods=['POST'])
    @signed_client(replays=DEDUPLICATED)
    @blp.arguments(PhoneEventSchema)
    @blp.response(200, CallEventResultSchema)
    @blp.alt_response(201, schema=CallEventResultSchema, description='The first event of a new call')
    def phone_event(data):
        """A telephony call event: ringing, answered (by an agent) or ended."""
        call, created, duplicate = record_call_event(g.client, data)
        db.session.commit()
        result = {'status': 'duplicate' if duplicate else 'accepted', 'call': call,
                  'ticket': call.ticket_id if call else None, 'message_id': call.message_id if call else None}
        return result, 201 if created else 200

    @blp.route('/calls', methods=['GET'])
    @require_role(Role.agent)
    @blp.arguments(CallListArgs, location='query')
    @blp.response(200, CallLogSchema(many=True))
    def list_calls(args):
        """The call log of a ticket the agent may see."""
        ticket = get_visible_ticket(g.current_agent, args['ticket'])
        return db.session.scalars(sa.select(Call).filter_by(ticket_id=ticket.id).order_by(Call.id)).all()

    return phone_event, list_calls

