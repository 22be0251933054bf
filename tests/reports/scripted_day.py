"""A scripted day for the report tests: Sunday 2026-11-01 in New York, the day the clocks fall back
(02:00 EDT -> 01:00 EST at 06:00 UTC), so the local day has 25 hours and 01:00-02:00 happens twice.

Everything is written as the service writes it (tickets, history events, SLA clock rows with their
business seconds, offers, calls, messages, wrap-ups, presence stretches) at exact UTC instants;
the expected figures are worked out by hand in tests/reports/test_figures.py.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from support.agents.presence_history import PresenceChange
from support.channels.models import Call, CallStatus
from support.core.extensions import db
from support.routing.models import Offer, OfferStatus
from support.sla.models import ClockStatus, SlaClock
from support.tickets.dispositions import Disposition
from support.tickets.models import Customer, Message, MessageKind, Ticket, TicketEvent
from support.tickets.states import Status
from support.wrapup.models import EndedBy, Trigger, WrapUp

UTC = timezone.utc
DAY_START = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)    # 00:00 EDT
DAY_END = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)      # 00:00 EST the next day
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def at(hhmmss: str, day: int = 1) -> datetime:
    h, m, s = (int(x) for x in hhmmss.split(':'))
    return datetime(2026, 11, day, h, m, s, tzinfo=UTC) if day != 0 else datetime(2026, 10, 31, h, m, s, tzinfo=UTC)


@dataclass
class Day:
    client_id: int
    a: int      # agent A
    b: int      # agent B
    tickets: dict


class _Script:
    def __init__(self, client_id: int):
        self.client_id = client_id
        self.customer = Customer(client_id=client_id, name='Ana', created_at=at('00:00:00', 0))
        db.session.add(self.customer)
        db.session.flush()

    def ticket(self, channel, language, created, status=Status.open, assignee=None, **kw) -> Ticket:
        t = Ticket(client_id=self.client_id, customer_id=self.customer.id, channel=channel, language=language,
                   language_source='given', status=status, subject='s', assignee_id=assignee, created_at=created,
                   updated_at=created, **kw)
        db.session.add(t)
        db.session.flush()
        self.event(t, 'created', created, after={'status': 'new'})
        return t

    def event(self, t, kind, when, before=None, after=None, actor=None):
        db.session.add(TicketEvent(ticket_id=t.id, kind=kind, actor_type='agent' if actor else 'system',
                                   actor_id=actor, before=before, after=after, created_at=when))

    def status(self, t, before, after, when):
        self.event(t, 'status_changed', when, before={'status': before}, after={'status': after})

    def assign(self, t, agent, when, via, previous=None):
        self.event(t, 'assigned', when, before={'assignee_id': previous}, after={'assignee_id': agent, 'via': via})

    def reply(self, t, agent, when, kind=MessageKind.outbound):
        db.session.add(Message(ticket_id=t.id, kind=kind, author_agent_id=agent, body='ok', created_at=when))

    def clock(self, t, metric, started, target, status, stopped=None, business=None, breached=None, sequence=1):
        db.session.add(SlaClock(ticket_id=t.id, client_id=self.client_id, metric=metric, sequence=sequence,
                                target_seconds=target, status=status, started_at=started, stopped_at=stopped,
                                business_seconds=business, breached_at=breached, updated_at=stopped or started,
                                due_at=started + timedelta(seconds=target)))

    def offer(self, t, agent, created, status, responded=None):
        db.session.add(Offer(ticket_id=t.id, agent_id=agent, channel=str(getattr(t.channel, 'value', t.channel)), status=status,
                             created_at=created, expires_at=created + timedelta(seconds=30), responded_at=responded))

    def wrapup(self, t, agent, started, seconds, trigger=Trigger.resolve):
        db.session.add(WrapUp(agent_id=agent, ticket_id=t.id, client_id=self.client_id, channel=str(getattr(t.channel, 'value', t.channel)),
                              trigger=trigger, started_at=started, due_at=started + timedelta(seconds=60),
                              ended_at=started + timedelta(seconds=seconds), ended_by=EndedBy.agent))

    def presence(self, agent, status, started, ended, reason=None):
        db.session.add(PresenceChange(agent_id=agent, status=status, reason=reason, started_at=started,
                                      ended_at=ended))


def build(client_id: int, a: int, b: int) -> Day:
    s = _Script(client_id)
    billing = Disposition(client_id=client_id, code='billing', label_en='Billing', label_es='Facturación')
    db.session.add(billing)
    db.session.flush()
    t = {}
    # T0: yesterday's e-mail, resolved inside the day: counts as resolved, not as created.
    t[0] = s.ticket('email', 'en', at('03:00:00'), status=Status.resolved)
    s.status(t[0], 'open', 'resolved', at('04:30:00'))
    s.clock(t[0], 'resolution', at('03:00:00'), 7200, ClockStatus.met, at('04:30:00'), 5400)
    # T1: chat at 01:30 EDT. A declines, B accepts after 70 s (answer target 60 s: breached).
    t[1] = s.ticket('chat', 'en', at('05:30:00'), status=Status.resolved, assignee=b, product='modem',
                    disposition_id=billing.id)
    s.offer(t[1], a, at('05:30:00'), OfferStatus.declined, at('05:30:20'))
    s.offer(t[1], b, at('05:30:20'), OfferStatus.accepted, at('05:31:10'))
    s.assign(t[1], b, at('05:31:10'), 'offer')
    s.clock(t[1], 'answer', at('05:30:00'), 60, ClockStatus.breached, at('05:31:10'), 70, breached=at('05:31:00'))
    s.reply(t[1], b, at('05:32:00'))
    s.clock(t[1], 'first_response', at('05:30:00'), 300, ClockStatus.met, at('05:32:00'), 120)
    s.reply(t[1], b, at('05:40:00'))
    s.status(t[1], 'open', 'resolved', at('05:45:00'))
    s.clock(t[1], 'resolution', at('05:30:00'), 3600, ClockStatus.met, at('05:45:00'), 900)
    s.wrapup(t[1], b, at('05:45:00'), 40)
    # T2: chat at 01:20 EST (the second 01:00 hour). A accepts at 30 s, replies, transfers to B;
    # B replies, sets pending for an hour (the resolution clock pauses), resolves at 08:00.
    t[2] = s.ticket('chat', 'es', at('06:20:00'), status=Status.resolved, assignee=b, product='router')
    s.offer(t[2], a, at('06:20:00'), OfferStatus.accepted, at('06:20:30'))
    s.assign(t[2], a, at('06:20:30'), 'offer')
    s.clock(t[2], 'answer', at('06:20:00'), 60, ClockStatus.met, at('06:20:30'), 30)
    s.reply(t[2], a, at('06:21:00'))
    s.clock(t[2], 'first_response', at('06:20:00'), 300, ClockStatus.met, at('06:21:00'), 60)
    s.assign(t[2], b, at('06:25:00'), 'transfer', previous=a)
    s.wrapup(t[2], a, at('06:25:00'), 20, Trigger.transfer)
    s.reply(t[2], b, at('06:30:00'))
    s.reply(t[2], b, at('06:29:00'), MessageKind.note)
    s.status(t[2], 'open', 'pending', at('06:31:00'))
    s.status(t[2], 'pending', 'open', at('07:31:00'))
    s.status(t[2], 'open', 'resolved', at('08:00:00'))
    s.clock(t[2], 'resolution', at('06:20:00'), 7200, ClockStatus.met, at('08:00:00'), 2400)
    s.wrapup(t[2], b, at('08:00:00'), 60)
    # T3: e-mail on a Sunday (the policy calendar is closed: 0 business seconds), assigned to A,
    # answered, resolved, reopened by the customer, answered again, resolved again.
    t[3] = s.ticket('email', 'en', at('13:00:00'), status=Status.resolved, assignee=a)
    s.assign(t[3], a, at('13:00:00'), 'direct')
    s.reply(t[3], a, at('15:00:00'))
    s.clock(t[3], 'first_response', at('13:00:00'), 14400, ClockStatus.met, at('15:00:00'), 0)
    s.status(t[3], 'open', 'resolved', at('15:10:00'))
    s.status(t[3], 'resolved', 'open', at('16:00:00'))
    s.reply(t[3], a, at('16:30:00'))
    s.clock(t[3], 'next_response', at('16:00:00'), 3600, ClockStatus.met, at('16:30:00'), 0)
    s.status(t[3], 'open', 'resolved', at('17:00:00'))
    s.clock(t[3], 'resolution', at('13:00:00'), 86400, ClockStatus.met, at('17:00:00'), 0)
    # T4: chat offered to B, who lets the offer expire; the customer leaves after 2 minutes.
    t[4] = s.ticket('chat', 'en', at('18:00:00'), status=Status.resolved, abandoned_at=at('18:02:00'))
    s.offer(t[4], b, at('18:00:00'), OfferStatus.expired, at('18:00:30'))
    s.clock(t[4], 'answer', at('18:00:00'), 60, ClockStatus.breached, at('18:02:00'), 120, breached=at('18:01:00'))
    s.clock(t[4], 'first_response', at('18:00:00'), 300, ClockStatus.cancelled, at('18:02:00'), 120)
    # T5: phone call answered by A after 20 s, 300 s of talk, a minute of wrap-up.
    t[5] = s.ticket('phone', 'en', at('20:00:00'), status=Status.resolved, assignee=a)
    s.offer(t[5], a, at('20:00:00'), OfferStatus.accepted, at('20:00:20'))
    s.assign(t[5], a, at('20:00:20'), 'offer')
    db.session.add(Call(client_id=client_id, call_id='c-1', ticket_id=t[5].id, from_number='+15550100',
                        status=CallStatus.ended, agent_id=a, ringing_at=at('20:00:00'), answered_at=at('20:00:20'),
                        ended_at=at('20:05:20'), duration_seconds=300, created_at=at('20:00:00'),
                        updated_at=at('20:05:20')))
    s.clock(t[5], 'answer', at('20:00:00'), 60, ClockStatus.met, at('20:00:20'), 20)
    s.clock(t[5], 'first_response', at('20:00:00'), 300, ClockStatus.met, at('20:00:20'), 20)
    s.status(t[5], 'open', 'resolved', at('20:05:20'))
    s.clock(t[5], 'resolution', at('20:00:00'), 3600, ClockStatus.met, at('20:05:20'), 320)
    s.wrapup(t[5], a, at('20:05:20'), 60)
    # T6: e-mail in Spanish at 18:30 EST, nobody answers: its first-response clock breaches at 03:30 UTC.
    t[6] = s.ticket('email', 'es', at('23:30:00'), status=Status.new)
    s.clock(t[6], 'first_response', at('23:30:00'), 14400, ClockStatus.breached, breached=at('03:30:00', 2))
    # Presence: A offline until 05:00, available, lunch 12:00-12:30, available, offline from 21:00 on;
    # B available 05:00-10:00, offline, available 17:55-19:00, offline from 19:00 on.
    s.presence(a, 'offline', at('03:00:00'), at('05:00:00'))
    s.presence(a, 'available', at('05:00:00'), at('12:00:00'))
    s.presence(a, 'away', at('12:00:00'), at('12:30:00'), 'lunch')
    s.presence(a, 'available', at('12:30:00'), at('21:00:00'))
    s.presence(a, 'offline', at('21:00:00'), None)
    s.presence(b, 'available', at('05:00:00'), at('10:00:00'))
    s.presence(b, 'offline', at('10:00:00'), at('17:55:00'))
    s.presence(b, 'available', at('17:55:00'), at('19:00:00'))
    s.presence(b, 'offline', at('19:00:00'), None)
    db.session.commit()
    return Day(client_id, a, b, t)
