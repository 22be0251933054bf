"""Writing the audit log, inside the transaction of the change it describes.

Two ways an entry is written:

* ``record(action, ...)``: an operation says what happened (a key created, a login failed,
  an endpoint disabled by the sweep). Call it before the commit of the change; the entry
  commits or rolls back with it.
* Automatically: a route that needs the supervisor or admin role and changes something
  (POST/PUT/PATCH/DELETE) gets an entry named after its endpoint when its transaction
  commits, unless the operation recorded a more precise one. So every supervisor and admin
  action of every domain is logged without a line in the domain (``expect_admin_action``
  is called by ``agents.auth.require_role``).

The client an entry belongs to (which supervisors may read it) is ``client_id``; routes that
resolve a client or a ticket call ``concerns_client`` so the automatic entry carries it.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.extensions import db
from .models import AuditEntry


@dataclass(frozen=True)
class AuditActor:
    type: str                      # agent | client | system | anonymous
    id: int | None = None
    name: str | None = None


SYSTEM = AuditActor('system', None, 'system')


def current_actor() -> AuditActor:
    """Who the current request acts for: the logged-in person, the signed client system, or the system."""
    if not has_request_context():
        return SYSTEM
    agent = g.get('current_agent')
    if agent is not None:
        return AuditActor('agent', agent.id, agent.email)
    client = g.get('client')
    if client is not None:
        return AuditActor('client', client.id, client.slug)
    return AuditActor('anonymous', None, None)


def record(action: str, *, target_type: str | None = None, target_id=None, client_id: int | None = None,
           detail: dict | None = None, actor: AuditActor | None = None, session: Session | None = None) -> AuditEntry:
    """Add an entry to ``session`` (the request's by default); it commits with the change."""
    actor = actor or current_actor()
    entry = AuditEntry(created_at=utcnow(), actor_type=actor.type, actor_id=actor.id,
                       actor_name=(actor.name or '')[:254] or None, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id)[:120],
                       client_id=client_id if client_id is not None else _request_client(),
                       ip=_ip(), detail=detail)
    (session or db.session).add(entry)
    if has_request_context() and session is None:
        g.audit_recorded = True
    return entry


def _ip() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def _request_client() -> int | None:
    return g.get('audit_client_id') if has_request_context() else None


def concerns_client(client_id: int | None) -> None:
    """Note which client the current request acts on (for the entries it writes)."""
    if has_request_context() and client_id is not None:
        g.audit_client_id = client_id


def expect_admin_action(action: str) -> None:
    """The current request is a supervisor or admin action: log it when it commits."""
    g.audit_action = action


@event.listens_for(Session, 'before_commit')
def _log_admin_action(session: Session) -> None:
    if (not has_request_context() or not g.get('audit_action') or session is not db.session()
            or session.in_nested_transaction()):
        return
    action = g.pop('audit_action')
    if g.get('audit_recorded') or not (session.new or session.dirty or session.deleted or session.info.get(_WROTE)):
        return
    record(action, detail={'method': request.method, 'path': request.path,
                           'args': {k: str(v) for k, v in (request.view_args or {}).items()}})


_WROTE = 'audit_wrote'


@event.listens_for(Session, 'after_flush')
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, 'do_orm_execute')
def _executed(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info[_WROTE] = True


@event.listens_for(Session, 'after_commit')
@event.listens_for(Session, 'after_rollback')
def _forget_writes(session: Session) -> None:
    if not session.in_nested_transaction():  # a released SAVEPOINT is not the end of the transaction
        session.info.pop(_WROTE, None)


# --- reading -------------------------------------------------------------------------

def search(query_scope, args: dict) -> list[AuditEntry]:
    """Entries newest first; ``query_scope(select)`` applies who may read what."""
    query = query_scope(sa.select(AuditEntry))
    for name in ('actor_type', 'actor_id', 'target_type', 'target_id', 'client_id'):
        if args.get(name) is not None:
            query = query.where(getattr(AuditEntry, name) == args[name])
    if args.get('action'):
        action = args['action']
        query = query.where(AuditEntry.action.startswith(action[:-1]) if action.endswith('*')
                            else AuditEntry.action == action)
    if args.get('since'):
        query = query.where(AuditEntry.created_at >= args['since'])
    if args.get('until'):
        query = query.where(AuditEntry.created_at < args['until'])
    if args.get('before'):
        query = query.where(AuditEntry.id < args['before'])
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(args['limit'])))
