"""REST for the figures: ``/api/v1/reports/{tickets,agents,intervals}`` for supervisors and admins
(their own clients only), and ``/api/v1/intake/reports/tickets``, the client system's signed pull of
its own figures. JSON by default; CSV, streamed, with ``Accept: text/csv`` or ``format=csv``."""
from flask import Response, g, request, stream_with_context
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import client_ids
from ..agents.tokens import Scope
from ..clients.auth import signed_client
from ..core.i18n import select_locale
from . import facts, queries
from .csv_export import csv_chunks
from .operations import build_params
from .schemas import AgentReportArgs, ClientReportArgs, ReportArgs, ReportSchema

blp = Blueprint('reports', __name__, url_prefix='/api/v1/reports',
                description='Contact-center figures: volume, speed, SLA, service level, handle time, occupancy')
client_blp = Blueprint('client_reports', __name__, url_prefix='/api/v1/intake/reports',
                       description="The signing client system's own figures")
# The same 200 in two forms: flask-smorest's doc() replaces the response's content, so JSON is named again.
CSV_DOC = {'responses': {'200': {'content': {
    'application/json': {'schema': {'$ref': '#/components/schemas/Report'}},
    'text/csv': {'schema': {'type': 'string'}}}}}}


def _wants_csv(args: dict) -> bool:
    if args.get('format'):
        return args['format'] == 'csv'
    best = request.accept_mimetypes.best_match(['application/json', 'text/csv'])
    return best == 'text/csv' and request.accept_mimetypes['text/csv'] > request.accept_mimetypes['application/json']


def _answer(result: queries.ReportResult, params: queries.ReportParams, args: dict, name: str):
    if _wants_csv(args):
        filename = f'{name}-{params.start.date().isoformat()}-{params.end.date().isoformat()}.csv'
        return Response(stream_with_context(csv_chunks(result)), mimetype='text/csv',
                        headers={'Content-Disposition': f'attachment; filename="{filename}"',
                                 'Cache-Control': 'private, no-cache', 'X-Content-Type-Options': 'nosniff'})
    return {'columns': [{'key': c.key, 'label': c.header(), 'unit': c.unit} for c in result.columns],
            'rows': list(result.dicts()), 'timezone': params.zone.key,
            'interval': params.interval.value if params.interval else None}


def _report(args: dict, run, name: str, allowed=None):
    params = build_params(args, allowed if allowed is not None else client_ids(g.current_agent), select_locale())
    facts.refresh_committed()
    params.refresh = False  # done and committed: a CSV streaming for minutes takes no lock
    return _answer(run(params), params, args, name)


@blp.route('/tickets', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(ReportArgs, location='query')
@blp.response(200, ReportSchema)
@blp.doc(**CSV_DOC)
def tickets_report(args):
    """Volume, ASA, first/next response and resolution times, SLA met/breached, service level and AHT,
    grouped by any of the group fields and an interval (see docs/reports.md for every definition)."""
    return _report(args, queries.tickets_report, 'tickets')


@blp.route('/intervals', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(ReportArgs, location='query')
@blp.response(200, ReportSchema)
@blp.doc(**CSV_DOC)
def intervals_report(args):
    """The tickets figures per interval (30 minutes unless `interval` says otherwise): the staffing view."""
    return _report(args, queries.intervals_report, 'intervals')


@blp.route('/agents', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(AgentReportArgs, location='query')
@blp.response(200, ReportSchema)
@blp.doc(**CSV_DOC)
def agents_report(args):
    """Per agent: handled, talk, wrap-up, AHT, occupancy and time in each presence state."""
    return _report(args, queries.agents_report, 'agents')


@client_blp.route('/tickets', methods=['GET'])
@signed_client
@client_blp.arguments(ClientReportArgs, location='query')
@client_blp.response(200, ReportSchema)
@client_blp.doc(**CSV_DOC)
def client_tickets_report(args):
    """This client's tickets figures, as `/api/v1/reports/tickets` (the zone defaults to the client's)."""
    return _report(args, queries.tickets_report, 'tickets', allowed=frozenset({g.client.id}))
