"""Macros: who may see and change which, preview, and applying one to a ticket in one transaction."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..agents.models import Agent, Role
from ..agents.scope import client_ids, in_scope, require_every_client
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..routing.models import Queue
from ..routing.operations import transfer_to_queue
from ..tickets import fields as custom_fields
from ..tickets.models import MessageKind, Priority, Ticket
from ..tickets.operations import Actor, add_agent_message, record, update_ticket
from ..tickets.states import Status
from . import rendering
from .models import Macro, MacroKind

ACTIONS = ('status', 'priority', 'add_tags', 'remove_tags', 'queue_id', 'fields')
_COLUMNS = {'status': 'set_status', 'priority': 'set_priority', 'add_tags': 'add_tags',
            'remove_tags': 'remove_tags', 'queue_id': 'queue_id', 'fields': 'set_fields'}
LIST_LIMIT = 500


# --- reading -------------------------------------------------------------------------------

def _visible(query, agent: Agent, client_id: int | None = None):
    """Macros for every client plus those of ``client_id`` (or of every client the agent works for)."""
    if client_id is not None:
        return query.where(sa.or_(Macro.client_id.is_(None), Macro.client_id == client_id))
    ids = client_ids(agent)
    if ids is None:
        return query
    return query.where(sa.or_(Macro.client_id.is_(None), Macro.client_id.in_(sorted(ids))))


def list_macros(agent: Agent, client: Client | None = None, q: str | None = None) -> list[Macro]:
    """Macros the agent may use (for one client: that client's and those for every client), by title."""
    query = _visible(sa.select(Macro), agent, client.id if client else None)
    if q:
        query = query.where(sa.func.lower(Macro.title).contains(q.lower(), autoescape=True))
    query = query.options(selectinload(Macro.client), selectinload(Macro.queue))
    return list(db.session.scalars(query.order_by(Macro.title, Macro.id).limit(LIST_LIMIT)))


def get_macro(agent: Agent, macro_id: int) -> Macro:
    macro = db.session.get(Macro, macro_id)
    if macro is None or (macro.client_id is not None and not in_scope(agent, macro.client_id)):
        raise NotFound(_('No such macro.'))
    return macro


def get_editable_macro(agent: Agent, macro_id: int) -> Macro:
    """A macro the supervisor may change: one of their clients', or one for every client if they see every client."""
    macro = get_macro(agent, macro_id)
    if macro.client_id is None:
        require_every_client(agent)
    return macro


def macro_client(agent: Agent, slug: str | None) -> Client | None:
    """The client a macro is for, from a body: ``None`` (every client) needs access to every client."""
    if slug is None:
        require_every_client(agent)
        return None
    client = db.session.scalar(sa.select(Client).where(Client.slug == slug))
    if client is None or not in_scope(agent, client.id):
        raise ValidationFailed(fields={'client': [_('No client "{slug}".').format(slug=slug)]})
    return client


# --- writing -------------------------------------------------------------------------------

def create_macro(agent: Agent, data: dict) -> Macro:
    """A new macro (flushed); the same title twice for one client is a 409."""
    macro = Macro(client=macro_client(agent, data.get('client')), title=data['title'],
                  body_en=data.get('body_en', ''), body_es=data.get('body_es', ''),
                  kind=MacroKind(data.get('kind', 'reply')), created_by_id=agent.id,
                  created_at=utcnow(), updated_at=utcnow(), add_tags=[], remove_tags=[], set_fields={})
    _set_actions(macro, data.get('actions') or {})
    _check_usable(macro)
    db.session.add(macro)
    _flush_unique(macro.title)
    return macro


def update_macro(agent: Agent, macro: Macro, data: dict) -> Macro:
    with db.session.no_autoflush:  # a duplicate title is found by the flush below, not by a lookup on the way
        if 'client' in data:
            macro.client = macro_client(agent, data['client'])
        for name in ('title', 'body_en', 'body_es'):
            if name in data:
                setattr(macro, name, data[name])
        if 'kind' in data:
            macro.kind = MacroKind(data['kind'])
        if 'actions' in data or 'client' in data:
            _set_actions(macro, data.get('actions', {}))
        _check_usable(macro)
    macro.updated_at = utcnow()
    _flush_unique(macro.title)
    return macro


def _set_actions(macro: Macro, actions: dict) -> None:
    for name in ACTIONS:
        if name in actions:
            value = actions[name]
            setattr(macro, _COLUMNS[name], _tags(value) if name.endswith('_tags') else
                    dict(value or {}) if name == 'fields' else value)
    macro.set_status = Status(macro.set_status) if macro.set_status else None
    macro.set_priority = Priority(macro.set_priority) if macro.set_priority else None
    macro.queue = db.session.get(Queue, macro.queue_id) if macro.queue_id else None
    if macro.queue_id and macro.queue is None:
        raise ValidationFailed(fields={'actions': {'queue_id': [_('No such queue.')]}})
    client_id = macro.client.id if macro.client else None
    if macro.queue is not None and macro.queue.client_id not in (None, client_id):
        raise ValidationFailed(fields={'actions': {'queue_id': [_('This queue is for another client.')]}})
    if macro.set_fields:
        _check_fields(client_id, macro.set_fields)


def _check_fields(client_id: int | None, values: dict) -> None:
    """Custom field values are the client's own: checked against its active fields, as an agent's would be."""
    if client_id is None:
        raise ValidationFailed(fields={'actions': {'fields': [
            _('Only a macro for one client can set custom fields.')]}})
    try:
        custom_fields.check_values(client_id, values)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={'actions': exc.fields})


def _tags(tags) -> list[str]:
    """Tags as tickets keep them: trimmed, lower case, each once."""
    return list(dict.fromkeys(t.strip().lower() for t in tags or [] if t.strip()))


def _check_usable(macro: Macro) -> None:
    """A macro writes a text or changes something (checked again after a partial change)."""
    if not (macro.body_en or macro.body_es or macro.has_actions):
        raise ValidationFailed(fields={'_schema': [_('Give a text in English or Spanish, or at least one action.')]})
    if macro.queue_id and macro.set_status in (Status.resolved, Status.closed):
        raise ValidationFailed(fields={'actions': {'queue_id': [
            _('A macro that resolves a ticket cannot also send it to a queue.')]}})


def _flush_unique(title: str) -> None:
    """The unique indexes (client, title) decide, races included."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_('A macro titled "{title}" already exists for this client.').format(title=title),
                       code='duplicate')


def delete_macro(macro: Macro) -> None:
    db.session.delete(macro)
    db.session.flush()


# --- preview and apply ---------------------------------------------------------------------

def _check_applicable(macro: Macro, ticket: Ticket) -> None:
    if macro.client_id is not None and macro.client_id != ticket.client_id:
        raise ValidationFailed(fields={'macro_id': [_('This macro is for another client.')]})


def rendered_text(macro: Macro, ticket: Ticket, agent: Agent) -> tuple[str, str]:
    """``(language, text)``: the macro's text for the ticket's language, filled in for this ticket."""
    language, template = macro.text_for(ticket.language)
    context = rendering.context_for(ticket, agent, ticket_fields(ticket))
    return language, rendering.render(template, context, field=f'body_{language}')


def ticket_fields(ticket: Ticket) -> dict:
    """The ticket's custom field values by name, a select's as its option's label in the ticket's language."""
    values = custom_fields.document(ticket)
    if not values:
        return {}
    key = 'label_es' if ticket.language == 'es' else 'label_en'
    labels = {d.name: {o['value']: o[key] for o in d.options or []}
              for d in custom_fields.definitions_of(ticket.client_id, include_inactive=True)
              if d.type == custom_fields.FieldType.select}
    return {name: labels[name].get(value, value) if name in labels else value for name, value in values.items()}


def preview(macro: Macro, ticket: Ticket, agent: Agent) -> dict:
    """What applying would write and change, without changing anything."""
    _check_applicable(macro, ticket)
    language, body = rendered_text(macro, ticket, agent)
    return {'macro_id': macro.id, 'ticket_id': ticket.id, 'language': language, 'kind': macro.kind.value,
            'body': body, 'actions': macro.actions}


def apply(macro: Macro, ticket: Ticket, agent: Agent, body: str | None = None, kind: str | None = None):
    """Write the macro's reply or note (``body``: the agent's edited text, else the rendered one) and apply its
    actions, all in the caller's transaction; returns the message (None without text) and the changes."""
    _check_applicable(macro, ticket)
    if macro.queue_id and not agent.has_role(Role.supervisor) and ticket.assignee_id != agent.id:
        raise Forbidden(_('You can only transfer tickets assigned to you.'))
    actor = Actor.agent(agent)
    if body is None:
        body = rendered_text(macro, ticket, agent)[1]
    message_kind = MessageKind.note if (kind or macro.kind.value) == 'note' else MessageKind.outbound
    record(ticket, 'macro_applied', actor, after={'macro_id': macro.id, 'title': macro.title})
    message = add_agent_message(ticket, agent, body, message_kind) if body.strip() else None
    changes = _apply_changes(macro, ticket, actor)
    if macro.queue is not None:
        transfer_to_queue(ticket, macro.queue, actor)
        changes['queue'] = (None, macro.queue.id)
    return message, changes


def _apply_changes(macro: Macro, ticket: Ticket, actor: Actor) -> dict:
    status = macro.set_status if macro.set_status != ticket.status else None
    if status is not None and ticket.status == Status.new and status != Status.open:
        update_ticket(ticket, actor, status=Status.open)  # new → open first, as a reply does
    tags = None
    if macro.add_tags or macro.remove_tags:
        removed = set(macro.remove_tags or [])
        tags = [t for t in ticket.tags if t not in removed] + [t for t in macro.add_tags or [] if t not in ticket.tags]
    return update_ticket(ticket, actor, status=status, priority=macro.set_priority, tags=tags,
                         fields=dict(macro.set_fields) if macro.set_fields else None)
