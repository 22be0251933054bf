"""CSAT operations: schedule the question on resolve, ask it when due, record the one answer.

Operations flush and never commit. The timer is ``CsatSurvey.due_at`` (a job at that time
and a minute sweep), so a lost job only delays the question.
"""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..clients.models import Client
from ..clients.webhook_models import WebhookEvent
from ..clients.webhooks import enqueue_event
from ..core import jobs
from ..core.clock import utcnow
from ..core.config import setting
from ..core.errors import ApiError, Conflict
from ..core.extensions import db
from ..core.i18n import _
from ..core.transactions import after_commit, each_in_own_transaction
from ..outbound import operations as outbound
from ..outbound.callbacks import ticket_data
from ..outbound.models import OutboxKind
from ..outbound.tasks import deliver_webhook, send_outbox
from ..tickets.models import Message, MessageKind, Ticket
from ..tickets.operations import SYSTEM, Actor, record
from ..tickets.states import Status
from . import links, texts
from .models import AnswerVia, CsatResponse, CsatSurvey, SurveyStatus
from .parsing import read_rating
from .signals import csat_received, survey_sent

ANSWER_DAYS = 7          # links and "reply 1 to 5" count this long after the question
MAX_COMMENT = 2000
DONE = (Status.resolved, Status.closed)


class LinkExpired(ApiError):
    status, code = 410, 'csat_link_expired'


def answer_window() -> timedelta:
    return timedelta(days=int(setting('SUPPORT_CSAT_ANSWER_DAYS', ANSWER_DAYS)))


# --- scheduling ---------------------------------------------------------------------------------

def on_resolved(ticket: Ticket, actor: Actor | None) -> CsatSurvey | None:
    """The ticket was resolved: schedule the question (once per ticket; again if it was never asked)."""
    enabled, delay = db.session.execute(sa.select(Client.csat_enabled, Client.csat_delay_minutes)
                                        .where(Client.id == ticket.client_id)).one()
    if not enabled:
        return None
    survey = survey_of(ticket.id)
    if survey is not None and survey.status not in (SurveyStatus.cancelled, SurveyStatus.failed):
        return None  # asked already (or waiting): one question per ticket
    now = utcnow()
    agent_id = ticket.assignee_id or (actor.id if actor is not None and actor.type == 'agent' else None)
    if survey is None:
        survey = CsatSurvey(ticket_id=ticket.id, client_id=ticket.client_id, customer_id=ticket.customer_id,
                            created_at=now)
        db.session.add(survey)
    survey.agent_id, survey.channel, survey.language = agent_id, ticket.channel.value, ticket.language
    survey.status, survey.due_at, survey.failure = SurveyStatus.scheduled, now + timedelta(minutes=delay), None
    db.session.flush()
    after_commit(db.session, _schedule_send, survey.id, survey.due_at if delay > 0 else None)
    return survey


def _schedule_send(survey_id: int, due_at) -> None:
    try:
        jobs.enqueue('csat.send_due', survey_id, eta=due_at)
    except Exception:  # the minute sweep sends it
        pass


def on_reopened(ticket: Ticket) -> None:
    """The ticket came back before we asked: ask nothing (a later resolve schedules again)."""
    db.session.execute(sa.update(CsatSurvey).where(CsatSurvey.ticket_id == ticket.id,
                                                   CsatSurvey.status == SurveyStatus.scheduled)
                       .values(status=SurveyStatus.cancelled).execution_options(synchronize_session='fetch'))


def survey_of(ticket_id: int) -> CsatSurvey | None:
    return db.session.scalar(sa.select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))


# --- asking -------------------------------------------------------------------------------------

def send_due(survey_id: int) -> bool:
    """Ask now if the survey is due (a no-op when early, sent, cancelled or repeated)."""
    survey = db.session.scalar(sa.select(CsatSurvey).where(CsatSurvey.id == survey_id).with_for_update())
    if survey is None or survey.status != SurveyStatus.scheduled or survey.due_at > utcnow():
        return False
    ticket = db.session.get(Ticket, survey.ticket_id)
    if ticket.status not in DONE:
        survey.status = SurveyStatus.cancelled
        return False
    _ask(survey, ticket)
    return True


def _ask(survey: CsatSurvey, ticket: Ticket) -> None:
    now = utcnow()
    expires_at = now + answer_window()
    token = links.make_token(survey.id, expires_at)
    client = db.session.get(Client, ticket.client_id)
    question = texts.question(ticket, client.name, token)
    message, reason = outbound.queue_notice(db.session, ticket, OutboxKind.survey, question.subject, question.body,
                                            stored_body=question.shown, send_job=send_outbox)
    if message is None:
        survey.status, survey.failure = SurveyStatus.failed, (reason or '')[:300]
    else:
        survey.status, survey.sent_at, survey.expires_at, survey.message_id = (
            SurveyStatus.sent, now, expires_at, message.id)
        record(ticket, 'csat_sent', SYSTEM, after={'channel': survey.channel, 'message_id': message.id})
    survey_sent.send(survey)


def sweep_due(limit: int = 500) -> int:
    """Ask every survey past its due time, each in its own transaction."""
    due = db.session.scalars(sa.select(CsatSurvey.id).where(CsatSurvey.status == SurveyStatus.scheduled,
                                                            CsatSurvey.due_at <= utcnow())
                             .order_by(CsatSurvey.due_at).limit(limit)).all()
    db.session.commit()
    return each_in_own_transaction(due, send_due, 'CSAT survey')


# --- answering ----------------------------------------------------------------------------------

def record_answer(survey: CsatSurvey, rating: int, via: AnswerVia, comment: str | None = None,
                  message: Message | None = None) -> CsatResponse:
    """The customer's answer (409 when the ticket has one already: the database keeps one per ticket)."""
    now = utcnow()
    response = CsatResponse(survey_id=survey.id, ticket_id=survey.ticket_id, client_id=survey.client_id,
                            customer_id=survey.customer_id, agent_id=survey.agent_id, channel=survey.channel,
                            language=survey.language, rating=rating, comment=_clean(comment), via=via,
                            message_id=message.id if message is not None else None, answered_at=now,
                            commented_at=now if _clean(comment) else None)
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('This ticket has already been rated. Thank you!'), code='csat_answered') from None
    survey.status = SurveyStatus.answered
    ticket = db.session.get(Ticket, survey.ticket_id)
    actor = Actor('customer', survey.customer_id, ticket.customer.name if ticket.customer else None)
    record(ticket, 'csat_received', actor, after={'rating': rating, 'via': via.value, 'agent_id': survey.agent_id})
    _announce(response, 'rating')
    return response


def add_comment(response: CsatResponse, comment: str) -> CsatResponse:
    """The optional comment after a rating (409 once one was given)."""
    comment = _clean(comment)
    if not comment:
        raise Conflict(_('Write a comment first.'), code='csat_comment_empty', status=422)
    if response.comment:
        raise Conflict(_('Your comment has already been recorded. Thank you!'), code='csat_commented')
    response.comment, response.commented_at = comment, utcnow()
    db.session.flush()
    _announce(response, 'comment')
    return response


def _clean(comment: str | None) -> str | None:
    text = (comment or '').replace('\x00', '').strip()
    return text[:MAX_COMMENT] or None


def _announce(response: CsatResponse, event: str) -> None:
    """The client's ``csat.received`` callback, and the signal the live events follow."""
    ticket = db.session.get(Ticket, response.ticket_id)
    enqueue_event(db.session, response.client_id, WebhookEvent.csat_received,
                  {'ticket': ticket_data(ticket), 'csat': response_data(response), 'event': event},
                  send_job=deliver_webhook)
    csat_received.send(response, event=event)


def answer_by_link(token: str, rating: int, comment: str | None = None) -> CsatResponse:
    """The survey page's form, posted (``links.BadLink``/``LinkExpired`` for a bad token; 409 when rated)."""
    survey = _survey_by_token(token, for_update=True)
    if survey.response is not None:
        raise Conflict(_('This ticket has already been rated. Thank you!'), code='csat_answered')
    return record_answer(survey, rating, AnswerVia.link, comment)


def _survey_by_token(token: str, for_update: bool = False) -> CsatSurvey:
    try:
        survey_id = links.read_token(token)
    except links.ExpiredLink as expired:
        error = LinkExpired(_('This survey link has expired.'))
        error.language = db.session.scalar(sa.select(CsatSurvey.language).where(CsatSurvey.id == expired.survey_id))
        raise error from None
    query = sa.select(CsatSurvey).where(CsatSurvey.id == survey_id)
    survey = db.session.scalar(query.with_for_update() if for_update else query)
    if survey is None:
        raise links.BadLink()
    return survey


def survey_by_token(token: str) -> CsatSurvey:
    return _survey_by_token(token)


def take_reply(client, customer, inbound, actor) -> tuple[Ticket, Message] | None:
    """A reply that is a rating while the customer's recently resolved ticket waits for one records it
    on that ticket (no reopen); anything else is left to thread as usual (None)."""
    reading = read_rating(inbound.body) if inbound.may_open else None  # an auto-reply never rates
    if reading is None:
        return None
    survey = _pending_survey(client.id, customer.id, inbound.channel.value)
    if survey is None:
        return None
    ticket = db.session.get(Ticket, survey.ticket_id)
    message = Message(ticket_id=ticket.id, kind=MessageKind.inbound, author_customer_id=customer.id,
                      body=inbound.body, language=ticket.language, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
            record_answer(survey, reading.rating, AnswerVia.reply, reading.comment, message)
    except Conflict:  # answered meanwhile: the reply is conversation after all
        return None
    ticket.updated_at = message.created_at
    return ticket, message


def _pending_survey(client_id: int, customer_id: int, channel: str) -> CsatSurvey | None:
    """The customer's newest unanswered, unexpired question on this channel, of a ticket still done."""
    return db.session.scalar(
        sa.select(CsatSurvey).join(Ticket, Ticket.id == CsatSurvey.ticket_id)
        .where(CsatSurvey.client_id == client_id, CsatSurvey.customer_id == customer_id,
               CsatSurvey.channel == channel, CsatSurvey.status == SurveyStatus.sent,
               CsatSurvey.expires_at > utcnow(), Ticket.status.in_(DONE))
        .order_by(CsatSurvey.sent_at.desc(), CsatSurvey.id.desc()).limit(1).with_for_update(of=CsatSurvey))


# --- what others see ------------------------------------------------------------------------------

def response_data(response: CsatResponse) -> dict:
    """The answer in callbacks and live events."""
    from ..agents.models import Agent
    agent = db.session.get(Agent, response.agent_id) if response.agent_id else None
    return {'id': response.id, 'ticket_id': response.ticket_id, 'rating': response.rating,
            'satisfied': response.satisfied, 'comment': response.comment, 'via': response.via.value,
            'channel': response.channel, 'language': response.language,
            'agent': {'id': agent.id, 'name': agent.name} if agent else None,
            'answered_at': response.answered_at.isoformat(),
            'commented_at': response.commented_at.isoformat() if response.commented_at else None}


def survey_data(survey: CsatSurvey | None) -> dict | None:
    """The ticket's CSAT block: the question and, once answered, the answer."""
    if survey is None:
        return None
    return {'status': survey.status.value, 'channel': survey.channel, 'language': survey.language,
            'agent_id': survey.agent_id, 'due_at': survey.due_at, 'sent_at': survey.sent_at,
            'expires_at': survey.expires_at, 'failure': survey.failure,
            'response': response_data(survey.response) if survey.response is not None else None}
