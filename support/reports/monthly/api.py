"""REST for monthly reports: supervisors and admins under ``/api/v1/reports/monthly``, and the
client system's own signed pull under ``/api/v1/intake/reports/monthly``."""
from urllib.parse import quote

from flask import Response, g
from flask_smorest import Blueprint

from ...agents.auth import require_role
from ...agents.models import Role
from ...agents.scope import in_scope, restrict
from ...agents.tokens import Scope
from ...clients.auth import signed_client
from ...clients.models import Client
from ...core.errors import ValidationFailed
from ...core.extensions import db
from ...core.i18n import _
from .. import tasks  # noqa: F401  (the jobs, for the worker)
from . import operations
from .models import ReportFile
from .schemas import (ClientMonthlyReportListArgs, ClientMonthlyReportPageSchema, ClientMonthlyReportSchema,
                      MonthlyReportListArgs, MonthlyReportPageSchema, MonthlyReportRequestSchema, MonthlyReportSchema)

blp = Blueprint('monthly_reports', __name__, url_prefix='/api/v1/reports/monthly',
                description="Each client's monthly report (PDF): made on the 1st in the client's zone, or on demand")
client_blp = Blueprint('client_monthly_reports', __name__, url_prefix='/api/v1/intake/reports/monthly',
                       description='The monthly reports of the client system that signs the request')
PDF = {'type': 'string', 'format': 'binary'}


def _client_named(slug: str) -> Client:
    """The client of a body or query field: 422 on that field if unknown or not the caller's."""
    client = db.session.scalar(db.select(Client).where(Client.slug == slug))
    if client is None or not in_scope(g.current_agent, client.id):
        raise ValidationFailed(fields={'client': [_('No such client.')]})
    return client


def _visible(report: ReportFile) -> bool:
    return in_scope(g.current_agent, report.client_id)


def _page(items: list, limit: int) -> dict:
    more = len(items) == limit
    return {'items': items, 'next_cursor': items[-1].id if more and items else None}


@blp.route('', methods=['POST'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(MonthlyReportRequestSchema)
@blp.response(202, MonthlyReportSchema)
@blp.alt_response(200, schema=MonthlyReportSchema,
                  description='the report existed already (and `regenerate` was not set)')
def post_report(data):
    """Make the client's report of a month that has ended in its zone; rendered in a job, announced
    by ``report.ready``. Asking again returns the same report (one per client and month)."""
    client = _client_named(data['client'])
    report, created = operations.request_report(client, data['month'], g.current_agent.id, data['regenerate'])
    db.session.commit()
    return report, 202 if created or data['regenerate'] else 200


@blp.route('', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(MonthlyReportListArgs, location='query')
@blp.response(200, MonthlyReportPageSchema)
def list_reports(args):
    """Reports of the caller's clients, newest first."""
    client_id = _client_named(args['client']).id if args.get('client') else None
    items = operations.list_reports(lambda q: restrict(q, ReportFile.client_id, g.current_agent), client_id,
                                    args.get('month'), args.get('before'), args['limit'])
    return _page(items, args['limit'])


@blp.route('/<int:report_id>', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.response(200, MonthlyReportSchema)
def get_report(report_id):
    """One report: its status and the headline figures it printed."""
    return operations.get_report(report_id, _visible)


@blp.route('/<int:report_id>/pdf', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.response(200, PDF, content_type='application/pdf')
@blp.alt_response(409, description='not rendered yet')
def get_pdf(report_id):
    """The report's PDF (409 while it is being rendered)."""
    return _pdf_response(operations.get_report(report_id, _visible))


def _pdf_response(report: ReportFile) -> Response:
    content = operations.pdf_of(report)
    return Response(content, mimetype='application/pdf', headers={
        'Content-Disposition': f"attachment; filename=\"{report.filename}\"; filename*=UTF-8''{quote(report.filename)}",
        'ETag': f'"{report.sha256}"', 'Cache-Control': 'private, no-cache', 'X-Content-Type-Options': 'nosniff'})


# --- the client system's own pull ------------------------------------------------------

def _own(report: ReportFile) -> bool:
    return report.client_id == g.client.id


@client_blp.route('', methods=['GET'])
@signed_client
@client_blp.arguments(ClientMonthlyReportListArgs, location='query')
@client_blp.response(200, ClientMonthlyReportPageSchema)
def list_own_reports(args):
    """This client's reports, newest first."""
    items = operations.list_reports(lambda q: q.where(ReportFile.client_id == g.client.id), None,
                                    args.get('month'), args.get('before'), args['limit'])
    return _page(items, args['limit'])


@client_blp.route('/<int:report_id>', methods=['GET'])
@signed_client
@client_blp.response(200, ClientMonthlyReportSchema)
def get_own_report(report_id):
    return operations.get_report(report_id, _own)


@client_blp.route('/<int:report_id>/pdf', methods=['GET'])
@signed_client
@client_blp.response(200, PDF, content_type='application/pdf')
@client_blp.alt_response(409, description='not rendered yet')
def get_own_pdf(report_id):
    """The PDF the ``report.ready`` callback announced (``data.report.pdf_url``)."""
    return _pdf_response(operations.get_report(report_id, _own))
