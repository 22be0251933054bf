"""Customer satisfaction: one survey per resolved ticket and at most one answer per ticket.

A ``CsatSurvey`` is the timer and the record of asking: ``due_at`` is when the job asks (the
client's delay after the resolve), ``expires_at`` when the links and the "reply 1 to 5" stop
counting. A ``CsatResponse`` is the customer's answer; the unique ``ticket_id`` makes a second
answer impossible whatever races (two clicks, a click and a reply).
"""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.db import Base, BigId, big_pk, enum_type
from ..core.i18n import _l
from ..tickets.models import Ticket

RATINGS = range(1, 6)
SATISFIED = 4  # 4 and 5 count as satisfied (the usual CSAT share)


class SurveyStatus(str, enum.Enum):
    scheduled = 'scheduled'   # waiting for due_at
    sent = 'sent'             # asked; waiting for the answer until expires_at
    answered = 'answered'     # a CsatResponse exists
    cancelled = 'cancelled'   # the ticket reopened before we asked
    failed = 'failed'         # no way to reach the customer on the ticket's channel


class AnswerVia(str, enum.Enum):
    link = 'link'     # a signed link of the e-mail (the public page)
    reply = 'reply'   # "reply 1 to 5" on SMS, WhatsApp, chat (or an e-mail reply)


RATING_LABELS = {1: _l('Very dissatisfied'), 2: _l('Dissatisfied'), 3: _l('Neutral'), 4: _l('Satisfied'),
                 5: _l('Very satisfied')}


class CsatSurvey(Base):
    __tablename__ = 'csat_surveys'
    __table_args__ = (
        sa.Index('ix_csat_surveys_due', 'due_at', postgresql_where=sa.text("status = 'scheduled'"),
                 sqlite_where=sa.text("status = 'scheduled'")),
        sa.Index('ix_csat_surveys_customer_sent', 'customer_id', 'sent_at'),
    )

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), unique=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'), index=True)
    customer_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('customers.id', ondelete='CASCADE'))
    # The agent who held the ticket when it was resolved: the answer is theirs.
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    channel: Mapped[str] = mapped_column(sa.String(16))
    language: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[SurveyStatus] = mapped_column(enum_type(SurveyStatus))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    # The outbound message that asked (its body shows the question, never the signed links).
    message_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='SET NULL'))
    failure: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(backref=backref('csat_survey', uselist=False, viewonly=True))


class CsatResponse(Base):
    __tablename__ = 'csat_responses'
    __table_args__ = (
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name='rating_1_to_5'),
        sa.Index('ix_csat_responses_client_answered', 'client_id', 'answered_at'),
        sa.Index('ix_csat_responses_agent_answered', 'agent_id', 'answered_at'),
        sa.Index('ix_csat_responses_customer', 'customer_id'),
    )

    id: Mapped[int] = big_pk()
    survey_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('csat_surveys.id', ondelete='CASCADE'),
                                           unique=True)
    # One answer per ticket, whatever races: the database refuses a second one.
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'), unique=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    customer_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('customers.id', ondelete='CASCADE'))
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('agents.id', ondelete='SET NULL'))
    channel: Mapped[str] = mapped_column(sa.String(16))
    language: Mapped[str] = mapped_column(sa.String(2))
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    via: Mapped[AnswerVia] = mapped_column(enum_type(AnswerVia))
    # The inbound message that carried a replied rating.
    message_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey('messages.id', ondelete='SET NULL'))
    answered_at: Mapped[datetime]
    commented_at: Mapped[datetime | None]

    survey: Mapped[CsatSurvey] = relationship(backref=backref('response', uselist=False))
    ticket: Mapped[Ticket] = relationship(backref=backref('csat_response', uselist=False, viewonly=True))

    @property
    def satisfied(self) -> bool:
        return self.rating >= SATISFIED
