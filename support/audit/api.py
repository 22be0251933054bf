"""Reading the audit log: filters, pages, CSV export. Supervisors see only their clients' entries."""
import csv
import io
import json

import sqlalchemy as sa
from flask import Response, g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import client_ids, in_scope, restrict
from ..agents.tokens import Scope
from ..clients.models import Client
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import AuditEntry
from .operations import record, search
from .schemas import AuditExportArgs, AuditListArgs, AuditPageSchema

blp = Blueprint('audit', __name__, url_prefix='/api/v1/audit',
                description='The audit log: who changed what (supervisors see their clients only)')
CSV_COLUMNS = ('id', 'created_at', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id',
               'client', 'ip', 'detail')


def readable_by(agent):
    """What ``agent`` may read: admins every entry (of their clients, if restricted); supervisors only
    entries that belong to one of their clients (never the account-wide ones: logins, accounts, sites)."""
    def scope(query):
        if agent.role == Role.supervisor:
            ids = client_ids(agent)
            query = query.where(AuditEntry.client_id.is_not(None))
            return query if ids is None else query.where(AuditEntry.client_id.in_(sorted(ids)))
        return restrict(query, AuditEntry.client_id, agent)
    return scope


def _filters(args: dict) -> dict:
    slug = args.pop('client', None)
    if slug is not None:
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        if client is None or not in_scope(g.current_agent, client.id):
            raise ValidationFailed(fields={'client': [_('Unknown client: {slug}.').format(slug=slug)]})
        args['client_id'] = client.id
    return args


def _with_slugs(entries: list[AuditEntry]) -> list[AuditEntry]:
    ids = {e.client_id for e in entries if e.client_id is not None}
    slugs = dict(db.session.execute(sa.select(Client.id, Client.slug).where(Client.id.in_(ids))).all()) if ids else {}
    for entry in entries:
        entry.client_slug = slugs.get(entry.client_id)
    return entries


@blp.route('', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(AuditListArgs, location='query')
@blp.response(200, AuditPageSchema)
def list_entries(args):
    """Entries newest first; filter by action (or ``prefix*``), actor, target, client and time."""
    entries = _with_slugs(search(readable_by(g.current_agent), _filters(args)))
    more = len(entries) == args['limit']
    return {'items': entries, 'next_cursor': entries[-1].id if more and entries else None}


@blp.route('/export', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(AuditExportArgs, location='query')
@blp.response(200, {'type': 'string'}, content_type='text/csv')
def export_entries(args):
    """The same entries as CSV (UTF-8, one row per entry); the export itself is logged."""
    filters = _filters(dict(args))
    entries = _with_slugs(search(readable_by(g.current_agent), filters))
    record('audit.exported', detail={'filters': {k: str(v) for k, v in filters.items()}, 'rows': len(entries)})
    db.session.commit()
    return Response(to_csv(entries), mimetype='text/csv',
                    headers={'Content-Disposition': 'attachment; filename="audit.csv"'})


def to_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([_cell(v) for v in (
            e.id, e.created_at.isoformat(), e.actor_type, e.actor_id, e.actor_name, e.action, e.target_type,
            e.target_id, e.client_slug, e.ip, json.dumps(e.detail, ensure_ascii=False) if e.detail else '')])
    return out.getvalue()


def _cell(value) -> str:
    """Text a spreadsheet will not run as a formula (``=``, ``+``, ``-``, ``@`` lead nothing)."""
    text = '' if value is None else str(value)
    return "'" + text if text[:1] in ('=', '+', '-', '@', '\t', '\r') else text
